"""The HTML pages and the entity pages, through the in-process client."""

# ruff: noqa: F811 - the fixtures imported from serving are the tests' parameters

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest
from serving import MAX_ROWS, client  # noqa: F401 - fixture

PARK = "/id/park/colorful-silicon-valley"


def _rows(html: str) -> int:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return body.count("<tr>")


@pytest.mark.parametrize(
    "word, found",
    [
        ("Glory Intelligent", "/id/"),
        ("坪山", "/id/place/pingshan-district"),
        ("pingshan", "/id/place/pingshan-district"),
    ],
)
def test_search_by_english_chinese_and_reported_names(client, word, found):
    page = client.get("/", params={"q": word})
    assert page.status_code == 200 and found in page.text and _rows(page.text) > 0


def test_home_lists_the_catalogue(client):
    page = client.get("/").text
    assert '<a href="/queries/get-within-travel-time">' in page and 'role="search"' in page


def test_stored_query_page_form_table_share_and_downloads(client):
    page = client.get("/queries/get-within-travel-time", params={"minutes": "10"}).text
    assert re.search(r'<input id="p-minutes" name="minutes" type="number" value="10"', page)
    assert '<label for="p-minutes">' in page
    assert _rows(page) > 0 and "Honor" in page
    assert 'href="/queries/get-within-travel-time?minutes=10"' in page
    assert "/api/queries/get-within-travel-time?minutes=10&amp;format=csv" in page


def test_stored_query_page_with_a_bad_value_says_why(client):
    page = client.get("/queries/get-within-travel-time", params={"minutes": "0"})
    assert page.status_code == 400 and "minutes" in page.text and "&gt;= 1" in page.text


def test_sparql_page_runs_the_query_in_its_url_and_says_n_of_m(client):
    page = client.get("/query", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert _rows(page.text) == MAX_ROWS
    assert re.search(rf"{MAX_ROWS} of \d+ rows", page.text)
    assert page.headers["szsemi-result-truncated"].startswith("true")
    assert "get-within-travel-time" in page.text  # the catalogue as examples


def test_entity_page_shows_names_types_links_and_citations(client):
    page = client.get("/id/place/pingshan-district")
    assert page.status_code == 200 and page.headers["vary"] == "Accept"
    html = page.text
    assert '<td lang="en">Pingshan District</td>' in html and '<td lang="zh-Hans">坪山区</td>' in html
    assert "Other names" in html and "Types" in html and "Linked from" in html
    assert re.search(r'class="cite" href="/id/passage/[^"]+"', html)  # a citation links its passage
    assert "<svg" in html and '<desc id="svg-desc">' in html


def test_entity_page_shows_the_reports_renderings(client):
    search = client.get("/", params={"q": "Glory Intelligent Manufacturing"}).text
    target = re.search(r'href="(/id/[^"]+)"', search.split("<tbody>", 1)[1]).group(1)
    page = client.get(target).text
    assert "szo:reportedName" in page and "Glory Intelligent Manufacturing" in page


@pytest.mark.parametrize(
    "how, media, fmt",
    [
        ({"headers": {"Accept": "text/turtle"}}, "text/turtle", ox.RdfFormat.TURTLE),
        ({"headers": {"Accept": "application/n-triples"}}, "application/n-triples", ox.RdfFormat.N_TRIPLES),
        ({"headers": {"Accept": "application/ld+json"}}, "application/ld+json", ox.RdfFormat.JSON_LD),
        ({"headers": {"Accept": "application/rdf+xml"}}, "application/rdf+xml", ox.RdfFormat.RDF_XML),
        ({"suffix": ".ttl"}, "text/turtle", ox.RdfFormat.TURTLE),
        ({"suffix": ".nt"}, "application/n-triples", ox.RdfFormat.N_TRIPLES),
        ({"suffix": ".jsonld"}, "application/ld+json", ox.RdfFormat.JSON_LD),
        ({"suffix": ".rdf"}, "application/rdf+xml", ox.RdfFormat.RDF_XML),
    ],
)
def test_entity_as_rdf_by_accept_and_by_suffix(client, how, media, fmt):
    response = client.get(PARK + how.get("suffix", ""), headers=how.get("headers", {}))
    assert response.status_code == 200 and response.headers["content-type"].startswith(media)
    assert response.headers["vary"] == "Accept"
    subjects = {q.subject for q in ox.parse(response.content, format=fmt)}
    assert ox.NamedNode("https://w3id.org/szsemi/" + PARK[1:]) in subjects


def test_ontology_terms_have_pages(client):
    assert 'href="/ontology/IndustrialPark"' in client.get("/ontology").text
    term = client.get("/ontology/IndustrialPark")
    assert term.status_code == 200 and "owl:Class" in term.text


@pytest.mark.hostile(what="an IRI the graph does not mention", result="a 404 page (404 text for RDF)", kind="input")
def test_unknown_entity_is_a_404_page(client):
    page = client.get("/id/park/no-such-park")
    assert page.status_code == 404 and "<h1>Not found</h1>" in page.text
    assert client.get("/id/park/no-such-park.ttl").status_code == 404
    assert client.get("/nowhere").status_code == 404


def test_assets_are_served_locally(client):
    for path in ("/", "/query", "/docs", PARK):
        html = client.get(path).text
        for ref in re.findall(r'(?:src|href)="([^"]+)"', html.split("</head>")[0]):
            assert ref.startswith("/"), (path, ref)
    assert client.get("/static/app.css").status_code == 200
