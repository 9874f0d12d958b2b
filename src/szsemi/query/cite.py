"""Cite each row of a SELECT answer: which source passages it rests on, readable without the source.

A row's citations are found from the row itself, in this order:

1. the values of the row that are passages (``szo:Passage``): a report that projects the passage of
   each row (``?passage``) is cited exactly by it;
2. otherwise the passages that the row's IRIs cite with ``prov:wasDerivedFrom`` (the entities and
   facts the row is about).

Each citation reads ``"title" (date), passage N, address``: the document's ``dcterms:title`` (else
its ``skos:prefLabel``), its ``dcterms:date`` (else "date unknown"), the passage number, and the
document's ``szo:sourceAddress`` (else its file name). Citations of a row are joined with " | ".
The passages are looked up with one extra query per 500 IRIs, bound as terms (never spliced), so
the same works on the embedded graph and on an endpoint.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from szsemi.errors import UsageError
from szsemi.query.binding import bind
from szsemi.query.engines import QueryEngine, Result, Term

COLUMN = "citations"
Citation = tuple[str, int, str]  # passage IRI, number, text: sorts by passage
_CHUNK = 500
_LOOKUP = """PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX szo: <https://w3id.org/szsemi/ontology#>
SELECT ?x ?direct ?passage ?number ?title ?label ?date ?address ?file WHERE {
  { ?x a szo:Passage . BIND(?x AS ?passage) BIND(true AS ?direct) }
  UNION
  { ?x prov:wasDerivedFrom ?passage . BIND(false AS ?direct) }
  ?passage szo:passageNumber ?number ; szo:inDocument ?document .
  OPTIONAL { ?document dcterms:title ?title }
  OPTIONAL { ?document skos:prefLabel ?label FILTER(LANGMATCHES(LANG(?label), "en")) }
  OPTIONAL { ?document dcterms:date ?date }
  OPTIONAL { ?document szo:sourceAddress ?address }
  OPTIONAL { ?document szo:fileName ?file }
}"""


def _text(row: dict[str, Any]) -> str:
    title = row.get("title") or row.get("label")
    date = row.get("date")
    where = row.get("address") or row.get("file")
    return (
        f'"{title.value if title else "untitled source"}" ({date.value if date else "date unknown"}), '
        f"passage {row['number'].value}, {where.value if where else 'address unknown'}"
    )


def _value(term: Term) -> str:
    # the lookup's ?x, ?passage, ?number and ?direct are IRIs and literals, never triple terms
    assert not isinstance(term, ox.Triple), term
    return term.value


def _lookup(iris: list[ox.NamedNode], engine: QueryEngine) -> dict[str, tuple[set[Citation], set[Citation]]]:
    """IRI -> (its citation as a passage itself, the citations of what it derives from)."""
    found: dict[str, tuple[set[Citation], set[Citation]]] = {}
    for start in range(0, len(iris), _CHUNK):
        answer = engine.run(bind(_LOOKUP, {"x": iris[start : start + _CHUNK]}))
        for row in answer.rows:
            key = (_value(row["passage"]), int(_value(row["number"])), _text(row))
            direct, derived = found.setdefault(_value(row["x"]), (set(), set()))
            (direct if _value(row["direct"]) == "true" else derived).add(key)
    return found


def _iris(values: Iterable[object]) -> list[ox.NamedNode]:
    return [v for v in values if isinstance(v, ox.NamedNode)]


def add_citations(result: Result, engine: QueryEngine) -> Result:
    """``result`` with a ``citations`` column: per row, the passages it rests on (see the module)."""
    if result.form != "SELECT":
        raise UsageError(f"--cite adds a column to the rows of a SELECT query; this query is a {result.form}")
    if COLUMN in result.variables:
        raise UsageError(f"the query already has a ?{COLUMN} column, so --cite cannot add one")
    seen = {iri.value: iri for row in result.rows for iri in _iris(row.values())}
    found = _lookup(list(seen.values()), engine)
    rows = []
    for row in result.rows:
        entries = [found.get(iri.value, (set(), set())) for iri in _iris(row.values())]
        chosen: set[Citation] = set().union(*(d for d, _ in entries)) or set().union(*(d for _, d in entries))
        text = " | ".join(t for _, _, t in sorted(chosen))
        rows.append({**row, COLUMN: ox.Literal(text)})
    return Result(result.form, [*result.variables, COLUMN], rows)
