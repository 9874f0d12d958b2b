"""Run the ``szsemi`` command in a child process that a regression cannot let hang or eat the machine.

The child gets a memory limit (address space), a CPU-time limit and the call a timeout that kills
its whole process group; the child's peak resident
memory is measured by a small wrapper process, so one test's figure is not mixed with another's.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

_WRAPPER = r"""
import json, resource, subprocess, sys
limit, cpu = int(sys.argv[1]), int(sys.argv[2])
def cap():
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
done = subprocess.run(sys.argv[3:], preexec_fn=cap, stdin=subprocess.DEVNULL)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
sys.stderr.write("\n@@bounded " + json.dumps({"code": done.returncode, "peak": peak}) + "\n")
"""


@dataclass
class Done:
    code: int
    out: str
    err: str
    peak: int  # bytes of resident memory at the child's peak


def szsemi(
    *args: str | os.PathLike[str],
    memory: int = 3 << 30,
    timeout: float = 120,
    cwd: str | os.PathLike[str] | None = None,
) -> Done:
    """``python -m szsemi ARGS`` with at most ``memory`` bytes of address space and ``timeout`` s."""
    command = [sys.executable, "-m", "szsemi", *map(str, args)]
    # its own process group, so that a timeout stops the command too, not only the wrapper
    wrapper = subprocess.Popen(
        [sys.executable, "-c", _WRAPPER, str(memory), str(int(timeout) + 1), *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=cwd,
        start_new_session=True,
    )
    try:
        stdout, stderr = wrapper.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(wrapper.pid, signal.SIGKILL)
        wrapper.communicate()
        raise
    done = subprocess.CompletedProcess(wrapper.args, wrapper.returncode, stdout, stderr)
    err = done.stderr.decode("utf-8", "replace")
    head, _, tail = err.rpartition("\n@@bounded ")
    report = json.loads(tail)
    return Done(report["code"], done.stdout.decode("utf-8", "replace"), head, report["peak"])


def limited(memory: int = 3 << 30, cpu: int = 300) -> None:
    """A ``preexec_fn``: cap the child's address space and CPU seconds."""
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return path
