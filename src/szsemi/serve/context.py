"""The server's shared state, and how errors become HTTP answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from szsemi.errors import EngineError, ParameterError, SzsemiError
from szsemi.query.catalogue import StoredQuery
from szsemi.serve.pool import Busy, NotAcceptable, Pool, QueryTimeout

TRUNCATION_HEADERS = ("Szsemi-Result-Rows", "Szsemi-Result-Total", "Szsemi-Result-Truncated")


@dataclass
class Context:
    """What every route needs: the workers, the catalogue and the limits."""

    pool: Pool
    catalogue: dict[str, StoredQuery]
    timeout: float
    max_rows: int
    extra: dict[str, Any] = field(default_factory=dict)

    async def call(self, job: str, *args: Any) -> Any:
        return await self.pool.call(job, *args, timeout=self.timeout)


def context(request: Request) -> Context:
    ctx: Context = request.app.state.context
    return ctx


def status_of(error: BaseException) -> int:
    if isinstance(error, NotAcceptable):
        return 406
    if isinstance(error, (QueryTimeout, Busy)):
        return 503
    if isinstance(error, EngineError):
        return 500
    if isinstance(error, SzsemiError):
        return 400
    return 500


def error_json(error: BaseException) -> JSONResponse:
    """A JSON error body that names what went wrong (and, for a parameter, what is allowed)."""
    body: dict[str, Any] = {"error": str(error), "status": status_of(error)}
    if isinstance(error, ParameterError):
        body.update(parameter=error.name, given=error.given, allowed=error.allowed)
    if isinstance(error, NotAcceptable):
        body["available"] = error.offered
    headers = {"Retry-After": "5"} if isinstance(error, Busy) else None
    return JSONResponse(body, status_code=status_of(error), headers=headers)


def error_text(error: BaseException) -> Response:
    headers = {"Retry-After": "5"} if isinstance(error, Busy) else None
    return Response(
        str(error) + "\n", status_code=status_of(error), media_type="text/plain; charset=utf-8", headers=headers
    )


def truncation(returned: int, total: int) -> dict[str, str]:
    """Headers saying how many rows came and how many there were: truncation is never silent."""
    headers = {"Szsemi-Result-Rows": str(returned), "Szsemi-Result-Total": str(total)}
    if total > returned:
        headers["Szsemi-Result-Truncated"] = f"true; {returned} of {total} rows (the server's row limit)"
    return headers
