"""Run the ``szsemi`` command in a child process that a regression cannot let hang or eat the machine.

The child gets a memory limit (address space) and the call a timeout; the child's peak resident
memory is measured by a small wrapper process, so one test's figure is not mixed with another's.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

_WRAPPER = r"""
import json, resource, subprocess, sys
limit = int(sys.argv[1])
def cap():
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
done = subprocess.run(sys.argv[2:], preexec_fn=cap, stdin=subprocess.DEVNULL)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
sys.stderr.write("\n@@bounded " + json.dumps({"code": done.returncode, "peak": peak}) + "\n")
"""


@dataclass
class Done:
    code: int
    out: str
    err: str
    peak: int  # bytes of resident memory at the child's peak


def szsemi(*args: str | os.PathLike[str], memory: int = 3 << 30, timeout: float = 120,
           cwd: str | os.PathLike[str] | None = None) -> Done:
    """``python -m szsemi ARGS`` with at most ``memory`` bytes of address space and ``timeout`` s."""
    command = [sys.executable, "-m", "szsemi", *map(str, args)]
    done = subprocess.run([sys.executable, "-c", _WRAPPER, str(memory), *command], capture_output=True,
                          timeout=timeout, cwd=cwd)
    err = done.stderr.decode("utf-8", "replace")
    head, _, tail = err.rpartition("\n@@bounded ")
    report = json.loads(tail)
    return Done(report["code"], done.stdout.decode("utf-8", "replace"), head, report["peak"])


def limited(memory: int = 3 << 30) -> None:
    """A ``preexec_fn``: cap the child's address space."""
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path
