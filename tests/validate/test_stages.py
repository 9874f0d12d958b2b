"""The graph stages on a store: what a compiled plan keeps for its next run (the shape names a report
lists and findings carry) gives the same report as a plan compiled afresh."""

from __future__ import annotations

import pyoxigraph as ox
import rdflib
from once import compiled_once

from szsemi.validate.shacl_compile import compile_shapes
from szsemi.validate.stages import check_store, shape_names

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
