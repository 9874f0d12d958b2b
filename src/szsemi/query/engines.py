"""Query engines: the embedded Oxigraph store, or a remote SPARQL 1.1 endpoint.

Both take the same query text and give the same :class:`Result` of pyoxigraph terms: a remote
answer is read with pyoxigraph's own results parser, so a row from either engine compares equal.

>>> from szsemi.graph.load import load
>>> engine = LocalEngine(load([]))
>>> engine.run("SELECT ?x WHERE { VALUES ?x { 1 } }").rows
[{'x': <Literal value=1 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#integer>>}]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, TypeAlias

import pyoxigraph as ox

from szsemi.errors import EndpointError, InputError, UsageError
from szsemi.query.binding import query_form, select_variables
from szsemi.query.deadline import run_abandonable
from szsemi.sparql_syntax import check_service

if TYPE_CHECKING:  # the HTTP client is imported by a remote engine only: a local query stays light
    from szsemi import http

# a term in an answer row
Term: TypeAlias = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


class Result:
    """What a query gave: rows (SELECT), a boolean (ASK) or triples (CONSTRUCT/DESCRIBE).

    A plain class, not a dataclass: importing dataclasses (and inspect) would cost a stored
    query's start-up a tenth of its time (tests/cli/test_light_query_path.py).
    """

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    def __init__(
        self,
        form: str,
        variables: list[str] | None = None,
        rows: list[dict[str, Term]] | None = None,  # variable -> term; unbound variables absent
        boolean: bool | None = None,
        triples: list[ox.Triple] | None = None,
    ) -> None:
        self.form = form
        self.variables: list[str] = [] if variables is None else variables
        self.rows: list[dict[str, Term]] = [] if rows is None else rows
        self.boolean = boolean
        self.triples: list[ox.Triple] = [] if triples is None else triples

    def _values(self) -> tuple[object, ...]:
        return (self.form, self.variables, self.rows, self.boolean, self.triples)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Result)
        return self._values() == other._values()

    def __repr__(self) -> str:
        return (
            f"Result(form={self.form!r}, variables={self.variables!r}, rows={self.rows!r}, "
            f"boolean={self.boolean!r}, triples={self.triples!r})"
        )

    def sliced(self, limit: int | None, offset: int | None) -> Result:
        start = offset or 0
        end = None if limit is None else start + limit
        return Result(self.form, self.variables, self.rows[start:end], self.boolean, self.triples[start:end])


def _result(form: str, answer: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples) -> Result:
    if isinstance(answer, ox.QueryBoolean):
        return Result(form, boolean=bool(answer))
    if isinstance(answer, ox.QueryTriples):
        return Result(form, triples=list(answer))
    names = [v.value for v in answer.variables]
    # A solution iterates its values in variable order (None where unbound): one call per row,
    # not two lookups per cell, which made large answers 5x slower than the engine itself.
    rows = [{n: v for n, v in zip(names, solution, strict=True) if v is not None} for solution in answer]
    return Result(form, variables=names, rows=rows)


class QueryEngine(Protocol):
    """What runs query text: :class:`LocalEngine`, :class:`RemoteEngine`, or a test's stand-in."""

    def run(self, text: str) -> Result: ...


class LocalEngine:
    """Runs queries on a pyoxigraph Store (the embedded graph).

    ``timeout`` (seconds, None: none) bounds each query: past it the query is abandoned and
    :class:`szsemi.query.deadline.DeadlineExceeded` raised. A query is run in a worker thread
    either way, so that Ctrl-C ends the wait at once. A ``SERVICE`` clause (a network call by the
    engine) is refused with :class:`UsageError` unless ``allow_service``.
    """

    name = "local"

    def __init__(self, store: ox.Store, *, timeout: float | None = None, allow_service: bool = False):
        if timeout is not None and (
            isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0
        ):
            raise UsageError(f"--timeout must be a number of seconds > 0, not {timeout!r}")
        self.store, self.timeout, self.allow_service = store, timeout, allow_service

    def run(self, text: str) -> Result:
        check_service(text, allow=self.allow_service)
        return run_abandonable(lambda: self._run(text), self.timeout)

    def _run(self, text: str) -> Result:
        try:
            answer = self.store.query(text, use_default_graph_as_union=True)
        except SyntaxError as e:
            query_form(text, check_escapes=False)  # its message points at the place, when it sees it
            raise InputError(f"the query does not parse: {e}") from None
        except (OSError, RuntimeError) as e:
            raise EndpointError(f"the embedded store failed: {e}") from None
        # The answer's type gives the form without tokenizing the text again (about 1 ms a query);
        # only triples need the text, to tell CONSTRUCT from DESCRIBE.
        if isinstance(answer, ox.QuerySolutions):
            form = "SELECT"
        elif isinstance(answer, ox.QueryBoolean):
            form = "ASK"
        else:
            form = query_form(text, check_escapes=False)  # bind() writes \u escapes into strings
        return _result(form, answer)


DEFAULT_MAX_ROWS = 1_000_000
_BOOLEAN = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
_BOOLEAN_FORMS = {"1": "true", "0": "false"}


def _canonical(term: Term) -> Term:
    """A boolean in its canonical form: ``"1"^^xsd:boolean`` is the value true, which Virtuoso
    writes as 1 and the embedded engine as ``true``; the same value must read the same."""
    if isinstance(term, ox.Literal) and term.datatype == _BOOLEAN and term.value in _BOOLEAN_FORMS:
        return ox.Literal(_BOOLEAN_FORMS[term.value], datatype=_BOOLEAN)
    return term


# Content negotiation alone says what we want (no format/output parameters): Virtuoso answers a
# CONSTRUCT sent with them with 406.
_ACCEPT = {
    "SELECT": "application/sparql-results+json, application/sparql-results+xml;q=0.9",
    "ASK": "application/sparql-results+json, application/sparql-results+xml;q=0.9",
    "CONSTRUCT": "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.8",
    "DESCRIBE": "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.8",
}


class RemoteEngine:
    """Runs queries on a SPARQL 1.1 endpoint through :mod:`szsemi.http`, by content negotiation.

    ``graph`` confines every query to one named graph (sent as ``default-graph-uri``), since some
    stores (Virtuoso) otherwise answer over all their graphs. Transient failures are retried
    ``retries`` times with exponential backoff, all within one deadline: ``timeout`` seconds from
    the engine's creation (pass ``deadline`` to share one with other requests of a command). An
    answer must fit its query (form and SELECT variables) and stay within ``max_rows`` rows and
    ``max_bytes`` bytes; otherwise :class:`EndpointError` names the endpoint, or the cap.
    """

    name = "remote"

    def __init__(
        self,
        endpoint: str,
        *,
        graph: str | None = None,
        user: str | None = None,
        password: str | None = None,
        auth: str = "basic",
        timeout: float | None = None,
        retries: int = 3,
        backoff: float = 0.5,
        max_rows: int = DEFAULT_MAX_ROWS,
        max_bytes: int | None = None,
        deadline: http.Deadline | None = None,
    ):
        from szsemi import http

        http.check_url(endpoint, "--endpoint")
        if isinstance(max_rows, bool) or not isinstance(max_rows, int) or max_rows < 1:
            raise UsageError(f"the row cap must be a whole number >= 1, not {max_rows!r}")
        credentials = None if user is None else http.Credentials(user, password or "", auth)
        if auth not in http.AUTHS:
            raise UsageError(f"auth must be one of {', '.join(http.AUTHS)}, not {auth!r}")
        self.endpoint, self.graph, self.max_rows = endpoint, graph, max_rows
        self.client = http.Client(
            credentials=credentials,
            deadline=deadline,
            timeout=http.DEFAULT_TIMEOUT if timeout is None else timeout,
            retries=retries,
            backoff=backoff,
            max_bytes=http.DEFAULT_MAX_BYTES if max_bytes is None else max_bytes,
        )

    def run(self, text: str) -> Result:
        from szsemi import http

        form = query_form(text, check_escapes=False)  # bind() writes \u escapes into strings
        fields = [("query", text)] + ([("default-graph-uri", self.graph)] if self.graph else [])
        try:
            response = self.client.post_form(self.endpoint, fields, _ACCEPT[form])
        except http.HTTPStatusError as e:
            raise EndpointError(
                f"{self.endpoint} refused the query: HTTP {e.status} {e.reason}" + (f": {e.detail}" if e.detail else "")
            ) from None
        kind = response.content_type.split(";")[0].strip().lower()
        try:
            if form in ("SELECT", "ASK"):
                result = self._solutions(form, text, kind, response.body)
            else:
                result = self._triples(form, kind, response.body)
        except (SyntaxError, ValueError) as e:
            raise EndpointError(
                f"{self.endpoint} sent an answer that does not parse as "
                f"{kind or 'no content type'} (cut short, or not what it says): {e}"
            ) from None
        # Virtuoso cuts an answer at its ResultSetMaxRows silently, but for this header.
        cut = (response.headers.get("X-SPARQL-MaxRows") or "").strip()
        if cut.isdigit() and len(result.rows) + len(result.triples) >= int(cut):
            raise EndpointError(
                f"{self.endpoint} cut its answer at {cut} rows (its own limit, header "
                f"X-SPARQL-MaxRows): the answer is incomplete; raise the store's limit "
                f"(Virtuoso: ResultSetMaxRows) or add a LIMIT to the query"
            )
        return result

    def _solutions(self, form: str, text: str, kind: str, body: bytes) -> Result:
        formats = {
            "application/sparql-results+json": ox.QueryResultsFormat.JSON,
            "application/json": ox.QueryResultsFormat.JSON,
            "application/sparql-results+xml": ox.QueryResultsFormat.XML,
        }
        if kind not in formats:
            raise EndpointError(
                f"{self.endpoint} answered the {form} with {kind or 'no content type'}, "
                f"not SPARQL results in JSON or XML"
            )
        answer = ox.parse_query_results(body, format=formats[kind])
        if form == "ASK":
            if not isinstance(answer, ox.QueryBoolean):
                raise EndpointError(f"{self.endpoint} answered an ASK query with rows, not a boolean")
            return Result(form, boolean=bool(answer))
        if not isinstance(answer, ox.QuerySolutions):
            raise EndpointError(f"{self.endpoint} answered a SELECT query with a boolean, not rows")
        names = [v.value for v in answer.variables]
        expected = select_variables(text)
        if expected is not None and set(expected) != set(names):
            raise EndpointError(
                f"{self.endpoint} answered with the variables {', '.join(names) or 'none'}; "
                f"the query selects {', '.join(expected)}"
            )
        rows: list[dict[str, Term]] = []
        for solution in answer:
            if len(rows) >= self.max_rows:
                raise self._over_cap("rows")
            rows.append({n: _canonical(v) for n, v in zip(names, solution, strict=True) if v is not None})
        return Result(form, variables=names, rows=rows)

    def _triples(self, form: str, kind: str, body: bytes) -> Result:
        formats = {
            "application/n-triples": ox.RdfFormat.N_TRIPLES,
            "text/plain": ox.RdfFormat.N_TRIPLES,
            "text/turtle": ox.RdfFormat.TURTLE,
            "application/rdf+xml": ox.RdfFormat.RDF_XML,
        }
        if kind not in formats:
            raise EndpointError(
                f"{self.endpoint} answered the {form} with {kind or 'no content type'}, "
                f"not N-Triples, Turtle or RDF/XML"
            )
        triples: list[ox.Triple] = []
        for quad in ox.parse(body, format=formats[kind]):
            if len(triples) >= self.max_rows:
                raise self._over_cap("triples")
            triple = quad.triple
            if isinstance(triple.object, ox.Literal) and triple.object.datatype == _BOOLEAN:
                triple = ox.Triple(triple.subject, triple.predicate, _canonical(triple.object))
            triples.append(triple)
        return Result(form, triples=triples)

    def _over_cap(self, what: str) -> EndpointError:
        return EndpointError(
            f"{self.endpoint} sent more than the cap of {self.max_rows} {what}; the answer "
            f"was abandoned there (raise the cap with --max-rows, or add a LIMIT)"
        )
