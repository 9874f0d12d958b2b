"""The persistent on-disk store: same answers as the in-memory graph and raw pyoxigraph, rebuilt
exactly when its files change, swapped atomically, and no rdflib on its query path."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pyoxigraph as ox
import pytest

from szsemi.cli.main import main
from szsemi.errors import InputError
from szsemi.graph import store as persistent
from szsemi.graph.load import load
from szsemi.graph.resources import local_path, ontology_file
from szsemi.query.binding import bind
from szsemi.query.catalogue import load_catalogue
from szsemi.query.engines import LocalEngine
from szsemi.query.execute import resolve, run_stored


def run(*argv: str, env: dict | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def stores(synthetic_10k, tmp_path_factory):
    """The same 10k synthetic graph three ways: on disk, in memory (szsemi.graph.load) and raw pyoxigraph."""
    sources = [ontology_file(), synthetic_10k]
    disk = persistent.open_store(tmp_path_factory.mktemp("store") / "s", sources)
    raw = ox.Store()
    for path in (local_path(ontology_file()), synthetic_10k):
        raw.bulk_load(
            path=str(path), format=ox.RdfFormat.TURTLE if str(path).endswith(".ttl") else ox.RdfFormat.N_TRIPLES
        )
    return disk, load(sources), raw


def _canonical(term) -> str:
    # Blank node labels are local to each store; everything else must be equal, to the lexical form.
    return "_:" if isinstance(term, ox.BlankNode) else str(term)


def _rows(result) -> list:
    if result.form == "SELECT":
        return [tuple((k, _canonical(v)) for k, v in sorted(row.items())) for row in result.rows]
    if result.form == "ASK":
        return [result.boolean]
    return sorted((_canonical(t.subject), str(t.predicate), _canonical(t.object)) for t in result.triples)


def _raw_rows(query, answer) -> list:
    if query.form == "SELECT":
        names = [v.value for v in answer.variables]
        return [tuple(sorted((n, _canonical(s[n])) for n in names if s[n] is not None)) for s in answer]
    if query.form == "ASK":
        return [bool(answer)]
    return sorted((_canonical(t.subject), str(t.predicate), _canonical(t.object)) for t in answer)


@pytest.mark.parametrize("name", sorted(load_catalogue()))
def test_every_stored_query_gives_identical_results_on_disk_in_memory_and_raw(name, stores, synthetic):
    disk, memory, raw = stores
    query = load_catalogue()[name]
    params = synthetic.SYNTHETIC_PARAMS.get(name, {})
    on_disk = _rows(run_stored(query, LocalEngine(disk), params))
    in_memory = _rows(run_stored(query, LocalEngine(memory), params))
    text = bind(query.text, resolve(query, params))
    raw_answer = _raw_rows(query, raw.query(text))
    if any("_:" in str(row) for row in on_disk):  # rows ordered by blank nodes: compare as sets
        on_disk, in_memory, raw_answer = sorted(on_disk), sorted(in_memory), sorted(raw_answer)
    assert on_disk == in_memory == raw_answer
    if name.startswith("get-"):
        assert on_disk, f"{name} finds nothing in the synthetic data, so the comparison proves little"


def test_a_store_is_built_once_and_reopened_without_reparsing(tmp_path, synthetic_10k):
    sources = [ontology_file(), synthetic_10k]
    store = persistent.open_store(tmp_path / "s", sources)
    first = persistent.info(tmp_path / "s")
    assert first["state"] == "up to date" and first["generation"] == "gen-000001"
    assert first["triples"] == len(store) > 10_000
    assert [s["path"] for s in first["sources"]] == [
        str(local_path(ontology_file()).resolve()),
        str(synthetic_10k.resolve()),
    ]
    del store
    persistent.open_store(tmp_path / "s", sources)
    persistent.open_store(tmp_path / "s")  # no sources: the ones it was built from
    assert persistent.info(tmp_path / "s")["generation"] == "gen-000001"


def test_a_touched_but_unchanged_file_is_not_reloaded(tmp_path, synthetic_10k):
    data = tmp_path / "data.nt"
    data.write_bytes(synthetic_10k.read_bytes())
    persistent.open_store(tmp_path / "s", [ontology_file(), data])
    before = persistent.info(tmp_path / "s")["sources"][1]
    os.utime(data, ns=(before["mtime_ns"] + 5_000_000_000,) * 2)
    assert persistent.info(tmp_path / "s")["state"] == "up to date"  # the hash agrees
    persistent.open_store(tmp_path / "s")
    after = persistent.info(tmp_path / "s")
    assert after["generation"] == "gen-000001"
    assert after["sources"][1]["mtime_ns"] == before["mtime_ns"] + 5_000_000_000  # remembered


def test_a_changed_file_rebuilds_into_a_new_generation_and_swaps(tmp_path, synthetic_10k):
    data = tmp_path / "data.nt"
    data.write_bytes(synthetic_10k.read_bytes())
    old = persistent.open_store(tmp_path / "s", [ontology_file(), data])
    count = len(old)
    with open(data, "a", encoding="utf-8") as f:
        f.write('<https://w3id.org/szsemi/id/synthetic/x> <http://www.w3.org/2004/02/skos/core#note> "added" .\n')
    assert persistent.info(tmp_path / "s")["state"] == "stale"
    assert persistent.info(tmp_path / "s")["sources"][1]["state"] == "changed"
    new = persistent.open_store(tmp_path / "s")
    assert len(new) == count + 1
    assert persistent.info(tmp_path / "s")["generation"] == "gen-000002"
    assert len(old) == count  # a reader of the old generation keeps its answers
    assert sorted(p.name for p in (tmp_path / "s").iterdir()) == [
        ".lock",
        ".szsemi-store",
        "CURRENT",
        "gen-000001",
        "gen-000002",
    ]
    persistent.build(tmp_path / "s", [ontology_file(), data])
    assert sorted(p.name for p in (tmp_path / "s").glob("gen-*")) == ["gen-000002", "gen-000003"]


def test_other_sources_rebuild_the_store(tmp_path, synthetic_10k):
    persistent.open_store(tmp_path / "s", [ontology_file(), synthetic_10k])
    shipped = persistent.open_store(tmp_path / "s", persistent.default_sources())
    assert persistent.info(tmp_path / "s")["generation"] == "gen-000002"
    assert len(shipped) < 5_000


def test_a_file_that_does_not_parse_leaves_the_live_generation_alone(tmp_path, synthetic_10k):
    bad = tmp_path / "bad.nt"
    bad.write_text('<http://e/a> <http://e/p> "ok" .\n<http://e/a> <http://e/p> oops .\n', encoding="utf-8")
    persistent.open_store(tmp_path / "s", [ontology_file(), synthetic_10k])
    with pytest.raises(InputError) as caught:
        persistent.open_store(tmp_path / "s", [ontology_file(), bad])
    assert caught.value.path == str(bad.resolve()) and caught.value.line == 2
    assert persistent.info(tmp_path / "s")["generation"] == "gen-000001"
    assert sorted(p.name for p in (tmp_path / "s").glob("gen-*")) == ["gen-000001"]


def test_a_folder_that_is_not_a_store_is_refused(tmp_path):
    (tmp_path / "mine.txt").write_text("not a store", encoding="utf-8")
    with pytest.raises(InputError, match="not an szsemi store"):
        persistent.open_store(tmp_path)


def test_cli_store_option_environment_default_build_and_info(tmp_path, synthetic_10k, monkeypatch):
    store = str(tmp_path / "s")
    code, out, err = run("store", "build", "--store", store, str(synthetic_10k))
    assert code == 0, err
    assert "gen-000001" in out
    code, on_disk, err = run("query", "run", "get-park-figures", "--store", store, "--format", "csv")
    assert code == 0, err
    code, in_memory, _ = run("query", "run", "get-park-figures", "--data", str(synthetic_10k), "--format", "csv")
    assert on_disk == in_memory and on_disk.count("\n") > 10
    monkeypatch.setenv("SZSEMI_STORE", store)
    code, counted, err = run("sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--format", "csv")
    assert code == 0 and int(counted.split()[-1]) == persistent.info(store)["triples"]
    code, out, _ = run("store", "info", "--format", "json")
    assert code == 0 and json.loads(out)["state"] == "up to date"
    code, _, err = run("query", "run", "get-park-figures", "--store", store, "--endpoint", "http://127.0.0.1:9/q")
    assert code == 2 and "--store" in err
    monkeypatch.delenv("SZSEMI_STORE")
    code, _, err = run("store", "info")
    assert code == 2 and "SZSEMI_STORE" in err


def test_the_query_path_with_a_store_imports_no_rdflib(tmp_path):
    store = str(tmp_path / "s")
    persistent.build(store)
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "szsemi", "query", "run", "get-park-figures", "--store", store],
        capture_output=True,
        text=True,
        check=True,
    )
    imported = {line.split("|")[-1].strip().split(".")[0] for line in done.stderr.splitlines() if "|" in line}
    assert "szsemi" in imported and "pyoxigraph" in imported
    assert not imported & {"rdflib", "oxrdflib", "pyshacl", "owlready2", "SPARQLWrapper"}
    assert "Colorful Silicon Valley" in done.stdout


# --- the store follows the content, keeps to its own folder, and answers when read-only ---------

NOTE = '<https://w3id.org/szsemi/id/park/colorful-silicon-valley> <http://www.w3.org/2004/02/skos/core#note> "{}" .\n'
ASK_NOTE = 'ASK {{ ?s <http://www.w3.org/2004/02/skos/core#note> "{}" }}'


def _asks(store: ox.Store, word: str) -> bool:
    return bool(store.query(ASK_NOTE.format(word)))


@pytest.fixture
def read_only(monkeypatch):
    """Make a folder unwritable for this process, as ``chmod a-w`` does for a user who is not root
    (the tests run as root, whom chmod does not stop): every create or write below it fails with
    EACCES."""
    import builtins
    import errno
    from pathlib import Path

    def make(folder: Path) -> None:
        folder = folder.resolve()

        def inside(path) -> bool:
            return isinstance(path, (str, os.PathLike)) and Path(os.fspath(path)).resolve().is_relative_to(folder)

        def denied(path):
            return PermissionError(errno.EACCES, "Permission denied", os.fspath(path))

        real_open, real_os_open, real_mkdir = builtins.open, os.open, os.mkdir

        def guarded_open(file, mode="r", *args, **kwargs):
            if inside(file) and any(c in mode for c in "wax+"):
                raise denied(file)
            return real_open(file, mode, *args, **kwargs)

        def guarded_os_open(path, flags, *args, **kwargs):
            if inside(path) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
                raise denied(path)
            return real_os_open(path, flags, *args, **kwargs)

        def guarded_mkdir(path, *args, **kwargs):
            if inside(path) and not os.path.exists(path):
                raise denied(path)
            return real_mkdir(path, *args, **kwargs)

        monkeypatch.setattr(builtins, "open", guarded_open)
        monkeypatch.setattr(os, "open", guarded_os_open)
        monkeypatch.setattr(os, "mkdir", guarded_mkdir)

    return make


def test_an_edit_that_keeps_the_size_and_the_mtime_is_seen(tmp_path):
    data = tmp_path / "note.nt"
    data.write_text(NOTE.format("aaaa"), encoding="utf-8")
    store = persistent.open_store(tmp_path / "s", [ontology_file(), data])
    assert _asks(store, "aaaa")
    stat = data.stat()
    data.write_text(NOTE.format("bbbb"), encoding="utf-8")  # same size
    os.utime(data, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same mtime
    assert data.stat().st_size == stat.st_size and data.stat().st_mtime_ns == stat.st_mtime_ns
    assert persistent.info(tmp_path / "s")["state"] == "stale"
    store = persistent.open_store(tmp_path / "s")
    assert _asks(store, "bbbb") and not _asks(store, "aaaa")


@pytest.mark.hostile(
    what="--store given a folder that holds a gen-000001 folder szsemi did not make",
    result="exit 2 naming the folder; nothing in it is adopted or deleted",
    kind="input",
)
def test_a_folder_szsemi_did_not_create_is_neither_adopted_nor_emptied(tmp_path):
    folder = tmp_path / "mine"
    (folder / "gen-000001").mkdir(parents=True)
    (folder / "gen-000001" / "thesis.txt").write_text("my work", encoding="utf-8")
    (folder / "gen-notes").mkdir()
    before = sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))
    with pytest.raises(InputError, match="not an szsemi store"):
        persistent.open_store(folder)
    with pytest.raises(InputError, match="not an szsemi store"):
        persistent.build(folder)
    code, _, err = run("query", "run", "get-park-figures", "--store", str(folder))
    assert code == 2 and str(folder) in err and "did not create" in err
    assert sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) == before
    assert (folder / "gen-000001" / "thesis.txt").read_text(encoding="utf-8") == "my work"


@pytest.mark.hostile(
    what="a store folder that another program made, with a CURRENT file but no szsemi marker",
    result="exit 2: not an szsemi store; nothing deleted",
    kind="input",
)
def test_a_store_like_folder_without_the_marker_is_refused(tmp_path):
    folder = tmp_path / "other"
    folder.mkdir()
    (folder / "CURRENT").write_text("gen-000001\n", encoding="utf-8")
    (folder / "gen-000003").mkdir()
    with pytest.raises(InputError, match="marker"):
        persistent.open_store(folder, [ontology_file()])
    assert sorted(p.name for p in folder.iterdir()) == ["CURRENT", "gen-000003"]


def test_a_new_store_is_marked_before_anything_else(tmp_path):
    persistent.build(tmp_path / "s", [ontology_file()])
    assert (tmp_path / "s" / persistent.MARKER).read_text(encoding="utf-8").strip() == persistent.FORMAT
    (tmp_path / "s" / "gen-000001" / "keep").mkdir(exist_ok=True)
    (tmp_path / "s" / "gen-mine").mkdir()
    persistent.build(tmp_path / "s", [ontology_file()])
    persistent.build(tmp_path / "s", [ontology_file()])
    assert (tmp_path / "s" / "gen-mine").is_dir()  # not a generation name: never touched


@pytest.mark.hostile(
    what="querying an up-to-date store whose folder cannot be written (a file's mtime moved)",
    result="the store answers; nothing is written",
    kind="fault",
)
def test_an_up_to_date_read_only_store_is_queried(tmp_path, read_only):
    data = tmp_path / "note.nt"
    data.write_text(NOTE.format("aaaa"), encoding="utf-8")
    persistent.build(tmp_path / "s", [ontology_file(), data])
    os.utime(data, ns=(data.stat().st_atime_ns, data.stat().st_mtime_ns + 5_000_000_000))  # bytes unchanged
    read_only(tmp_path / "s")
    store = persistent.open_store(tmp_path / "s")
    assert _asks(store, "aaaa")
    code, out, err = run("sparql", ASK_NOTE.format("aaaa"), "--store", str(tmp_path / "s"), "--format", "srj")
    assert code == 0 and json.loads(out)["boolean"] is True, err


@pytest.mark.hostile(
    what="querying a stale store whose folder cannot be written",
    result="the answer comes from the changed files (loaded in memory), never the old store",
    kind="fault",
)
def test_a_stale_read_only_store_answers_from_its_files(tmp_path, read_only):
    data = tmp_path / "note.nt"
    data.write_text(NOTE.format("aaaa"), encoding="utf-8")
    persistent.build(tmp_path / "s", [ontology_file(), data])
    data.write_text(NOTE.format("bbbb"), encoding="utf-8")
    read_only(tmp_path / "s")
    store = persistent.open_store(tmp_path / "s")
    assert _asks(store, "bbbb") and not _asks(store, "aaaa")
    assert persistent.info(tmp_path / "s")["generation"] == "gen-000001"
    code, _, err = run("store", "build", "--store", str(tmp_path / "s"))
    assert code == 2 and "cannot be written" in err


@pytest.mark.skipif(os.geteuid() == 0, reason="chmod does not stop root; the read_only fixture stands in")
def test_a_chmod_read_only_store_is_queried(tmp_path):
    data = tmp_path / "note.nt"
    data.write_text(NOTE.format("aaaa"), encoding="utf-8")
    persistent.build(tmp_path / "s", [ontology_file(), data])
    folders = [tmp_path / "s", *(p for p in (tmp_path / "s").rglob("*") if p.is_dir())]
    for folder in folders:
        folder.chmod(0o555)
    try:
        assert _asks(persistent.open_store(tmp_path / "s"), "aaaa")
    finally:
        for folder in folders:
            folder.chmod(0o755)


def test_a_marker_another_process_is_writing_does_not_make_the_folder_foreign(tmp_path):
    # Two first uses of a new store at once: one sees the other's marker half-written.
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / f".{persistent.MARKER}.k3j2.tmp").write_text(persistent.FORMAT, encoding="utf-8")
    assert len(persistent.open_store(tmp_path / "s", [ontology_file()])) > 500
    assert (tmp_path / "s" / persistent.MARKER).is_file()
