"""Query engines: the embedded Oxigraph store, or a remote SPARQL 1.1 endpoint.

Both take the same query text and give the same :class:`Result` of pyoxigraph terms: a remote
answer is read with pyoxigraph's own results parser, so a row from either engine compares equal.

>>> from szsemi.graph.load import load
>>> engine = LocalEngine(load([]))
>>> engine.run("SELECT ?x WHERE { VALUES ?x { 1 } }").rows
[{'x': <Literal value=1 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#integer>>}]
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field

import pyoxigraph as ox

from szsemi.query.binding import query_form
from szsemi.query.deadline import run_abandonable
from szsemi.sparql_syntax import check_service
from szsemi.errors import EndpointError, InputError, UsageError


@dataclass
class Result:
    """What a query gave: rows (SELECT), a boolean (ASK) or triples (CONSTRUCT/DESCRIBE)."""

    form: str
    variables: list[str] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)  # variable -> term; unbound variables absent
    boolean: bool | None = None
    triples: list = field(default_factory=list)  # pyoxigraph Triples

    def sliced(self, limit: int | None, offset: int | None) -> Result:
        start = offset or 0
        end = None if limit is None else start + limit
        return Result(self.form, self.variables, self.rows[start:end], self.boolean, self.triples[start:end])


def _result(form: str, answer) -> Result:
    if isinstance(answer, ox.QueryBoolean):
        return Result(form, boolean=bool(answer))
    if isinstance(answer, ox.QueryTriples):
        return Result(form, triples=list(answer))
    names = [v.value for v in answer.variables]
    # A solution iterates its values in variable order (None where unbound): one call per row,
    # not two lookups per cell, which made large answers 5x slower than the engine itself.
    rows = [{n: v for n, v in zip(names, solution) if v is not None} for solution in answer]
    return Result(form, variables=names, rows=rows)


class LocalEngine:
    """Runs queries on a pyoxigraph Store (the embedded graph).

    ``timeout`` (seconds, None: none) bounds each query: past it the query is abandoned and
    :class:`szsemi.query.deadline.DeadlineExceeded` raised. A query is run in a worker thread
    either way, so that Ctrl-C ends the wait at once. A ``SERVICE`` clause (a network call by the
    engine) is refused with :class:`UsageError` unless ``allow_service``.
    """

    name = "local"

    def __init__(self, store: ox.Store, *, timeout: float | None = None, allow_service: bool = False):
        if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float))
                                    or not timeout > 0):
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


class RemoteEngine:
    """Runs queries on a SPARQL 1.1 endpoint through SPARQLWrapper.

    ``graph`` confines every query to one named graph (sent as ``default-graph-uri``), since some
    stores (Virtuoso) otherwise answer over all their graphs. Connection errors and 5xx answers
    are retried ``retries`` times with exponential backoff; then, as any other endpoint failure,
    they raise :class:`EndpointError` with the endpoint's own message.
    """

    name = "remote"

    def __init__(self, endpoint: str, *, graph: str | None = None, user: str | None = None,
                 password: str | None = None, auth: str = "basic", timeout: float = 60,
                 retries: int = 3, backoff: float = 0.5):
        if auth not in ("basic", "digest"):
            raise ValueError(f"auth must be basic or digest, not {auth!r}")
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
            raise UsageError(f"the timeout must be a number of seconds > 0, not {timeout!r}")
        if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
            raise UsageError(f"retries must be a whole number >= 0, not {retries!r}")
        self.endpoint, self.graph, self.user, self.password = endpoint, graph, user, password
        self.auth, self.timeout, self.retries, self.backoff = auth, timeout, retries, backoff

    def run(self, text: str) -> Result:
        form = query_form(text, check_escapes=False)  # bind() writes \u escapes into strings
        body, content_type = self._fetch(text, form)
        try:
            if form in ("SELECT", "ASK"):
                answer = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
                return _result(form, answer)
            triples = [q.triple for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
            return Result(form, triples=triples)
        except (SyntaxError, ValueError) as e:
            raise EndpointError(f"{self.endpoint} sent an answer that does not parse "
                                f"({content_type or 'no content type'}): {e}") from None

    def _wrapper(self, text: str, form: str):
        from SPARQLWrapper import DIGEST, JSON, N3, POST, URLENCODED, SPARQLWrapper

        sparql = SPARQLWrapper(self.endpoint)
        with warnings.catch_warnings():  # its guess of the form warns on stderr; we set the form
            warnings.simplefilter("ignore", RuntimeWarning)
            sparql.setQuery(text)
        # SPARQLWrapper guesses the form with a regex that finds ADD, LOAD, DROP... anywhere in the
        # text, comments included, and then sends the query as an update: use the form we parsed.
        sparql.queryType = form
        sparql.timeout = self.timeout  # setTimeout truncates to int: 0.5 s would mean no timeout
        # URL-encoded POST: works for long queries everywhere (a direct POST hangs Virtuoso)
        sparql.setMethod(POST)
        sparql.setRequestMethod(URLENCODED)
        if form in ("SELECT", "ASK"):
            sparql.setReturnFormat(JSON)
        else:
            sparql.setReturnFormat(N3)
            sparql.addCustomHttpHeader("Accept", "application/n-triples")
        if self.graph:
            sparql.addDefaultGraph(self.graph)
        if self.user is not None:
            sparql.setCredentials(self.user, self.password or "")
            if self.auth == "digest":
                sparql.setHTTPAuth(DIGEST)
        return sparql

    def _fetch(self, text: str, form: str) -> tuple[bytes, str]:
        import socket
        import urllib.error

        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

        attempt = 0
        while True:
            try:
                response = self._wrapper(text, form).query().response
                return response.read(), response.headers.get("Content-Type", "")
            except SPARQLWrapperException as e:
                status = _status(e)
                if status is not None and status >= 500 and attempt < self.retries:
                    attempt += 1
                    time.sleep(self.backoff * 2 ** (attempt - 1))
                    continue
                raise EndpointError(f"{self.endpoint} refused the query: {_message(e)}") from None
            except urllib.error.HTTPError as e:
                if e.code >= 500 and attempt < self.retries:
                    attempt += 1
                    time.sleep(self.backoff * 2 ** (attempt - 1))
                    continue
                detail = e.read().decode("utf-8", "replace").strip()[:500]
                raise EndpointError(f"{self.endpoint} answered HTTP {e.code} {e.reason}"
                                    + (f": {detail}" if detail else "")) from None
            except (urllib.error.URLError, socket.timeout, ConnectionError, TimeoutError) as e:
                if attempt < self.retries:
                    attempt += 1
                    time.sleep(self.backoff * 2 ** (attempt - 1))
                    continue
                reason = getattr(e, "reason", e)
                raise EndpointError(f"cannot reach {self.endpoint} after {attempt + 1} attempts: "
                                    f"{reason}") from None


def _status(error: Exception) -> int | None:
    from SPARQLWrapper.SPARQLExceptions import EndPointInternalError

    return 500 if isinstance(error, EndPointInternalError) else None


def _message(error: Exception) -> str:
    text = str(error).strip()
    # SPARQLWrapper prefixes its own boilerplate; the endpoint's message follows "Response:"
    if "Response:" in text:
        head, _, tail = text.partition("Response:")
        tail = tail.strip()
        if tail.startswith("b'") or tail.startswith('b"'):
            try:
                import ast

                tail = ast.literal_eval(tail).decode("utf-8", "replace")
            except (ValueError, SyntaxError):
                pass
        return f"{head.split(':')[0].strip()}: {' '.join(tail.split())[:500]}"
    return " ".join(text.split())[:500]
