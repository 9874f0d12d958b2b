"""--cite: every row of a stored report names the source passages it rests on."""

from __future__ import annotations

import io

import pytest

from szsemi.api import run_query
from szsemi.cli.main import main
from szsemi.query.catalogue import load_catalogue

REPORTS = sorted(n for n, q in load_catalogue().items() if q.kind == "report" and q.form == "SELECT")


@pytest.mark.parametrize("name", REPORTS)
def test_every_row_of_every_report_is_cited(name):
    plain = run_query(name)
    cited = run_query(name, cite=True)
    assert [{k: v for k, v in r.items() if k != "citations"} for r in cited] == plain  # nothing else changes
    assert plain, f"{name} gives no rows with its defaults, so the test proves nothing"
    for row in cited:
        assert row["citations"].value, f"{name}: a row without a citation: {row}"
        for one in row["citations"].value.split(" | "):
            assert ", passage " in one and one.startswith('"')


def test_a_row_that_names_its_passage_is_cited_by_that_passage_only():
    for row in run_query("get-conflicting-figures", cite=True):
        number = row["passageNumber"].value
        citations = row["citations"].value.split(" | ")
        assert len(citations) == 1 and f", passage {number}, " in citations[0]
    rows = {r["statement"].value: r["citations"].value for r in run_query("get-conflicting-figures", cite=True)}
    assert rows["exactly 32.8 %"] == (
        '"2024年上半年深圳集成電路產業營收同比增兩成 (original headline: 上半年深圳集成電路產業營收同比增兩成)" '
        "(2024-08-17), passage 10, http://sz.people.com.cn/BIG5/n2/2024/0817/c202846-40947281.html"
    )


def test_a_row_without_a_passage_is_cited_by_what_its_iris_derive_from():
    rows = run_query(
        "get-park-operators",
        {"park": "https://w3id.org/szsemi/id/park/honor-intelligent-manufacturing-industrial-park"},
        cite=True,
    )
    text = rows[0]["citations"].value
    assert (
        "passage 2, https://pandaily.com/" in text
        and '"szsemi identity-resolution notes" (date unknown), passage 1, entities.md' in text
    )


def test_cli_adds_the_column_and_refuses_a_construct():
    out = io.StringIO()
    assert main(["query", "run", "get-industry-figures", "--cite", "--format", "csv"], out=out) == 0
    header = out.getvalue().splitlines()[0].split(",")
    assert header[-1] == "citations"
    assert main(["query", "run", "get-entity-description", "--cite"], out=io.StringIO()) == 2
