"""docs/round-trip.md is true: its push-query-compare block runs against a real Oxigraph server,
every stored query gives the same rows there as on the embedded graph, and the block exits 0."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

from szsemi.query.catalogue import load_catalogue

DOC = REPO / "docs" / "round-trip.md"


def _block() -> str:
    text = DOC.read_text(encoding="utf-8")
    marker = text.index("<!-- round-trip:")
    match = re.compile(r"```sh\n(.*?)```", re.DOTALL).search(text, marker)
    assert match, "docs/round-trip.md lost its round-trip block"
    return match.group(1)


@pytest.mark.server
@pytest.mark.slow
def test_the_round_trip_block_runs_and_every_stored_query_has_the_same_rows(oxigraph_server, tmp_path):
    own = Path(sys.executable).parent / "szsemi"  # the command of the interpreter running the tests
    bin_dir = str(own.parent if own.exists() else Path(shutil.which("szsemi") or "szsemi").parent)
    env = {
        **os.environ,
        "S": oxigraph_server.base_url,
        "TMPDIR": str(tmp_path),
        "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
    }
    done = subprocess.run(
        ["bash", "-c", _block()], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    same = re.findall(r"^same rows: (\S+)$", done.stdout, re.MULTILINE)
    assert sorted(same) == sorted(load_catalogue())
    assert "DIFFERENT" not in done.stdout
    assert re.search(r"^both hold [0-9]+ triples$", done.stdout, re.MULTILINE), done.stdout
