"""Loading files: relative IRIs resolve against the file's own location, as in any RDF parser."""

from __future__ import annotations

from szsemi.graph.load import load


def test_relative_iris_resolve_against_the_file(tmp_path):
    data = tmp_path / "sub" / "data.ttl"
    data.parent.mkdir()
    data.write_text("<a> <#p> <../b> .\n", encoding="utf-8")
    [quad] = list(load([data]))
    base = data.absolute().as_uri()
    assert (quad.subject.value, quad.predicate.value, quad.object.value) == (
        base.rsplit("/", 1)[0] + "/a",
        base + "#p",
        tmp_path.absolute().as_uri() + "/b",
    )
