"""The Python API (szsemi.api, docs/api.md): parameters in one dict never meet the options, and an
opened graph is parsed once for all its queries."""

from __future__ import annotations

import pytest

import szsemi
from szsemi.errors import UsageError


def test_a_parameter_given_as_an_option_is_refused_with_the_way_to_give_it():
    with pytest.raises(UsageError, match=r"minutes: not an option .* run_query\(name, \{"):
        szsemi.run_query("get-within-travel-time", minutes=10)


def test_a_parameter_may_share_its_name_with_an_option():
    # `name` is also run_query's first argument; `limit` an option: neither is confused with the other
    rows = szsemi.run_query("get-entity-by-name", {"name": "Biyadi"}, limit=1)
    assert [r["entity"].value for r in rows] == ["https://w3id.org/szsemi/id/org/byd"]


def test_an_opened_graph_parses_once_and_reads_each_query_once(monkeypatch):
    from szsemi.graph import load
    from szsemi.query import catalogue

    g = szsemi.open()
    store = g.engine.store
    parsed, read = [], []
    monkeypatch.setattr(load, "load", lambda *a, **k: parsed.append(a))
    real = catalogue.read_query
    monkeypatch.setattr(catalogue, "read_query", lambda *a, **k: read.append(a) or real(*a, **k))
    for minutes in (5, 10, 20):
        g.run_query("get-within-travel-time", {"minutes": minutes})
    assert g.sparql("ASK { ?s ?p ?o }") is True
    assert g.engine.store is store and parsed == [] and len(read) == 1
