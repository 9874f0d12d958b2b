"""Shared fixtures: the repository's folders, the shipped graph, and the shared sources when present."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TEST_DATA = REPO / "tests" / "data"
# The shared source folder sits beside the repository in CI and on the developers' machines.
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def shipped_store():
    from szsemi.resources import ontology_file
    from szsemi.store import load, shipped_data

    return load([ontology_file(), *shipped_data()])
