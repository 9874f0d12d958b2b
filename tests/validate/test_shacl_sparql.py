"""SHACL-SPARQL the standard forbids is refused (exit 2, naming the shape and the construct), and
prefixes declared through owl:imports of an sh:prefixes node count (issue 16)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from szsemi.cli.main import main

HEAD = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/ns#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:a ex:p ex:b .
"""


def validate(tmp_path: Path, text: str, *more: str) -> tuple[int, str, str]:
    path = tmp_path / "case.ttl"
    path.write_text(HEAD + text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = main(
        ["validate", str(path), "--shapes", str(path), "--without-shipped-model", "--no-owl", "--no-rules", *more],
        out=out,
        err=err,
    )
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    "body,construct",
    [
        ("$this ?p ?o . MINUS { $this ?p ?o }", "MINUS"),
        ("VALUES ?o { 1 } $this ?p ?o .", "VALUES"),
        ("$this ?p ?o . SERVICE <http://example.org/sparql> { ?o ?x ?y }", "SERVICE"),
        ("$this ?p ?o . { SELECT ?o WHERE { ?o ?x ?y } }", "nested SELECT"),
        ("BIND (<http://example.org/ns#a> AS $this)", "AS ?this"),
    ],
)
@pytest.mark.hostile(
    what="a SHACL-SPARQL constraint using a construct the standard forbids",
    result="exit 2 naming the shape and the construct; nothing is checked",
    kind="input",
)
def test_forbidden_sparql_is_refused_with_the_shape_and_the_construct(tmp_path, body, construct):
    code, out, err = validate(
        tmp_path,
        f'ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:sparql [ sh:select """SELECT $this WHERE {{ {body} }}""" ] .\n',
    )
    assert code == 2, out
    assert "<http://example.org/ns#S>" in err and construct in err


def test_a_prefix_declared_through_owl_imports_is_honoured(tmp_path):
    report = tmp_path / "report.ttl"
    code, out, err = validate(
        tmp_path,
        """
<http://example.org/decls> sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/ns#"^^xsd:anyURI ] .
ex:Prefixes owl:imports <http://example.org/decls> .
ex:S a sh:NodeShape ; sh:targetNode ex:a ;
    sh:sparql [ sh:prefixes ex:Prefixes ; sh:select "SELECT $this ?value WHERE { $this ex:p ?value }" ] .
""",
        "--shacl-report",
        str(report),
    )
    assert code == 1, out + err  # the constraint ran and found ex:a; it was not dropped
    assert "sh:conforms false" in report.read_text(encoding="utf-8")


def test_a_custom_severity_is_reported_as_written(tmp_path):
    report = tmp_path / "report.ttl"
    code, _, err = validate(
        tmp_path,
        "ex:S a sh:NodeShape ; sh:targetNode ex:a ; sh:property "
        "[ sh:path ex:q ; sh:minCount 1 ; sh:severity ex:Annoying ] .\n",
        "--shacl-report",
        str(report),
    )
    assert code == 0, err  # a custom severity ranks with Info: it does not fail the run
    text = report.read_text(encoding="utf-8")
    assert "<http://example.org/ns#Annoying>" in text and "sh:conforms false" in text


def test_the_shacl_report_keeps_message_languages_paths_and_values_as_written(tmp_path):
    report = tmp_path / "report.ttl"
    code, _, err = validate(
        tmp_path,
        """ex:a ex:n "4.0"^^xsd:decimal ; ex:q ex:c . ex:c ex:r ex:d .
ex:S a sh:NodeShape ; sh:targetNode ex:a ;
    sh:property [ sh:path ex:n ; sh:maxInclusive 3 ; sh:message "too big"@en ] ;
    sh:property [ sh:path ( ex:q ex:r ) ; sh:maxCount 0 ] .
""",
        "--shacl-report",
        str(report),
    )
    assert code == 1, err
    import pyoxigraph as ox

    triples = list(ox.parse(path=str(report), format=ox.RdfFormat.TURTLE))
    objects = {str(t.object) for t in triples}
    assert '"too big"@en' in objects
    assert '"4.0"^^<http://www.w3.org/2001/XMLSchema#decimal>' in objects
    lists = {str(t.object) for t in triples if t.predicate.value.endswith("#first")}
    assert {"<http://example.org/ns#q>", "<http://example.org/ns#r>"} <= lists  # the sequence path
