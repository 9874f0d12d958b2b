"""The checks run before a parser sees a file: entity expansion and nesting depth."""

from __future__ import annotations

from pathlib import Path

import pytest

from szsemi.errors import InputError
from szsemi.graph.guards import check_jsonld, check_rdfxml, nesting_depth

HEAD = '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n'
BODY = (
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    '<rdf:Description rdf:about="http://e/s"><rdf:value>{refs}</rdf:value></rdf:Description></rdf:RDF>\n'
)


def _xml(entities: str, refs: str) -> bytes:
    return (HEAD + entities + "]>\n" + BODY.format(refs=refs)).encode()


def test_nested_entities_that_expand_too_far_are_refused(tmp_path: Path) -> None:
    entities = '<!ENTITY a "aaaaaaaaaa">\n' + "".join(
        f'<!ENTITY {b} "' + f"&{a};" * 10 + '">\n' for a, b in zip("abcdefgh", "bcdefghi", strict=True)
    )
    data = _xml(entities, "&i;")
    with pytest.raises(InputError, match="entity expansion"):
        check_rdfxml(None, data, "x.rdf")
    path = tmp_path / "x.rdf"
    path.write_bytes(data)
    with pytest.raises(InputError, match="entity expansion"):
        check_rdfxml(path, None, "x.rdf")


@pytest.mark.hostile(
    what="RDF/XML quadratic blow-up: a 100 kB entity used 1,000 times",
    result="exit 2, 'entity expansion' (more than 64 MB of text)",
    kind="input",
)
def test_many_uses_of_a_large_entity_are_refused_too() -> None:
    data = _xml('<!ENTITY big "' + "x" * 100_000 + '">\n', "&big;" * 1000)  # 100 MB, quadratic
    with pytest.raises(InputError, match="entity expansion"):
        check_rdfxml(None, data, "x.rdf")


def test_plain_and_self_referring_entities() -> None:
    check_rdfxml(None, _xml('<!ENTITY ex "http://e/">\n', "&ex;" * 100), "ok.rdf")
    with pytest.raises(InputError, match="refers to itself"):
        check_rdfxml(None, _xml('<!ENTITY a "&b;">\n<!ENTITY b "&a;">\n', "&a;"), "loop.rdf")
    with pytest.raises(InputError, match="parameter entity"):
        check_rdfxml(None, _xml('<!ENTITY % p "x">\n', ""), "pe.rdf")


def test_nesting_depth_ignores_brackets_in_strings_iris_and_comments() -> None:
    assert nesting_depth(b'{"a": "[[[[", "b": [{}]}') == (3, 20)
    turtle = b'<http://e/s> <http://e/p> [ <http://e/q> "((( [[[" ] . # [[[[[\n<http://e/[x]> <http://e/p> ( 1 ) .'
    assert nesting_depth(turtle, turtle=True)[0] == 1


def test_jsonld_deeper_than_the_limit_is_refused() -> None:
    check_jsonld(b'{"@id": "http://e/s", "http://e/p": [' * 10 + b"1" + b"]}" * 10, "ok.jsonld")
    with pytest.raises(InputError, match="levels deep"):
        check_jsonld(b"[" * 600 + b"]" * 600, "deep.jsonld")
