"""Ill-typed literals: what a file's check found is kept for the next run over the same bytes only."""

from __future__ import annotations

from szsemi.validate.literals import ill_typed_findings

GOOD = '@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n<http://e/a> <http://e/year> "2020"^^xsd:gYear .\n'
BAD = GOOD.replace('"2020"', '"year-x"')


def test_a_file_edited_between_two_runs_is_judged_as_it_now_is(tmp_path) -> None:
    path = tmp_path / "d.ttl"
    path.write_text(GOOD, encoding="utf-8")
    assert ill_typed_findings([path]) == []
    path.write_text(BAD, encoding="utf-8")
    found = ill_typed_findings([path])
    assert [(f.focus, f.component) for f in found] == [("<http://e/a>", "ill-typed-literal")]
    found.clear()  # a caller's list is its own
    assert len(ill_typed_findings([path])) == 1
    nt = tmp_path / "d.nt"  # the same statement in N-Triples, found by its own route
    nt.write_text('<http://e/a> <http://e/year> "year-x"^^<http://www.w3.org/2001/XMLSchema#gYear> .\n')
    assert [f.value for f in ill_typed_findings([nt, path])] == [
        '"year-x"^^<http://www.w3.org/2001/XMLSchema#gYear>'
    ] * 2
    path.write_text(GOOD, encoding="utf-8")
    assert ill_typed_findings([path]) == []
