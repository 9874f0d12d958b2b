"""The ASGI application (FastAPI on uvicorn) and :func:`serve`, which the CLI calls.

The worker processes start with the application (its lifespan) and stop with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sys
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import TextIO

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles

from szsemi import __version__
from szsemi.errors import UsageError
from szsemi.query.catalogue import load_catalogue
from szsemi.serve import api, entity, pages, sparql
from szsemi.serve.context import Context
from szsemi.serve.html import error_page
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


def create_app(options: Options) -> FastAPI:
    """The application; its workers start when it starts (``lifespan``)."""
    options.check()
    catalogue = load_catalogue(tuple(options.query_dirs))  # a bad query file stops us before any worker

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = Pool(Inputs(list(options.data), options.store, list(options.query_dirs), options.max_rows),
                    size=options.workers)
        await pool.start()
        app.state.context = Context(pool, catalogue, options.timeout, options.max_rows)
        try:
            yield
        finally:
            await pool.close()

    app = FastAPI(title="szsemi", version=__version__, lifespan=lifespan, openapi_url=None, docs_url=None,
                  redoc_url=None)
    app.mount("/static", StaticFiles(packages=[("szsemi.serve", "static")]), name="static")
    for module in (sparql, api, pages, entity):
        app.include_router(module.router)

    @app.exception_handler(404)
    async def not_found(request: Request, exc: Exception) -> Response:
        if request.url.path.startswith(("/api/", "/sparql", "/openapi")):
            return Response('{"error": "not found", "status": 404}', status_code=404, media_type="application/json")
        return HTMLResponse(error_page(404, "Not found", f"There is no page at {request.url.path}."), status_code=404)

    @app.exception_handler(405)
    async def not_allowed(request: Request, exc: Exception) -> Response:
        return Response(f"{request.method} is not allowed here; this server is read-only\n", status_code=405,
                        media_type="text/plain; charset=utf-8")

    return app


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
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
    import uvicorn

    out = out or sys.stdout
    app = create_app(options)
    sock = _bind(options.host, options.port)
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on", timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)

    async def main() -> None:
        task = asyncio.ensure_future(server.serve(sockets=[sock]))
        while not server.started and not task.done():
            await asyncio.sleep(0.02)
        if server.started:
            out.write(f"szsemi serve: http://{shown}:{port}/ ({app.state.context.pool.triples} triples; "
                      f"SPARQL at /sparql, API at /api/queries; Ctrl-C stops)\n")
            out.flush()
        await task

    try:
        asyncio.run(main())
    finally:
        sock.close()
    if not server.started:
        raise UsageError("the server did not start (see the message above)")
