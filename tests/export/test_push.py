"""szsemi push against real stores: round trips on Oxigraph and Virtuoso, and the faults (server stopped
mid-replace, wrong credentials, unreachable endpoint, a rejected chunk): exit 3, a clear message, and
the target graph as it was."""

from __future__ import annotations

import io

import pytest
import rdflib
from rdfcheck import assert_isomorphic
from rdflib import Literal, URIRef
from servers import free_port

from szsemi.cli.main import main
from szsemi.errors import EndpointError, UsageError
from szsemi.export.push import STAGING, Endpoint, chunks, push, push_content, read_back
from szsemi.export.serialise import build

pytestmark = pytest.mark.server

TARGET = "https://w3id.org/szsemi/id/graph/test-target"


@pytest.fixture(scope="module")
def data_graph():
    return build("data").union()


@pytest.fixture(scope="module")
def all_graph():
    return build("all").union()


def oxigraph_endpoint(server, gsp: bool = True) -> Endpoint:
    return Endpoint(server.query_url, server.update_url, server.store_url if gsp else None)


def virtuoso_endpoint(server, gsp: bool = True, password: str | None = None) -> Endpoint:
    return Endpoint(
        server.query_url,
        server.update_url,
        server.store_url if gsp else None,
        graph_param=server.graph_param,
        user=server.user,
        password=server.password if password is None else password,
        auth="digest",
    )


def count(endpoint: Endpoint, graph: str) -> int:
    return len(read_back(endpoint, graph))


def staging_left(endpoint: Endpoint) -> list[str]:
    """The staging graphs that hold triples on the store (a finished push leaves none)."""
    import json
    import urllib.parse
    import urllib.request

    query = f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), {json.dumps(STAGING)})) }}"
    request = urllib.request.Request(
        endpoint.query_url,
        urllib.parse.urlencode({"query": query}).encode(),
        {"Accept": "application/sparql-results+json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return [row["g"]["value"] for row in json.load(response)["results"]["bindings"]]


def run(*argv: str, err=None) -> tuple[int, str, str]:
    out, err = io.StringIO(), err or io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def small(graph: rdflib.Graph, n: int) -> rdflib.Graph:
    """The first ``n`` triples without blank nodes: a different, smaller graph."""
    result = rdflib.Graph()
    for triple in sorted(graph, key=lambda t: tuple(x.n3() for x in t)):
        if not any(isinstance(x, rdflib.BNode) for x in triple):
            result.add(triple)
            if len(result) == n:
                break
    return result


# Round trips ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("gsp", [True, False], ids=["graph-store", "update"])
def test_oxigraph_round_trip_replace_then_merge(oxigraph_server, all_graph, data_graph, gsp):
    endpoint = oxigraph_endpoint(oxigraph_server, gsp)
    seen = []
    result = push(all_graph, endpoint, TARGET, chunk_size=700, progress=lambda a, b: seen.append((a, b)))
    assert result.after == len(all_graph) and result.chunks == len(seen) > 1
    assert seen[-1] == (len(all_graph), len(all_graph))
    assert [a for a, _ in seen] == sorted(a for a, _ in seen)
    assert_isomorphic(read_back(endpoint, TARGET), all_graph, values=True, what="oxigraph after replace")
    assert staging_left(endpoint) == []

    # A replace with a smaller graph leaves nothing of the old one.
    smaller = small(data_graph, 100)
    push(smaller, endpoint, TARGET)
    assert_isomorphic(read_back(endpoint, TARGET), smaller, values=True, what="oxigraph after second replace")

    # A merge adds; the triples already there are not doubled.
    result = push(data_graph, endpoint, TARGET, mode="merge")
    assert result.before == 100 and result.after == len(data_graph)
    assert_isomorphic(read_back(endpoint, TARGET), data_graph, values=True, what="oxigraph after merge")


@pytest.mark.parametrize("gsp", [True, False], ids=["graph-store", "update"])
def test_virtuoso_round_trip(virtuoso_server, all_graph, gsp):
    endpoint = virtuoso_endpoint(virtuoso_server, gsp)
    target = f"{TARGET}/virtuoso-{'gsp' if gsp else 'update'}"
    result = push(all_graph, endpoint, target, chunk_size=None if gsp else 400)
    assert result.after == len(all_graph)
    assert_isomorphic(read_back(endpoint, target), all_graph, values=True, what="virtuoso round trip")
    assert staging_left(endpoint) == []


def test_cli_push_to_oxigraph_prints_the_verified_count(oxigraph_server, data_graph):
    # By default the data goes with the ontology (what the embedded graph holds and the queries read).
    default = push_content()
    # blank-node labels are canonical over the whole graph (RDFC-1.0), so compare the ground triples
    ground = lambda graph: {t for t in graph if not any(isinstance(term, rdflib.BNode) for term in t)}  # noqa: E731
    assert len(default) > len(data_graph) and ground(data_graph) <= ground(default)
    code, out, err = run(
        "push",
        "--endpoint",
        oxigraph_server.query_url,
        "--update-endpoint",
        oxigraph_server.update_url,
        "--store-endpoint",
        oxigraph_server.store_url,
        "--graph",
        TARGET,
    )
    assert code == 0, err
    assert f"now holds {len(default)} triples" in out and "count verified" in out
    assert f"sent {len(default)}/{len(default)} triples (100%)" in err
    assert_isomorphic(read_back(oxigraph_endpoint(oxigraph_server), TARGET), default, values=True)
    code, out, err = run(
        "push",
        "--endpoint",
        oxigraph_server.query_url,
        "--update-endpoint",
        oxigraph_server.update_url,
        "--graph",
        TARGET,
        "--without-ontology",
    )
    assert code == 0, err
    assert_isomorphic(read_back(oxigraph_endpoint(oxigraph_server), TARGET), data_graph, values=True)


def test_dry_run_changes_nothing(oxigraph_server, data_graph):
    endpoint = oxigraph_endpoint(oxigraph_server)
    old = small(data_graph, 50)
    push(old, endpoint, TARGET)
    code, out, err = run(
        "push",
        "--endpoint",
        oxigraph_server.query_url,
        "--update-endpoint",
        oxigraph_server.update_url,
        "--graph",
        TARGET,
        "--dry-run",
    )
    assert code == 0, err
    assert "dry run: would replace" in out and "now 50 triples" in out and f"send {len(push_content())} triples" in out
    assert_isomorphic(read_back(endpoint, TARGET), old, values=True)


def test_replacing_with_an_empty_graph_empties_the_target(oxigraph_server, data_graph):
    endpoint = oxigraph_endpoint(oxigraph_server)
    push(small(data_graph, 30), endpoint, TARGET)
    result = push(rdflib.Graph(), endpoint, TARGET)
    assert (result.before, result.after) == (30, 0)
    assert count(endpoint, TARGET) == 0


def test_chunks_keep_blank_node_groups_whole(all_graph):
    parts = chunks(all_graph, 50)
    assert sum(len(p) for p in parts) == len(all_graph)
    owner = {}
    for i, part in enumerate(parts):
        for triple in part:
            for term in triple:
                if isinstance(term, rdflib.BNode):
                    assert owner.setdefault(term, i) == i, "a blank node spans two chunks"


# Faults ---------------------------------------------------------------------------------------------


class StopServerOnProgress(io.StringIO):
    """A stderr that stops the server when the first chunk has gone: the push dies mid-replace."""

    def __init__(self, server):
        super().__init__()
        self.server = server

    def write(self, text):
        if "sent" in text and self.server.process.poll() is None:
            self.server.stop()
        return super().write(text)


@pytest.mark.hostile(
    what="the store is stopped while a push loads its chunks",
    result="exit 3 saying the target was not changed; the old graph is intact after a restart, "
    "and the next push succeeds",
    kind="fault",
)
def test_server_stopped_mid_replace_leaves_the_old_graph(oxigraph_server, data_graph, all_graph, monkeypatch):
    endpoint = oxigraph_endpoint(oxigraph_server)
    push(data_graph, endpoint, TARGET)
    code, out, err = run(
        "push",
        "--endpoint",
        oxigraph_server.query_url,
        "--update-endpoint",
        oxigraph_server.update_url,
        "--store-endpoint",
        oxigraph_server.store_url,
        "--graph",
        TARGET,
        "--content",
        "all",
        "--chunk-size",
        "300",
        err=StopServerOnProgress(oxigraph_server),
    )
    assert code == 3
    assert "cannot reach" in err or "connection" in err
    assert f"<{TARGET}> was not changed" in err
    oxigraph_server.start()  # same port, same on-disk location
    assert_isomorphic(read_back(endpoint, TARGET), data_graph, values=True, what="target after restart")
    assert len(staging_left(endpoint)) == 1  # the dead push's
    # A push after the dead one's deadline drops the staging graph it left, and succeeds.
    import szsemi.export.push

    later = szsemi.export.push.time.time() + 3600
    monkeypatch.setattr(szsemi.export.push.time, "time", lambda: later)
    assert push(all_graph, endpoint, TARGET).after == len(all_graph)
    assert staging_left(endpoint) == []


@pytest.mark.hostile(
    what="a push with a wrong password (Virtuoso, Digest)",
    result="exit 3 naming the refused credentials; the target is unchanged",
    kind="input",
)
def test_wrong_credentials_on_virtuoso_exit_3_and_change_nothing(virtuoso_server, data_graph, monkeypatch):
    target = f"{TARGET}/virtuoso-credentials"
    old = small(data_graph, 40)
    push(old, virtuoso_endpoint(virtuoso_server), target)
    monkeypatch.setenv("SZSEMI_PASSWORD", "not-the-password")
    code, out, err = run(
        "push",
        "--endpoint",
        virtuoso_server.query_url,
        "--update-endpoint",
        virtuoso_server.update_url,
        "--store-endpoint",
        virtuoso_server.store_url,
        "--graph-param",
        "graph-uri",
        "--graph",
        target,
        "--user",
        "dba",
        "--auth",
        "digest",
    )
    assert code == 3
    assert "refused the credentials (HTTP 401)" in err
    assert_isomorphic(read_back(virtuoso_endpoint(virtuoso_server), target), old, values=True)


def test_basic_auth_where_digest_is_wanted_is_refused_clearly(virtuoso_server, data_graph):
    endpoint = virtuoso_endpoint(virtuoso_server)
    endpoint.auth = "basic"
    with pytest.raises(EndpointError, match="refused the credentials"):
        push(small(data_graph, 5), endpoint, f"{TARGET}/virtuoso-basic")


@pytest.mark.hostile(what="a push to a port where nothing listens", result="exit 3 naming the URL", kind="fault")
def test_unreachable_endpoint_exits_3():
    url = f"http://127.0.0.1:{free_port()}/query"
    code, out, err = run("push", "--endpoint", url, "--graph", TARGET, "--timeout", "5")
    assert code == 3
    assert f"cannot reach {url}" in err
    assert out == ""


@pytest.mark.hostile(
    what="the store refuses one chunk in the middle of a push",
    result="exit 3 with the store's message; the target is unchanged and no staging graph is left",
    kind="fault",
)
def test_a_rejected_chunk_stops_the_push_and_keeps_the_target(oxigraph_server, data_graph):
    endpoint = oxigraph_endpoint(oxigraph_server)
    old = small(data_graph, 60)
    push(old, endpoint, TARGET)
    bad = rdflib.Graph()
    bad += data_graph
    # A language tag rdflib lets through and Oxigraph's BCP 47 parser refuses (a subtag over 8
    # letters); its subject sorts last, so the chunks before it are already in the staging graph.
    bad.add((URIRef("https://w3id.org/szsemi/id/zz-test/rejected"), rdflib.RDFS.label, Literal("x", lang="abcdefghij")))
    seen = []
    with pytest.raises(EndpointError) as caught:
        push(bad, endpoint, TARGET, chunk_size=200, progress=lambda a, b: seen.append(a))
    assert seen and seen[-1] < len(bad)  # some chunks went in before the store refused one
    message = str(caught.value)
    assert "answered HTTP 400" in message and "eight characters" in message and f"<{TARGET}> was not changed" in message
    assert_isomorphic(read_back(endpoint, TARGET), old, values=True, what="target after a rejected chunk")
    assert staging_left(endpoint) == []


@pytest.mark.hostile(
    what="a push target graph that is relative or carries SPARQL or control characters",
    result="exit 2 before any request",
    kind="input",
)
@pytest.mark.parametrize(
    "bad",
    [
        "graph/relative",
        "http://example.org/g> } ; DROP ALL ; INSERT DATA { GRAPH <x",
        "http://example.org/g\r",
        "http://example.org/a b",
        "http://example.org/g\x01",
    ],
)
def test_a_target_that_is_not_an_absolute_iri_is_refused_before_any_request(bad):
    # The endpoint is never contacted: nothing listens there, and a request would fail with exit 3.
    with pytest.raises(UsageError, match="the target graph"):
        push(rdflib.Graph(), Endpoint("http://127.0.0.1:1/query"), bad)


# --------------------------------------------------------------------------------------------
# After a default push, every stored query answers on the store as on the embedded graph
# --------------------------------------------------------------------------------------------


def _default_push(server, target: str, monkeypatch) -> None:
    """The README's push, with nothing but the endpoints (and Virtuoso's login) given."""
    argv = [
        "push",
        "--endpoint",
        server.query_url,
        "--update-endpoint",
        server.update_url,
        "--store-endpoint",
        server.store_url,
        "--graph",
        target,
    ]
    if server.name == "virtuoso":
        monkeypatch.setenv("SZSEMI_PASSWORD", server.password)
        argv += ["--graph-param", server.graph_param, "--auth", "digest", "--user", server.user]
    code, _, err = run(*argv)
    assert code == 0, err


def _as_seen(result, ordered: bool = False) -> object:
    """An answer as a user reads it: rows of terms (in order if the query orders them, else as a
    multiset); a boolean; triples as a graph (compared by isomorphism)."""
    from collections import Counter

    import pyoxigraph as ox

    if result.form == "SELECT":
        rows = [tuple(sorted((k, str(v)) for k, v in row.items())) for row in result.rows]
        return rows if ordered else Counter(rows)
    if result.form == "ASK":
        return result.boolean
    text = ox.serialize(result.triples, format=ox.RdfFormat.N_TRIPLES) or b""
    return rdflib.Graph().parse(data=text, format="nt")


@pytest.mark.parametrize("store", ["oxigraph", "virtuoso"])
def test_after_a_default_push_every_stored_query_answers_like_the_embedded_graph(store, request, monkeypatch):
    from szsemi.graph.load import load_shipped
    from szsemi.query.catalogue import load_catalogue
    from szsemi.query.engines import LocalEngine, RemoteEngine
    from szsemi.query.execute import run_stored

    server = request.getfixturevalue(f"{store}_server")
    target = f"{TARGET}/default-push-{store}"
    _default_push(server, target, monkeypatch)
    local = LocalEngine(load_shipped())
    catalogue = load_catalogue()
    assert len(catalogue) >= 25
    differ = []
    for name, query in catalogue.items():
        remote = RemoteEngine(server.query_url, graph=target, retries=0, timeout=60)
        ordered = "ORDER BY" in query.text.upper()
        here = _as_seen(run_stored(query, local), ordered)
        there = _as_seen(run_stored(query, remote), ordered)
        if isinstance(here, rdflib.Graph):
            assert_isomorphic(there, here, values=True, what=f"{name} on {store}")
        elif here != there:
            differ.append(name)
    assert differ == [], f"{len(differ)} of {len(catalogue)} stored queries answer differently on {store}"


def test_without_the_ontology_the_queries_that_read_it_answer_differently(oxigraph_server, monkeypatch):
    """Why the ontology goes by default: the data alone changes the answers (the old default)."""
    from szsemi.graph.load import load_shipped
    from szsemi.query.catalogue import load_catalogue
    from szsemi.query.engines import LocalEngine, RemoteEngine
    from szsemi.query.execute import run_stored

    code, _, err = run(
        "push",
        "--endpoint",
        oxigraph_server.query_url,
        "--update-endpoint",
        oxigraph_server.update_url,
        "--graph",
        TARGET,
        "--without-ontology",
    )
    assert code == 0, err
    local, remote = LocalEngine(load_shipped()), RemoteEngine(oxigraph_server.query_url, graph=TARGET)
    query = load_catalogue()["get-park-location"]  # reads the ontology's subclass paths and labels
    assert _as_seen(run_stored(query, local)) != _as_seen(run_stored(query, remote))


@pytest.mark.hostile(
    what="two pushes of different graphs to the same target at the same time, their chunks interleaved",
    result="each stages in its own graph; the target holds exactly "
    "one of the two graphs; a push whose swap was overtaken says so (exit 3)",
    kind="fault",
)
def test_concurrent_pushes_to_one_graph_never_share_a_staging_graph(oxigraph_server, data_graph):
    import threading

    endpoint = oxigraph_endpoint(oxigraph_server)
    first, second = small(data_graph, 400), small(data_graph, 300)
    both_staged = threading.Barrier(2, timeout=30)
    results: dict[str, object] = {}

    def run_push(name: str, graph: rdflib.Graph) -> None:
        def progress(sent: int, total: int) -> None:
            if sent == 100:  # each has one chunk in its staging graph: now let both go on
                both_staged.wait()

        try:
            results[name] = push(graph, endpoint, TARGET, chunk_size=100, progress=progress)
        except Exception as e:  # noqa: BLE001 - reported by the assertion below
            results[name] = e

    threads = [threading.Thread(target=run_push, args=a) for a in (("first", first), ("second", second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    # Both staged and swapped; a push whose read-back saw the other's graph reports it, nothing else.
    for outcome in results.values():
        assert not isinstance(outcome, Exception) or "after the replace; expected" in str(outcome), outcome
    assert sum(not isinstance(outcome, Exception) for outcome in results.values()) >= 1
    held = read_back(endpoint, TARGET)
    assert len(held) in (len(first), len(second))
    assert_isomorphic(held, first if len(held) == len(first) else second, values=True)
    assert staging_left(endpoint) == []
