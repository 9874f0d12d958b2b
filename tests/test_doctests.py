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
    assert {"szsemi.query.binding", "szsemi.query.catalogue", "szsemi.graph.resources", "szsemi.graph.load"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=FLAGS, report=True)
    assert result.attempted > 0 and result.failed == 0, f"{result.failed} of {result.attempted} examples failed"
