"""Entity pages at the IRIs' own paths: ``/id/...`` and ``/ontology/Term`` (``/ontology`` lists the terms).

The same resource comes as HTML, Turtle, N-Triples, JSON-LD or RDF/XML, chosen by ``Accept``
(with ``Vary: Accept``) or by a suffix (``.ttl``, ``.nt``, ``.jsonld``, ``.rdf``, ``.html``). An IRI
the graph does not mention is a 404.
"""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from szsemi.errors import SzsemiError
from szsemi.graph.namespaces import BASE, PREFIXES
from szsemi.query.render import compact
from szsemi.serve import negotiate
from szsemi.serve.context import context, error_text
from szsemi.serve.entity_data import NAME_PROPERTIES
from szsemi.serve.html import (
    cite_html,
    e,
    error_page,
    local_path,
    page,
    term_html,
)
from szsemi.serve.results import CHARSET
from szsemi.serve.svg import neighbourhood

SUFFIXES = {
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".jsonld": "application/ld+json",
    ".rdf": "application/rdf+xml",
    ".html": "text/html",
}
PAGE_TYPES = ("text/html",) + negotiate.GRAPH_TYPES[:4]
_TYPE = PREFIXES["rdf"] + "type"
_DERIVATION = (PREFIXES["prov"] + "qualifiedDerivation", PREFIXES["prov"] + "wasDerivedFrom")


def _split(path: str) -> tuple[str, str | None]:
    for suffix, media in SUFFIXES.items():
        if path.endswith(suffix):
            return path[: -len(suffix)], media
    return path, None


async def _resource(request: Request, iri: str, media: str | None, path: str) -> Response:
    ctx = context(request)
    vary = {"Vary": "Accept"}
    if media is None:
        media = negotiate.choose(request.headers.get("accept"), PAGE_TYPES)
        if media is None:
            return Response(
                "none of the accepted media types is available; available: " + ", ".join(PAGE_TYPES) + "\n",
                status_code=406,
                headers=vary,
                media_type="text/plain; charset=utf-8",
            )
    try:
        if media != "text/html":
            body = await ctx.call("describe", iri, media)
            if body is None:
                return Response(
                    f"the graph says nothing about <{iri}>\n",
                    status_code=404,
                    headers=vary,
                    media_type="text/plain; charset=utf-8",
                )
            return Response(
                body,
                media_type=media + ("; charset=utf-8" if media in CHARSET else ""),
                headers={**vary, "Content-Location": path + _suffix(media)},
            )
        data = await ctx.call("entity", iri)
    except SzsemiError as error:
        return error_text(error)
    if data is None:
        return HTMLResponse(
            error_page(404, "Not found", f"The graph says nothing about <{iri}>."), status_code=404, headers=vary
        )
    return HTMLResponse(render(data, path), headers=vary)


def _suffix(media: str) -> str:
    return next(s for s, m in SUFFIXES.items() if m == media)


async def instance(request: Request) -> Response:
    rest, media = _split(request.path_params["rest"])
    return await _resource(request, BASE + "id/" + rest, media, "/id/" + rest)


async def term(request: Request) -> Response:
    term, media = _split(request.path_params["term"])
    return await _resource(request, PREFIXES["szo"] + term, media, "/ontology/" + term)


async def ontology(request: Request) -> Response:
    """The ontology document itself: its terms, each linking to its page (``#Term`` anchors too)."""
    ctx = context(request)
    try:
        data = await ctx.call(
            "table",
            f"""SELECT ?term ?kind ?label WHERE {{
            ?term <{_TYPE}> ?kind . FILTER(STRSTARTS(STR(?term), "{PREFIXES["szo"]}"))
            VALUES ?kind {{ <{PREFIXES["owl"]}Class> <{PREFIXES["owl"]}ObjectProperty>
                <{PREFIXES["owl"]}DatatypeProperty> <{PREFIXES["owl"]}AnnotationProperty>
                <{PREFIXES["owl"]}NamedIndividual> }}
            OPTIONAL {{ ?term <{PREFIXES["rdfs"]}label> ?label FILTER(langMatches(lang(?label), "en")) }} }}
            ORDER BY ?kind ?term""",
        )
    except SzsemiError as error:
        return error_text(error)
    groups: dict[str, list[str]] = {}
    for term_, kind, label in data["rows"]:
        name = term_.value[len(PREFIXES["szo"]) :]
        groups.setdefault(compact(kind), []).append(
            f'<li id="{e(name)}"><a href="/ontology/{e(name)}">szo:{e(name)}</a>'
            f"{' — ' + e(label.value) if label is not None else ''}</li>"
        )
    body = ["<h1>The szsemi ontology</h1>", f"<p><code>{e(PREFIXES['szo'])}</code> — each term has its own page.</p>"]
    for kind, items in groups.items():
        body.append(f'<section><h2>{e(kind)}</h2><ul class="terms">{"".join(items)}</ul></section>')
    return HTMLResponse(page("Ontology", "\n".join(body)), headers={"Vary": "Accept"})


def _names(data: dict[str, Any]) -> tuple[str, str, list[tuple[str, Any]]]:
    en = zh = ""
    others: list[tuple[str, Any]] = []
    for t in data["out"]:
        p, o = t["p"].value, t["o"]
        if p not in NAME_PROPERTIES or not isinstance(o, ox.Literal):
            continue
        lang = (o.language or "").lower()
        if p == PREFIXES["skos"] + "prefLabel" and lang.startswith("en") and not en:
            en = o.value
        elif p == PREFIXES["skos"] + "prefLabel" and lang.startswith("zh-hans") and not zh:
            zh = o.value
        else:
            others.append((compact(t["p"]), o))
    return en, zh, others


def _cites(data: dict[str, Any], prop: str, obj: Any) -> str:
    passages = data["passages"]
    if isinstance(obj, ox.BlankNode) and data["blank_sources"].get(str(obj)):
        return cite_html(data["blank_sources"][str(obj)], passages)
    if prop in data["by_property"]:
        return cite_html(data["by_property"][prop], passages)
    if prop == _TYPE or prop in _DERIVATION:
        return cite_html(data["general"], passages, "the entity's sources: ") if data["general"] else ""
    return cite_html(data["general"], passages, "the entity's sources: ")


def render(data: dict[str, Any], path: str) -> str:
    """The entity page."""
    iri, labels = data["iri"], data["labels"]
    en, zh, others = _names(data)
    title = en or zh or compact(ox.NamedNode(iri))
    types = [t["o"] for t in data["out"] if t["p"].value == _TYPE]
    parts = [
        f"<h1>{e(title)}</h1>",
        f'<p class="iri"><code>{e(iri)}</code></p>',
        (
            '<section aria-labelledby="names-h"><h2 id="names-h">Names</h2>'
            '<table class="names"><caption>Preferred labels, side by side</caption><thead><tr>'
            '<th scope="col" lang="en">English</th><th scope="col">中文 (Chinese)</th></tr></thead><tbody><tr>'
            f'<td lang="en">{e(en) or "<em>none</em>"}</td><td lang="zh-Hans">{e(zh) or "<em>none stated</em>"}</td>'
            "</tr></tbody></table>"
        ),
    ]
    if others:
        parts.append(
            '<table class="other-names"><caption>Other names</caption><thead><tr><th scope="col">kind</th>'
            '<th scope="col">name</th><th scope="col">source</th></tr></thead><tbody>'
        )
        parts += [
            f"<tr><td>{e(kind)}</td><td>{term_html(o)}</td>"
            f"<td>{_cites(data, PREFIXES[kind.split(':')[0]] + kind.split(':')[1], o)}</td></tr>"
            for kind, o in others
        ]
        parts.append("</tbody></table>")
    parts.append("</section>")
    parts.append(
        '<section aria-labelledby="types-h"><h2 id="types-h">Types</h2><ul class="types">'
        + "".join(f"<li>{term_html(t, labels)}</li>" for t in types)
        + "</ul></section>"
    )
    rows = []
    for t in sorted(data["out"], key=lambda t: (compact(t["p"]), str(t["o"]))):
        p, o = t["p"], t["o"]
        if p.value in NAME_PROPERTIES and isinstance(o, ox.Literal) or p.value in (_TYPE, *_DERIVATION):
            continue  # names and types have their own sections; derivations are the citations
        value = term_html(o, labels)
        if isinstance(o, ox.BlankNode):
            inner = data["nested"].get(str(o), [])
            value = (
                '<ul class="nested">'
                + "".join(
                    f"<li>{term_html(np_, labels)}: {term_html(no, labels)}</li>"
                    for np_, no in sorted(inner, key=lambda x: (compact(x[0]), str(x[1])))
                )
                + "</ul>"
            )
        rows.append(
            f'<tr><th scope="row">{term_html(p, labels)}</th><td>{value}</td><td>{_cites(data, p.value, o)}</td></tr>'
        )
    parts.append(
        '<section aria-labelledby="out-h"><h2 id="out-h">Statements</h2>'
        '<table class="statements"><caption>What the graph says about it, with the source of each statement'
        '</caption><thead><tr><th scope="col">property</th><th scope="col">value</th>'
        f'<th scope="col">source</th></tr></thead><tbody>{"".join(rows)}</tbody></table></section>'
    )
    inc = [
        f"<tr><td>{term_html(t['s'], labels)}</td><td>{term_html(t['p'], labels)}</td></tr>" for t in data["incoming"]
    ]
    capped = f"<p>Only the first {len(inc)} links are listed.</p>" if data["incoming_capped"] else ""
    parts.append(
        '<section aria-labelledby="in-h"><h2 id="in-h">Linked from</h2>'
        + (
            f'<table class="incoming"><caption>Resources that point here</caption><thead><tr><th scope="col">'
            f'resource</th><th scope="col">by property</th></tr></thead><tbody>{"".join(inc)}</tbody></table>{capped}'
            if inc
            else "<p>Nothing in the graph links here.</p>"
        )
        + "</section>"
    )
    parts.append(
        '<section aria-labelledby="pic-h"><h2 id="pic-h">Neighbourhood</h2><figure>'
        + neighbourhood(title, _links(data), f"The neighbourhood of {title}")
        + "<figcaption>Links out (blue) and in (grey); each box opens its page.</figcaption></figure></section>"
    )
    cited = data["general"] + [p for ps in data["by_property"].values() for p in ps]
    cited = sorted(
        set(cited),
        key=lambda p: (
            data["passages"].get(p, {}).get("doc") or "",
            int(data["passages"].get(p, {}).get("number") or 0),
        ),
    )
    parts.append(
        '<section aria-labelledby="prov-h"><h2 id="prov-h">Sources</h2>'
        + (
            f"<p>Derived from (prov:wasDerivedFrom, prov:qualifiedDerivation): {cite_html(cited, data['passages'])}</p>"
            if cited
            else "<p>No source is recorded.</p>"
        )
        + "</section>"
    )
    alt = "".join(f'<a href="{e(path + s)}">{e(s[1:])}</a> ' for s in (".ttl", ".nt", ".jsonld", ".rdf"))
    parts.append(f'<p class="formats">This resource as data: {alt}</p>')
    return page(
        title,
        "\n".join(parts),
        head="".join(
            f'<link rel="alternate" type="{m}" href="{e(path + s)}">\n' for s, m in SUFFIXES.items() if m != "text/html"
        ),
    )


def _label(iri: str, labels: dict[str, dict[str, str]]) -> str:
    found = labels.get(iri, {})
    return found.get("en") or found.get("zh") or compact(ox.NamedNode(iri))


def _links(data: dict[str, Any]) -> list[tuple[str, str, str, bool]]:
    labels = data["labels"]
    links = []
    for t in data["out"]:
        o = t["o"]
        if isinstance(o, ox.NamedNode) and t["p"].value not in _DERIVATION and t["p"].value != _TYPE:
            links.append((_label(t["p"].value, labels), _label(o.value, labels), local_path(o.value) or o.value, True))
    for t in data["incoming"]:
        links.append(
            (
                _label(t["p"].value, labels),
                _label(t["s"].value, labels),
                local_path(t["s"].value) or t["s"].value,
                False,
            )
        )
    return links


routes = [
    Route("/id/{rest:path}", instance),
    Route("/ontology/{term}", term),
    Route("/ontology", ontology),
]
