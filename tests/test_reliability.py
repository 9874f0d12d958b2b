"""docs/reliability.md is what tests/reliability.py writes from the tests marked ``hostile``."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO


def test_reliability_page_is_generated_from_the_hostile_tests() -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "tests" / "reliability.py"), "--check"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-4000:]


def test_the_page_counts_what_the_tests_try() -> None:
    from reliability import Row, render

    rows = [Row("input", "a | <b>", "exit 2", "tests/x.py::t"), Row("fault", "kill", "kept", "tests/y.py::u")]
    text = render(rows)
    assert "**Hostile inputs tried:** 1" in text and "**Faults survived:** 1" in text
    assert "| a \\| \\<b\\> | exit 2 | `tests/x.py::t` |" in text
    assert "python tests/reliability.py --write" in text
