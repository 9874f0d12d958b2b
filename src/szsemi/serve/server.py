"""``szsemi serve``: the options, and :func:`serve`, which the CLI calls.

This module stays light: the worker processes are started first, so that they load the graph
while the web framework is still being imported (start-up is the slower of the two, not the sum).
"""

from __future__ import annotations

import asyncio
import socket
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TextIO

from szsemi.errors import UsageError
from szsemi.serve.pool import Inputs, Pool


@dataclass
class Options:
    """What ``szsemi serve`` was given."""

    host: str = "127.0.0.1"
    port: int = 8000
    data: Sequence[str] = ()
    store: str | None = None
    query_dirs: Sequence[str] = ()
    timeout: float = 30.0
    max_rows: int = 10_000
    workers: int = 2
    extra: dict[str, object] = field(default_factory=dict)

    def check(self) -> None:
        if not self.timeout > 0:
            raise UsageError(f"--timeout must be a number of seconds > 0, not {self.timeout!r}")
        if self.max_rows < 1:
            raise UsageError(f"--max-rows must be a whole number >= 1, not {self.max_rows!r}")
        if self.workers < 1:
            raise UsageError(f"--workers must be a whole number >= 1, not {self.workers!r}")
        if not 0 <= self.port <= 65535:
            raise UsageError(f"--port must be 0 to 65535, not {self.port!r}")


def make_pool(options: Options) -> Pool:
    return Pool(
        Inputs(list(options.data), options.store, list(options.query_dirs), options.max_rows), size=options.workers
    )


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto must say TCP: asyncio sets TCP_NODELAY only on such sockets, and without it every
    # answer waited ~40 ms for the client's delayed ACK (Nagle), 1/25 of the throughput
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        raise UsageError(f"cannot listen on {host}:{port} (--host/--port): {e.strerror or e}") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def serve(options: Options, out: TextIO | None = None) -> None:
    """Run the server until Ctrl-C or SIGTERM; prints its URL once the workers are ready."""
    out = out or sys.stdout
    options.check()
    sock = _bind(options.host, options.port)
    pool = make_pool(options)
    pool.spawn()
    try:
        import uvicorn

        from szsemi.serve.app import create_app

        app = create_app(options, pool)
    except BaseException:
        asyncio.run(pool.close())
        sock.close()
        raise
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on", timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)

    async def main() -> None:
        try:  # before uvicorn: a bad --data file is our error message, not a lifespan traceback
            await pool.start()
        except BaseException:
            await pool.close()
            raise
        task = asyncio.ensure_future(server.serve(sockets=[sock]))
        while not server.started and not task.done():
            await asyncio.sleep(0.02)
        if server.started:
            out.write(
                f"szsemi serve: http://{shown}:{port}/ ({app.state.context.pool.triples} triples; "
                f"SPARQL at /sparql, API at /api/queries; Ctrl-C stops)\n"
            )
            out.flush()
        await task

    try:
        asyncio.run(main())
    finally:
        sock.close()
    if not server.started:
        raise UsageError("the server did not start (see the message above)")
