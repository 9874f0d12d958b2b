"""The project's one prefix map: ontology, data, shapes, queries and exports all use it.

>>> PREFIXES["szo"]
'https://w3id.org/szsemi/ontology#'
>>> expand("sz:place/pingshan-district")
'https://w3id.org/szsemi/id/place/pingshan-district'
"""

from __future__ import annotations

BASE = "https://w3id.org/szsemi/"

PREFIXES: dict[str, str] = {
    "szo": BASE + "ontology#",
    "sz": BASE + "id/",
    "szsh": BASE + "shapes#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcterms": "http://purl.org/dc/terms/",
    "geo": "http://www.opengis.net/ont/geosparql#",
    "org": "http://www.w3.org/ns/org#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": "https://schema.org/",
    "sh": "http://www.w3.org/ns/shacl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "time": "http://www.w3.org/2006/time#",
    "vann": "http://purl.org/vocab/vann/",
    "void": "http://rdfs.org/ns/void#",
    "wd": "http://www.wikidata.org/entity/",
    "wdt": "http://www.wikidata.org/prop/direct/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}

ONTOLOGY_IRI = BASE + "ontology"

# xsd:integer and every type derived from it (XML Schema 1.1 Part 2, 3.4.13 onwards): whole numbers
XSD_INTEGER_NAMES = (
    "integer",
    "int",
    "long",
    "short",
    "byte",
    "nonNegativeInteger",
    "positiveInteger",
    "negativeInteger",
    "nonPositiveInteger",
    "unsignedInt",
    "unsignedLong",
    "unsignedShort",
    "unsignedByte",
)
XSD_INTEGERS = frozenset(PREFIXES["xsd"] + name for name in XSD_INTEGER_NAMES)


def expand(name: str) -> str:
    """Expand a prefixed name (``sz:park/x``) with the project map; anything else is returned as is."""
    prefix, sep, local = name.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        return PREFIXES[prefix] + local
    return name


def sparql_prologue() -> str:
    """PREFIX declarations for every project prefix, for queries built in code."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
