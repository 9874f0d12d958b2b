"""The graph stages on a store: what a compiled plan keeps for its next run (the shape names a report
lists and findings carry) gives the same report as a plan compiled afresh; the shapes graph read
without an N-Triples text in between is the graph read with it."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import rdflib
from once import compiled_once
from rdflib.plugins.parsers.ntriples import ParseError as ParserError

from szsemi.validate.shacl_compile import compile_shapes
from szsemi.validate.stages import check_store, faithful_graph, shape_names

SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix e: <http://e/> .
e:Thing a sh:NodeShape ; sh:targetClass e:T ;
    sh:property [ sh:path e:name ; sh:minCount 1 ; sh:datatype xsd:string ] ;
    sh:property [ sh:path [ sh:inversePath e:owns ] ; sh:maxCount 1 ] ;
    sh:property e:age .
e:age a sh:PropertyShape ; sh:path e:age ; sh:datatype xsd:integer .
"""

DATA = """
<http://e/a> a <http://e/T> ; <http://e/age> "old" .
<http://e/b> a <http://e/T> ; <http://e/name> 5 .
<http://e/x> <http://e/owns> <http://e/b> . <http://e/y> <http://e/owns> <http://e/b> .
<http://e/c> a <http://e/T> ; <http://e/name> "c" .
"""


def _store() -> ox.Store:
    store = ox.Store()
    store.load(DATA.encode(), format=ox.RdfFormat.TURTLE)
    return store


def _report(shapes: rdflib.Graph) -> tuple[list[tuple[str | None, ...]], dict[str, list[str]], dict[str, list[str]]]:
    report = check_store(_store(), shapes)
    return [(f.focus, f.path, f.component, f.shape, f.message) for f in report.findings], report.checks, report.engines


def test_a_plan_kept_for_many_runs_gives_the_report_of_a_fresh_plan() -> None:
    shapes = rdflib.Graph().parse(data=SHAPES, format="turtle")
    fresh = _report(shapes)
    findings, checks, engines = fresh
    assert {f[3] for f in findings} == {
        "<http://e/Thing>/<http://e/name>",
        "<http://e/Thing>/^<http://e/owns>",
        "<http://e/age>",
    }
    assert checks["shacl"] == [
        "<http://e/Thing>",
        "<http://e/Thing>/<http://e/name>",
        "<http://e/Thing>/^<http://e/owns>",
        "<http://e/age>",
    ]
    with compiled_once(shapes) as plan:
        assert _report(shapes) == fresh  # the run that fills what the plan keeps
        assert plan.names and plan.listed  # ... which it did
        again = _report(shapes)
        assert again == fresh  # and the run that reads it
        again[1]["shacl"].append("changed by a caller")  # a report's lists are its own
        assert _report(shapes) == fresh


def test_shape_names_with_and_without_a_plan_agree() -> None:
    shapes = rdflib.Graph().parse(data=SHAPES, format="turtle")
    plan = compile_shapes(shapes)
    assert shape_names(shapes, plan) == shape_names(shapes) == shape_names(shapes, plan)


WRITTEN = """
@prefix e: <http://e/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
e:a e:p "4.0"^^xsd:decimal , "1"^^xsd:boolean , "05"^^xsd:int , "x" , "x"^^xsd:string , "Zh"@zh-Hans ,
    "tab\\there \\"q\\" \\\\u0041"@en , "abc"^^xsd:integer , [ e:q ( 1 2 ) ] , <rel> .
"""


def _reader_route(path) -> rdflib.Graph:
    """The shapes graph as rdflib's N-Triples reader reads Oxigraph's N-Triples of the file."""
    quads = ox.parse(path.read_bytes(), format=ox.RdfFormat.TURTLE, base_iri=path.as_uri(), rename_blank_nodes=True)
    text = ox.serialize([q.triple for q in quads], format=ox.RdfFormat.N_TRIPLES).decode()
    normalize, rdflib.NORMALIZE_LITERALS = rdflib.NORMALIZE_LITERALS, False
    try:
        return rdflib.Graph().parse(data=text, format="nt")
    finally:
        rdflib.NORMALIZE_LITERALS = normalize


def _literals(graph: rdflib.Graph) -> list[tuple[object, ...]]:
    return sorted(
        (str(o), o.language, str(o.datatype), o.ill_typed, repr(o.value))
        for o in graph.objects()
        if isinstance(o, rdflib.Literal)
    )


def test_the_faithful_graph_is_the_graph_rdflib_reads_from_oxigraphs_n_triples(tmp_path) -> None:
    # faithful_graph builds rdflib terms from Oxigraph's without writing and reading N-Triples: the
    # same triples, literals as written (not normalised), a fresh blank node per label
    from rdflib.compare import isomorphic

    path = tmp_path / "written.ttl"
    path.write_text(WRITTEN, encoding="utf-8")
    ours, reader = faithful_graph([str(path)]), _reader_route(path)
    assert isomorphic(ours, reader) and len(ours) == len(reader) == 14  # "x" and "x"^^xsd:string are one
    assert _literals(ours) == _literals(reader)
    assert ('"4.0"^^<http://www.w3.org/2001/XMLSchema#decimal>') in {o.n3() for o in ours.objects()}
    assert rdflib.NORMALIZE_LITERALS  # put back


def test_a_term_rdflib_has_no_form_for_is_refused_as_before(tmp_path) -> None:
    path = tmp_path / "directed.ttl"
    path.write_text('<http://e/a> <http://e/p> "x"@en--ltr .\n', encoding="utf-8")
    with pytest.raises(ParserError):
        faithful_graph([str(path)])
