"""/api/queries and /openapi.json: the stored queries as a REST API, typed parameters, errors."""

# ruff: noqa: F811 - the fixtures imported from serving are the tests' parameters

from __future__ import annotations

import pytest
from serving import client  # noqa: F401 - fixture

from szsemi.query.catalogue import load_catalogue


def test_openapi_has_one_path_per_stored_query_with_typed_parameters(client):
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    catalogue = load_catalogue()
    assert {f"/api/queries/{n}" for n in catalogue} <= set(spec["paths"])
    assert "/api/queries/number-without-bound-violation" in spec["paths"]  # checks included
    travel = {p["name"]: p for p in spec["paths"]["/api/queries/get-within-travel-time"]["get"]["parameters"]}
    assert travel["minutes"]["schema"]["type"] == "integer"
    assert travel["minutes"]["schema"]["default"] == 10 and travel["minutes"]["schema"]["minimum"] == 1
    assert travel["minutes"]["description"]
    assert travel["origin"]["schema"]["format"] == "iri"
    # every declared enum, bound and list parameter is carried over
    for name, query in catalogue.items():
        params = {p["name"]: p for p in spec["paths"][f"/api/queries/{name}"]["get"]["parameters"]}
        for param in query.params.values():
            schema = params[param.name]["schema"]
            item = schema["items"] if param.multi else schema
            assert (schema["type"] == "array") == param.multi
            assert ("enum" in item) == bool(param.values)
            assert ("minimum" in item) == (param.minimum is not None)
            assert ("maximum" in item) == (param.maximum is not None)
            assert ("default" in schema) == bool(param.default)


def test_run_with_defaults_and_with_a_parameter(client):
    default = client.get("/api/queries/get-within-travel-time").json()
    labels = {row["destinationLabel"] for row in default["rows"]}
    assert {"BYD Company Limited", "Honor"} <= labels
    assert default["parameters"] == {} and default["truncated"] is False
    assert client.get("/api/queries/get-within-travel-time", params={"minutes": "5"}).json()["rows"] == []


def test_answer_rows_cite_their_sources(client):
    answer = client.get("/api/queries/get-within-travel-time").json()
    cited = [iri for row in answer["rows"] for iri in row.values() if isinstance(iri, str) and iri in answer["sources"]]
    assert cited, "no IRI of the answer carries its source passages"
    passage = answer["sources"][cited[0]][0]
    assert answer["passages"][passage]["number"] and answer["passages"][passage]["doc"]


@pytest.mark.hostile(
    what="a parameter value outside its declared range and type",
    result="400 naming the parameter and what it allows",
    kind="input",
)
@pytest.mark.parametrize("value", ["0", "ten", "1.5"])
def test_bad_parameter_is_400_naming_it(client, value):
    response = client.get("/api/queries/get-within-travel-time", params={"minutes": value})
    assert response.status_code == 400
    body = response.json()
    assert body["parameter"] == "minutes" and ">= 1" in body["allowed"] and body["given"] == value


@pytest.mark.hostile(
    what="an unknown parameter, and an injection attempt in a string parameter",
    result="400; the text is bound as a literal, never spliced",
    kind="input",
)
def test_unknown_parameter_and_injection(client):
    unknown = client.get("/api/queries/get-within-travel-time", params={"nope": "1"})
    assert unknown.status_code == 400 and "nope" in unknown.json()["error"]
    hostile = '" } } SELECT * WHERE { ?s ?p ?o } #'
    response = client.get("/api/queries/get-entity-by-name", params={"name": hostile})
    assert response.status_code == 200 and response.json()["rows"] == []


def test_unknown_query_is_404(client):
    response = client.get("/api/queries/no-such-query")
    assert response.status_code == 404 and "no-such-query" in response.json()["error"]


def test_list_and_other_formats(client):
    listing = client.get("/api/queries").json()
    assert {q["name"] for q in listing} == set(load_catalogue())
    csv = client.get("/api/queries/get-within-travel-time", params={"format": "csv"})
    assert csv.headers["content-type"].startswith("text/csv") and "Honor" in csv.text
    srj = client.get("/api/queries/get-within-travel-time", headers={"Accept": "application/sparql-results+json"})
    assert srj.json()["head"]["vars"]


def test_violation_checks_run_and_find_nothing(client):
    for name in load_catalogue():
        if name.endswith("-violation"):
            answer = client.get(f"/api/queries/{name}").json()
            assert answer["rows"] == [], name


def test_docs_page_is_offline_and_lists_every_query(client):
    page = client.get("/docs").text
    assert "get-within-travel-time" in page and "/openapi.json" in page
    import re

    # nothing is loaded from elsewhere: every stylesheet, script and image is the server's own
    for ref in re.findall(r'<(?:link|script|img)[^>]*(?:href|src)="([^"]+)"', page):
        assert ref.startswith("/"), ref


def test_list_parameters_are_arrays_in_openapi():
    import pyoxigraph as ox

    from szsemi.query.params import Param
    from szsemi.serve.openapi import param_schema

    xsd = "http://www.w3.org/2001/XMLSchema#integer"
    param = Param(
        "year",
        "integer",
        multi=True,
        default=(ox.Literal("2020", datatype=ox.NamedNode(xsd)),),
        values=tuple(ox.Literal(str(y), datatype=ox.NamedNode(xsd)) for y in (2020, 2021)),
    )
    assert param_schema(param) == {
        "type": "array",
        "items": {"type": "integer", "enum": [2020, 2021]},
        "default": [2020],
    }


def test_repeated_query_parameters_give_several_values():
    from szsemi.query.catalogue import load_catalogue
    from szsemi.serve.api import given_values

    query = load_catalogue()["get-within-travel-time"]
    assert given_values(query, [("minutes", "5"), ("minutes", "7"), ("format", "csv")]) == {"minutes": ["5", "7"]}
    assert given_values(query, [("minutes", "")], drop_empty=True) == {}
