"""The literals as written: what a file's scan found is kept for the next scan of the same bytes only."""

from __future__ import annotations

from szsemi.validate.written import WrittenTerms

DATA = '@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n<http://e/a> <http://e/n> "{}"^^xsd:decimal .\n'
STORED = '"4"^^<http://www.w3.org/2001/XMLSchema#decimal>'


def test_a_file_edited_between_two_scans_gives_its_new_forms(tmp_path) -> None:
    path = tmp_path / "d.ttl"
    path.write_text(DATA.format("4.0"), encoding="utf-8")
    first = WrittenTerms.scan([path])
    assert first.restore("<http://e/a>", "<http://e/n>", STORED) == '"4.0"^^<http://www.w3.org/2001/XMLSchema#decimal>'
    first.by_term.clear()  # one scan's tables are its own
    path.write_text(DATA.format("4.00"), encoding="utf-8")
    edited = WrittenTerms.scan([path])
    assert (
        edited.restore("<http://e/a>", "<http://e/n>", STORED) == '"4.00"^^<http://www.w3.org/2001/XMLSchema#decimal>'
    )
    path.write_text(DATA.format("4.0"), encoding="utf-8")
    again = WrittenTerms.scan([path])
    assert again.restore(None, None, STORED) == '"4.0"^^<http://www.w3.org/2001/XMLSchema#decimal>'
    path.write_text(DATA.format("4"), encoding="utf-8")  # written as stored: nothing to restore
    assert not WrittenTerms.scan([path])
