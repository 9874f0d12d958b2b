"""The light query path (issue 13, point 5): a stored query from a new process imports none of the
heavy libraries and reads only the stored query it runs. Its speed is a benchmark figure, not a test."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = (
    "rdflib",
    "pyshacl",
    "owlready2",
    "oxrdflib",
    "SPARQLWrapper",
    "yaml",  # the shipped headers come parsed (query/shipped_headers.py)
    "http.client",  # the HTTP client is for a remote engine; the embedded graph needs none
    "logging",  # only to quiet the libraries above, which this path never imports
    "dataclasses",  # with inspect, a tenth of the start-up: the query path's records are NamedTuples
)

# Runs the command in this process, then reports which heavy modules and which .rq files it touched.
PROBE = """
import builtins, io, sys
from pathlib import Path
from importlib.resources.abc import Traversable
opened = []
real_read_text, real_read_bytes = Path.read_text, Path.read_bytes
def read_text(self, *a, **k):
    if str(self).endswith(".rq"):
        opened.append(self.name)
    return real_read_text(self, *a, **k)
def read_bytes(self):
    if str(self).endswith(".rq"):
        opened.append(self.name)
    return real_read_bytes(self)
Path.read_text, Path.read_bytes = read_text, read_bytes
from szsemi.cli.main import main
code = main(sys.argv[1:], out=io.StringIO())
heavy = sorted(m for m in {HEAVY} if m in sys.modules)
print(code, heavy, sorted(opened))
"""


@pytest.mark.parametrize(
    "argv",
    [
        ("query", "run", "get-within-travel-time"),
        ("query", "run", "get-within-travel-time", "--param", "minutes=20", "--format", "json"),
    ],
)
def test_a_stored_query_imports_no_heavy_library_and_reads_one_query_file(argv):
    probe = PROBE.replace("{HEAVY}", repr(HEAVY))
    done = subprocess.run([sys.executable, "-c", probe, *argv], capture_output=True, text=True, check=True)
    code, heavy, opened = done.stdout.strip().split(" ", 2)
    assert code == "0", done.stderr
    assert heavy == "[]", f"the query path imported {heavy}"
    assert opened == "['get-within-travel-time.rq']", f"the query path read {opened}"


# Imported only by the formats and parameters that need them (json: --format json/srj; decimal:
# decimal parameters and bounds, exact JSON numbers; traceback: a failed query), so the benchmark's
# query (a table, no parameter given) does without them.
ONLY_WHEN_NEEDED = ("json", "decimal", "traceback", "textwrap")


def test_a_stored_query_as_a_table_imports_no_json_decimal_or_traceback():
    probe = PROBE.replace("{HEAVY}", repr(HEAVY + ONLY_WHEN_NEEDED))
    argv = ("query", "run", "get-park-figures")
    done = subprocess.run([sys.executable, "-c", probe, *argv], capture_output=True, text=True, check=True)
    code, heavy, opened = done.stdout.strip().split(" ", 2)
    assert code == "0", done.stderr
    assert heavy == "[]", f"the query path imported {heavy}"
    assert opened == "['get-park-figures.rq']", f"the query path read {opened}"


def test_query_list_still_reads_every_header():
    probe = PROBE.replace("{HEAVY}", repr(HEAVY))
    done = subprocess.run([sys.executable, "-c", probe, "query", "list"], capture_output=True, text=True, check=True)
    opened = done.stdout.strip().split(" ", 2)[2]
    assert opened.count(".rq") > 20
