"""szsemi validate for CI: every stage in one run, findings at file and line, the output formats,
--fail-on, the baseline. The command runs in-process through szsemi.cli.main.main."""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
import yaml
from conftest import REPO, TEST_DATA
from once import shipped_shapes_once
from rdflib.namespace import SH

from szsemi.cli.main import main
from szsemi.validate.render import escape_data, escape_property, render_github
from szsemi.validate.report import Finding, Report

VALIDATE = TEST_DATA / "validate"
DATA_FILES = sorted((REPO / "data").glob("*.ttl"))


@pytest.fixture(scope="module", autouse=True)
def shapes_read_once():
    """The shipped shapes parsed and compiled once for the module's dozens of runs (tests/once.py)."""
    with shipped_shapes_once():
        yield


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["validate", *argv], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def run_json(*argv: str) -> tuple[int, dict]:
    code, out, err = run("--format", "json", *argv)
    assert code in (0, 1), err
    return code, json.loads(out)


def line_of(path: Path, text: str, start: int = 0) -> int:
    """The 1-based number of the first line at or after index ``start`` that contains ``text``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i in range(start, len(lines)) if text in lines[i]) + 1


@pytest.fixture
def data_copy(tmp_path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(REPO / "data", folder)
    return folder


def plant(path: Path, after: str, line: str) -> int:
    """Insert ``line`` after the first line that is exactly ``after``; return its line number."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, text in enumerate(lines) if text.rstrip("\n") == after) + 1
    lines.insert(at, line + "\n")
    path.write_text("".join(lines), encoding="utf-8")
    return at + 1


def first_subject(path: Path) -> str:
    return next(line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("<"))


# --------------------------------------------------------------------------- planted errors


@pytest.mark.parametrize("name", [p.name for p in DATA_FILES])
def test_a_planted_error_in_any_data_file_fails_and_names_its_file_and_line(name, data_copy):
    target = data_copy / name
    subject = first_subject(target)
    planted = plant(target, subject, '    szo:plantedError "x" ;')
    code, report = run_json("--no-owl", str(data_copy))
    assert code == 1
    hits = [
        f
        for f in report["findings"]
        if f.get("path") == "<https://w3id.org/szsemi/ontology#plantedError>"
        and f["component"] == str(SH.ClosedConstraintComponent)
    ]
    assert hits, report["findings"]
    assert hits[0]["triple_file"] == str(target) and hits[0]["triple_line"] == planted
    assert hits[0]["file"] == str(target) and hits[0]["line"] == planted - 1  # the subject's block


def test_an_inverse_path_finding_carries_its_path_and_points_at_the_incoming_statement(data_copy):
    # A second organisation claims BYD's Hong Kong listing: sh:maxCount 1 on ^szo:hasListing.
    target = data_copy / "organizations.ttl"
    planted = plant(target, "<org/smic>", "    szo:hasListing <listing/byd-hkex-1211> ;")
    code, report = run_json("--no-owl", str(data_copy))
    hits = [f for f in report["findings"] if f["component"] == str(SH.MaxCountConstraintComponent)]
    assert code == 1 and len(hits) == 1
    hit = hits[0]
    assert hit["focus"] == "<https://w3id.org/szsemi/id/listing/byd-hkex-1211>"
    assert hit["path"] == "^<https://w3id.org/szsemi/ontology#hasListing>"
    block = next(i for i, text in enumerate(target.read_text().splitlines(), 1) if text == "<listing/byd-hkex-1211>")
    assert (hit["file"], hit["line"]) == (str(target), block)
    # sh:maxCount gives no value, so the place is the first of the two incoming statements: BYD's own
    lines = target.read_text().splitlines()
    byd = next(i for i, text in enumerate(lines, 1) if text == "<org/byd>")
    own = next(i for i in range(byd, len(lines) + 1) if "<listing/byd-hkex-1211>" in lines[i - 1])
    assert own < planted and (hit["triple_file"], hit["triple_line"]) == (str(target), own)
    assert hit["fix"].startswith("keep one node that points at sz:listing/byd-hkex-1211 with szo:hasListing")


def test_a_blank_node_finding_points_at_its_statement_and_is_anchored_to_its_owner(data_copy):
    plans = data_copy / "plans.ttl"
    text = plans.read_text(encoding="utf-8")
    plans.write_text(
        text.replace('time:inXSDgYear "2025"^^xsd:gYear', 'time:inXSDgYear "2019"^^xsd:gYear'), encoding="utf-8"
    )
    code, report = run_json("--no-owl", str(data_copy))
    assert code == 1
    [f] = [f for f in report["findings"] if f["component"] == str(SH.SPARQLConstraintComponent)]
    owner = "<https://w3id.org/szsemi/id/plan/shenzhen-semiconductor-and-ic-cluster-action-plan-2022-2025>"
    assert f["focus"].startswith("_:")
    assert f["anchor"] == f"{owner} <https://w3id.org/szsemi/ontology#planPeriod>"
    assert f["line"] == line_of(plans, "<plan/shenzhen-semiconductor-and-ic-cluster-action-plan-2022-2025>")
    period = line_of(plans, "    szo:planPeriod")
    assert f["triple_line"] == line_of(plans, "time:hasEnd", period - 1)
    assert "begins (2022) after it ends (2019)" in f["message"]


def test_two_blank_nodes_under_one_property_are_told_apart_by_their_statements(data_copy):
    plans = data_copy / "plans.ttl"
    text = plans.read_text(encoding="utf-8")
    # The second qualified derivation of the plan loses its prov:entity (DerivationShape minCount).
    second = text.index("prov:entity <passage/pingshan-report-2022-11-p5>")
    plans.write_text(
        text[:second] + text[second:].replace("prov:entity <passage/pingshan-report-2022-11-p5> ;", "", 1),
        encoding="utf-8",
    )
    code, report = run_json("--no-owl", str(data_copy))
    hits = [
        f
        for f in report["findings"]
        if f["component"] == str(SH.MinCountConstraintComponent)
        and f.get("path") == "<http://www.w3.org/ns/prov#entity>"
    ]
    assert code == 1 and len(hits) == 1
    lines = text.splitlines()
    entity = next(i for i, line in enumerate(lines) if "prov:entity <passage/pingshan-report-2022-11-p5>" in line)
    opening = max(i + 1 for i, line in enumerate(lines[:entity]) if line.strip() == "[")
    assert hits[0]["triple_line"] == opening  # the "[" of that derivation, not of its siblings


def test_a_folder_is_read_recursively_without_hidden_folders(data_copy):
    (data_copy / "more").mkdir()
    shutil.move(str(data_copy / "plans.ttl"), data_copy / "more" / "plans.ttl")
    (data_copy / ".git").mkdir()
    (data_copy / ".git" / "broken.ttl").write_text("this is not turtle", encoding="utf-8")
    code, report = run_json("--no-owl", str(data_copy))
    assert code == 0 and len(report["files"]) == len(DATA_FILES)
    assert str(data_copy / "more" / "plans.ttl") in report["files"]


@pytest.mark.parametrize("fmt", ["trig", "nquads"])
def test_statements_in_a_named_graph_are_validated_like_any_other(fmt, data_copy):
    # The claims file, put into a named graph of a quad file, with one claim's source removed.
    # Written with pyoxigraph: rdflib's own TriG and N-Quads writers call its deprecated Dataset API.
    claims = data_copy / "claims.ttl"
    named = ox.NamedNode("https://example.org/graph/claims")
    claim = ox.NamedNode("https://w3id.org/szsemi/id/claim/colorful-silicon-valley-agglomeration-effect")
    source = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
    kept = [
        ox.Quad(t.subject, t.predicate, t.object, named)
        for t in ox.parse(path=claims, format=ox.RdfFormat.TURTLE)
        if (t.subject, t.predicate) != (claim, source)
    ]
    assert len(kept) < len(list(ox.parse(path=claims, format=ox.RdfFormat.TURTLE)))
    quads = data_copy / ("claims.trig" if fmt == "trig" else "claims.nq")
    ox.serialize(kept, quads, format=ox.RdfFormat.TRIG if fmt == "trig" else ox.RdfFormat.N_QUADS)
    claims.unlink()
    code, report = run_json("--no-owl", *map(str, sorted(data_copy.glob("*.ttl"))), str(quads))
    assert code == 1
    hits = [(f["focus"], f["path"], f["component"]) for f in report["findings"]]
    assert (str(claim), "<http://www.w3.org/ns/prov#wasDerivedFrom>", str(SH.MinCountConstraintComponent)) in hits


def test_a_syntax_error_in_a_data_folder_exits_2_with_file_line_and_column(data_copy):
    target = data_copy / "parks.ttl"
    planted = plant(target, first_subject(target), '    szo:broken "unterminated ;')
    code, out, err = run("--no-owl", str(data_copy))
    assert code == 2 and out == ""
    assert re.search(rf"{re.escape(str(target))}:{planted}:\d+: ", err), err


# --------------------------------------------------------------------------- rule queries


def test_rule_checks_run_with_their_id_severity_message_and_place():
    code, report = run_json("--no-owl", "--queries", str(VALIDATE / "queries-extra"))
    assert code == 0  # Warnings do not fail the run by default
    rules = [f for f in report["findings"] if f["stage"] == "rules"]
    organizations = REPO / "data" / "organizations.ttl"
    assert {f["value"] for f in rules} == {'"1211"', '"0981"'}
    for f in rules:
        assert f["component"] == "short-ticker" and f["severity"] == "Warning"
        assert f["path"] == "<https://w3id.org/szsemi/ontology#tickerSymbol>"
        ticker = f["value"].strip('"')
        assert f"The ticker {ticker} of sz:listing/" in f["message"] and "has 4 characters" in f["message"]
        assert f["triple_file"].endswith("organizations.ttl")
        assert f["triple_line"] == line_of(organizations, f'szo:tickerSymbol "{ticker}"')
    assert "queries-extra/short-ticker-violation.rq" in " ".join(report["checks"]["rules"])


def test_fail_on_warning_fails_on_a_warning():
    code, out, _ = run("--no-owl", "--queries", str(VALIDATE / "queries-extra"), "--fail-on", "warning")
    assert code == 1
    assert out.rstrip().endswith("fails at Warning")


@pytest.fixture(scope="module")
def shipped_json() -> tuple[int, dict]:
    """The JSON report of the shipped data (no OWL), run once for the tests that read it."""
    return run_json("--no-owl")


def test_the_shipped_checks_all_run_on_the_shipped_data(shipped_json):
    from szsemi.query.catalogue import load_catalogue

    code, report = shipped_json
    shipped = {q.path for q in load_catalogue().values() if q.kind == "violation"}
    assert code == 0 and set(report["checks"]["rules"]) == shipped and len(shipped) >= 5


# --------------------------------------------------------------------------- prefix lint


def lint_findings(*argv: str) -> list[dict]:
    _, report = run_json("--no-owl", *argv)
    return [f for f in report["findings"] if f["stage"] == "lint"]


def test_lint_finds_undeclared_mismatched_and_unused_prefixes_and_unknown_placeholders():
    folder = VALIDATE / "queries-lint"
    code, report = run_json("--no-owl", "--queries", str(folder))
    assert code == 1  # and no exit 2: the check that cannot parse is reported, not run
    found = {
        (Path(f["file"]).name, f["line"], f["component"], f["severity"], f["value"])
        for f in report["findings"]
        if f["stage"] == "lint"
    }
    assert found == {
        (
            "undeclared-prefix-violation.rq",
            line_of(folder / "undeclared-prefix-violation.rq", "skos:prefLabel"),
            "undeclared-prefix",
            "Violation",
            "skos",
        ),
        (
            "wrong-namespace-violation.rq",
            line_of(folder / "wrong-namespace-violation.rq", "PREFIX szo:"),
            "prefix-namespace-mismatch",
            "Violation",
            "<https://w3id.org/szsemi/ontology/>",
        ),
        (
            "unused-prefix-violation.rq",
            line_of(folder / "unused-prefix-violation.rq", "PREFIX rdfs:"),
            "unused-prefix",
            "Warning",
            "rdfs",
        ),
        (
            "unknown-placeholder-violation.rq",
            line_of(folder / "unknown-placeholder-violation.rq", "#+ message:"),
            "unknown-message-variable",
            "Violation",
            "operator",
        ),
    }
    ran = report["checks"]["rules"]
    assert not any("undeclared-prefix" in path for path in ran)
    assert any("wrong-namespace" in path for path in ran)


def test_a_query_that_does_not_parse_is_a_lint_finding_at_its_line_not_a_crash():
    folder = TEST_DATA / "queries" / "syntax-error"
    found = [(Path(f["file"]).name, f["line"], f["component"]) for f in lint_findings("--queries", str(folder))]
    assert found == [("get-unbalanced.rq", 4, "unreadable-query")]


def test_without_the_lint_a_check_that_does_not_parse_exits_2_at_its_own_line(tmp_path):
    broken = tmp_path / "short-ticker-violation.rq"
    text = (VALIDATE / "queries-extra" / "short-ticker-violation.rq").read_text(encoding="utf-8")
    broken.write_text(text.replace("FILTER (?length < 6)", "FILTER (?length < )"), encoding="utf-8")
    with pytest.raises(SyntaxError) as parsed:  # where Oxigraph's parser stops in the file as written
        ox.Store().query(broken.read_text(encoding="utf-8"))
    place = re.match(r"error at (\d+):(\d+):", str(parsed.value)).group(1, 2)
    code, out, err = run("--no-owl", "--no-lint", "--queries", str(tmp_path))
    assert code == 2 and err.startswith(f"szsemi: error: {broken}:{place[0]}:{place[1]}: the query does not parse"), err


def test_lint_checks_shacl_sparql_prefixes_and_sh_declare_namespaces():
    from szsemi.validate.prefix_lint import lint_shapes
    from szsemi.validate.stages import shapes_graph_of

    shapes = VALIDATE / "shapes-lint.ttl"
    found = {
        (f.line, f.component, f.value)
        for f in lint_shapes(shapes_graph_of([shapes]), [(str(shapes), shapes.read_text(encoding="utf-8"))])
    }
    assert found == {
        (line_of(shapes, "FILTER NOT EXISTS { $this skos:prefLabel"), "undeclared-prefix", "skos"),
        (line_of(shapes, 'sh:prefix "szo"'), "prefix-namespace-mismatch", "<https://w3id.org/szsemi/ontology/>"),
    }


def test_a_sparql_constraint_that_cannot_run_stops_the_run_instead_of_being_dropped():
    # dropped, it would leave a SHACL report saying "conforms" (issue 16)
    shapes = VALIDATE / "shapes-lint.ttl"
    code, out, err = run("--no-owl", "--shapes", str(shapes), "--shacl-report", "/dev/null")
    assert code == 2, out
    line = line_of(shapes, "FILTER NOT EXISTS { $this skos:prefLabel")
    assert f"{shapes}:{line}:" in err and "ParkLabelShape" in err and "'skos:'" in err


def test_lint_warns_about_a_turtle_file_that_declares_a_project_prefix_otherwise():
    path = VALIDATE / "prefix-mismatch.ttl"
    [f] = lint_findings(str(path))
    assert (f["file"], f["line"], f["severity"]) == (str(path), 3, "Warning")
    assert "http://www.w3.org/2004/02/skos/core#" in f["message"]


def test_the_shipped_queries_and_shapes_pass_the_lint(shipped_json):
    assert [f for f in shipped_json[1]["findings"] if f["stage"] == "lint"] == []


# --------------------------------------------------------------------------- formats


@pytest.fixture(scope="module")
def failing(tmp_path_factory) -> Path:
    """A copy of the data with one Violation (in parks.ttl) and one Warning (a rule)."""
    folder = tmp_path_factory.mktemp("failing") / "data"
    shutil.copytree(REPO / "data", folder)
    plant(folder / "parks.ttl", first_subject(folder / "parks.ttl"), '    szo:plantedError "50% done,\\nreally" ;')
    return folder


def failing_args(failing: Path) -> list[str]:
    return ["--no-owl", "--queries", str(VALIDATE / "queries-extra"), str(failing)]


@pytest.fixture(scope="module")
def failing_json(failing) -> tuple[int, dict]:
    """The JSON report of ``failing``, run once: the other formats' tests compare with it."""
    return run_json(*failing_args(failing))


def test_json_has_the_documented_versioned_shape(failing_json):
    code, report = failing_json
    assert code == 1
    assert report["format"] == "szsemi-validation/1"
    assert report["conforms"] is False and report["passed"] is False and report["fail_on"] == "Violation"
    assert report["stages"] == ["syntax", "shacl", "rules", "lint"]
    assert report["counts"]["Violation"] >= 1 and report["counts"]["Warning"] >= 2
    assert report["baselined"] == 0 and report["baseline"] is None
    doc = (REPO / "docs" / "validation-report.md").read_text(encoding="utf-8")
    for key in report:
        assert f"`{key}`" in doc, f"top-level key {key} is not documented"
    for name in Finding.__dataclass_fields__:
        assert f"`{name}`" in doc, f"finding field {name} is not documented"
    assert "szsemi-validation/1" in doc


def test_junit_is_read_back_by_junitparser(failing, failing_json, tmp_path):
    from junitparser import Failure, JUnitXml, Skipped

    out = tmp_path / "report.xml"
    code, text, _ = run("--format", "junit", "--output", str(out), *failing_args(failing))
    assert code == 1
    assert text.count("\n") == 1 and text.rstrip().endswith("does not conform")  # only the summary
    xml = JUnitXml.fromfile(str(out))
    suites = {suite.name: suite for suite in xml}
    assert set(suites) == {"szsemi.syntax", "szsemi.shacl", "szsemi.rules", "szsemi.lint"}
    _, report = failing_json
    violations = [f for f in report["findings"] if f["severity"] == "Violation"]
    failed = [case for suite in xml for case in suite if any(isinstance(r, Failure) for r in case.result)]
    assert len(failed) == len(violations) == suites["szsemi.shacl"].failures
    planted = next(c for c in failed if "plantedError" in c.name and "Closed" in c.result[0].type)
    assert planted._elem.get("file") == str(failing / "parks.ttl")
    assert int(planted._elem.get("line")) == line_of(failing / "parks.ttl", "szo:plantedError")
    # Warnings below --fail-on pass, and say so; clean checks are passing test cases.
    warnings = [case for case in suites["szsemi.rules"] if "Warning" in (case.system_out or "")]
    assert len(warnings) == report["counts"]["Warning"] and all(not case.result for case in warnings)
    assert suites["szsemi.shacl"].tests > 100
    assert not any(isinstance(r, Skipped) for suite in xml for case in suite for r in case.result)


def test_github_annotations_escape_and_map_severities(failing, failing_json):
    code, out, _ = run("--format", "github", *failing_args(failing))
    assert code == 1
    lines = out.splitlines()
    errors = [line for line in lines if line.startswith("::error ")]
    warnings = [line for line in lines if line.startswith("::warning ")]
    _, report = failing_json
    assert len(errors) == report["counts"]["Violation"] and len(warnings) == report["counts"]["Warning"]
    planted = next(line for line in errors if "plantedError" in line and "Closed" in line)
    props, message = planted[len("::error ") :].split("::", 1)
    fields = dict(item.split("=", 1) for item in props.split(","))
    assert fields["file"] == str(failing / "parks.ttl").replace(":", "%3A")
    assert fields["line"] == str(line_of(failing / "parks.ttl", "szo:plantedError"))
    assert fields["title"].startswith("Violation [shacl] sh%3AClosedConstraintComponent")
    assert "%0Afix: " in message and "\n" not in message  # line breaks escaped: one line each
    assert lines[-1].endswith("does not conform")


def test_github_escaping_rules():
    assert escape_data("50%\r\nnext") == "50%25%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    report = Report(
        findings=[Finding(stage="lint", severity="Info", message="m", file="x,y.rq", line=3)], stages=["lint"]
    )
    assert render_github(report).splitlines()[0] == "::notice file=x%2Cy.rq,line=3,title=Info [lint]::m"


def test_the_shacl_report_is_standard_turtle(failing, failing_json, tmp_path):
    out = tmp_path / "shacl.ttl"
    code, _, _ = run("--shacl-report", str(out), *failing_args(failing))
    assert code == 1
    graph = rdflib.Graph().parse(out, format="turtle")
    report = graph.value(predicate=rdflib.RDF.type, object=SH.ValidationReport)
    assert graph.value(report, SH.conforms) == rdflib.Literal(False)
    results = list(graph.objects(report, SH.result))
    _, json_report = failing_json
    assert len(results) == sum(f["stage"] == "shacl" for f in json_report["findings"])
    for result in results:
        assert graph.value(result, SH.focusNode) is not None
        assert graph.value(result, SH.sourceConstraintComponent) is not None
        assert graph.value(result, SH.sourceShape) is not None
        assert graph.value(result, SH.resultSeverity) == SH.Violation


def test_the_shacl_report_of_conforming_data_conforms(tmp_path):
    out = tmp_path / "shacl.ttl"
    assert run("--no-owl", "--shacl-report", str(out))[0] == 0
    graph = rdflib.Graph().parse(out, format="turtle")
    assert set(graph.objects(None, SH.conforms)) == {rdflib.Literal(True)}
    assert not list(graph.objects(None, SH.result))


# --------------------------------------------------------------------------- baseline


@pytest.fixture(scope="module")
def written_baseline(failing, tmp_path_factory) -> tuple[int, str]:
    """The exit code of ``--write-baseline`` on ``failing`` and the baseline it wrote, run once: the
    baseline tests each start from their own copy of that text."""
    baseline = tmp_path_factory.mktemp("written") / "baseline.yaml"
    code, _, _ = run("--write-baseline", str(baseline), *failing_args(failing))
    return code, baseline.read_text(encoding="utf-8")


def test_a_written_baseline_must_be_given_reasons_before_it_is_used(failing, written_baseline, tmp_path):
    code, text = written_baseline
    assert code == 1
    entries = yaml.safe_load(text)["accepted"]
    assert entries and all(e["reason"] == "" for e in entries)
    baseline = tmp_path / "baseline.yaml"
    baseline.write_text(text, encoding="utf-8")
    code, out, err = run("--baseline", str(baseline), *failing_args(failing))
    assert code == 2 and out == ""
    assert f"{baseline}:" in err and "no reason" in err


def accept_all(written_baseline: tuple[int, str], baseline: Path) -> None:
    """The written baseline at ``baseline``, each entry given a reason."""
    data = yaml.safe_load(written_baseline[1])
    for entry in data["accepted"]:
        entry["reason"] = "known; tracked in the issue tracker"
    baseline.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_baselined_findings_are_listed_but_do_not_fail(failing, failing_json, written_baseline, tmp_path):
    baseline = tmp_path / "baseline.yaml"
    accept_all(written_baseline, baseline)
    total = len(failing_json[1]["findings"])
    code, out, _ = run("--baseline", str(baseline), "--fail-on", "warning", *failing_args(failing))
    assert code == 0, out
    assert "accepted by the baseline" in out and "baselined: known; tracked" in out
    assert out.rstrip().endswith(f"{total} baselined: conforms")
    code, report = run_json("--baseline", str(baseline), *failing_args(failing))
    assert report["passed"] and report["baselined"] == total and report["counts"]["Violation"] == 0
    assert all(f.get("baselined") for f in report["findings"])


def test_the_baseline_matches_without_line_numbers_and_reports_stale_entries(failing, written_baseline, tmp_path):
    baseline = tmp_path / "baseline.json"
    accept_all(written_baseline, tmp_path / "b.yaml")
    data = yaml.safe_load((tmp_path / "b.yaml").read_text(encoding="utf-8"))
    data["accepted"].append(
        {
            "stage": "shacl",
            "component": "sh:MinCountConstraintComponent",
            "focus": "sz:park/no-such-park",
            "path": "szo:locatedIn",
            "reason": "fixed since",
        }
    )
    baseline.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    moved = failing.parent / "moved"
    shutil.copytree(failing, moved)
    parks = moved / "parks.ttl"
    parks.write_text("# a comment\n\n" + parks.read_text(encoding="utf-8"), encoding="utf-8")  # lines shift
    args = ["--baseline", str(baseline), "--no-owl", "--queries", str(VALIDATE / "queries-extra"), str(moved)]
    code, report = run_json(*args)
    assert code == 0
    [stale] = [f for f in report["findings"] if f["stage"] == "baseline"]
    assert stale["severity"] == "Info" and stale["component"] == "stale-baseline-entry"
    lines = baseline.read_text(encoding="utf-8").splitlines()
    focus_at = next(i for i, line in enumerate(lines) if "sz:park/no-such-park" in line)
    opening = max(i for i in range(focus_at) if lines[i].strip() == "{") + 1
    assert stale["file"] == str(baseline) and stale["line"] == opening
    assert "sz:park/no-such-park" in stale["message"]
    assert report["baselined"] == len(data["accepted"]) - 1
    assert run(*args, "--fail-on", "info")[0] == 1


def test_a_blank_focus_node_is_baselined_by_its_anchor(data_copy, tmp_path):
    plans = data_copy / "plans.ttl"
    plans.write_text(
        plans.read_text(encoding="utf-8").replace('"2025"^^xsd:gYear', '"2019"^^xsd:gYear'), encoding="utf-8"
    )
    baseline = tmp_path / "baseline.yaml"
    run("--no-owl", "--write-baseline", str(baseline), str(data_copy))
    text = baseline.read_text(encoding="utf-8")
    assert "focus: sz:plan/shenzhen-semiconductor-and-ic-cluster-action-plan-2022-2025 szo:planPeriod" in text
    baseline.write_text(text.replace("reason: ''", "reason: the report's dates, checked"), encoding="utf-8")
    code, report = run_json("--no-owl", "--baseline", str(baseline), str(data_copy))  # new blank node labels
    assert code == 0 and report["baselined"] == 1


def test_the_baseline_line_of_a_yaml_entry_is_reported(tmp_path):
    baseline = tmp_path / "baseline.yaml"
    baseline.write_text(
        "format: szsemi-baseline/1\naccepted:\n  - stage: shacl\n    component: sh:X\n"
        "    reason: old\n  - stage: rules\n    component: gone\n    reason: ''\n",
        encoding="utf-8",
    )
    code, _, err = run("--no-owl", "--baseline", str(baseline))
    assert code == 2 and f"{baseline}:6:" in err


def test_blank_nodes_of_two_quad_files_stay_apart_when_their_graphs_are_merged(tmp_path):
    from szsemi.graph.load import load

    for name, value in (("a.nq", "A"), ("b.nq", "B")):
        (tmp_path / name).write_text(
            f'_:b0 <https://example.org/p> "{value}" <https://example.org/g> .\n', encoding="utf-8"
        )
    store = load([tmp_path / "a.nq", tmp_path / "b.nq"], merge_graphs=True)
    subjects = {q.subject for q in store}
    assert len(store) == 2 and len(subjects) == 2
    assert {q.graph_name for q in store} == {ox.DefaultGraph()}


def test_the_json_report_says_which_engine_checked_each_shape(tmp_path):
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/ns#> .
ex:Compiled a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .
ex:Handed a sh:NodeShape ; sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:lessThan ex:q ] .
ex:a ex:p 5 ; ex:q 3 .
""",
        encoding="utf-8",
    )
    code, report = run_json(str(shapes), "--shapes", str(shapes), "--without-shipped-model", "--no-owl", "--no-rules")
    assert code == 1
    assert "<http://example.org/ns#Compiled>/<http://example.org/ns#p>" in report["engines"]["compiled"]
    assert any("Handed" in r and "lessThan" in r for r in report["engines"]["pyshacl"])
    [finding] = [f for f in report["findings"] if f["stage"] == "shacl"]
    assert finding["engine"] == "pyshacl" and finding["component"].endswith("LessThanConstraintComponent")


def test_an_ill_typed_literal_is_a_finding_with_its_file_and_line(tmp_path):
    data = tmp_path / "years.ttl"
    data.write_text(
        "@prefix szo: <https://w3id.org/szsemi/ontology#> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        '<https://w3id.org/szsemi/id/x/a> szo:note "fine" ;\n'
        '    szo:year "year-x"^^xsd:gYear .\n',
        encoding="utf-8",
    )
    code, report = run_json(str(data), "--without-shipped-model", "--no-owl", "--no-rules", "--no-lint")
    assert code == 1 and report["conforms"] is False
    [f] = [f for f in report["findings"] if f["component"] == "ill-typed-literal"]
    assert (f["stage"], f["triple_file"], f["triple_line"]) == ("syntax", str(data), 4)
    assert f["value"] == '"year-x"^^<http://www.w3.org/2001/XMLSchema#gYear>' and "xsd:gYear" in f["message"]
