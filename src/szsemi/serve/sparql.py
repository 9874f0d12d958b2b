"""``/sparql``: the SPARQL 1.1 Protocol, read-only, with content negotiation and a row cap.

GET with ``query``, POST of ``application/sparql-query``, or a form POST. An update, in any of
its three forms, is refused (400) and never reaches the store; without a query, GET answers the
service description. ``format`` (json, xml, csv, tsv, ttl, nt, jsonld, rdf) overrides ``Accept``
for download links.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from szsemi import __version__
from szsemi.errors import SzsemiError, UsageError
from szsemi.serve import negotiate
from szsemi.serve.context import context, error_text, truncation
from szsemi.serve.html import url
from szsemi.serve.results import CHARSET, write_triples

READ_ONLY = "this endpoint is read-only: SPARQL Update is not accepted"
SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
RESULT_FORMATS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
)


async def _query_text(request: Request) -> tuple[str | None, str | None]:
    """The query text and the ``format`` parameter; UsageError for an update or a bad request."""
    params = request.query_params
    short = params.get("format")
    if "update" in params:
        raise UsageError(READ_ONLY)
    if request.method == "GET":
        queries = params.getlist("query")
    else:
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind == "application/sparql-update":
            raise UsageError(READ_ONLY)
        if kind == "application/sparql-query":
            body = await request.body()
            try:
                queries = [body.decode("utf-8")]
            except UnicodeDecodeError:
                raise UsageError("the query is not UTF-8 text") from None
        elif kind == "application/x-www-form-urlencoded":
            form = _form(await request.body())
            if "update" in form:
                raise UsageError(READ_ONLY)
            queries = form.get("query", []) + params.getlist("query")
            short = short or (form["format"][0] if "format" in form else None)
        else:
            raise _Unsupported(kind)
    if len(queries) > 1:
        raise UsageError("give exactly one query parameter")
    if params.getlist("default-graph-uri") or params.getlist("named-graph-uri"):
        raise UsageError(
            "default-graph-uri and named-graph-uri are not supported: the endpoint answers over its one graph"
        )
    return (queries[0] if queries else None), short


def _form(body: bytes) -> dict[str, list[str]]:
    """A URL-encoded form body (read here: no multipart library is needed for it)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError("the form is not UTF-8 text") from None
    fields: dict[str, list[str]] = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        fields.setdefault(key, []).append(value)
    return fields


class _Unsupported(UsageError):
    def __init__(self, kind: str):
        super().__init__(
            f"unsupported content type {kind or '(none)'!r}: POST application/sparql-query "
            "or application/x-www-form-urlencoded"
        )


def _wants_html(accept: str | None) -> bool:
    chosen = negotiate.choose(accept, ("text/html",) + negotiate.SELECT_TYPES)
    return chosen == "text/html" and "text/html" in (accept or "")


async def sparql(request: Request) -> Response:
    ctx = context(request)
    accept = request.headers.get("accept")
    try:
        text, short = await _query_text(request)
        if text is None:
            if request.method == "POST":
                raise UsageError("the request has no query parameter")
            return _service_description(request, accept, ctx.pool.triples)
        if request.method == "GET" and short is None and _wants_html(accept):
            return RedirectResponse(url("/query", {"query": text}), status_code=303)
        answer = await ctx.call("sparql", text, accept, short)
    except _Unsupported as error:
        return Response(str(error) + "\n", status_code=415, media_type="text/plain; charset=utf-8")
    except SzsemiError as error:
        return error_text(error)
    media = answer["media"]
    headers = {"Vary": "Accept", **truncation(answer["returned"], answer["total"])}
    if short:
        extension = {"text/csv": "csv", "text/tab-separated-values": "tsv"}.get(media)
        if extension:
            headers["Content-Disposition"] = f'attachment; filename="results.{extension}"'
    return Response(answer["body"], media_type=media + ("; charset=utf-8" if media in CHARSET else ""), headers=headers)


def _service_description(request: Request, accept: str | None, triples: int) -> Response:
    media = negotiate.choose(accept, negotiate.GRAPH_TYPES)
    if media is None:
        return error_text(_not_acceptable())
    service, dataset, graph = ox.BlankNode("service"), ox.BlankNode("dataset"), ox.BlankNode("graph")
    a = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    endpoint = str(request.url.replace(query="", fragment=""))
    statements: list[tuple[Any, Any, Any]] = [
        (service, a, ox.NamedNode(SD + "Service")),
        (service, ox.NamedNode(SD + "endpoint"), ox.NamedNode(endpoint)),
        (service, ox.NamedNode(SD + "supportedLanguage"), ox.NamedNode(SD + "SPARQL11Query")),
        (service, ox.NamedNode(SD + "feature"), ox.NamedNode(SD + "UnionDefaultGraph")),
        (
            service,
            ox.NamedNode("http://purl.org/dc/terms/title"),
            ox.Literal(f"szsemi {__version__}: the Shenzhen semiconductor knowledge graph (read-only)", language="en"),
        ),
        (service, ox.NamedNode(SD + "defaultDataset"), dataset),
        (dataset, a, ox.NamedNode(SD + "Dataset")),
        (dataset, ox.NamedNode(SD + "defaultGraph"), graph),
        (graph, a, ox.NamedNode(SD + "Graph")),
        (
            graph,
            ox.NamedNode("http://rdfs.org/ns/void#triples"),
            ox.Literal(str(triples), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
        ),
    ] + [(service, ox.NamedNode(SD + "resultFormat"), ox.NamedNode(FORMATS + f)) for f in RESULT_FORMATS]
    body = write_triples([ox.Triple(*s) for s in statements], media)
    return Response(
        body, media_type=media + ("; charset=utf-8" if media in CHARSET else ""), headers={"Vary": "Accept"}
    )


def _not_acceptable() -> SzsemiError:
    from szsemi.serve.pool import NotAcceptable

    return NotAcceptable(negotiate.GRAPH_TYPES)


routes = [
    Route("/sparql", sparql, methods=["GET", "POST"]),
]
