"""The runnable examples in the package's docstrings, run against the installed package."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import szsemi

FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _with_examples() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(szsemi.__path__, "szsemi."):
        if info.name == "szsemi.__main__":  # importing it runs the command line
            continue
        module = importlib.import_module(info.name)
        if any(test.examples for test in doctest.DocTestFinder().find(module)):
            names.append(info.name)
    return sorted(names)


MODULES = _with_examples()


def test_the_examples_are_found():
    assert {"szsemi.query.binding", "szsemi.query.catalogue", "szsemi.graph.resources", "szsemi.graph.load"} <= set(
        MODULES
    )


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=FLAGS, report=True)
    assert result.attempted > 0 and result.failed == 0, f"{result.failed} of {result.attempted} examples failed"


def test_the_api_page_runs():
    """Every example in docs/api.md runs and gives what the page shows."""
    import pathlib

    page = pathlib.Path(__file__).resolve().parent.parent / "docs" / "api.md"
    result = doctest.testfile(str(page), module_relative=False, optionflags=FLAGS, report=True)
    assert result.attempted >= 10 and result.failed == 0, f"{result.failed} of {result.attempted} examples failed"


def test_dir_shows_the_api():
    names = [n for n in dir(szsemi) if not n.startswith("_")]
    assert names == ["Graph", "export", "open", "run_query", "sparql", "validate"]
    stages = importlib.import_module("szsemi.validate.stages")  # the subpackage is still a package
    assert szsemi.validate.stages is stages
    assert callable(szsemi.validate) and callable(szsemi.export)
