"""Run a stored query: check the given parameters, bind them as terms, slice, and run on an engine.

>>> from szsemi.query.catalogue import load_catalogue
>>> from szsemi.query.engines import LocalEngine
>>> from szsemi.graph.load import load_shipped
>>> query = load_catalogue()["get-within-travel-time"]
>>> result = run_stored(query, LocalEngine(load_shipped()), {"minutes": "5"})
>>> result.form, len(result.rows)
('SELECT', 0)
"""

from __future__ import annotations

from collections.abc import Mapping

import pyoxigraph as ox

from szsemi.errors import ParameterError, UsageError
from szsemi.query.binding import bind, with_slice
from szsemi.query.catalogue import StoredQuery
from szsemi.query.engines import QueryEngine, Result
from szsemi.query.params import Param, Term, coerce

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"


def resolve(query: StoredQuery, given: Mapping[str, object]) -> dict[str, list[Term]]:
    """Each parameter's terms: the given value, else the default; unknown or missing ones refused."""
    unknown = sorted(set(given) - set(query.params))
    if unknown:
        allowed = ", ".join(sorted(query.params)) or "none"
        raise UsageError(f"{query.name} has no parameter {', '.join(map(repr, unknown))}; its parameters: {allowed}")
    bound: dict[str, list[Term]] = {}
    for name, param in query.params.items():
        if name in given and given[name] is not None:
            bound[name] = coerce(param, given[name])
        elif param.default:
            bound[name] = list(param.default)
        elif param.required:
            raise ParameterError(name, None, f"a value is required ({param.allowed()})")
    return bound


def check_classes(query: StoredQuery, bound: Mapping[str, list[Term]], engine: QueryEngine) -> None:
    """An IRI given for a parameter with ``class`` must be an instance of it (or of a subclass)."""
    for name, terms in bound.items():
        param: Param = query.params[name]
        if not param.cls:
            continue
        for term in terms:
            ask = f"ASK {{ ?x <{_RDF_TYPE}>/<{_SUBCLASS}>* ?class }}"
            ask = bind(ask, {"x": [term], "class": [_named(param.cls)]})
            if not engine.run(ask).boolean:
                raise ParameterError(name, term.value, param.allowed())


def run_stored(
    query: StoredQuery,
    engine: QueryEngine,
    given: Mapping[str, object] | None = None,
    *,
    limit: int | None = None,
    offset: int | None = None,
    cite: bool = False,
) -> Result:
    """Run ``query`` on ``engine`` with ``given`` parameter values (text or terms); with ``cite``,
    each row gets a ``citations`` column (:mod:`szsemi.query.cite`)."""
    bound = resolve(query, given or {})
    check_classes(query, bound, engine)
    result = run_text(bind(query.text, bound), engine, limit=limit, offset=offset)
    if cite:
        from szsemi.query.cite import add_citations

        result = add_citations(result, engine)
    return result


def run_text(text: str, engine: QueryEngine, *, limit: int | None = None, offset: int | None = None) -> Result:
    """Run query text, with LIMIT/OFFSET added to it when it has none of its own."""
    for name, value in (("limit", limit), ("offset", offset)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise UsageError(f"--{name} must be a whole number >= 0, not {value!r}")
    if limit is None and offset is None:
        return engine.run(text)
    sliced = with_slice(text, limit, offset)
    if sliced is not None:
        return engine.run(sliced)
    return engine.run(text).sliced(limit, offset)  # the query has its own LIMIT/OFFSET


def _named(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)
