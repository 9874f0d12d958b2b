"""The shared SPARQL lexer: tokens that hide keywords inside strings, IRIs and comments; SERVICE found
as a keyword only."""

from __future__ import annotations

import pytest

from szsemi.errors import QueryDefinitionError, UsageError
from szsemi.sparql_syntax import check_service, projection, service_clauses, skip_prologue, tokens


def test_keywords_inside_strings_iris_and_comments_are_not_tokens_of_their_own() -> None:
    text = 'SELECT * { ?s <http://e/WHERE> """SERVICE { }""" } # WHERE { SERVICE'
    kinds = [(t.kind, t.text) for t in tokens(text)]
    assert ("string", '"""SERVICE { }"""') in kinds and ("iri", "<http://e/WHERE>") in kinds
    assert [t.word() for t in tokens(text) if t.kind == "name"] == ["SELECT"]


def test_prologue_is_skipped_to_the_query_form() -> None:
    toks = tokens("BASE <http://e/> PREFIX e: <http://e/> ASK {}")
    assert toks[skip_prologue(toks)].word() == "ASK"


def test_an_unterminated_string_names_its_place() -> None:
    with pytest.raises(QueryDefinitionError) as caught:
        tokens('SELECT * {\n ?s ?p "open }')
    assert (caught.value.line, caught.value.column) == (2, 8)


@pytest.mark.parametrize(
    "text,targets",
    [
        ("SELECT * { SERVICE <http://e/> { ?s ?p ?o } }", ["<http://e/>"]),
        ("select * { service silent e:x { ?s ?p ?o } }", ["e:x"]),
        ("SELECT * { SERVICE ?where { ?s ?p ?o } }", ["?where"]),
        ("SELECT * { ?s ?p 'SERVICE <http://e/>' } # SERVICE <http://e/>", []),
        ("SELECT * { ?s <http://e/SERVICE> ?o }", []),
    ],
)
def test_service_clauses_are_found_as_keywords_only(text: str, targets: list[str]) -> None:
    assert [c.target.text for c in service_clauses(text) if c.target] == targets


def test_check_service_refuses_unless_allowed_and_always_refuses_a_variable() -> None:
    query = "SELECT * { SERVICE <http://e/> { ?s ?p ?o } }"
    with pytest.raises(UsageError, match="--allow-service"):
        check_service(query)
    check_service(query, allow=True)
    with pytest.raises(UsageError, match="not a variable"):
        check_service("SELECT * { SERVICE ?x { ?s ?p ?o } }", allow=True)
    check_service("SELECT * { ?s ?p 'SERVICE ?x' }")


@pytest.mark.parametrize(
    "text,projected",
    [
        ("SELECT ?a ?b WHERE { ?a ?p ?b }", ["?a", "?b"]),
        ("select distinct $this { $this ?p ?o }", ["$this"]),
        ("SELECT REDUCED * FROM <http://e/g> WHERE { ?s ?p ?o }", ["*"]),
        ('SELECT (CONCAT("WHERE {", ?x) AS ?y) WHERE { ?s ?p ?x }', ["(", "CONCAT", "(", '"WHERE {"']),
    ],
)
def test_projection_stops_at_the_pattern_not_at_a_keyword_in_a_string(text: str, projected: list[str]) -> None:
    assert [t.text for t in projection(tokens(text), 0)][: len(projected)] == projected
    assert all(t.word() not in ("WHERE", "FROM") for t in projection(tokens(text), 0))


def test_a_nested_select_has_its_own_projection() -> None:
    toks = tokens("SELECT $this WHERE { { SELECT ?x WHERE { ?x ?p ?o } } }")
    nested = [k for k, t in enumerate(toks) if t.word() == "SELECT"][1]
    assert [t.var_name() for t in projection(toks, nested)] == ["x"]


def test_var_name_is_the_same_for_both_sigils_and_none_for_other_tokens() -> None:
    assert [t.var_name() for t in tokens('$this ?this "?this" <urn:this> this')] == ["this", "this", None, None, None]
