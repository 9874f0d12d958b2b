"""The ASGI application (Starlette; FastAPI's pydantic models would add 0.8 s to start-up and
nothing we use): its routes, static files and error pages.

The worker processes start with the application (its lifespan) and stop with it.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from szsemi.query.catalogue import load_catalogue
from szsemi.serve import api, entity, pages, sparql
from szsemi.serve.context import Context
from szsemi.serve.html import error_page
from szsemi.serve.pool import Pool
from szsemi.serve.server import Options, make_pool


def create_app(options: Options, pool: Pool | None = None) -> Starlette:
    """The application; its workers (``pool``, else new ones) start when it starts (``lifespan``)."""
    options.check()
    catalogue = load_catalogue(tuple(options.query_dirs))  # a bad query file stops us before any worker

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        workers = pool or make_pool(options)
        await workers.start()
        app.state.context = Context(workers, catalogue, options.timeout, options.max_rows)
        try:
            yield
        finally:
            await workers.close()

    async def not_found(request: Request, exc: Exception) -> Response:
        if request.url.path.startswith(("/api/", "/sparql", "/openapi")):
            return Response('{"error": "not found", "status": 404}', status_code=404, media_type="application/json")
        return HTMLResponse(error_page(404, "Not found", f"There is no page at {request.url.path}."), status_code=404)

    async def not_allowed(request: Request, exc: Exception) -> Response:
        return Response(
            f"{request.method} is not allowed here; this server is read-only\n",
            status_code=405,
            media_type="text/plain; charset=utf-8",
        )

    routes = [
        *sparql.routes,
        *api.routes,
        *pages.routes,
        *entity.routes,
        Mount("/static", StaticFiles(packages=[("szsemi.serve", "static")]), name="static"),
    ]
    return Starlette(routes=routes, lifespan=lifespan, exception_handlers={404: not_found, 405: not_allowed})
