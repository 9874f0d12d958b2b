"""A real ``szsemi serve`` on 127.0.0.1: SPARQLWrapper and rdflib's SPARQLStore as clients, the
deadline, and a bounded load test while a runaway query runs."""

# ruff: noqa: F811 - the fixtures imported from serving are the tests' parameters

from __future__ import annotations

import concurrent.futures
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from serving import HEAVY, MAX_ROWS, TIMEOUT, live_server  # noqa: F401 - fixture

pytestmark = pytest.mark.server
NAME = (
    "SELECT ?label WHERE { <https://w3id.org/szsemi/id/place/pingshan-district> "
    "<http://www.w3.org/2004/02/skos/core#prefLabel> ?label }"
)


def _get(url: str, timeout: float = 30) -> tuple[int, bytes, float]:
    start = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read(), time.monotonic() - start
    except urllib.error.HTTPError as e:
        return e.code, e.read(), time.monotonic() - start


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_sparqlwrapper_reads_every_select_format(live_server, fmt):
    from SPARQLWrapper import CSV, JSON, TSV, XML, SPARQLWrapper

    client = SPARQLWrapper(live_server.base_url + "/sparql")
    client.setQuery(NAME)
    client.setReturnFormat({"json": JSON, "xml": XML, "csv": CSV, "tsv": TSV}[fmt])
    result = client.query().convert()
    if fmt == "json":
        labels = {b["label"]["value"] for b in result["results"]["bindings"]}
    elif fmt == "xml":
        labels = {n.firstChild.data for n in result.getElementsByTagName("literal")}
    else:
        labels = {line.strip().strip('"').split('"@')[0] for line in result.decode().splitlines()[1:]}
    assert labels == {"Pingshan District", "坪山区"}


def test_sparqlwrapper_construct_and_ask(live_server):
    from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

    client = SPARQLWrapper(live_server.base_url + "/sparql")
    client.setQuery(
        "CONSTRUCT { ?s ?p ?o } WHERE { BIND(<https://w3id.org/szsemi/id/place/pingshan-district> AS ?s) ?s ?p ?o }"
    )
    client.setReturnFormat(TURTLE)
    import rdflib

    graph = rdflib.Graph().parse(data=client.query().convert(), format="turtle")
    assert (None, rdflib.namespace.SKOS.prefLabel, rdflib.Literal("坪山区", lang="zh-Hans")) in graph
    client.setQuery("ASK { ?s ?p ?o }")
    client.setReturnFormat(JSON)
    assert client.query().convert()["boolean"] is True


def test_rdflib_sparqlstore_reads_the_endpoint(live_server):
    import rdflib
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    graph = rdflib.Graph(store=SPARQLStore(query_endpoint=live_server.base_url + "/sparql"))
    labels = {str(row[0]) for row in graph.query(NAME)}
    assert labels == {"Pingshan District", "坪山区"}
    assert graph.query("ASK { ?s ?p ?o }").askAnswer is True


@pytest.mark.hostile(
    what="a query that runs far past --timeout",
    result="503 naming the limit; other requests answered meanwhile",
    kind="fault",
)
def test_a_runaway_query_is_stopped_and_others_are_answered_meanwhile(live_server):
    heavy: dict[str, tuple[int, bytes, float]] = {}
    runner = threading.Thread(
        target=lambda: heavy.update(
            answer=_get(live_server.base_url + "/sparql?" + urllib.parse.urlencode({"query": HEAVY}))
        )
    )
    runner.start()
    light = live_server.base_url + "/sparql?" + urllib.parse.urlencode({"query": NAME})
    answers = []
    while runner.is_alive():
        answers.append(_get(light))
        time.sleep(0.05)
    runner.join()
    status, body, _ = heavy["answer"]
    assert 500 <= status < 600 and f"{TIMEOUT:g} s" in body.decode() and "--timeout" in body.decode()
    assert answers and all(code == 200 for code, _, _ in answers)
    assert max(seconds for _, _, seconds in answers) < 2  # the bound for requests meanwhile
    # the stopped worker was replaced: the server still answers, with every worker
    for _ in range(4):
        assert _get(light)[0] == 200


def test_load_eight_clients_300_requests_while_a_heavy_query_runs(live_server):
    base = live_server.base_url
    runner = threading.Thread(target=_get, args=(base + "/sparql?" + urllib.parse.urlencode({"query": HEAVY}),))
    runner.start()
    urls = [
        base + "/sparql?" + urllib.parse.urlencode({"query": NAME}),
        base + "/api/queries/get-within-travel-time",
        base + "/id/place/pingshan-district",
        base + "/",
    ]
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as clients:
        answers = list(clients.map(lambda i: _get(urls[i % len(urls)]), range(300)))
    runner.join()
    assert len(answers) == 300
    assert all(status == 200 for status, _, _ in answers), {s for s, _, _ in answers}
    assert json.loads(answers[0][1])["results"]["bindings"]


def test_capped_answer_over_http(live_server):
    status, body, _ = _get(
        live_server.base_url + "/sparql?" + urllib.parse.urlencode({"query": "SELECT * WHERE { ?s ?p ?o }"})
    )
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == MAX_ROWS
