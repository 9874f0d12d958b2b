"""HTML building blocks shared by the pages: the layout, term links, result tables, citations.

Every page is rendered on the server (tables are filled before the browser sees them), uses only
the server's own stylesheet, and escapes every value it shows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any
from urllib.parse import quote, urlencode

import pyoxigraph as ox

from szsemi.graph.namespaces import BASE
from szsemi.query.render import compact

NAV = (("/", "Search"), ("/query", "SPARQL"), ("/docs", "API"), ("/ontology", "Ontology"))


def e(value: object) -> str:
    return escape(str(value), quote=True)


def page(title: str, body: str, *, head: str = "") -> str:
    """A whole HTML document with the site's navigation."""
    links = "".join(f'<li><a href="{href}">{e(label)}</a></li>' for href, label in NAV)
    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<title>{e(title)} · szsemi</title>\n<link rel="stylesheet" href="/static/app.css">\n'
        f'<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">\n{head}</head>\n<body>\n'
        f'<a class="skip" href="#main">Skip to content</a>\n'
        f'<header><nav aria-label="Site"><a class="brand" href="/">szsemi</a><ul>{links}</ul></nav></header>\n'
        f'<main id="main" tabindex="-1">\n{body}\n</main>\n'
        f"<footer><p>The Shenzhen semiconductor knowledge graph. Every fact cites its source passage.</p></footer>\n"
        f"</body>\n</html>\n"
    )


def local_path(iri: str) -> str | None:
    """The server path of a project IRI (``/id/...``, ``/ontology/Term``), else None."""
    if iri.startswith(BASE + "id/"):
        return "/" + quote(iri[len(BASE) :], safe="/-._~")
    if iri.startswith(BASE + "ontology#"):
        return "/ontology/" + quote(iri[len(BASE) + len("ontology#") :], safe="-._~")
    return None


def iri_link(iri: str, labels: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """A link to ``iri``'s page (or the IRI itself), showing its English label when known."""
    label = (labels or {}).get(iri, {})
    text = label.get("en") or label.get("zh") or compact(ox.NamedNode(iri))
    href = local_path(iri) or iri
    zh = f' <span lang="zh-Hans" class="zh">{e(label["zh"])}</span>' if label.get("en") and label.get("zh") else ""
    return f'<a href="{e(href)}" title="{e(iri)}">{e(text)}</a>{zh}'


def term_html(term: Any, labels: Mapping[str, Mapping[str, str]] | None = None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return iri_link(term.value, labels)
    if isinstance(term, ox.BlankNode):
        return f'<span class="bnode">_:{e(term.value)}</span>'
    if isinstance(term, ox.Literal):
        if term.language:
            tag = e(term.language)
            return f'<span lang="{tag}">{e(term.value)}</span> <small class="lang">@{tag}</small>'
        text = compact(term)
        return e(text)
    return e(term)


def passage_label(passage: str, info: Mapping[str, Any] | None) -> str:
    info = info or {}
    doc = info.get("title") or compact(ox.NamedNode(info["doc"])) if info.get("doc") else "source"
    number = info.get("number")
    return f"{doc}, ¶{number}" if number else str(doc)


def cite_html(passages: Sequence[str], info: Mapping[str, Mapping[str, Any]], note: str = "") -> str:
    """Links to the cited passages, each named by its source and paragraph number."""
    if not passages:
        return '<span class="nocite">no citation</span>'
    items = []
    for p in passages:
        gist = (info.get(p) or {}).get("gist")
        title = f' title="{e(gist)}"' if gist else ""
        items.append(f'<a class="cite" href="{e(local_path(p) or p)}"{title}>{e(passage_label(p, info.get(p)))}</a>')
    return f'<span class="cites">{note}{"; ".join(items)}</span>'


def results_table(data: Mapping[str, Any], caption: str) -> str:
    """The result table of a query job, with its row count (``N of M rows`` when capped)."""
    if data["form"] == "ASK":
        answer = "yes" if data["boolean"] else "no"
        return (
            f'<p class="answer" role="status">Answer: <strong>{answer}</strong> ({e(str(data["boolean"]).lower())})</p>'
        )
    labels, sources, passages = data.get("labels", {}), data.get("sources", {}), data.get("passages", {})
    returned, total = data["returned"], data["total"]
    count = (
        f"{returned} of {total} rows (capped by the server's row limit)"
        if total > returned
        else f"{total} row{'s' if total != 1 else ''}"
    )
    heads = "".join(f'<th scope="col">{e(v)}</th>' for v in data["variables"]) + '<th scope="col">sources</th>'
    rows = []
    for row in data["rows"]:
        cited: list[str] = []
        for term in row:
            if isinstance(term, ox.NamedNode):
                cited += [p for p in sources.get(term.value, []) if p not in cited]
        cells = "".join(f"<td>{term_html(t, labels)}</td>" for t in row)
        rows.append(f"<tr>{cells}<td>{cite_html(cited, passages) if cited else ''}</td></tr>")
    status = f'<p class="count{" capped" if total > returned else ""}" role="status" id="row-count">{e(count)}</p>'
    return (
        f'{status}\n<div class="table-wrap" tabindex="0" role="region" aria-labelledby="results-caption">'
        f'<table class="results"><caption id="results-caption">{e(caption)}</caption>'
        f"<thead><tr>{heads}</tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody></table></div>"
    )


def url(path: str, params: Mapping[str, Any] | Sequence[tuple[str, Any]]) -> str:
    items = list(params.items()) if isinstance(params, Mapping) else list(params)
    pairs = [(k, v) for k, v in items if v is not None]
    return path + ("?" + urlencode(pairs, doseq=True) if pairs else "")


def error_page(status: int, title: str, message: str) -> str:
    return page(
        title,
        f'<h1>{e(title)}</h1>\n<p class="error" role="alert">{e(message)}</p>\n'
        f'<p><a href="/">Back to the search</a></p>',
    )
