"""Shared fixtures: the repository's folders, the shipped graph, and the shared sources when present."""

from __future__ import annotations

import os
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


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's own hook reads -n
def pytest_cmdline_main(config: pytest.Config) -> None:
    """``python -m pytest`` runs the whole suite in one worker process per core, and one more.

    Only when no test was named (the run comes from ``testpaths``) and ``-n`` was not given: a file
    or a test named on the command line runs in this process, where ``--pdb`` and ``-s`` behave as
    usual. ``-n 0`` or ``-p no:xdist`` runs everything in one process. The extra worker keeps the
    cores busy while a test waits (a deadline, a trickling server, a child's start-up), and
    ``worksteal`` hands the tests out as workers become free: measured on two cores, 100 s against
    109 s with two workers and 133 s with a file per worker.
    """
    if (
        config.pluginmanager.hasplugin("xdist")
        and not hasattr(config, "workerinput")
        and config.option.numprocesses is None
        and config.args_source is pytest.Config.ArgsSource.TESTPATHS
        and not config.option.usepdb
        and not config.option.collectonly
    ):
        config.option.numprocesses = min(_cores() + 1, 8)
        if config.option.dist == "no":
            config.option.dist = "worksteal"


def _cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
