"""Shared fixtures: the repository's folders, the shipped graph, and the shared sources when present."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["servers"]  # oxigraph_server, virtuoso_server (tests/servers.py)

REPO = Path(__file__).resolve().parent.parent
TEST_DATA = REPO / "tests" / "data"
# The shared source folder sits beside the repository in CI and on the developers' machines.
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def shipped_store():
    from szsemi.graph.load import load, shipped_data
    from szsemi.graph.resources import ontology_file

    return load([ontology_file(), *shipped_data()])


@pytest.fixture(scope="session")
def synthetic():
    """The benchmark's data generator (benchmarks/generate.py), imported as a module."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("szsemi_generate", REPO / "benchmarks" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def synthetic_10k(synthetic, tmp_path_factory) -> Path:
    """10k triples of synthetic data (seed 1), written once per test session."""
    path = tmp_path_factory.mktemp("synthetic") / "synthetic-10k.nt"
    synthetic.generate(path, 10_000, seed=1)
    return path
