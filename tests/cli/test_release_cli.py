"""The command line keeps its promises: the same graph inputs for every command, violation checks
that exit 1, a bare validate that says what it read (and reads the checkout it runs in), help text
for every option, and README command forms the parser accepts."""

from __future__ import annotations

import argparse
import io
import json
import re
import shutil

import pytest
from conftest import REPO

from szsemi.cli.main import main
from szsemi.cli.parser import build_parser as _parser
from szsemi.graph import store as persistent

SKOS = "http://www.w3.org/2004/02/skos/core#"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def two_files(tmp_path):
    a, b = tmp_path / "a.nt", tmp_path / "b.ttl"
    a.write_text(f'<https://w3id.org/szsemi/id/thing-a> <{SKOS}prefLabel> "A"@en .\n', encoding="utf-8")
    b.write_text(f'<https://w3id.org/szsemi/id/thing-b> <{SKOS}prefLabel> "B"@en .\n', encoding="utf-8")
    return str(a), str(b)


# --- point 5: export and push take --data FILE... and --store ------------------------------------


def test_export_takes_several_files_after_one_data_option(two_files):
    code, out, err = run("export", "--data", *two_files, "--format", "nt")
    assert code == 0, err
    assert out.splitlines() == [
        f'<https://w3id.org/szsemi/id/thing-a> <{SKOS}prefLabel> "A"@en .',
        f'<https://w3id.org/szsemi/id/thing-b> <{SKOS}prefLabel> "B"@en .',
    ]


def test_a_repeated_data_option_keeps_adding_files(two_files):
    once = run("export", "--data", *two_files, "--format", "nt")
    repeated = run("export", "--data", two_files[0], "--data", two_files[1], "--format", "nt")
    assert once == repeated and once[0] == 0
    code, out, err = run(
        "sparql",
        f"SELECT ?s WHERE {{ ?s <{SKOS}prefLabel> ?l FILTER(STRSTARTS(STR(?s), "
        '"https://w3id.org/szsemi/id/thing")) } ORDER BY ?s',
        "--data",
        *two_files,
        "--format",
        "csv",
    )
    assert code == 0, err
    assert out.split() == ["s", "https://w3id.org/szsemi/id/thing-a", "https://w3id.org/szsemi/id/thing-b"]


def test_the_query_text_after_data_is_refused_with_the_fix(two_files):
    code, _, err = run("sparql", "--data", *two_files, "ASK {}")
    assert code == 2 and "put the query text before --data" in err


def test_export_with_all_content_adds_the_ontology_and_shapes_to_the_data_files(two_files):
    code, out, err = run("export", "--data", *two_files, "--content", "all", "--format", "nt")
    assert code == 0, err
    assert "thing-a" in out and "<http://www.w3.org/ns/shacl#NodeShape>" in out
    assert not [line for line in out.splitlines() if line.startswith("<https://w3id.org/szsemi/id/park/")]


def test_export_of_ontology_content_with_data_files_is_a_usage_error(two_files):
    code, _, err = run("export", "--data", *two_files, "--content", "ontology")
    assert code == 2 and "--content ontology holds no data" in err


def test_export_reads_the_files_of_a_store_the_graph_the_queries_answer_from(tmp_path, two_files):
    store = str(tmp_path / "store")
    assert run("store", "build", "--store", store, *two_files)[0] == 0
    from_store = run("export", "--store", store, "--format", "nt")
    from_files = run("export", "--data", *two_files, "--format", "nt")
    assert from_store == from_files and from_store[0] == 0
    shipped_store = str(tmp_path / "shipped")
    persistent.build(shipped_store)
    assert run("export", "--store", shipped_store, "--format", "nt") == run("export", "--format", "nt")


def test_export_library_entry_point_takes_the_same_inputs(two_files):
    from szsemi.export.serialise import export

    assert export("data", "nt", data=two_files).decode("utf-8").count("\n") == 2


def test_push_takes_the_same_graph_inputs(two_files, monkeypatch):
    from szsemi.export import push as push_module

    seen = {}

    def fake_push(graph, endpoint, target, mode, chunk_size, dry_run, progress):
        seen["triples"] = sorted(str(s) for s, _, _ in graph)
        return push_module.PushResult(
            mode=mode,
            graph=target,
            triples=len(graph),
            chunks=1,
            before=0,
            after=len(graph),
            protocol="update",
            dry_run=False,
            steps=[],
        )

    monkeypatch.setattr(push_module, "push", fake_push)
    code, _, err = run("push", "--endpoint", "http://127.0.0.1:9/q", "--graph", "urn:g", "--data", *two_files)
    assert code == 0, err
    # the given files go with the ontology (a default push), never with the shipped data
    subjects = set(seen["triples"])
    assert {"https://w3id.org/szsemi/id/thing-a", "https://w3id.org/szsemi/id/thing-b"} <= subjects
    assert "https://w3id.org/szsemi/ontology#IndustrialPark" in subjects
    assert not any(s.startswith("https://w3id.org/szsemi/id/park/") for s in subjects)


# --- point 8: a violation check that finds rows exits 1 -----------------------------------------


def test_a_violation_query_that_finds_rows_exits_1(tmp_path):
    bad = tmp_path / "unbounded.ttl"
    bad.write_text(
        "<https://w3id.org/szsemi/id/figure/x> <https://w3id.org/szsemi/ontology#amount> 5 .\n", encoding="utf-8"
    )
    code, out, err = run("query", "run", "number-without-bound-violation", "--data", str(bad), "--format", "csv")
    assert code == 1, err
    assert "https://w3id.org/szsemi/id/figure/x" in out  # the rows are still printed


def test_a_violation_query_without_rows_and_a_report_with_rows_exit_0():
    assert run("query", "run", "number-without-bound-violation")[0] == 0
    code, out, _ = run("query", "run", "get-within-travel-time", "--format", "csv")
    assert code == 0 and out.count("\n") > 1


# --- point 9: the bare validate, help texts and the README's forms --------------------------------


def _checkout_copy(tmp_path):
    checkout = tmp_path / "checkout"
    for name in ("ontology", "data", "queries"):
        shutil.copytree(REPO / name, checkout / name)
    shutil.copy(REPO / "pyproject.toml", checkout / "pyproject.toml")
    (checkout / "docs").mkdir()
    return checkout


def test_bare_validate_in_a_checkout_validates_the_checkouts_data_and_says_so(tmp_path, monkeypatch):
    checkout = _checkout_copy(tmp_path)
    with open(checkout / "data" / "figures.ttl", "a", encoding="utf-8") as f:
        f.write("\n<https://w3id.org/szsemi/id/figure/broken> <https://w3id.org/szsemi/ontology#amount> 5 .\n")
    monkeypatch.chdir(checkout / "docs")  # anywhere in the checkout
    code, out, err = run("validate", "--no-owl")
    assert code == 1, out + err
    shipped = sorted(p.name for p in (REPO / "data").glob("*.ttl"))
    assert f"validating the checkout's data in {checkout / 'data'}: {len(shipped)} files ({shipped[0]}," in out
    assert "figures.ttl" in out and "broken" in out


def test_bare_validate_outside_a_checkout_names_the_data_it_read(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run("validate", "--no-owl", "--format", "json")
    assert code == 0
    json.loads(out)  # stdout stays the JSON report; the line goes to stderr
    shipped = sorted(p.name for p in (REPO / "data").glob("*.ttl"))
    assert re.search(
        rf"^validating the (checkout's|installed package's) data in .*data: {len(shipped)} files "
        rf"\({re.escape(shipped[0])}, ",
        err,
        re.MULTILINE,
    ), err


def _actions(parser: argparse.ArgumentParser, path: str = "szsemi"):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _actions(sub, f"{path} {name}")
        elif not isinstance(action, argparse._HelpAction):
            yield path, action


def test_every_option_and_argument_has_help_text():
    missing = [
        f"{path} {'/'.join(a.option_strings) or a.dest}"
        for path, a in _actions(_parser())
        if not (a.help and a.help.strip() and a.help != argparse.SUPPRESS)
    ]
    assert missing == []


def test_query_formats_say_which_json_is_which():
    helps = {"/".join(a.option_strings): a.help for path, a in _actions(_parser()) if path == "szsemi query run"}
    assert "srj: W3C SPARQL 1.1 Query Results JSON" in helps["--format"]
    assert "json: an array of plain JSON objects" in helps["--format"]
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "W3C SPARQL 1.1 Query Results JSON" in readme and "`--format json`" in readme


_PLACEHOLDERS = {
    "PATH": "/tmp/szsemi-store",
    "FILE": "a.ttl",
    "FILE...": "a.ttl b.ttl",
    "NAME": "get-park-figures",
    "URL": "http://127.0.0.1:9/query",
    "IRI": "urn:g",
    "KEY=VALUE": "minutes=10",
    "...": "",
}


def _readme_commands() -> list[str]:
    """Every `szsemi ...` form in the README's Commands table and its code blocks."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    forms = re.findall(r"`(szsemi (?:store|export|push|query|validate|sparql|info|format)[^`]*)`", readme)
    forms += re.findall(r"^(szsemi (?:store|export|push)[^#\n]*)", readme, re.MULTILINE)
    return [f.strip() for f in forms]


def _instances(form: str) -> list[list[str]]:
    words = []
    for word in form.replace("\\|", "|").split():
        if word.startswith("[") or word.endswith("]"):
            word = word.strip("[]")
        if "|" in word and not word.startswith("'"):
            word = word.split("|")[0]  # the first choice stands for all
        words.extend(_PLACEHOLDERS.get(word, word).split())
    return [words[1:]]


@pytest.mark.parametrize(
    "form", [f for f in _readme_commands() if f.split()[1] in ("store", "export", "push") and len(f.split()) > 2]
)
def test_the_readmes_store_export_and_push_forms_parse(form):
    parser = _parser()
    for argv in _instances(form):
        try:
            parser.parse_args(argv)
        except Exception as e:  # noqa: BLE001 - the message says which form
            pytest.fail(f"README form {form!r} ({argv}) does not parse: {e}")


def test_the_readme_forms_of_store_build_and_info_are_there():
    forms = _readme_commands()
    assert any(f.startswith("szsemi store build --store PATH") for f in forms), forms
    assert any(f.startswith("szsemi store info --store PATH") for f in forms), forms
