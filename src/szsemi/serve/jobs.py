"""What a worker process does: build the graph once, then run the server's jobs on it.

Each job takes the worker's :class:`State` and plain arguments and returns plain data (pyoxigraph
terms pickle), so it can cross the pipe. Parameters of stored queries are bound with the CLI's
typed binding (:func:`szsemi.query.execute.run_stored`); the few queries written here take the
entity's IRI through pyoxigraph's ``substitutions``, never as spliced text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from szsemi.errors import EngineError, UsageError
from szsemi.graph.namespaces import PREFIXES
from szsemi.query.binding import query_form
from szsemi.query.catalogue import StoredQuery, load_catalogue
from szsemi.query.engines import LocalEngine, Result, Term
from szsemi.query.execute import run_stored
from szsemi.serve import negotiate
from szsemi.serve.pool import Inputs, NotAcceptable
from szsemi.serve.results import write_rows, write_triples

_P = PREFIXES
THIS = ox.Variable("this")
_UPDATE = re.compile(
    r"^\s*(?:(?:PREFIX|BASE)\b[^{]*?)?\b(INSERT|DELETE|LOAD|CLEAR|DROP|CREATE|ADD|MOVE|COPY|WITH)\b",
    re.IGNORECASE | re.DOTALL,
)
# Strings, IRIs and comments hide a SERVICE keyword from the check below, so they are blanked first.
_SKIP = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*'
)
_SERVICE = re.compile(r"\bSERVICE\b", re.IGNORECASE)


@dataclass
class State:
    """A worker's graph and catalogue."""

    engine: LocalEngine
    catalogue: dict[str, StoredQuery]
    max_rows: int
    triples: int

    @property
    def store(self) -> ox.Store:
        return self.engine.store


def setup(inputs: Inputs) -> State:
    """The graph the CLI's query commands would use for the same ``--data`` and ``--store``."""
    from szsemi.api import engine_for

    engine = engine_for(data=inputs.data, store=inputs.store)
    if not isinstance(engine, LocalEngine):
        raise EngineError("the server needs the embedded graph")
    catalogue = load_catalogue(tuple(inputs.query_dirs), check=False)  # the server checked it
    return State(engine, catalogue, inputs.max_rows, len(engine.store))


# ---------------------------------------------------------------------------------------------
# Running a query with the row cap
# ---------------------------------------------------------------------------------------------


def check_read_only(text: str) -> None:
    """Refuse SERVICE: the embedded engine never opens a network connection."""
    if _SERVICE.search(_SKIP.sub(" ", text)):
        raise UsageError("SERVICE is not allowed here: this endpoint never calls other endpoints")


def run_capped(state: State, text: str) -> tuple[Result, int]:
    """The answer to ``text``, at most ``max_rows`` rows (or triples), and how many there were."""
    check_read_only(text)
    try:
        answer = state.store.query(text, use_default_graph_as_union=True)
    except SyntaxError as e:
        if _UPDATE.match(_SKIP.sub(" ", text)):
            raise UsageError("this endpoint is read-only: SPARQL Update is not accepted") from None
        raise UsageError(f"the query does not parse: {e}") from None
    except OSError as e:
        raise EngineError(f"the embedded store failed: {e}") from None
    cap = state.max_rows
    if isinstance(answer, ox.QueryBoolean):
        return Result("ASK", boolean=bool(answer)), 1
    total = 0
    if isinstance(answer, ox.QuerySolutions):
        names = [v.value for v in answer.variables]
        rows: list[dict[str, Any]] = []
        for solution in answer:
            total += 1
            if total <= cap:
                rows.append({n: v for n, v in zip(names, solution, strict=True) if v is not None})
        return Result("SELECT", variables=names, rows=rows), total
    triples: list[Any] = []
    for triple in answer:
        total += 1
        if total <= cap:
            triples.append(triple)
    return Result(query_form(text, check_escapes=False), triples=triples), total


def _capped(result: Result, cap: int) -> tuple[Result, int]:
    total = len(result.rows) if result.form == "SELECT" else len(result.triples)
    if result.form == "ASK":
        return result, 1
    return result.sliced(cap, 0), total


def encode(result: Result, accept: str | None, short: str | None) -> str:
    """The media type for ``result``: from the ``format`` parameter, else by ``Accept``."""
    graph = result.form in ("CONSTRUCT", "DESCRIBE")
    offered = negotiate.GRAPH_TYPES if graph else negotiate.SELECT_TYPES
    if short in offered:  # some clients (SPARQLWrapper) send a media type as the format
        return short
    if short:
        pair = negotiate.SHORT_NAMES.get(short)
        media = pair and pair[1 if graph else 0]
        if not media:
            names = [k for k, v in negotiate.SHORT_NAMES.items() if v[1 if graph else 0]]
            raise UsageError(f"format {short!r} does not fit a {result.form} answer; use one of " + ", ".join(names))
        return media
    media = negotiate.choose(accept, offered)
    if media is None:
        raise NotAcceptable(offered)
    return media


def _payload(result: Result, total: int, media: str) -> dict[str, Any]:
    graph = result.form in ("CONSTRUCT", "DESCRIBE")
    body = write_triples(result.triples, media) if graph else write_rows(result, media)
    returned = len(result.triples) if graph else len(result.rows) if result.form == "SELECT" else 1
    return {"media": media, "body": body, "form": result.form, "returned": returned, "total": total}


# ---------------------------------------------------------------------------------------------
# Jobs
# ---------------------------------------------------------------------------------------------


def sparql(state: State, text: str, accept: str | None, short: str | None) -> dict[str, Any]:
    """/sparql: the answer as bytes in the negotiated format."""
    result, total = run_capped(state, text)
    return _payload(result, total, encode(result, accept, short))


def table(state: State, text: str) -> dict[str, Any]:
    """/query: the answer as a table of terms (triples as subject, predicate, object rows)."""
    result, total = run_capped(state, text)
    return _table(state, result, total)


def _table(state: State, result: Result, total: int) -> dict[str, Any]:
    if result.form in ("CONSTRUCT", "DESCRIBE"):
        variables = ["subject", "predicate", "object"]
        rows: list[list[Term | None]] = [[t.subject, t.predicate, t.object] for t in result.triples]
    else:
        variables = result.variables
        rows = [[row.get(n) for n in variables] for row in result.rows]
    cited = {t for row in rows for t in row if isinstance(t, ox.NamedNode)}
    sources, passages = citations(state, cited)
    return {
        "form": result.form,
        "variables": variables,
        "rows": rows,
        "boolean": result.boolean,
        "returned": len(rows) if result.form != "ASK" else 1,
        "total": total,
        "labels": labels(state, cited),
        "sources": sources,
        "passages": passages,
    }


def stored(
    state: State, name: str, given: Mapping[str, object], accept: str | None, short: str | None
) -> dict[str, Any]:
    """/api/queries/{name}: a stored query with typed parameters, in the negotiated format.

    ``json`` (the default) is an object with the rows as plain JSON values and, for every IRI in
    them, the passages it is derived from.
    """
    query = _stored_query(state, name)
    result, total = _capped(run_stored(query, state.engine, given), state.max_rows)
    wants_json = short == "json" or (
        short is None and negotiate.choose(accept, ("application/json",) + negotiate.SELECT_TYPES) == "application/json"
    )
    if wants_json and result.form == "SELECT":
        return {
            "media": "application/json",
            "table": _table(state, result, total),
            "returned": len(result.rows),
            "total": total,
            "form": result.form,
        }
    return _payload(result, total, encode(result, accept, short if short != "json" else "srj"))


def stored_table(state: State, name: str, given: Mapping[str, object]) -> dict[str, Any]:
    """/queries/{name}: the table, and the choices for parameters that name a class."""
    query = _stored_query(state, name)
    result, total = _capped(run_stored(query, state.engine, given), state.max_rows)
    return _table(state, result, total)


def choices(state: State, name: str) -> dict[str, list[tuple[str, str]]]:
    """For each IRI parameter with a class: its instances and their English labels."""
    query = _stored_query(state, name)
    found: dict[str, list[tuple[str, str]]] = {}
    for param in query.params.values():
        if param.type != "iri" or not param.cls or param.values:
            continue
        rows = select(
            state.store,
            f"SELECT DISTINCT ?this ?x ?label WHERE {{ ?x a/<{_P['rdfs']}subClassOf>* ?this . FILTER(isIRI(?x)) "
            f"OPTIONAL {{ ?x <{_P['skos']}prefLabel>|<{_P['rdfs']}label> ?label "
            "FILTER(langMatches(lang(?label), 'en')) } }"
            " ORDER BY LCASE(STR(COALESCE(?label, STR(?x)))) LIMIT 1000",
            substitutions={THIS: ox.NamedNode(param.cls)},
        )
        seen: dict[str, str] = {}
        for row in rows:
            iri = row["x"].value
            seen.setdefault(iri, row["label"].value if row["label"] is not None else iri)
        found[param.name] = list(seen.items())
    return found


def search(state: State, text: str) -> dict[str, Any]:
    """The entities one of whose names contains ``text`` (the catalogue's name search)."""
    query = _stored_query(state, "get-entity-by-name")
    result = run_stored(query, state.engine, {"name": text, "partial": "true"})
    return _table(state, *_capped(result, state.max_rows))


def _stored_query(state: State, name: str) -> StoredQuery:
    if name not in state.catalogue:
        raise LookupError(name)
    return state.catalogue[name]


def select(store: ox.Store, text: str, **options: Any) -> ox.QuerySolutions:
    """A SELECT's solutions (the union of the graphs as the default graph)."""
    answer = store.query(text, use_default_graph_as_union=True, **options)
    assert isinstance(answer, ox.QuerySolutions), "a SELECT gives solutions"
    return answer


def labels(state: State, iris: Iterable[Any]) -> dict[str, dict[str, str]]:
    """English and Chinese labels (skos:prefLabel, else rdfs:label) of each IRI."""
    values = " ".join(str(i) for i in iris if isinstance(i, ox.NamedNode))
    if not values:
        return {}
    found: dict[str, dict[str, str]] = {}
    rows = select(
        state.store,
        f"SELECT ?x ?p ?label WHERE {{ VALUES ?x {{ {values} }} VALUES ?p {{ <{_P['skos']}prefLabel> "
        f"<{_P['rdfs']}label> }} ?x ?p ?label }}",
    )
    for row in rows:
        label = row["label"]
        if not isinstance(label, ox.Literal) or not label.language:
            continue
        lang = (
            "zh"
            if label.language.lower().startswith("zh-hans") or label.language.lower() == "zh"
            else "en"
            if label.language.lower().startswith("en")
            else None
        )
        if lang is None:
            continue
        slot = found.setdefault(row["x"].value, {})
        if lang not in slot or row["p"].value.endswith("prefLabel"):
            slot[lang] = label.value
    return found


_CITE = (
    f"SELECT ?x ?passage ?doc ?title ?number ?gist WHERE {{ VALUES ?x {{ {{values}} }} "
    f"?x <{_P['prov']}wasDerivedFrom> ?passage . "
    f"OPTIONAL {{ ?passage <{_P['szo']}inDocument> ?doc "
    f"OPTIONAL {{ ?doc <{_P['dcterms']}title>|<{_P['skos']}prefLabel> ?title }} }} "
    f"OPTIONAL {{ ?passage <{_P['szo']}passageNumber> ?number }} "
    f"OPTIONAL {{ ?passage <{_P['szo']}gist>|<{_P['rdfs']}comment>|<{_P['dcterms']}description> ?gist }} }}"
)


def citations(state: State, iris: Iterable[Any]) -> tuple[dict[str, list[str]], dict[str, dict[str, Any]]]:
    """For each IRI, the passages it is derived from; and what each passage is."""
    values = " ".join(str(i) for i in iris if isinstance(i, (ox.NamedNode, ox.BlankNode)))
    if not values:
        return {}, {}
    return cite_rows(select(state.store, _CITE.replace("{values}", values)))


def cite_rows(rows: Iterable[Any]) -> tuple[dict[str, list[str]], dict[str, dict[str, Any]]]:
    sources: dict[str, list[str]] = {}
    passages: dict[str, dict[str, Any]] = {}
    for row in rows:
        passage = row["passage"].value
        cited = sources.setdefault(str(row["x"]) if isinstance(row["x"], ox.BlankNode) else row["x"].value, [])
        if passage not in cited:
            cited.append(passage)
        info = passages.setdefault(passage, {"doc": None, "title": None, "number": None, "gist": None})
        for key in ("doc", "title", "number", "gist"):
            if row[key] is not None and info[key] is None:
                info[key] = row[key].value
    for cited in sources.values():
        cited.sort(key=lambda p: (passages[p]["doc"] or "", int(passages[p]["number"] or 0), p))
    return sources, passages


JOBS: dict[str, Callable[..., Any]] = {
    "sparql": sparql,
    "table": table,
    "stored": stored,
    "stored_table": stored_table,
    "choices": choices,
    "search": search,
}


def _register() -> None:
    from szsemi.serve import entity_data

    JOBS.update(entity_data.JOBS)


_register()
