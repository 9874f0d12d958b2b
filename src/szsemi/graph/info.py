"""What the graph holds: version, triple count, instances per class, and the sources."""

from __future__ import annotations

from typing import Any

import pyoxigraph as ox

from szsemi import __version__
from szsemi.graph.namespaces import sparql_prologue

_CLASSES = (
    sparql_prologue()
    + """
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {
  ?s a ?class .
  FILTER (STRSTARTS(STR(?class), STR(szo:)) || ?class IN (skos:Concept, skos:ConceptScheme))
  FILTER (!isBlank(?s))
} GROUP BY ?class ORDER BY ?class
"""
)

_SOURCES = (
    sparql_prologue()
    + """
SELECT ?doc ?title (COUNT(DISTINCT ?passage) AS ?passages) (COUNT(DISTINCT ?fact) AS ?facts) WHERE {
  ?doc a szo:SourceDocument ; skos:prefLabel ?title .
  OPTIONAL { ?passage szo:inDocument ?doc . OPTIONAL { ?fact prov:wasDerivedFrom ?passage } }
} GROUP BY ?doc ?title ORDER BY ?doc
"""
)

_ONTOLOGY_VERSION = (
    sparql_prologue()
    + """
SELECT ?version WHERE {
  ?o a owl:Ontology ; owl:versionInfo ?version . FILTER (?o = <https://w3id.org/szsemi/ontology>)
}
"""
)


def _select(store: ox.Store, query: str) -> ox.QuerySolutions:
    solutions = store.query(query)
    assert isinstance(solutions, ox.QuerySolutions)  # every query here is a SELECT
    return solutions


def graph_info(store: ox.Store) -> dict[str, Any]:
    """A summary of ``store``, as plain values."""
    version = next(iter(_select(store, _ONTOLOGY_VERSION)), None)
    return {
        "version": __version__,
        "ontology_version": version["version"].value if version else None,
        "triples": len(store),
        "classes": {row["class"].value: int(row["n"].value) for row in _select(store, _CLASSES)},
        "sources": [
            {
                "iri": row["doc"].value,
                "title": row["title"].value,
                "passages": int(row["passages"].value),
                "citing": int(row["facts"].value),
            }
            for row in _select(store, _SOURCES)
        ],
    }
