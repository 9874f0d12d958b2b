"""The query verbs as Python functions: ``run_query`` for stored queries, ``sparql`` for your own.

Rows come back as plain dicts of pyoxigraph terms (no pandas needed); an ASK gives a bool and a
CONSTRUCT or DESCRIBE a list of triples. Without ``endpoint`` the query runs on the embedded
graph (the shipped ontology and data, or the files given as ``data``).

>>> rows = run_query("get-within-travel-time", minutes=10)
>>> sorted({row["destinationLabel"].value for row in rows})[:2]
['BYD Company Limited', 'Honor']
"""

from __future__ import annotations

from collections.abc import Sequence

from szsemi.query.engines import LocalEngine, RemoteEngine, Result
from szsemi.query.execute import run_stored, run_text


def engine_for(endpoint: str | None = None, *, graph: str | None = None, data: Sequence = (),
               store=None, timeout: float | None = None, allow_service: bool = False,
               **remote_options) -> LocalEngine | RemoteEngine:
    """The remote engine for ``endpoint``, else the embedded graph (of ``data`` if given).

    With ``store`` (a folder), the embedded graph lives on disk there and is rebuilt only when its
    files change (see :mod:`szsemi.graph.store`); without ``data`` it holds what it was built from.
    On the embedded graph ``timeout`` bounds each query (seconds) and ``allow_service`` lets a
    query's SERVICE clause call other endpoints (refused by default).
    """
    if endpoint:
        if timeout is not None:
            remote_options["timeout"] = timeout
        return RemoteEngine(endpoint, graph=graph, **remote_options)
    from szsemi.graph import resources

    if store:
        from szsemi.graph.store import open_store

        return LocalEngine(open_store(store, [resources.ontology_file(), *data] if data else None),
                           timeout=timeout, allow_service=allow_service)
    from szsemi.graph.load import load, load_shipped

    return LocalEngine(load([resources.ontology_file(), *data]) if data else load_shipped(),
                       timeout=timeout, allow_service=allow_service)


def _unpack(result: Result):
    if result.form == "SELECT":
        return result.rows
    if result.form == "ASK":
        return result.boolean
    return result.triples


def run_query(name: str, /, *, endpoint: str | None = None, graph: str | None = None,
              query_dirs: Sequence = (), limit: int | None = None, offset: int | None = None,
              engine=None, **params):
    """Run the stored query ``name`` with ``params`` (text, numbers, dates or pyoxigraph terms).

    ``name`` is positional-only, so that a query parameter may itself be called ``name``
    (``run_query("get-entity-by-name", name="坪山区")``).
    """
    from szsemi.query.catalogue import load_catalogue
    from szsemi.errors import UsageError

    catalogue = load_catalogue(tuple(query_dirs))
    if name not in catalogue:
        raise UsageError(f"no stored query named {name!r}; `szsemi query list` shows them")
    engine = engine or engine_for(endpoint, graph=graph)
    return _unpack(run_stored(catalogue[name], engine, params, limit=limit, offset=offset))


def sparql(text: str, *, endpoint: str | None = None, graph: str | None = None, engine=None,
           limit: int | None = None, offset: int | None = None):
    """Run your own SPARQL query text on the embedded graph or on ``endpoint``."""
    engine = engine or engine_for(endpoint, graph=graph)
    return _unpack(run_text(text, engine, limit=limit, offset=offset))
