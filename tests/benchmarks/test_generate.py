"""The benchmark's synthetic data: deterministic, the size asked for, clearly synthetic, valid, and
with planted errors that validation finds exactly where they were planted."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from szsemi.validate.stages import validate

SYN = "https://w3id.org/szsemi/id/synthetic/"
SCHEME = "https://w3id.org/szsemi/id/scheme/"


def test_same_seed_same_bytes_other_seed_other_data(synthetic, synthetic_10k, tmp_path):
    again, other = tmp_path / "again.nt", tmp_path / "other.nt"
    synthetic.generate(again, 10_000, seed=1)
    synthetic.generate(other, 10_000, seed=2)
    assert again.read_bytes() == synthetic_10k.read_bytes()
    assert other.read_bytes() != synthetic_10k.read_bytes()


@pytest.mark.parametrize("size", [2_000, 10_000, 50_000])
def test_the_file_has_about_the_size_asked_for(synthetic, tmp_path, size):
    info = synthetic.generate(tmp_path / "s.nt", size, seed=3)
    store = ox.Store()
    store.bulk_load(path=str(tmp_path / "s.nt"), format=ox.RdfFormat.N_TRIPLES)
    assert len(store) == info["triples"]
    assert size <= info["triples"] <= size + 800  # at most one district block (about 700 triples) over


def test_sizes_are_named_as_in_the_benchmark(synthetic):
    assert [synthetic.parse_size(s) for s in ("10k", "100k", "1M", "10M", "2500")] == [
        10_000,
        100_000,
        1_000_000,
        10_000_000,
        2_500,
    ]


def test_every_subject_is_synthetic_and_every_name_says_so(synthetic_10k):
    store = ox.Store()
    store.bulk_load(path=str(synthetic_10k), format=ox.RdfFormat.N_TRIPLES)
    subjects = {q.subject for q in store if isinstance(q.subject, ox.NamedNode)}
    assert subjects and all(s.value.startswith((SYN, SCHEME)) for s in subjects)
    labels = [
        q.object
        for q in store
        if q.predicate.value
        in (
            "http://www.w3.org/2004/02/skos/core#prefLabel",
            "http://www.w3.org/2004/02/skos/core#altLabel",
            "https://w3id.org/szsemi/ontology#reportedName",
        )
    ]
    english = [label.value for label in labels if label.language == "en"]
    chinese = [label.value for label in labels if (label.language or "").lower() == "zh-hans"]
    assert len(english) > 500 and len(chinese) > 100
    assert all("ynthetic" in label for label in english)
    assert all("合成" in label for label in chinese)
    assert not list(store.quads_for_pattern(None, ox.NamedNode("http://www.w3.org/2004/02/skos/core#exactMatch"), None))


def _vocabulary(path) -> tuple[set, set]:
    """The classes a file types its nodes with, and the properties it uses."""
    quads = list(ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES))
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    return {q.object for q in quads if q.predicate == rdf_type}, {q.predicate for q in quads}


@pytest.mark.slow
def test_synthetic_data_passes_every_validation_stage(synthetic, synthetic_10k, tmp_path):
    report = validate([synthetic_10k], owl=False)
    assert "shacl" in report.stages and "rules" in report.stages
    assert report.conforms and report.findings == []
    # HermiT's time grows with the data (8.6 s at 10k, 2.1 s at 1k), and 1k triples of the same seed
    # already write every class and property that 10k do: the OWL stage runs on those
    small = tmp_path / "synthetic-1k.nt"
    synthetic.generate(small, 1_000, seed=1)
    assert _vocabulary(small) == _vocabulary(synthetic_10k)
    report = validate([small], owl=True)
    assert "owl" in report.stages
    assert report.conforms and report.findings == []


def _on_node(finding, error) -> bool:
    """Whether ``finding`` is about the node an error was planted on."""
    if "focus" in error:
        return finding.focus == f"<{error['focus']}>"
    # a blank node, named by the IRI it hangs from and the property that leads to it
    return (finding.focus or "").startswith("_:") and finding.anchor == f"<{error['owner']}> <{error['via']}>"


@pytest.mark.slow
def test_every_planted_error_is_found_where_it_was_planted_and_nothing_else(synthetic, tmp_path):
    path = tmp_path / "planted.nt"
    info = synthetic.generate(path, 10_000, seed=1, plant_errors=11)
    assert json.loads((tmp_path / "planted.nt.errors.json").read_text()) == info
    planted = info["planted_errors"]
    assert len({e["kind"] for e in planted}) == 11
    report = validate([path], owl=False)
    shacl = [f for f in report.findings if f.stage == "shacl"]
    for error in planted:
        assert any(
            _on_node(f, error) and f.path == f"<{error['path']}>" and f.component == error["component"] for f in shacl
        ), error
    anchors = {f"<{e['focus']}>" for e in planted if "focus" in e} | {
        f"<{e['owner']}> <{e['via']}>" for e in planted if "owner" in e
    }
    assert all(f.focus in anchors or f.anchor in anchors for f in report.findings)
