"""Results rendering: SPARQL 1.2 triple terms in every results format (they used to crash csv, json and srj)."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from szsemi.query.engines import Result
from szsemi.query.render import render

TRIPLE = ox.Triple(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/b"), ox.Literal("x,y", language="en"))
RESULT = Result("SELECT", ["t"], [{"t": TRIPLE}])


@pytest.mark.parametrize(
    ("fmt", "results_format"), [("srj", ox.QueryResultsFormat.JSON), ("tsv", ox.QueryResultsFormat.TSV)]
)
def test_a_triple_term_reads_back_as_the_same_term(fmt: str, results_format: ox.QueryResultsFormat) -> None:
    solutions = ox.parse_query_results(render(RESULT, fmt).encode(), format=results_format)
    assert isinstance(solutions, ox.QuerySolutions)
    assert [solution["t"] for solution in solutions] == [TRIPLE]


def test_a_triple_term_in_csv_is_its_three_parts_in_one_quoted_field() -> None:
    assert render(RESULT, "csv") == 't\r\n"http://e/a http://e/b x,y"\r\n'


def test_a_triple_term_in_plain_json_is_an_object_of_its_parts() -> None:
    assert json.loads(render(RESULT, "json")) == [
        {"t": {"subject": "http://e/a", "predicate": "http://e/b", "object": "x,y"}}
    ]


def test_a_triple_term_in_a_table_keeps_its_brackets() -> None:
    assert "<<( <http://e/a> <http://e/b> x,y@en )>>" in render(RESULT, "table")
