"""A graph that extends ours: its own ontology, shapes and checks beside the shipped ones, its data
referring to the shipped data. Also the pre-commit hook and the CI example that run it."""

from __future__ import annotations

import contextlib
import io
import json
import re
from functools import cache

import pytest
import rdflib
import yaml
from conftest import REPO, TEST_DATA
from rdflib.namespace import SH

from szsemi.cli.main import main
from szsemi.cli.parser import build_parser as _parser

EXT = TEST_DATA / "extension"
MODEL = [
    "--ontology",
    str(EXT / "ontology.ttl"),
    "--shapes",
    str(EXT / "shapes.ttl"),
    "--queries",
    str(EXT / "queries"),
]


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["validate", *argv], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def findings(*argv: str) -> tuple[int, list[dict]]:
    code, out, err = run("--format", "json", *argv)
    assert code in (0, 1), err
    return code, json.loads(out)["findings"]


def line_of(name: str, text: str, after: str | None = None) -> int:
    lines = (EXT / name).read_text(encoding="utf-8").splitlines()
    start = next(i for i, ln in enumerate(lines) if after in ln) if after else 0
    return next(i for i in range(start, len(lines)) if text in lines[i]) + 1


def test_conforming_extension_data_passes_every_stage_with_owl():
    code, out, err = run(*MODEL, "--with-shipped-data", str(EXT / "orders.ttl"))
    assert code == 0, out + err
    assert "stages: syntax, shacl, owl, rules, lint;" in out and out.rstrip().endswith("conforms")


@cache
def failing_findings() -> tuple[int, list[dict]]:
    """The failing extension data validated once with its Turtle shapes (no OWL): the test of its
    findings and the tests of the shapes in other formats read the same run."""
    return findings("--no-owl", *MODEL, "--with-shipped-data", str(EXT / "orders-bad.ttl"))


def test_failing_extension_data_is_caught_by_its_own_shapes_and_checks_at_its_lines():
    code, found = failing_findings()
    assert code == 1
    order2, order3 = "<https://example.org/order/2>", "<https://example.org/order/3>"
    ext = "https://example.org/fab-extension#"
    got = {(f["focus"], f.get("path"), f["component"], f.get("triple_line")) for f in found}
    assert {
        (order2, f"<{ext}units>", str(SH.DatatypeConstraintComponent), line_of("orders-bad.ttl", '"twelve"')),
        (order2, f"<{ext}orderedBy>", str(SH.ClassConstraintComponent), line_of("orders-bad.ttl", "pingshan-district")),
        (order2, f"<{ext}colour>", str(SH.ClosedConstraintComponent), line_of("orders-bad.ttl", 'ext:colour "blue"')),
        (
            order2,
            f"<{ext}forFacility>",
            "order-for-facility-of-another-firm",
            line_of("orders-bad.ttl", "ext:forFacility", "order/2"),
        ),
        (order3, f"<{ext}units>", str(SH.SPARQLConstraintComponent), line_of("orders-bad.ttl", "ext:units 0")),
    } <= got
    rule = next(f for f in found if f["component"] == "order-for-facility-of-another-firm")
    assert rule["severity"] == "Warning" and "sz:place/pingshan-district does not operate" in rule["message"]
    assert all(f["file"] == str(EXT / "orders-bad.ttl") for f in found)


def test_extension_shapes_and_checks_pass_the_lint():
    _, found = findings("--no-owl", *MODEL, "--with-shipped-data", str(EXT / "orders.ttl"))
    assert [f for f in found if f["stage"] == "lint"] == []


def test_without_the_shipped_data_the_references_dangle():
    code, found = findings("--no-owl", *MODEL, str(EXT / "orders.ttl"))
    assert code == 1
    assert {f.get("path") for f in found if f["component"] == str(SH.ClassConstraintComponent)} == {
        "<https://example.org/fab-extension#orderedBy>",
        "<https://example.org/fab-extension#forFacility>",
        "<http://www.w3.org/ns/prov#wasDerivedFrom>",
    }


def test_the_pre_commit_hook_runs_szsemi_validate_on_turtle_changes():
    [hook] = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "szsemi-validate" and hook["entry"] == "szsemi validate"
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    files = re.compile(hook["files"])
    assert files.search("data/parks.ttl") and not files.search("data/parks.ttl.bak")
    args = _parser().parse_args(["validate", *hook["args"]])
    assert args.paths == ["."]


def test_the_ci_example_is_a_workflow_that_runs_szsemi_validate():
    text = (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, re.S)
    workflow = next(yaml.safe_load(b) for b in blocks if "jobs:" in b)
    steps = workflow["jobs"]["validate"]["steps"]
    commands = " ".join(step.get("run", "") for step in steps)
    assert "szsemi validate --format github" in commands and "--format junit --output" in commands
    for step in steps:  # every szsemi option the example uses exists
        for option in re.findall(r"(--[a-z-]+)", step.get("run", "")):
            if "szsemi validate" in step.get("run", ""):
                assert option in _validate_options(), option


def _validate_options() -> set[str]:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert main(["validate", "--help"]) == 0
    return set(re.findall(r"--[a-z-]+", buffer.getvalue()))


@pytest.mark.parametrize("fmt, suffix", [("xml", ".rdf"), ("json-ld", ".jsonld"), ("nt", ".nt")])
def test_extension_shapes_in_another_rdf_format_give_the_same_findings(fmt, suffix, tmp_path):
    shapes = tmp_path / f"shapes{suffix}"
    rdflib.Graph().parse(EXT / "shapes.ttl").serialize(shapes, format=fmt, encoding="utf-8")
    model = ["--ontology", str(EXT / "ontology.ttl"), "--queries", str(EXT / "queries")]
    args = ["--no-owl", "--with-shipped-data", str(EXT / "orders-bad.ttl")]
    key = lambda f: (f["focus"], f.get("path"), f["component"], f.get("triple_line"))  # noqa: E731
    _, expected = failing_findings()  # the same options, with shapes.ttl as --shapes
    code, got = findings(*model, "--shapes", str(shapes), *args)
    assert code == 1 and sorted(map(key, got)) == sorted(map(key, expected))
