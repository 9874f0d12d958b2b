"""The pages for people: ``/`` (search and catalogue), ``/queries/{name}``, ``/query``, ``/docs``.

Each page runs its query on the server and arrives with its table filled; forms use GET, so a
page's URL carries its parameters and can be shared.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from szsemi.errors import SzsemiError
from szsemi.query.catalogue import StoredQuery
from szsemi.query.params import Param
from szsemi.serve.api import given_values
from szsemi.serve.context import context, status_of, truncation
from szsemi.serve.html import e, error_page, page, results_table, url
from szsemi.serve.openapi import document

KINDS = (
    ("report", "Reports"),
    ("violation", "Checks (rows are findings)"),
    ("construct", "Derivations"),
    ("query", "Other queries"),
)


def _html(body: str, status: int = 200, headers: dict[str, str] | None = None) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers=headers)


def _failure(error: BaseException) -> HTMLResponse:
    status = status_of(error)
    title = {400: "Bad request", 406: "Not acceptable", 503: "Query stopped"}.get(status, "Server error")
    return _html(error_page(status, title, str(error)), status)


def catalogue_html(catalogue: dict[str, StoredQuery]) -> str:
    parts = ['<section aria-labelledby="catalogue"><h2 id="catalogue">Stored queries</h2>']
    for kind, heading in KINDS:
        queries = [q for n, q in sorted(catalogue.items()) if q.kind == kind]
        if not queries:
            continue
        parts.append(f'<h3>{e(heading)}</h3><ul class="catalogue">')
        parts += [f'<li><a href="/queries/{e(q.name)}">{e(q.name)}</a>: {e(q.summary)}</li>' for q in queries]
        parts.append("</ul>")
    parts.append("</section>")
    return "\n".join(parts)


async def home(request: Request) -> HTMLResponse:
    ctx = context(request)
    text = request.query_params.get("q", "").strip()
    found = ""
    if text:
        try:
            data = await ctx.call("search", text)
        except SzsemiError as error:
            return _failure(error)
        found = (
            f'<section aria-labelledby="found"><h2 id="found">Names containing “{e(text)}”</h2>'
            + results_table(data, f"Entities with a name containing {text}")
            + "</section>"
        )
    body = (
        "<h1>The Shenzhen semiconductor knowledge graph</h1>\n"
        "<p>Parks, firms, districts, plans and figures of Shenzhen's semiconductor industry, each fact "
        "citing the paragraph of its source.</p>\n"
        '<form class="search" role="search" action="/" method="get">'
        '<label for="q">Search by name (English, Chinese, or the report\'s own renderings)</label>'
        f'<div class="row"><input id="q" name="q" type="search" value="{e(text)}" '
        'placeholder="e.g. Pingshan, 坪山区, Glory Intelligent Manufacturing" autocomplete="off">'
        '<button type="submit">Search</button></div></form>\n'
        f"{found}\n{catalogue_html(ctx.catalogue)}\n"
        '<p>Also: the <a href="/query">SPARQL page</a>, the endpoint at <code>/sparql</code>, '
        'and the <a href="/docs">query API</a>.</p>'
    )
    return _html(page("Search", body))


def _field(param: Param, value: list[str], options: list[tuple[str, str]] | None) -> str:
    fid = f"p-{param.name}"
    required = " required" if param.required else ""
    help_id = f"{fid}-help"
    described = f' aria-describedby="{help_id}"'
    several = ", several" if param.multi else ""
    label = f'<label for="{fid}">{e(param.name)} <small>({e(param.type)}{several})</small></label>'
    described_text = e(param.description + " " if param.description else "")
    hint = f'<p class="hint" id="{help_id}">{described_text}Allowed: {e(param.allowed())}</p>'
    choices = [(t.value, t.value) for t in param.values] if param.values else options
    if param.type == "boolean" and not param.multi:
        choices = [("true", "true"), ("false", "false")]
    if choices is not None:
        multiple = " multiple" if param.multi else ""
        blank = "" if param.multi or param.required else '<option value="">(none)</option>'
        opts = "".join(
            f'<option value="{e(v)}"{" selected" if v in value else ""}>{e(text)}</option>' for v, text in choices
        )
        control = f'<select id="{fid}" name="{e(param.name)}"{multiple}{required}{described}>{blank}{opts}</select>'
    elif param.multi:
        control = (
            f'<textarea id="{fid}" name="{e(param.name)}" rows="3"{required}{described}>'
            f"{e(chr(10).join(value))}</textarea>"
        )
    else:
        kind = {"integer": "number", "decimal": "number", "date": "date"}.get(param.type, "text")
        extra = ' step="1"' if param.type == "integer" else ' step="any"' if param.type == "decimal" else ""
        if param.minimum is not None:
            extra += f' min="{param.minimum}"'
        if param.maximum is not None:
            extra += f' max="{param.maximum}"'
        control = (
            f'<input id="{fid}" name="{e(param.name)}" type="{kind}" value="{e(value[0] if value else "")}"'
            f"{extra}{required}{described}>"
        )
    return f'<div class="field">{label}{control}{hint}</div>'


async def stored_page(request: Request) -> HTMLResponse:
    name = request.path_params["name"]
    ctx = context(request)
    query = ctx.catalogue.get(name)
    if query is None:
        return _html(error_page(404, "No such query", f"There is no stored query named {name!r}."), 404)
    items = request.query_params.multi_items()
    given = given_values(query, items, drop_empty=True)
    shown: dict[str, list[str]] = {}
    for p in query.params.values():
        value = given.get(p.name)
        shown[p.name] = (
            ([str(v) for v in value] if isinstance(value, list) else [str(value)])
            if value is not None
            else [t.value for t in p.default]
        )
    headers: dict[str, str] = {}
    try:
        options = await ctx.call("choices", name)
        data = await ctx.call("stored_table", name, given)
        table = results_table(data, query.summary)
        headers = truncation(data["returned"], data["total"])
        status = 200
    except SzsemiError as error:
        table = f'<p class="error" role="alert">{e(error)}</p>'
        status, options = status_of(error), {}
    fields = "".join(_field(p, shown[p.name], options.get(p.name)) for p in query.params.values())
    pairs = [(k, v) for k, vs in given.items() for v in (vs if isinstance(vs, list) else [vs])]
    share = url(f"/queries/{name}", pairs)
    api = url(f"/api/queries/{name}", pairs)
    rule = (
        f'<p class="rule">A check (rule <code>{e(query.rule.id)}</code>, {e(query.rule.severity)}): '
        f"{e(query.rule.message)} No rows means the graph passes.</p>"
        if query.rule
        else ""
    )
    body_text = query.text.split("\n", query.header_lines)[-1].strip()
    form = (
        f'<form class="params" action="/queries/{e(name)}" method="get" aria-labelledby="params-heading">'
        f'<h2 id="params-heading">Parameters</h2>{fields or "<p>This query has no parameters.</p>"}'
        '<button type="submit">Run</button></form>'
    )
    downloads = (
        f'<p class="downloads">Share: <a id="share" href="{e(share)}">{e(share)}</a> · Download '
        f'<a href="{e(url(api, []) + ("&" if "?" in api else "?") + "format=csv")}" download>CSV</a> · '
        f'<a href="{e(url(api, []) + ("&" if "?" in api else "?") + "format=json")}">JSON</a></p>'
    )
    body = (
        f'<h1>{e(name)}</h1>\n<p class="summary">{e(query.summary)}</p>\n'
        f"{'<p>' + e(query.description) + '</p>' if query.description else ''}{rule}\n{form}\n"
        '<section aria-labelledby="results-heading"><h2 id="results-heading">Results</h2>'
        f"{downloads}{table}</section>\n"
        f"<details><summary>The SPARQL text</summary><pre><code>{e(body_text)}</code></pre>"
        f'<p><a href="{e(url("/query", {"query": query.text}))}">Open it on the SPARQL page</a>'
        " (with its defaults)</p></details>"
    )
    return _html(page(name, body), status, headers)


async def query_page(request: Request) -> HTMLResponse:
    ctx = context(request)
    text = request.query_params.get("query", "")
    table, status, headers = "", 200, {}
    if text.strip():
        try:
            data = await ctx.call("table", text)
            downloads = (
                '<p class="downloads">Download '
                f'<a href="{e(url("/sparql", {"query": text, "format": "csv"}))}" download>CSV</a> · '
                f'<a href="{e(url("/sparql", {"query": text, "format": "json"}))}">JSON</a></p>'
            )
            table = downloads + results_table(data, "Results of the query")
            headers = truncation(data["returned"], data["total"])
        except SzsemiError as error:
            table = f'<p class="error" role="alert">{e(error)}</p>'
            status = status_of(error)
        table = f'<section aria-labelledby="results-heading"><h2 id="results-heading">Results</h2>{table}</section>'
    shown = (
        text
        or "SELECT ?entity ?label WHERE {\n  ?entity <http://www.w3.org/2004/02/skos/core#prefLabel> ?label\n} LIMIT 20"
    )
    examples = "".join(
        f'<li><a href="{e(url("/query", {"query": q.text}))}">{e(n)}</a>: {e(q.summary)}</li>'
        for n, q in sorted(ctx.catalogue.items())
    )
    body = (
        '<h1>SPARQL</h1>\n<form class="sparql" action="/query" method="get">'
        '<label for="query">Query (read-only; the project prefixes must be declared)</label>'
        f'<textarea id="query" name="query" rows="12" spellcheck="false">{e(shown)}</textarea>'
        f'<p class="hint">At most {ctx.max_rows} rows are shown, and each query may run {ctx.timeout:g} s. '
        "The endpoint for programs is <code>/sparql</code>.</p>"
        '<button type="submit">Run</button></form>\n'
        f'{table}\n<section aria-labelledby="examples"><h2 id="examples">Examples from the catalogue</h2>'
        f'<ul class="catalogue">{examples}</ul></section>'
    )
    return _html(page("SPARQL", body), status, headers)


def _schema_text(schema: dict[str, Any]) -> str:
    if schema.get("type") == "array":
        return "list of " + _schema_text(schema["items"])
    text = str(schema.get("type", ""))
    if "format" in schema:
        text += f" ({schema['format']})"
    if "enum" in schema:
        text += ": " + ", ".join(map(str, schema["enum"]))
    if "minimum" in schema:
        text += f", ≥ {schema['minimum']}"
    if "maximum" in schema:
        text += f", ≤ {schema['maximum']}"
    return text


async def docs(request: Request) -> HTMLResponse:
    """The API's documentation, made from the OpenAPI document itself (it needs no CDN)."""
    ctx = context(request)
    spec = ctx.extra.setdefault("openapi", document(ctx.catalogue))
    parts = [
        f"<h1>{e(spec['info']['title'])} <small>{e(spec['info']['version'])}</small></h1>",
        f"<p>{e(spec['info']['description'])}</p>",
        '<p>The machine-readable description: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>',
    ]
    for path, item in spec["paths"].items():
        op = item["get"]
        slug = op["operationId"]
        rows = "".join(
            f'<tr><th scope="row"><code>{e(p["name"])}</code></th><td>{e(_schema_text(p["schema"]))}</td>'
            f"<td>{e(p['schema'].get('default', ''))}</td><td>{e(p.get('description', ''))}</td></tr>"
            for p in op.get("parameters", [])
        )
        table = (
            f'<table class="params"><caption>Parameters of {e(path)}</caption><thead><tr><th scope="col">name</th>'
            f'<th scope="col">type</th><th scope="col">default</th><th scope="col">description</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>"
            if rows
            else "<p>No parameters.</p>"
        )
        page_link = f' · <a href="/queries/{e(path.rsplit("/", 1)[-1])}">form</a>' if path != "/api/queries" else ""
        parts.append(
            f'<section id="{e(slug)}" aria-labelledby="{e(slug)}-h">'
            f'<h2 id="{e(slug)}-h"><code>GET {e(path)}</code></h2>'
            f"<p>{e(op['summary'])}</p>{table}"
            f'<p><a href="{e(path)}">Try it with the defaults</a>{page_link}</p></section>'
        )
    return _html(page("API", "\n".join(parts)))


routes = [
    Route("/", home),
    Route("/queries/{name}", stored_page),
    Route("/query", query_page),
    Route("/docs", docs),
]
