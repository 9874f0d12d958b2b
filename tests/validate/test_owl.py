"""HermiT checks: consistency, unsatisfiable classes, isolation between calls, silence."""

from __future__ import annotations

import os
import tempfile

import pytest
import rdflib
from conftest import TEST_DATA

from szsemi.errors import EngineError
from szsemi.validate.owl import owl_findings

DATA = TEST_DATA / "owl"
EX = "http://example.org/owl/"


def load(name: str) -> rdflib.Graph:
    return rdflib.Graph().parse(DATA / name, format="turtle")


@pytest.fixture(scope="module")
def in_turn() -> tuple[list, list]:
    """HermiT on the inconsistent graph, then on the consistent one, in one process: the runs the
    isolation test needs, whose findings the tests of each graph read too (a run takes about a second,
    most of it starting Java)."""
    inconsistent = owl_findings(load("disjoint_individual.ttl"))
    return inconsistent, owl_findings(load("consistent.ttl"))


def test_consistent_graph_has_no_findings(in_turn):
    assert in_turn[1] == []


def test_individual_in_disjoint_classes_is_named(in_turn):
    findings = in_turn[0]
    assert len(findings) == 1
    f = findings[0]
    assert (f.stage, f.severity, f.component) == ("owl", "Violation", "owl:disjointWith")
    assert f.focus == f"<{EX}acme>"
    assert f"<{EX}Company>" in f.message and f"<{EX}University>" in f.message
    assert "inconsistent" in f.message


def test_unsatisfiable_class_is_reported_with_either_compiler_setting(monkeypatch):
    from szsemi.validate import owl

    findings = owl_findings(load("unsatisfiable_class.ttl"))  # 7 triples: the JVM's quick compiler only
    assert [f.focus for f in findings] == [f"<{EX}SpinOff>"]
    assert findings[0].component == "owl:Nothing"
    assert findings[0].stage == "owl" and findings[0].severity == "Violation"
    monkeypatch.setattr(owl, "QUICK_JIT_UP_TO", 0)  # every graph is past it: the JVM's defaults
    assert owl_findings(load("unsatisfiable_class.ttl")) == findings


def test_calls_do_not_leak_into_each_other(in_turn):
    inconsistent, consistent_after = in_turn  # the second run came after the first, in this process
    assert inconsistent
    assert consistent_after == []


def test_owl_imports_are_not_fetched():
    g = load("consistent.ttl")
    g.add((rdflib.URIRef(EX + "ontology"), rdflib.OWL.imports, rdflib.URIRef("http://example.invalid/x")))
    assert owl_findings(g) == []


def test_nothing_is_printed_and_no_temp_file_is_left(capfd, tmp_path, monkeypatch):
    # Python's temporary folder of its own, so other processes' files in the shared one do not count
    # (Java's own hsperfdata folder goes to java.io.tmpdir, not here).
    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    owl_findings(load("disjoint_individual.ttl"))
    owl_findings(load("unsatisfiable_class.ttl"))
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")
    assert os.listdir(private) == []


def test_missing_java_raises_engine_error(monkeypatch):
    import owlready2

    monkeypatch.setattr(owlready2, "JAVA_EXE", "no-such-java-szsemi")
    with pytest.raises(EngineError, match="Java"):
        owl_findings(load("consistent.ttl"))


def test_reasoner_crash_raises_engine_error(monkeypatch, capfd):
    import owlready2

    # `false` exits 1 without saying "Inconsistent ontology", as a crashing JVM would.
    monkeypatch.setattr(owlready2, "JAVA_EXE", "false")
    with pytest.raises(EngineError, match="HermiT failed"):
        owl_findings(load("consistent.ttl"))
    assert capfd.readouterr() == ("", "")


def test_when_hermit_fails_the_other_findings_are_still_reported_and_written(monkeypatch, tmp_path):
    import io
    import json

    import owlready2

    from szsemi.cli.main import main

    monkeypatch.setattr(owlready2, "JAVA_EXE", "no-such-java-szsemi")
    data = tmp_path / "bad.ttl"
    data.write_text(
        '<https://w3id.org/szsemi/id/x/a> <https://w3id.org/szsemi/ontology#y> "year-x"^^'
        "<http://www.w3.org/2001/XMLSchema#gYear> .\n",
        encoding="utf-8",
    )
    output = tmp_path / "report.json"
    out, err = io.StringIO(), io.StringIO()
    code = main(["validate", str(data), "--format", "json", "--output", str(output), "--no-rules"], out=out, err=err)
    assert code == 3, err.getvalue()  # the verdict is incomplete: 3 outranks the findings' 1
    report = json.loads(output.read_text(encoding="utf-8"))
    assert report["failures"] and report["failures"][0].startswith("owl: ") and "Java" in report["failures"][0]
    assert any(f["component"] == "ill-typed-literal" for f in report["findings"])
    assert "could not run owl" in out.getvalue() and "Java" in err.getvalue()
