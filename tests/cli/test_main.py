"""The command line, in-process through main(argv) and once as the installed command."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys

from conftest import TEST_DATA

from szsemi.cli.main import main


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_validate_shipped_data_exits_0_and_says_it_conforms():
    code, out, err = run("validate")
    assert code == 0, out + err
    assert out.strip().endswith("0 violations, 0 warnings, 0 infos: conforms")


def test_validate_json_has_the_documented_shape():
    code, out, _ = run("validate", "--no-owl", "--format", "json")
    report = json.loads(out)
    assert code == 0
    assert report["format"] == "szsemi-validation/1"
    assert report["conforms"] is True and report["stages"] == ["syntax", "shacl", "rules", "lint"]
    assert report["counts"] == {"Violation": 0, "Warning": 0, "Info": 0}


def test_syntax_error_exits_2_naming_file_line_and_column(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "@prefix szo: <https://w3id.org/szsemi/ontology#> .\n"
        "<https://w3id.org/szsemi/id/x> szo:amount 1 .\n"
        '<https://w3id.org/szsemi/id/y> szo:amount "unterminated .\n'
    )
    code, out, err = run("validate", str(bad))
    assert code == 2 and out == ""
    assert f"{bad}:3:" in err, err


def test_missing_file_exits_2(tmp_path):
    code, _, err = run("validate", str(tmp_path / "nope.ttl"))
    assert code == 2 and "nope.ttl: no such file" in err


def test_unknown_extension_exits_2(tmp_path):
    (tmp_path / "data.txt").write_text("x")
    code, _, err = run("validate", str(tmp_path / "data.txt"))
    assert code == 2 and "unknown RDF file extension" in err


def test_unknown_command_exits_2():
    code, _, err = run("frobnicate")
    assert code == 2 and "invalid choice" in err


def test_disjointness_breach_exits_1_with_the_individual_named():
    fixture = TEST_DATA / "owl" / "project-disjoint-company-district.ttl"
    code, out, _ = run("validate", "--format", "json", str(fixture))
    assert code == 1
    owl = [f for f in json.loads(out)["findings"] if f["stage"] == "owl"]
    assert [(f["focus"], f["component"]) for f in owl] == [
        ("<https://w3id.org/szsemi/id/test/acme>", "owl:disjointWith")
    ]
    assert owl[0]["file"].endswith("project-disjoint-company-district.ttl") and owl[0]["line"] == 4


def test_unsatisfiable_class_exits_1_with_the_class_named():
    fixture = TEST_DATA / "owl" / "project-unsatisfiable-class.ttl"
    code, out, _ = run("validate", "--format", "json", str(fixture))
    assert code == 1
    findings = json.loads(out)["findings"]
    assert [(f["stage"], f["focus"], f["component"]) for f in findings] == [
        ("owl", "<https://w3id.org/szsemi/id/test/FactoryFirm>", "owl:Nothing")
    ]


def test_text_report_points_at_file_and_line():
    fixture = TEST_DATA / "owl" / "project-disjoint-company-district.ttl"
    code, out, _ = run("validate", str(fixture))
    assert code == 1
    assert "project-disjoint-company-district.ttl:4: Violation [owl] sz:test/acme" in out


def test_info_counts_classes_and_names_sources():
    code, out, _ = run("info", "--format", "json")
    info = json.loads(out)
    assert code == 0
    assert info["classes"]["https://w3id.org/szsemi/ontology#IndustrialPark"] == 3
    assert {s["iri"].rsplit("/", 1)[1] for s in info["sources"]} == {
        "pingshan-report-2022-11",
        "identity-notes",
        "cinic-plan-release-2022-06",
        "chipsourcetek-plan-expected-2022-12",
        "pingshan-positioning-2022-12",
        "shenzhen-ic-2022-revenue-587-firms",
        "people-shenzhen-ic-2023-revenue",
        "smic-shenzhen-12-inch-launch-2016",
        "cgtn-smic-shenzhen-28nm-2021",
        "pandaily-honor-pingshan-park",
        "pingshan-80-firms-platforms-2023",
        "gdstc-bay-area-expo-2023-figures",
    }
    assert all(s["citing"] > 0 for s in info["sources"])


def test_format_check_reports_an_unformatted_file(tmp_path):
    messy = tmp_path / "messy.ttl"
    messy.write_text("<https://w3id.org/szsemi/id/a> <https://w3id.org/szsemi/ontology#amount> 1 .\n")
    assert run("format", "--check", str(messy))[0] == 1
    assert run("format", str(messy))[0] == 0
    assert run("format", "--check", str(messy))[0] == 0


def test_installed_command_works_from_any_folder(tmp_path):
    command = shutil.which("szsemi")
    assert command, "the szsemi command is not installed (pip install '.[test]')"
    done = subprocess.run([command, "validate", "--no-owl"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "conforms" in done.stdout
    module = subprocess.run([sys.executable, "-m", "szsemi", "--version"], cwd=tmp_path, capture_output=True, text=True)
    assert module.returncode == 0 and module.stdout.startswith("szsemi ")


def test_format_refuses_a_file_that_is_not_turtle_and_leaves_it_alone(tmp_path):
    triples = tmp_path / "data.nt"
    text = '<https://w3id.org/szsemi/id/a> <https://w3id.org/szsemi/ontology#amount> "1" .\n'
    triples.write_text(text)
    code, out, err = run("format", str(triples))
    assert code == 2 and f"{triples}: szsemi format rewrites Turtle (.ttl) files only" in err
    assert triples.read_text() == text


def test_format_names_the_line_of_a_byte_that_is_not_utf8(tmp_path):
    latin = tmp_path / "latin.ttl"
    latin.write_bytes(b'<https://w3id.org/szsemi/id/a>\n    <https://w3id.org/szsemi/ontology#note> "caf\xe9" .\n')
    code, out, err = run("format", str(latin))
    assert code == 2 and f"{latin}:2:49: not UTF-8 text: byte 0xe9 at byte offset 79" in err


def test_a_report_into_a_missing_folder_is_an_input_error_naming_it(tmp_path):
    target = tmp_path / "no-such-folder" / "report.xml"
    code, out, err = run("validate", "--no-owl", "--format", "junit", "--output", str(target))
    assert code == 2 and f"{target}: cannot write the file: No such file or directory" in err
    assert not target.parent.exists()


def test_an_unexpected_failure_exits_3_not_1(monkeypatch):
    import szsemi.graph.info

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(szsemi.graph.info, "graph_info", broken)
    monkeypatch.delenv("SZSEMI_DEBUG", raising=False)
    code, out, err = run("info")
    assert code == 3 and "internal error: RuntimeError: boom" in err and "Traceback" not in err
    monkeypatch.setenv("SZSEMI_DEBUG", "1")
    code, out, err = run("info")
    assert code == 3 and "Traceback (most recent call last)" in err and "in broken" in err
