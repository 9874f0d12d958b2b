"""Push a graph into a running triple store, atomically and verified.

Protocol: the SPARQL 1.1 Graph Store Protocol (HTTP POST of Turtle to ``store_url?graph=IRI``) when the
store offers it, SPARQL 1.1 Update (``INSERT DATA``) otherwise; counts and the swap go through the
query and update endpoints. Every request goes through :mod:`szsemi.http` (http(s) only,
credentials kept to their origin, one deadline for the whole push), and only the ``push`` command
imports this module.

How a push goes, in either mode:

1. The triples are cut into chunks of at most ``chunk_size`` triples; triples that share a blank node
   always travel together (each request is its own document, so a blank node split over two requests
   would become two).
2. The chunks go into a staging graph of this push alone,
   ``urn:szsemi:staging:<hash of the target IRI>:<expiry>:<random>``, so two concurrent pushes to the
   same target never share one. ``<expiry>`` is when the push's deadline ends (Unix seconds): a
   staging graph of the same target whose expiry has passed belongs to a push that died, and the
   next push drops it. (Were a clock so wrong that a live push's staging graph were dropped, that
   push would fail its count check in step 3 and leave the target unchanged.)
3. The staging graph's triple count must equal the number of triples sent; if not, nothing else is
   done and the target is as it was.
4. One SPARQL Update request swaps it in: ``replace`` is ``MOVE`` (drop the target, then move the
   staging graph there), ``merge`` is ``ADD`` then ``DROP`` of the staging graph. Oxigraph applies an
   update request as one transaction (all or nothing), so the target is never half-replaced; other
   stores give the same guarantee only if they run one request in one transaction (Virtuoso's
   behaviour here is not verified by the tests). Steps 1-3 never touch the target on any store.
5. The target's count is read back: for ``replace`` it must equal the count sent; for ``merge`` it
   must lie between the larger of (before, sent) and before + sent.

Any failure raises ``EndpointError`` saying what happened and what state the target is in.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import rdflib
from rdflib import BNode

from szsemi import http
from szsemi.errors import EndpointError, UsageError
from szsemi.query.binding import iri_ref

MODES = ("replace", "merge")
AUTHS = http.AUTHS
DEFAULT_TIMEOUT = 600.0  # seconds for the whole push: every request, the count checks and the swap
STAGING = "urn:szsemi:staging:"
DEFAULT_CHUNK = {"gsp": 10000, "update": 500}  # Virtuoso fails above about 1,000 triples per INSERT DATA

Progress = Callable[[int, int], None]


@dataclass
class Endpoint:
    """Where a store listens, and how to log in."""

    query_url: str
    update_url: str | None = None  # default: query_url
    store_url: str | None = None  # Graph Store Protocol; None: load with SPARQL Update
    graph_param: str = "graph"  # Virtuoso's Graph Store endpoint calls it "graph-uri"
    user: str | None = None
    password: str | None = None
    auth: str = "basic"
    timeout: float = DEFAULT_TIMEOUT  # one deadline for the whole push

    def __post_init__(self) -> None:
        http.check_url(self.query_url, "--endpoint")
        if self.update_url is not None:
            http.check_url(self.update_url, "--update-endpoint")
        if self.store_url is not None:
            http.check_url(self.store_url, "--store-endpoint")

    @property
    def protocol(self) -> str:
        return "gsp" if self.store_url else "update"


@dataclass
class PushResult:
    graph: str
    mode: str
    protocol: str
    triples: int
    chunks: int
    before: int
    after: int | None = None
    dry_run: bool = False
    steps: list[str] = field(default_factory=list)


def push_content(
    content: str = "data", profile: str = "native", *, ontology: bool = True, files: list[Any] | None = None
) -> rdflib.Graph:
    """What a push sends: ``content`` in ``profile``.

    ``data`` in the native profile goes with the ontology unless ``ontology`` is False: the
    embedded graph holds both, and the stored queries read both (subclass paths, labels of terms),
    so a store that holds only the data would answer them differently. The other profiles are
    other vocabularies, which the stored queries do not read: they go as before, data alone.
    ``files`` (from ``--data`` or ``--store``) replace the shipped files of ``content``.
    """
    from szsemi.export.serialise import build, content_files

    with_ontology = content == "data" and profile == "native" and ontology
    if with_ontology:
        files = content_files("ontology") + (content_files("data") if files is None else list(files))
    return build(content, profile, files=files).union()


def staging_prefix(target: str) -> str:
    """The start of every staging graph IRI of pushes to ``target``."""
    return STAGING + hashlib.sha256(target.encode("utf-8")).hexdigest()[:24] + ":"


def staging_graph(target: str, expiry: float) -> str:
    """A staging graph for one push to ``target`` whose deadline ends at ``expiry`` (Unix time)."""
    return f"{staging_prefix(target)}{int(expiry) + 1}:{os.urandom(8).hex()}"


def _expiry(graph: str) -> int | None:
    field = graph.rsplit(":", 2)
    return int(field[1]) if len(field) == 3 and field[1].isdigit() else None


def chunks(graph: rdflib.Graph, size: int) -> list[rdflib.Graph]:
    """Cut ``graph`` into graphs of at most ``size`` triples (more only for one blank-node group)."""
    if size < 1:
        raise UsageError(f"chunk size must be at least 1, got {size}")
    parent: dict[BNode, BNode] = {}

    def find(node: BNode) -> BNode:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    triples = sorted(graph, key=lambda t: tuple(x.n3() for x in t))
    for s, _, o in triples:
        if isinstance(s, BNode) and isinstance(o, BNode):
            parent[find(s)] = find(o)
    groups: dict[tuple[str, object], list[tuple[Any, Any, Any]]] = {}
    order = []
    for i, (s, p, o) in enumerate(triples):
        node = s if isinstance(s, BNode) else o if isinstance(o, BNode) else None
        key = ("b", find(node)) if node is not None else ("t", i)
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append((s, p, o))
    result, current = [], rdflib.Graph()
    for key in order:
        unit = groups[key]
        if len(current) and len(current) + len(unit) > size:
            result.append(current)
            current = rdflib.Graph()
        for triple in unit:
            current.add(triple)
    if len(current):
        result.append(current)
    return result


def push(
    graph: rdflib.Graph,
    endpoint: Endpoint,
    target: str,
    mode: str = "replace",
    chunk_size: int | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    deadline: http.Deadline | None = None,
) -> PushResult:
    """Put ``graph`` into the named graph ``target`` of the store at ``endpoint``.

    The whole push runs within ``endpoint.timeout`` seconds (or ``deadline``, if given).
    """
    if mode not in MODES:
        raise UsageError(f"unknown mode {mode!r}: use one of {', '.join(MODES)}")
    if endpoint.auth not in AUTHS:
        raise UsageError(f"unknown auth {endpoint.auth!r}: use one of {', '.join(AUTHS)}")
    iri_ref(target, "the target graph")  # every update below writes it as <target>
    if chunk_size is not None and (isinstance(chunk_size, bool) or not isinstance(chunk_size, int)):
        raise UsageError(f"the chunk size must be a whole number >= 1, not {chunk_size!r}")
    deadline = deadline or http.Deadline(endpoint.timeout)
    client = _Client(endpoint, deadline)
    parts = chunks(graph, DEFAULT_CHUNK[endpoint.protocol] if chunk_size is None else chunk_size)
    staging = staging_graph(target, time.time() + deadline.left())
    total = len(graph)
    before = client.count(target)
    swap = (
        f"MOVE SILENT GRAPH <{staging}> TO GRAPH <{target}>"
        if mode == "replace"
        else f"ADD SILENT GRAPH <{staging}> TO GRAPH <{target}> ;\nDROP SILENT GRAPH <{staging}>"
    )
    if total == 0:  # an empty staging graph may not exist at all, and MOVE SILENT of nothing is a no-op
        swap = f"DROP SILENT GRAPH <{target}>" if mode == "replace" else f"DROP SILENT GRAPH <{staging}>"
    result = PushResult(target, mode, endpoint.protocol, total, len(parts), before, dry_run=dry_run)
    result.steps = [
        f"drop staging graphs of <{target}> left by pushes that died; stage into <{staging}>",
        f"send {total} triples in {len(parts)} chunk(s) by "
        + ("the Graph Store Protocol" if endpoint.protocol == "gsp" else "SPARQL Update"),
        f"check that the staging graph holds {total} triples",
        f"{mode} <{target}> (now {before} triples) in one update request: {swap.splitlines()[0]}"
        + (" ; DROP staging" if mode == "merge" else ""),
        "read the target's count back and compare",
    ]
    if dry_run:
        return result

    for dead in client.dead_staging(target):
        client.update(f"DROP SILENT GRAPH <{dead}>")
    sent = 0
    try:
        for part in parts:
            client.load(staging, part)
            sent += len(part)
            if progress:
                progress(sent, total)
        staged = client.count(staging)
        if staged != total:
            raise EndpointError(
                f"the staging graph holds {staged} triples after loading, not {total}: the store dropped or merged some"
            )
    except EndpointError as e:
        _cleanup(client, staging)
        raise EndpointError(f"{e}; <{target}> was not changed") from None
    try:
        client.update(swap)
    except EndpointError as e:
        raise EndpointError(
            f"{e}; the swap into <{target}> is one update request, so the store kept "
            f"either the old or the new graph: check its count"
        ) from None
    after = client.count(target)
    result.after = after
    low, high = (total, total) if mode == "replace" else (max(before, total), before + total)
    if not low <= after <= high:
        raise EndpointError(
            f"<{target}> holds {after} triples after the {mode}; expected "
            + (f"{total}" if low == high else f"{low} to {high}")
        )
    return result


def _cleanup(client: _Client, staging: str) -> None:
    try:
        client.update(f"DROP SILENT GRAPH <{staging}>")
    except EndpointError:
        pass  # the store is gone; the next push clears the staging graph first


class _Client:
    """The few requests a push needs, through the one HTTP client, with errors made readable."""

    def __init__(self, endpoint: Endpoint, deadline: http.Deadline):
        self.endpoint = endpoint
        credentials = (
            None if endpoint.user is None else http.Credentials(endpoint.user, endpoint.password or "", endpoint.auth)
        )
        # Queries (counts) are retried on transient failures; loads and updates are not repeated.
        self.http = http.Client(credentials=credentials, deadline=deadline, retries=2, user_agent="szsemi-push")

    def _send(
        self, url: str, data: bytes, content_type: str, accept: str | None = None, *, retry: bool = False
    ) -> bytes:
        try:
            return self.http.send("POST", url, data, content_type, accept, retry=retry).body
        except http.HTTPStatusError as e:
            if e.status in (401, 403):
                raise EndpointError(
                    f"{url} refused the credentials (HTTP {e.status}): check --user, "
                    f"the password in --password-env (default $SZSEMI_PASSWORD) and --auth "
                    f"(Virtuoso wants digest)"
                ) from None
            raise EndpointError(f"{url} answered HTTP {e.status}: {e.detail or e.reason}") from None

    def select(self, query: str) -> list[dict[str, dict[str, str]]]:
        body = self._send(
            self.endpoint.query_url,
            urllib.parse.urlencode({"query": query}).encode(),
            "application/x-www-form-urlencoded",
            "application/sparql-results+json",
            retry=True,
        )
        try:
            bindings = json.loads(body)["results"]["bindings"]
            if not isinstance(bindings, list):
                raise TypeError("bindings is not a list")
            return bindings
        except (ValueError, KeyError, IndexError, TypeError):
            raise EndpointError(
                f"{self.endpoint.query_url} did not answer a query with SPARQL JSON results: {body[:200]!r}"
            ) from None

    def count(self, graph: str) -> int:
        bindings = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        try:
            return int(bindings[0]["n"]["value"]) if bindings else 0
        except (ValueError, KeyError, TypeError):
            raise EndpointError(
                f"{self.endpoint.query_url} did not answer a count query with a number: {bindings[:1]!r}"
            ) from None

    def dead_staging(self, target: str) -> list[str]:
        """Staging graphs of ``target`` whose push's deadline has passed (that push is gone)."""
        prefix = staging_prefix(target)
        rows = self.select(
            f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), {json.dumps(prefix)})) }}"
        )
        now = time.time()
        found = [row.get("g", {}).get("value", "") for row in rows]
        return [g for g in found if g.startswith(prefix) and (_expiry(g) or now) < now]

    def update(self, text: str) -> None:
        url = self.endpoint.update_url or self.endpoint.query_url
        self._send(url, urllib.parse.urlencode({"update": text}).encode(), "application/x-www-form-urlencoded")

    def load(self, graph: str, part: rdflib.Graph) -> None:
        nt = part.serialize(format="nt", encoding="utf-8")
        if self.endpoint.store_url:
            sep = "&" if "?" in self.endpoint.store_url else "?"
            url = f"{self.endpoint.store_url}{sep}{urllib.parse.urlencode({self.endpoint.graph_param: graph})}"
            self._send(url, nt, "text/turtle")
        else:
            # Blank nodes in a template make fresh nodes, one set per request: what a document does.
            # Some stores (Virtuoso) refuse them in INSERT DATA, so such chunks use INSERT ... WHERE {}.
            has_bnode = any(isinstance(t, BNode) for triple in part for t in triple)
            head = "INSERT" if has_bnode else "INSERT DATA"
            tail = " WHERE {}" if has_bnode else ""
            self.update(f"{head} {{ GRAPH <{graph}> {{\n{nt.decode('utf-8')}}} }}{tail}")


def read_back(endpoint: Endpoint, graph: str) -> rdflib.Graph:
    """The named graph's triples, by CONSTRUCT (for checks and tests)."""
    client = _Client(endpoint, http.Deadline(endpoint.timeout))
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    body = client._send(
        endpoint.query_url,
        urllib.parse.urlencode({"query": query}).encode(),
        "application/x-www-form-urlencoded",
        "application/n-triples",
        retry=True,
    )
    return rdflib.Graph().parse(data=body, format="nt")
