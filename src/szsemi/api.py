"""The Python API: the command's verbs as functions, and a graph that is parsed once for many queries.

Rows come back as plain dicts of pyoxigraph terms; an ASK gives a bool and a CONSTRUCT or DESCRIBE
a list of triples. Query parameters are one dict (``params``), so a parameter's name never clashes
with an option such as ``graph``, ``limit`` or ``offset``. ``docs/api.md`` shows it at work.

>>> g = open()
>>> rows = g.run_query("get-within-travel-time", {"minutes": 10})
>>> sorted({row["destinationLabel"].value for row in rows})[:2]
['BYD Company Limited', 'Honor']
>>> g.sparql("ASK { ?park a <https://w3id.org/szsemi/ontology#IndustrialPark> }")
True

Only the query stage is imported here; validate and export are imported by their verbs, so that a
query from a new process stays light (no rdflib).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from szsemi.query.engines import LocalEngine, RemoteEngine, Result

if TYPE_CHECKING:
    from pathlib import Path

    from szsemi.graph.load import Source
    from szsemi.query.catalogue import StoredQuery
    from szsemi.validate.report import Report

Engine = LocalEngine | RemoteEngine
Answer = list[dict[str, Any]] | bool | list[Any]  # rows, a boolean, or triples


def engine_for(
    endpoint: str | None = None,
    *,
    graph: str | None = None,
    data: Sequence[Source] = (),
    store: str | Path | None = None,
    timeout: float | None = None,
    allow_service: bool = False,
    **remote_options: Any,
) -> Engine:
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
    if remote_options:  # e.g. run_query(name, minutes=10): a parameter given as an option
        from szsemi.errors import UsageError

        raise UsageError(
            f"{', '.join(sorted(remote_options))}: not an option of the embedded graph; "
            'a stored query\'s parameters go in one dict: run_query(name, {"key": value})'
        )
    from szsemi.graph import resources

    if store:
        from szsemi.graph.store import open_store

        return LocalEngine(
            open_store(store, [resources.ontology_file(), *data] if data else None),
            timeout=timeout,
            allow_service=allow_service,
        )
    from szsemi.graph.load import load, load_shipped

    return LocalEngine(
        load([resources.ontology_file(), *data]) if data else load_shipped(),
        timeout=timeout,
        allow_service=allow_service,
    )


class Graph:
    """The graph opened once, answering many queries: see :func:`open`."""

    def __init__(self, engine: Engine, query_dirs: Sequence[str | Path] = ()) -> None:
        self.engine = engine
        self.query_dirs = tuple(str(d) for d in query_dirs)
        self._queries: dict[str, StoredQuery] = {}

    def stored(self, name: str) -> StoredQuery:
        """The stored query ``name`` (its file read once); ``UsageError`` if there is none."""
        if name not in self._queries:
            from szsemi.query.catalogue import find_query

            self._queries[name] = find_query(name, self.query_dirs)
        return self._queries[name]

    def run_query(
        self,
        name: str,
        params: Mapping[str, object] | None = None,
        *,
        limit: int | None = None,
        offset: int | None = None,
        cite: bool = False,
    ) -> Answer:
        """Run the stored query ``name``; ``params`` maps its parameter names to values (text,
        numbers, dates, pyoxigraph terms, or a list of them for a ``multi`` parameter). With
        ``cite=True`` every row of a SELECT gets a ``citations`` value: the source title and date,
        passage number and address it rests on."""
        from szsemi.query.execute import run_stored

        return _unpack(
            run_stored(self.stored(name), self.engine, dict(params or {}), limit=limit, offset=offset, cite=cite)
        )

    def sparql(self, text: str, *, limit: int | None = None, offset: int | None = None) -> Answer:
        """Run your own SPARQL query text."""
        from szsemi.query.execute import run_text

        return _unpack(run_text(text, self.engine, limit=limit, offset=offset))

    def __repr__(self) -> str:
        engine = self.engine
        where = engine.endpoint if isinstance(engine, RemoteEngine) else f"{len(engine.store)} quads"
        return f"<szsemi.Graph {engine.name}: {where}>"


def open(
    data: Sequence[Source] = (),
    *,
    store: str | Path | None = None,
    endpoint: str | None = None,
    graph: str | None = None,
    query_dirs: Sequence[str | Path] = (),
    **remote_options: Any,
) -> Graph:
    """The graph to query: the shipped ontology and data, or the ontology with the files ``data``;
    kept on disk in the folder ``store`` if given; or the SPARQL endpoint ``endpoint`` (confined to
    the named graph ``graph``; ``remote_options`` are ``user``, ``password``, ``auth``, ``timeout``,
    ``retries``). ``query_dirs`` are folders of your own stored queries. Files are parsed here, once.
    """
    return Graph(engine_for(endpoint, graph=graph, data=data, store=store, **remote_options), query_dirs)


def run_query(
    name: str,
    params: Mapping[str, object] | None = None,
    *,
    data: Sequence[Source] = (),
    store: str | Path | None = None,
    endpoint: str | None = None,
    graph: str | None = None,
    query_dirs: Sequence[str | Path] = (),
    limit: int | None = None,
    offset: int | None = None,
    engine: Engine | None = None,
    cite: bool = False,
    **remote_options: Any,
) -> Answer:
    """Run the stored query ``name`` once, with ``params`` (a dict). The graph is opened for this
    call (see :func:`open` for the options); to run several queries, open it once instead.
    ``cite=True`` adds a ``citations`` value to every row (see :meth:`Graph.run_query`)."""
    g = Graph(engine or engine_for(endpoint, graph=graph, data=data, store=store, **remote_options), query_dirs)
    return g.run_query(name, params, limit=limit, offset=offset, cite=cite)


def sparql(
    text: str,
    *,
    data: Sequence[Source] = (),
    store: str | Path | None = None,
    endpoint: str | None = None,
    graph: str | None = None,
    limit: int | None = None,
    offset: int | None = None,
    engine: Engine | None = None,
    **remote_options: Any,
) -> Answer:
    """Run your own SPARQL query text once, on the embedded graph or on ``endpoint``."""
    g = Graph(engine or engine_for(endpoint, graph=graph, data=data, store=store, **remote_options))
    return g.sparql(text, limit=limit, offset=offset)


def validate(
    paths: Sequence[Source] | None = None,
    *,
    ontology: Sequence[Source] | None = None,
    shapes: Sequence[Source] | None = None,
    queries: Sequence[str | Path] = (),
    owl: bool = True,
    rules: bool = True,
    lint: bool = True,
    shipped_model: bool = True,
    with_shipped_data: bool = False,
) -> Report:
    """Validate ``paths`` (files or folders of ``.ttl``; default: the shipped data) and return the
    report (``report.conforms``, ``report.findings``). ``ontology`` and ``shapes`` add to the shipped
    ones, or replace them with ``shipped_model=False``; ``queries`` are folders of extra
    ``*-violation.rq`` checks; ``owl``, ``rules`` and ``lint`` switch those stages."""
    from szsemi.validate.stages import validate as run

    return run(
        paths,
        ontology=ontology,
        shapes=shapes,
        queries=queries,
        owl=owl,
        rules=rules,
        lint=lint,
        shipped_model=shipped_model,
        with_shipped_data=with_shipped_data,
    )


def export(
    fmt: str = "ttl", *, content: str = "data", profile: str = "native", graph_per_source: bool = False
) -> bytes:
    """The shipped graph as bytes in ``fmt`` (ttl, nt, nq, trig, jsonld, xml); ``content`` is data,
    ontology, shapes or all; ``profile`` native, schema or wikidata-like; ``graph_per_source`` puts
    each source's facts in its own named graph (nq, trig, jsonld)."""
    from szsemi.export.serialise import export as run

    return run(content, fmt, graph_per_source, profile)


def _unpack(result: Result) -> Answer:
    if result.form == "SELECT":
        return result.rows
    if result.form == "ASK":
        return bool(result.boolean)
    return result.triples
