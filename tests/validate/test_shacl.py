"""pySHACL as szsemi runs it: the caller's data is never changed."""

from __future__ import annotations

import rdflib
from rdflib.compare import isomorphic

from szsemi.validate.shacl import pyshacl_findings

PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
"""
DATA = PREFIXES + "ex:a a ex:Thing ."
MIN_COUNT = PREFIXES + "ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; sh:property [ sh:path ex:p ; sh:minCount 1 ] ."
# the rule gives every thing an ex:p, which then meets the constraint: on a copy of the data
RULE = MIN_COUNT + "ex:S sh:rule [ a sh:TripleRule ; sh:subject sh:this ; sh:predicate ex:p ; sh:object ex:b ] ."


def graph(text: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=text, format="turtle")


def test_without_rules_the_data_is_read_in_place_and_left_as_it_was():
    data, shapes = graph(DATA), graph(MIN_COUNT)
    findings = pyshacl_findings(data, shapes, shapes, {})
    assert [(f.focus, f.path, f.component.rsplit("#", 1)[-1]) for f in findings] == [
        ("<http://example.org/a>", "<http://example.org/p>", "MinCountConstraintComponent")
    ]
    assert isomorphic(data, graph(DATA))


def test_a_rule_adds_to_a_copy_not_to_the_callers_data():
    data, shapes = graph(DATA), graph(RULE)
    assert pyshacl_findings(data, shapes, shapes, {}) == []  # the rule's statement met the constraint
    assert isomorphic(data, graph(DATA))
