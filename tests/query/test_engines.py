"""The remote engine on real stores: CONSTRUCT and DESCRIBE through ``--endpoint`` on Virtuoso
(which refuses a CONSTRUCT asked for with format parameters: HTTP 406), by content negotiation."""

from __future__ import annotations

import io
import os

import pytest
import rdflib
from rdfcheck import assert_isomorphic

from szsemi.cli.main import main

pytestmark = pytest.mark.server

GRAPH = "https://w3id.org/szsemi/id/graph/test-engines"
SZ = "https://w3id.org/szsemi/id/"


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def virtuoso_loaded(virtuoso_server):
    os.environ["SZSEMI_PASSWORD"] = virtuoso_server.password
    try:
        code, _, err = cli(
            "push",
            "--endpoint",
            virtuoso_server.query_url,
            "--update-endpoint",
            virtuoso_server.update_url,
            "--store-endpoint",
            virtuoso_server.store_url,
            "--graph-param",
            "graph-uri",
            "--auth",
            "digest",
            "--user",
            virtuoso_server.user,
            "--graph",
            GRAPH,
        )
    finally:
        del os.environ["SZSEMI_PASSWORD"]
    assert code == 0, err
    return virtuoso_server


def graph_of(text: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=text, format="nt")


CONSTRUCT = (
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
    "CONSTRUCT { ?s skos:prefLabel ?l } WHERE { ?s a <https://w3id.org/szsemi/ontology#IndustrialPark> ; "
    "skos:prefLabel ?l }"
)


def test_construct_through_the_endpoint_on_virtuoso(virtuoso_loaded):
    local = cli("sparql", CONSTRUCT, "--format", "nt")
    remote = cli("sparql", CONSTRUCT, "--format", "nt", "--endpoint", virtuoso_loaded.query_url, "--graph", GRAPH)
    assert remote[0] == 0, remote[2]
    assert len(graph_of(local[1])) >= 3
    assert_isomorphic(graph_of(remote[1]), graph_of(local[1]), values=True, what="CONSTRUCT on Virtuoso")


def test_a_stored_construct_query_on_virtuoso(virtuoso_loaded):
    name, entity = "get-entity-description", SZ + "park/colorful-silicon-valley"
    local = cli("query", "run", name, "-p", f"entity={entity}", "--format", "nt")
    remote = cli(
        "query",
        "run",
        name,
        "-p",
        f"entity={entity}",
        "--format",
        "nt",
        "--endpoint",
        virtuoso_loaded.query_url,
        "--graph",
        GRAPH,
    )
    assert (local[0], remote[0]) == (0, 0), remote[2]
    assert_isomorphic(graph_of(remote[1]), graph_of(local[1]), values=True, what=f"{name} on Virtuoso")


def test_describe_through_the_endpoint_on_virtuoso(virtuoso_loaded):
    query = f"DESCRIBE <{SZ}place/shenzhen>"
    code, out, err = cli("sparql", query, "--format", "nt", "--endpoint", virtuoso_loaded.query_url, "--graph", GRAPH)
    assert code == 0, err
    described = graph_of(out)
    # Stores choose what a DESCRIBE gives; each gives the resource's own statements.
    subject = rdflib.URIRef(SZ + "place/shenzhen")

    def named(graph):  # blank nodes get new labels in each answer
        return {t for t in graph if t[0] == subject and not isinstance(t[2], rdflib.BNode)}

    local = named(graph_of(cli("sparql", query, "--format", "nt")[1]))
    assert len(local) >= 3 and local <= named(described)
