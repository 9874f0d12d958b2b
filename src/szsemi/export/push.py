"""Push a graph into a running triple store, atomically and verified.

Protocol: the SPARQL 1.1 Graph Store Protocol (HTTP POST of Turtle to ``store_url?graph=IRI``) when the
store offers it, SPARQL 1.1 Update (``INSERT DATA``) otherwise; counts and the swap go through the
query and update endpoints. Only the standard library is used (``urllib``), and only the ``push``
command imports this module.

How a push goes, in either mode:

1. The triples are cut into chunks of at most ``chunk_size`` triples; triples that share a blank node
   always travel together (each request is its own document, so a blank node split over two requests
   would become two).
2. The chunks go into a staging graph ``urn:szsemi:staging:<hash of the target IRI>`` (cleared first,
   so a staging graph left by a push that died is cleaned up by the next one).
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

import base64
import hashlib
import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field

import rdflib
from rdflib import BNode

from szsemi.query.binding import iri_ref
from szsemi.errors import EndpointError, UsageError

MODES = ("replace", "merge")
AUTHS = ("basic", "digest")
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
    timeout: float = 120.0

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


def staging_graph(target: str) -> str:
    return "urn:szsemi:staging:" + hashlib.sha256(target.encode("utf-8")).hexdigest()[:24]


def chunks(graph: rdflib.Graph, size: int) -> list[rdflib.Graph]:
    """Cut ``graph`` into graphs of at most ``size`` triples (more only for one blank-node group)."""
    if size < 1:
        raise UsageError(f"chunk size must be at least 1, got {size}")
    parent: dict = {}

    def find(node):
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    triples = sorted(graph, key=lambda t: tuple(x.n3() for x in t))
    for s, _, o in triples:
        if isinstance(s, BNode) and isinstance(o, BNode):
            parent[find(s)] = find(o)
    groups: dict = {}
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


def push(graph: rdflib.Graph, endpoint: Endpoint, target: str, mode: str = "replace",
         chunk_size: int | None = None, dry_run: bool = False, progress: Progress | None = None) -> PushResult:
    """Put ``graph`` into the named graph ``target`` of the store at ``endpoint``."""
    if mode not in MODES:
        raise UsageError(f"unknown mode {mode!r}: use one of {', '.join(MODES)}")
    if endpoint.auth not in AUTHS:
        raise UsageError(f"unknown auth {endpoint.auth!r}: use one of {', '.join(AUTHS)}")
    iri_ref(target, "the target graph")  # every update below writes it as <target>
    client = _Client(endpoint)
    parts = chunks(graph, chunk_size or DEFAULT_CHUNK[endpoint.protocol])
    staging = staging_graph(target)
    total = len(graph)
    before = client.count(target)
    swap = (f"MOVE SILENT GRAPH <{staging}> TO GRAPH <{target}>" if mode == "replace" else
            f"ADD SILENT GRAPH <{staging}> TO GRAPH <{target}> ;\nDROP SILENT GRAPH <{staging}>")
    if total == 0:  # an empty staging graph may not exist at all, and MOVE SILENT of nothing is a no-op
        swap = f"DROP SILENT GRAPH <{target}>" if mode == "replace" else f"DROP SILENT GRAPH <{staging}>"
    result = PushResult(target, mode, endpoint.protocol, total, len(parts), before, dry_run=dry_run)
    result.steps = [
        f"clear the staging graph <{staging}>",
        f"send {total} triples in {len(parts)} chunk(s) by "
        + ("the Graph Store Protocol" if endpoint.protocol == "gsp" else "SPARQL Update"),
        f"check that the staging graph holds {total} triples",
        f"{mode} <{target}> (now {before} triples) in one update request: {swap.splitlines()[0]}"
        + (" ; DROP staging" if mode == "merge" else ""),
        "read the target's count back and compare",
    ]
    if dry_run:
        return result

    client.update(f"DROP SILENT GRAPH <{staging}>")
    sent = 0
    try:
        for part in parts:
            client.load(staging, part)
            sent += len(part)
            if progress:
                progress(sent, total)
        staged = client.count(staging)
        if staged != total:
            raise EndpointError(f"the staging graph holds {staged} triples after loading, not {total}: "
                                f"the store dropped or merged some")
    except EndpointError as e:
        _cleanup(client, staging)
        raise EndpointError(f"{e}; <{target}> was not changed") from None
    try:
        client.update(swap)
    except EndpointError as e:
        raise EndpointError(f"{e}; the swap into <{target}> is one update request, so the store kept "
                            f"either the old or the new graph: check its count") from None
    after = client.count(target)
    result.after = after
    low, high = (total, total) if mode == "replace" else (max(before, total), before + total)
    if not low <= after <= high:
        raise EndpointError(f"<{target}> holds {after} triples after the {mode}; expected "
                            + (f"{total}" if low == high else f"{low} to {high}"))
    return result


def _cleanup(client: "_Client", staging: str) -> None:
    try:
        client.update(f"DROP SILENT GRAPH <{staging}>")
    except EndpointError:
        pass  # the store is gone; the next push clears the staging graph first


class _Client:
    """The few HTTP requests a push needs, with errors turned into EndpointError."""

    def __init__(self, endpoint: Endpoint):
        self.endpoint = endpoint
        handlers = []
        self.headers = {"User-Agent": "szsemi-push"}
        if endpoint.user is not None:
            if endpoint.auth == "basic":
                token = base64.b64encode(f"{endpoint.user}:{endpoint.password or ''}".encode()).decode()
                self.headers["Authorization"] = f"Basic {token}"
            else:
                manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
                for url in (endpoint.query_url, endpoint.update_url, endpoint.store_url):
                    if url:
                        manager.add_password(None, url, endpoint.user, endpoint.password or "")
                handlers.append(urllib.request.HTTPDigestAuthHandler(manager))
        self.opener = urllib.request.build_opener(*handlers)

    def _send(self, url: str, data: bytes, content_type: str, accept: str | None = None) -> bytes:
        headers = dict(self.headers, **{"Content-Type": content_type})
        if accept:
            headers["Accept"] = accept
        request = urllib.request.Request(url, data=data, headers=headers, method="POST")
        try:
            with self.opener.open(request, timeout=self.endpoint.timeout) as response:
                return response.read()
        except urllib.error.HTTPError as e:
            body = e.read().decode("utf-8", "replace").strip().replace("\n", " ")[:300]
            if e.code in (401, 403):
                raise EndpointError(f"{url} refused the credentials (HTTP {e.code}): check --user, "
                                    f"the password in --password-env (default $SZSEMI_PASSWORD) and --auth "
                                    f"(Virtuoso wants digest)") from None
            raise EndpointError(f"{url} answered HTTP {e.code}: {body or e.reason}") from None
        except urllib.error.URLError as e:
            raise EndpointError(f"cannot reach {url}: {e.reason}") from None
        except (socket.timeout, TimeoutError):
            raise EndpointError(f"{url} did not answer within {self.endpoint.timeout:g} s") from None
        except (ConnectionError, OSError) as e:
            raise EndpointError(f"connection to {url} failed: {e}") from None

    def count(self, graph: str) -> int:
        query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        body = self._send(self.endpoint.query_url, urllib.parse.urlencode({"query": query}).encode(),
                          "application/x-www-form-urlencoded", "application/sparql-results+json")
        try:
            bindings = json.loads(body)["results"]["bindings"]
            return int(bindings[0]["n"]["value"]) if bindings else 0
        except (ValueError, KeyError, IndexError, TypeError):
            raise EndpointError(f"{self.endpoint.query_url} did not answer a count query with SPARQL "
                                f"JSON results: {body[:200]!r}") from None

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
    client = _Client(endpoint)
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    body = client._send(endpoint.query_url, urllib.parse.urlencode({"query": query}).encode(),
                        "application/x-www-form-urlencoded", "application/n-triples")
    return rdflib.Graph().parse(data=body, format="nt")

