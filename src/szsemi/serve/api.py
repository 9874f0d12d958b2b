"""``/api/queries`` and ``/api/queries/{name}``: the stored queries as a REST API.

Query-string values are handed to the CLI's typed binding in a worker; a bad value is a 400
naming the parameter and what it allows, an unknown query a 404.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from szsemi.errors import SzsemiError
from szsemi.query.catalogue import StoredQuery
from szsemi.serve.context import context, error_json, truncation
from szsemi.serve.openapi import document, param_schema
from szsemi.serve.results import CHARSET, plain

RESERVED = ("format",)


def given_values(query: StoredQuery, items: list[tuple[str, str]], *, drop_empty: bool = False) -> dict[str, Any]:
    """Query-string pairs as the values ``run_stored`` takes; repeated keys give several values.

    ``drop_empty`` (the HTML forms): an empty field means "not given", and a multi field's lines
    are its values.
    """
    given: dict[str, list[str]] = {}
    for key, value in items:
        if key in RESERVED:
            continue
        values = [value]
        if drop_empty:
            param = query.params.get(key)
            values = [v.strip() for v in value.splitlines()] if param is not None and param.multi else [value]
            values = [v for v in values if v.strip()]
        given.setdefault(key, []).extend(values)
    return {k: v if len(v) > 1 else v[0] for k, v in given.items() if v}


def describe_query(query: StoredQuery) -> dict[str, Any]:
    return {
        "name": query.name,
        "kind": query.kind,
        "form": query.form,
        "summary": query.summary,
        "description": query.description,
        "tags": list(query.tags),
        "url": f"/api/queries/{query.name}",
        "page": f"/queries/{query.name}",
        "rule": None
        if query.rule is None
        else {"id": query.rule.id, "severity": query.rule.severity, "message": query.rule.message},
        "parameters": {
            p.name: {
                "type": p.type,
                "required": p.required,
                "multi": p.multi,
                "allowed": p.allowed(),
                "description": p.description,
                "schema": param_schema(p),
            }
            for p in query.params.values()
        },
    }


async def list_queries(request: Request) -> JSONResponse:
    ctx = context(request)
    return JSONResponse([describe_query(ctx.catalogue[n]) for n in sorted(ctx.catalogue)])


async def openapi(request: Request) -> JSONResponse:
    ctx = context(request)
    if "openapi" not in ctx.extra:
        ctx.extra["openapi"] = document(ctx.catalogue)
    return JSONResponse(ctx.extra["openapi"])


async def run_query(request: Request) -> Response:
    name = request.path_params["name"]
    ctx = context(request)
    query = ctx.catalogue.get(name)
    if query is None:
        return JSONResponse(
            {"error": f"no stored query named {name!r}; GET /api/queries lists them", "status": 404}, status_code=404
        )
    given = given_values(query, request.query_params.multi_items())
    short = request.query_params.get("format")
    try:
        answer = await ctx.call("stored", name, given, request.headers.get("accept"), short)
    except SzsemiError as error:
        return error_json(error)
    headers = {"Vary": "Accept", **truncation(answer["returned"], answer["total"])}
    if "table" in answer:
        return Response(
            json.dumps(answer_json(query, given, answer["table"]), ensure_ascii=False),
            media_type="application/json",
            headers=headers,
        )
    media = answer["media"]
    return Response(answer["body"], media_type=media + ("; charset=utf-8" if media in CHARSET else ""), headers=headers)


def answer_json(query: StoredQuery, given: dict[str, Any], table: dict[str, Any]) -> dict[str, Any]:
    """The JSON answer: plain rows (the CLI's ``--format json`` values) and their sources."""
    variables = table["variables"]
    rows = [{v: plain(t) for v, t in zip(variables, row, strict=True) if t is not None} for row in table["rows"]]
    return {
        "query": query.name,
        "parameters": given,
        "variables": variables,
        "rows": rows,
        "returned": table["returned"],
        "total": table["total"],
        "truncated": table["total"] > table["returned"],
        "sources": table["sources"],
        "passages": table["passages"],
    }


routes = [
    Route("/api/queries", list_queries),
    Route("/openapi.json", openapi),
    Route("/api/queries/{name}", run_query),
]
