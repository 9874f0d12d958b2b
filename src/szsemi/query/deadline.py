"""Run work where it can be abandoned: a deadline and Ctrl-C that hold while pyoxigraph computes.

pyoxigraph cannot cancel a query, and while the main thread is inside one, Python runs no signal
handler, so Ctrl-C waits for the query to end (for ever, on a cross product). pyoxigraph releases
the GIL while it evaluates and loads (measured: a main thread waiting in 50 ms joins ran 131 of
its 131 expected turns during a 6.5 s COUNT, and 87 of 94 during a 300k-triple load, an ORDER BY
and a parse), so the work runs in a daemon worker thread and the caller waits for it in short
joins: a deadline or a ``KeyboardInterrupt`` ends the wait at once. A forked child would also
free the memory of an abandoned query, but it must copy the answer back and cannot share an
on-disk store opened by its parent or a server's threads safely; the thread is the simpler choice.

What abandoning means: the worker is left to finish on its own (its answer is dropped), using CPU
and memory meanwhile; a command-line process exits right away, which ends it. A long-lived
process (the web server) should refuse new work while :func:`abandoned` is high.

Nothing the work made may be dropped by another thread: pyoxigraph's lazy answers
(``QuerySolutions``, ``QueryTriples``) are bound to the thread that made them, and dropping one
elsewhere is an error that Python can only print. So ``fn`` returns plain (materialised) values;
the locals of an error's traceback (a half-read answer among them) are cleared in the worker
before the error is handed over, and an abandoned worker drops its own answer.

>>> run_abandonable(lambda: 6 * 7, 5)
42
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

from szsemi.errors import EngineError

__all__ = ["DeadlineExceeded", "abandoned", "run_abandonable"]

T = TypeVar("T")

_POLL = 0.05  # seconds between checks: how late a deadline or Ctrl-C can be noticed
_lock = threading.Lock()
_abandoned: set[threading.Thread] = set()


class DeadlineExceeded(EngineError):
    """The work ran past its deadline and was abandoned (exit 3 on the command line)."""

    def __init__(self, seconds: float, what: str):
        self.seconds, self.what = seconds, what
        super().__init__(
            f"{what} ran longer than the time limit of {seconds:g} s (--timeout {seconds:g}) "
            "and was abandoned: give a larger --timeout or narrow the query"
        )


def abandoned() -> int:
    """How many abandoned workers are still running in this process."""
    with _lock:
        for thread in [t for t in _abandoned if not t.is_alive()]:
            _abandoned.discard(thread)
        return len(_abandoned)


def run_abandonable(fn: Callable[[], T], seconds: float | None = None, *, what: str = "the query") -> T:
    """``fn()``, run in a daemon worker thread that the caller stops waiting for when it must.

    Returns what ``fn`` returns and raises what it raises. After ``seconds`` (None: no limit) it
    raises :class:`DeadlineExceeded` naming the limit and ``what`` (e.g. "the query"). A
    ``KeyboardInterrupt`` (Ctrl-C) in the waiting thread propagates at once. In both cases the
    worker is abandoned: it runs on, its result is dropped, and :func:`abandoned` counts it.
    ``fn`` must not write anything the caller may see half-done (write files atomically).
    ``seconds`` must be > 0.
    """
    if seconds is not None and not seconds > 0:
        raise ValueError(f"seconds must be > 0 or None, not {seconds!r}")
    box: dict[str, object] = {}
    given_up = threading.Event()  # set under _lock by the waiting thread when it abandons the work

    def work() -> None:
        error: BaseException | None = None
        try:
            value: object = fn()
        except BaseException as e:  # noqa: BLE001 - handed to the waiting thread as it is
            _clear_locals(e)
            value, error = None, e
        with _lock:
            if not given_up.is_set():  # else dropped here, on the thread that made it
                box["value"], box["error"] = value, error
        del value, error

    worker = threading.Thread(target=work, name=f"szsemi: {what}", daemon=True)
    worker.start()
    # a timed join is interrupted by Ctrl-C at once; the deadline is checked between joins
    end = None if seconds is None else time.monotonic() + seconds
    try:
        while worker.is_alive():
            left = _POLL if end is None else min(_POLL, end - time.monotonic())
            if left <= 0:
                raise DeadlineExceeded(seconds or 0, what)
            worker.join(left)
    except BaseException:
        with _lock:
            given_up.set()
            _abandoned.add(worker)
        raise
    error = box.pop("error")
    if error is not None:
        assert isinstance(error, BaseException)
        raise error
    return box.pop("value")  # type: ignore[return-value]


def _clear_locals(error: BaseException) -> None:
    """Clear the locals of the finished frames in ``error``'s traceback, and in those of the errors
    it was raised from or during, so that whatever they held is dropped in this thread."""
    import traceback  # here: an error is rare, and traceback costs a stored query 3 ms to import

    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        e = pending.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        traceback.clear_frames(e.__traceback__)  # skips the frames still running (this one's caller)
        pending += [e.__cause__, e.__context__]
