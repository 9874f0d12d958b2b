"""Worker processes that run the server's queries, each call with a deadline.

pyoxigraph releases the GIL while it evaluates (measured: a Python loop keeps running beside a
3.7 s query), but it cannot cancel a query. A thread would keep burning a core after its deadline,
so every query runs in a worker process instead: when the deadline passes the worker is killed
and a fresh one is started in its place, and the other workers keep answering meanwhile.

The event loop waits on each worker's pipe with ``add_reader``: no thread per request.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import multiprocessing.connection
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from szsemi.errors import EngineError, InputError, ParameterError, UsageError


class QueryTimeout(EngineError):
    """The query ran past the server's ``--timeout``; its worker was stopped."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        super().__init__(
            f"the query ran past the server's time limit of {seconds:g} s (szsemi serve --timeout) and was stopped"
        )


class Busy(EngineError):
    """Every worker stayed busy until the request's deadline."""


class NotAcceptable(UsageError):
    """No format the client accepts fits the answer; ``offered`` lists the media types that do."""

    def __init__(self, offered: Sequence[str]):
        self.offered = list(offered)
        super().__init__("none of the accepted media types fits this answer; available: " + ", ".join(self.offered))


@dataclass
class Inputs:
    """What each worker builds its graph from (the query stage's engine resolution)."""

    data: list[str] = field(default_factory=list)
    store: str | None = None
    query_dirs: list[str] = field(default_factory=list)
    max_rows: int = 10_000


def _error_to_wire(error: BaseException) -> tuple[str, Any]:
    # Exceptions cross the pipe as plain tuples: ParameterError's constructor does not pickle.
    if isinstance(error, ParameterError):
        return ("parameter", (error.name, str(error.given), error.allowed))
    if isinstance(error, NotAcceptable):
        return ("not-acceptable", error.offered)
    if isinstance(error, (UsageError, InputError)):
        return ("input", str(error))
    if isinstance(error, EngineError):
        return ("engine", str(error))
    return ("engine", f"internal error: {type(error).__name__}: {error}")


def _error_from_wire(kind: str, detail: Any) -> Exception:
    if kind == "parameter":
        return ParameterError(*detail)
    if kind == "not-acceptable":
        return NotAcceptable(detail)
    if kind == "input":
        return UsageError(detail)
    return EngineError(detail)


def worker_main(conn: multiprocessing.connection.Connection, inputs: Inputs) -> None:
    """The worker's loop: build the graph once, then answer ``(job, args)`` messages."""
    from szsemi.serve import jobs

    try:
        state = jobs.setup(inputs)
    except BaseException as e:  # noqa: BLE001 - reported to the parent, which decides
        conn.send(("error", _error_to_wire(e)))
        return
    conn.send(("ready", state.triples))
    while True:
        try:
            job, args = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        try:
            reply: tuple[str, Any] = ("ok", jobs.JOBS[job](state, *args))
        except Exception as e:  # noqa: BLE001 - every failure goes back as an answer
            reply = ("error", _error_to_wire(e))
        try:
            conn.send(reply)
        except (OSError, ValueError):
            return


class _Worker:
    def __init__(self, context: Any, inputs: Inputs):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=worker_main, args=(child, inputs), daemon=True)
        self.process.start()
        child.close()

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


class Pool:
    """``size`` worker processes; :meth:`call` runs one job on an idle worker within a deadline."""

    def __init__(self, inputs: Inputs, size: int = 2, start_seconds: float = 120.0):
        self.inputs, self.size, self.start_seconds = inputs, max(1, size), start_seconds
        self.context = multiprocessing.get_context("spawn")  # no fork of a threaded parent
        self.triples = 0
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._all: set[_Worker] = set()
        self._early: list[_Worker] = []
        self._closed = False
        self.started = False

    def spawn(self) -> None:
        """Start the worker processes now (no event loop needed), so that they load the graph
        while the server is still importing its web framework."""
        while len(self._all) < self.size:
            self._early.append(self._spawn())

    async def start(self) -> None:
        """Start the workers and wait until the first holds the graph; a bad input raises here."""
        if self.started:
            return
        self.started = True
        self.spawn()
        workers, self._early = self._early, []
        try:  # the first ready worker opens the server; the others join as they come
            self.triples = await self._ready(workers[0])
            self._idle.put_nowait(workers[0])
        except BaseException:
            await self.close()
            raise
        loop = asyncio.get_running_loop()
        for worker in workers[1:]:
            loop.create_task(self._join(worker))

    async def _join(self, worker: _Worker) -> None:
        try:
            await self._ready(worker)
        except Exception:  # noqa: BLE001 - the first one started with the same inputs
            await self._replace(worker)
            return
        self._idle.put_nowait(worker)

    def _spawn(self) -> _Worker:
        worker = _Worker(self.context, self.inputs)
        self._all.add(worker)
        return worker

    async def _ready(self, worker: _Worker) -> int:
        kind, detail = await self._receive(worker, self.start_seconds)
        if kind == "ready":
            return int(detail)
        raise _error_from_wire(*detail)

    async def _receive(self, worker: _Worker, timeout: float) -> tuple[str, Any]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[tuple[str, Any]] = loop.create_future()
        fd = worker.conn.fileno()

        def readable() -> None:
            loop.remove_reader(fd)
            if future.done():
                return
            try:
                future.set_result(worker.conn.recv())
            except (EOFError, OSError) as e:
                future.set_exception(EngineError(f"a query worker stopped unexpectedly ({e or 'EOF'})"))

        loop.add_reader(fd, readable)
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            loop.remove_reader(fd)

    async def _replace(self, worker: _Worker) -> None:
        self._all.discard(worker)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, worker.kill)  # join() blocks: not on the loop
        if self._closed:
            return
        fresh = self._spawn()
        try:
            await self._ready(fresh)
        except Exception:  # noqa: BLE001 - it started once with the same inputs; try again later
            self._all.discard(fresh)
            await loop.run_in_executor(None, fresh.kill)
            await asyncio.sleep(1)
            if not self._closed:
                asyncio.get_running_loop().create_task(self._replace_missing())
            return
        self._idle.put_nowait(fresh)

    async def _replace_missing(self) -> None:
        if len(self._all) < self.size and not self._closed:
            worker = self._spawn()
            try:
                await self._ready(worker)
                self._idle.put_nowait(worker)
            except Exception:  # noqa: BLE001
                await self._replace(worker)

    async def call(self, job: str, *args: Any, timeout: float) -> Any:
        """Run ``job`` on an idle worker; :class:`QueryTimeout` past ``timeout`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            worker = await asyncio.wait_for(self._idle.get(), timeout)
        except TimeoutError:
            raise Busy(
                f"every query worker stayed busy for {timeout:g} s (the server's --timeout); try again shortly"
            ) from None
        try:
            worker.conn.send((job, args))
            kind, detail = await self._receive(worker, max(0.0, deadline - loop.time()))
        except TimeoutError:
            loop.create_task(self._replace(worker))
            raise QueryTimeout(timeout) from None
        except BaseException:  # the client went away mid-query, or the worker died: start afresh
            loop.create_task(self._replace(worker))
            raise
        self._idle.put_nowait(worker)
        if kind == "ok":
            return detail
        raise _error_from_wire(*detail)

    async def close(self) -> None:
        self._closed = True
        loop = asyncio.get_running_loop()
        workers, self._all = list(self._all), set()
        for worker in workers:
            await loop.run_in_executor(None, worker.kill)
