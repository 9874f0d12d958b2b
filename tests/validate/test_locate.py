"""The Turtle reader behind finding locations: it reads what Oxigraph reads, with the right lines."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import REPO, TEST_DATA

from szsemi.validate.locate import SourceIndex, Term, from_ox, parse_turtle, subject_lines

TURTLE_FILES = sorted(
    [
        *REPO.glob("data/*.ttl"),
        *REPO.glob("ontology/*.ttl"),
        *TEST_DATA.glob("shacl/*.ttl"),
        *TEST_DATA.glob("extension/*.ttl"),
    ]
)


def ground_triples(store_or_statements) -> set:
    """Triples without blank nodes, as comparable terms."""
    return {(s, p, o) for s, p, o in store_or_statements if not (s.is_blank or o.is_blank)}


@pytest.mark.parametrize("path", TURTLE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_reader_finds_the_same_triples_as_oxigraph(path: Path):
    text = path.read_text(encoding="utf-8")
    parsed = parse_turtle(path.name, text)
    store = ox.Store()
    store.bulk_load(text.encode("utf-8"), format=ox.RdfFormat.TURTLE, to_graph=ox.DefaultGraph())
    ours = [(st.subject, Term.iri(st.predicate), st.object) for st in parsed.statements]
    theirs = [(from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)) for q in store]
    assert len(set(ours)) == len(theirs)
    assert ground_triples(ours) == ground_triples(theirs)
    blanks = {t for triple in ours for t in (triple[0], triple[2]) if t.is_blank}
    store_blanks = {q.object for q in store if isinstance(q.object, ox.BlankNode)} | {
        q.subject for q in store if isinstance(q.subject, ox.BlankNode)
    }
    assert len(blanks) == len(store_blanks)


SAMPLE = '''\
@base <http://example.org/> .
@prefix ex: <http://example.org/ns#> .
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
# a comment with a <fake> "string" ; and , and .
<a> a ex:Thing ;
    ex:label "one # not a comment"@en , 'two'@en-GB ;
    ex:long """first line
second line with "quotes" """ ;
    ex:n 1 , -2.5 , 3e2 , true ;
    ex:date "2022-06-06"^^xsd:date ;
    ex:esc "caf\\u00e9 \\"x\\"" ;
    ex:list ( ex:x "y" 3 ) ;
    ex:node [ ex:k "first" ] , [
        ex:k "second" ;
    ] ;
    ex:local ex:with\\/slash .
_:b1 ex:p <b> .
[] ex:p ex:anon .
'''


def line(text: str, needle: str) -> int:
    return next(i for i, ln in enumerate(text.splitlines(), 1) if needle in ln)


def test_statements_carry_the_line_of_their_object():
    index = SourceIndex([("s.ttl", SAMPLE)])
    a = "http://example.org/a"
    ex = "http://example.org/ns#"
    assert index.statement_line(a, ex + "label", Term.literal("two", language="en-gb")) == (
        "s.ttl",
        line(SAMPLE, "'two'"),
    )
    assert index.statement_line(a, ex + "long") == ("s.ttl", line(SAMPLE, "ex:long"))
    assert index.statement_line(a, ex + "n", Term.literal("3e2", "http://www.w3.org/2001/XMLSchema#double")) == (
        "s.ttl",
        line(SAMPLE, "ex:n 1"),
    )
    assert index.statement_line(a, ex + "n", Term.literal("-2.50", "http://www.w3.org/2001/XMLSchema#decimal")) == (
        "s.ttl",
        line(SAMPLE, "ex:n 1"),
    )  # numbers compare by value
    assert index.statement_line(a, ex + "esc", Term.literal('café "x"')) == ("s.ttl", line(SAMPLE, "ex:esc"))
    assert index.statement_line(a, ex + "local", Term.iri(ex + "with/slash")) == ("s.ttl", line(SAMPLE, "ex:local"))
    assert index.statement_line(a, ex + "missing") is None
    assert index.blocks[Term.iri(a)] == ("s.ttl", line(SAMPLE, "<a> a ex:Thing"))


def test_a_blank_node_is_found_through_its_owner_and_its_own_statements():
    store = ox.Store()
    store.bulk_load(SAMPLE.encode(), format=ox.RdfFormat.TURTLE, to_graph=ox.DefaultGraph())
    ex = "http://example.org/ns#"
    second = next(q.subject for q in store.quads_for_pattern(None, ox.NamedNode(ex + "k"), ox.Literal("second")))
    where = SourceIndex([("s.ttl", SAMPLE)]).locate(store, str(second), f"<{ex}k>", '"second"')
    assert where.anchor == f"<http://example.org/a> <{ex}node>"
    assert (where.file, where.line) == ("s.ttl", line(SAMPLE, "<a> a ex:Thing"))
    assert where.triple_line == line(SAMPLE, 'ex:k "second"')


def test_files_the_reader_cannot_take_fall_back_to_subjects_at_column_0():
    text = "@prefix ex: <http://e/> .\nex:a ex:p ex:b .\nGRAPH ex:g { ex:c ex:p ex:d }\n"  # TriG
    index = SourceIndex([("g.trig", text)])
    assert index.blocks[Term.iri("http://e/a")] == ("g.trig", 2)
    assert subject_lines(text) == {"http://e/a": 2}


def test_a_file_read_again_after_an_edit_gives_its_new_lines():
    # the index keeps each file's reading for the next run over the same text: an edited text (same
    # name) is read anew, and an index built twice from one text is built the same, however used
    before = "@prefix ex: <http://e/> .\nex:a ex:p 1 .\nex:b ex:p 2 .\n"
    after = "@prefix ex: <http://e/> .\n\nex:b ex:p 2 .\nex:a ex:p 1 ;\n  ex:q 3 .\n"
    first = SourceIndex([("d.ttl", before)])
    assert first.blocks[Term.iri("http://e/a")] == ("d.ttl", 2)
    first.by_subject[Term.iri("http://e/a")].clear()  # one index's tables are its own
    edited = SourceIndex([("d.ttl", after)])
    assert edited.blocks[Term.iri("http://e/a")] == ("d.ttl", 4)
    assert edited.statement_line("http://e/a", "http://e/q") == ("d.ttl", 5)
    again = SourceIndex([("d.ttl", before)])
    assert again.statement_line("http://e/a", "http://e/p") == ("d.ttl", 2)
    trig = "@prefix ex: <http://e/> .\nex:a ex:p ex:b .\nGRAPH ex:g { ex:c ex:p ex:d }\n"
    assert SourceIndex([("g.trig", trig)]).blocks == SourceIndex([("g.trig", trig)]).blocks
