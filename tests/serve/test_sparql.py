"""/sparql: the SPARQL 1.1 Protocol, content negotiation, read-only, errors, the row cap."""

# ruff: noqa: F811 - the fixtures imported from serving are the tests' parameters

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest
from serving import MAX_ROWS, client  # noqa: F401 - fixture

NAME = (
    "SELECT ?label WHERE { <https://w3id.org/szsemi/id/park/colorful-silicon-valley> "
    "<http://www.w3.org/2004/02/skos/core#prefLabel> ?label }"
)
GRAPH = (
    "CONSTRUCT { ?s ?p ?o } WHERE { BIND(<https://w3id.org/szsemi/id/park/colorful-silicon-valley> AS ?s) ?s ?p ?o }"
)
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def _labels_json(text: str) -> set[str]:
    return {b["label"]["value"] for b in json.loads(text)["results"]["bindings"]}


def test_get_direct_post_and_form_post_give_the_same_answer(client):
    get = client.get("/sparql", params={"query": NAME})
    direct = client.post("/sparql", content=NAME.encode(), headers={"Content-Type": "application/sparql-query"})
    form = client.post("/sparql", data={"query": NAME})
    assert [r.status_code for r in (get, direct, form)] == [200, 200, 200]
    assert _labels_json(get.text) == _labels_json(direct.text) == _labels_json(form.text) == {"Colorful Silicon Valley"}


@pytest.mark.parametrize(
    "accept, media",
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/csv;q=0.4, text/tab-separated-values;q=0.9", "text/tab-separated-values"),
        ("text/html;q=0.9, application/sparql-results+xml;q=0.5", "application/sparql-results+xml"),
        ("*/*", "application/sparql-results+json"),
    ],
)
def test_select_negotiates_by_q_values(client, accept, media):
    response = client.post("/sparql", data={"query": NAME}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    assert response.headers["vary"] == "Accept"
    if media == "text/csv":
        assert list(csv.reader(io.StringIO(response.text))) == [["label"], ["Colorful Silicon Valley"]]
    if media == "application/sparql-results+xml":
        ns = {"r": "http://www.w3.org/2005/sparql-results#"}
        assert [x.text for x in ET.fromstring(response.content).iterfind(".//r:literal", ns)] == [
            "Colorful Silicon Valley"
        ]
    if media == "text/tab-separated-values":
        assert response.text.splitlines() == ["?label", '"Colorful Silicon Valley"@en']


def test_ask_answers_in_json_and_xml(client):
    yes = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert json.loads(yes.text)["boolean"] is True
    xml = client.get(
        "/sparql",
        params={"query": "ASK { <http://e/nothing> ?p ?o }"},
        headers={"Accept": "application/sparql-results+xml"},
    )
    assert "<boolean>false</boolean>" in xml.text


@pytest.mark.parametrize(
    "accept, fmt",
    [
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
    ],
)
def test_construct_in_every_rdf_format_holds_the_same_triples(client, accept, fmt):
    import rdflib
    from rdfcheck import assert_isomorphic

    response = client.get("/sparql", params={"query": GRAPH}, headers={"Accept": accept})
    assert response.status_code == 200 and response.headers["content-type"].startswith(accept)
    # read by pyoxigraph (rdflib's JSON-LD parser warns), compared by rdflib as N-Triples
    triples = [q.triple for q in ox.parse(response.content, format=fmt)]
    got = rdflib.Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    reference = client.get("/sparql", params={"query": GRAPH}, headers={"Accept": "application/n-triples"})
    assert_isomorphic(got, rdflib.Graph().parse(data=reference.content, format="nt"), what=accept)
    assert len(got) > 20


@pytest.mark.hostile(
    what="a SELECT asked for as text/html only", result="406 listing the formats on offer", kind="input"
)
def test_nothing_acceptable_is_406_with_the_list(client):
    response = client.post("/sparql", data={"query": NAME}, headers={"Accept": "image/png"})
    assert response.status_code == 406
    for media in (
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ):
        assert media in response.text
    graph = client.post("/sparql", data={"query": GRAPH}, headers={"Accept": "text/csv"})
    assert graph.status_code == 406 and "text/turtle" in graph.text


@pytest.mark.hostile(
    what="SPARQL Update by form, by direct POST, and as a query",
    result="400 read-only; the graph unchanged",
    kind="input",
)
def test_updates_are_refused_and_the_graph_is_unchanged(client):
    before = client.get("/sparql", params={"query": COUNT}).json()["results"]["bindings"][0]["n"]["value"]
    update = "INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }"
    answers = [
        client.post("/sparql", data={"update": update}),
        client.post("/sparql", content=update, headers={"Content-Type": "application/sparql-update"}),
        client.get("/sparql", params={"query": update}),
        client.get("/sparql", params={"update": update}),
    ]
    for answer in answers:
        assert answer.status_code == 400 and "read-only" in answer.text
    after = client.get("/sparql", params={"query": COUNT}).json()["results"]["bindings"][0]["n"]["value"]
    assert after == before
    assert client.put("/sparql", content=update).status_code == 405


@pytest.mark.hostile(what="a query with a syntax error", result="400 with the parser's message and place", kind="input")
def test_syntax_error_is_400_with_the_parsers_message(client):
    response = client.get("/sparql", params={"query": "SELECT ?s WHERE { ?s ?p "})
    assert response.status_code == 400
    assert "does not parse" in response.text and "1:" in response.text  # the parser's line:column


@pytest.mark.hostile(what="SERVICE to another endpoint", result="400: the endpoint never calls out", kind="input")
def test_service_is_refused(client):
    response = client.get("/sparql", params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"})
    assert response.status_code == 400 and "SERVICE" in response.text
    # the word inside a string is no SERVICE call
    ok = client.get("/sparql", params={"query": 'SELECT * WHERE { BIND("SERVICE" AS ?x) }'})
    assert ok.status_code == 200


@pytest.mark.hostile(what="POST with an unknown content type", result="415 naming the two accepted ones", kind="input")
def test_unknown_post_content_type_is_415(client):
    response = client.post("/sparql", content=NAME, headers={"Content-Type": "text/plain"})
    assert response.status_code == 415 and "application/sparql-query" in response.text


def test_a_capped_answer_says_so_in_its_headers(client):
    response = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    rows = response.json()["results"]["bindings"]
    assert len(rows) == MAX_ROWS
    assert response.headers["szsemi-result-rows"] == str(MAX_ROWS)
    assert int(response.headers["szsemi-result-total"]) > MAX_ROWS
    assert response.headers["szsemi-result-truncated"].startswith("true")
    small = client.get("/sparql", params={"query": NAME})
    assert "szsemi-result-truncated" not in small.headers and small.headers["szsemi-result-total"] == "1"


def test_get_without_query_is_the_service_description(client):
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle")
    store = ox.Store()
    store.load(response.content, format=ox.RdfFormat.TURTLE)
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert store.query(
        f"ASK {{ ?s a <{sd}Service> ; <{sd}endpoint> ?e ; <{sd}supportedLanguage> <{sd}SPARQL11Query> ; "
        f"<{sd}resultFormat> <http://www.w3.org/ns/formats/SPARQL_Results_CSV> }}"
    )


def test_format_parameter_makes_download_links(client):
    response = client.get("/sparql", params={"query": NAME, "format": "csv"})
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
