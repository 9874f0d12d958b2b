"""A VoID and DCAT description of an export: what catalogues read to know what a dataset holds.

Title, version, licence, the source documents, the triple count, the classes and properties used
with their counts, the named graphs as subsets, the format, and the SPARQL endpoint when one is
given. No dates or machine facts go in, so the description is as byte-stable as the export.
"""

from __future__ import annotations

from collections import Counter

import rdflib
from rdflib import RDF, BNode, Literal, URIRef

from szsemi import __version__
from szsemi.export.serialise import MEDIA_TYPES, Export, longturtle
from szsemi.graph.namespaces import PREFIXES
from szsemi.graph.terms import split_iri

VOID = rdflib.Namespace(PREFIXES["void"])
DCAT = rdflib.Namespace(PREFIXES["dcat"])
DCTERMS = rdflib.Namespace(PREFIXES["dcterms"])
OWL = rdflib.Namespace(PREFIXES["owl"])
LICENSE = URIRef("https://opensource.org/licenses/MIT")
TITLES = {"data": "instance data", "ontology": "ontology", "shapes": "SHACL shapes",
          "all": "ontology, shapes and instance data"}


def dataset_iri(exp: Export) -> URIRef:
    """``sz:dataset/szsemi-<content>[-<profile>]``: one IRI per kind of export, not per file."""
    suffix = exp.content if exp.profile == "native" else f"{exp.content}-{exp.profile}"
    return URIRef(PREFIXES["sz"] + f"dataset/szsemi-{suffix}")


def describe(exp: Export, fmt: str | None = None, endpoint: str | None = None) -> rdflib.Graph:
    """The VoID + DCAT description of ``exp`` (exported as ``fmt``; queryable at ``endpoint``)."""
    g = rdflib.Graph()
    ds = dataset_iri(exp)
    union = exp.union()
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.title, Literal(f"Shenzhen semiconductor knowledge graph: {TITLES[exp.content]}"
                                            + ("" if exp.profile == "native" else f" ({exp.profile} profile)"),
                                            lang="en")))
    g.add((ds, DCTERMS.description, Literal(
        "Industrial parks, firms, districts, government plans, sectors, milestones, money figures and "
        "proximity in Shenzhen's semiconductor industry, each fact tied to the passage it comes from.",
        lang="en")))
    g.add((ds, DCAT.version, Literal(__version__)))
    g.add((ds, OWL.versionInfo, Literal(__version__)))
    g.add((ds, DCTERMS.license, LICENSE))
    g.add((ds, VOID.uriSpace, Literal(PREFIXES["sz"])))
    g.add((ds, DCTERMS.conformsTo, URIRef(PREFIXES["szo"].rstrip("#"))))
    for source in exp.sources:
        g.add((ds, DCTERMS.source, source))
    _statistics(g, ds, union)
    for name, graph in exp.graphs.items():
        if name is None:
            continue
        g.add((ds, VOID.subset, name))
        g.add((name, RDF.type, VOID.Dataset))
        g.add((name, VOID.triples, Literal(len(graph))))
        if name in exp.graph_source:
            g.add((name, DCTERMS.source, exp.graph_source[name]))
    if fmt is not None:
        dist = URIRef(f"{ds}/{fmt}")
        g.add((ds, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCAT.mediaType, URIRef("https://www.iana.org/assignments/media-types/" + MEDIA_TYPES[fmt])))
        g.add((dist, DCTERMS.license, LICENSE))
    if endpoint:
        g.add((ds, VOID.sparqlEndpoint, URIRef(endpoint)))
        service = BNode()
        g.add((service, RDF.type, DCAT.DataService))
        g.add((service, DCAT.endpointURL, URIRef(endpoint)))
        g.add((service, DCAT.servesDataset, ds))
        g.add((ds, DCAT.accessService, service))
    return g


def _statistics(g: rdflib.Graph, ds: URIRef, union: rdflib.Graph) -> None:
    g.add((ds, VOID.triples, Literal(len(union))))
    g.add((ds, VOID.distinctSubjects, Literal(len(set(union.subjects())))))
    g.add((ds, VOID.distinctObjects, Literal(len(set(union.objects())))))
    entities = {s for s in union.subjects() if isinstance(s, URIRef)}
    g.add((ds, VOID.entities, Literal(len(entities))))
    classes = Counter(o for s, o in set(union.subject_objects(RDF.type)))
    properties = Counter(p for _, p, _ in union)
    g.add((ds, VOID.classes, Literal(len(classes))))
    g.add((ds, VOID.properties, Literal(len(properties))))
    for cls, n in classes.items():
        part = URIRef(f"{ds}/class/{_slug(cls)}")
        g.add((ds, VOID.classPartition, part))
        g.add((part, VOID["class"], cls))
        g.add((part, VOID.entities, Literal(n)))
    for prop, n in properties.items():
        part = URIRef(f"{ds}/property/{_slug(prop)}")
        g.add((ds, VOID.propertyPartition, part))
        g.add((part, VOID.property, prop))
        g.add((part, VOID.triples, Literal(n)))


def _slug(term) -> str:
    """A readable, collision-free path segment for a class or property: its prefixed name."""
    text = str(term)
    split = split_iri(text)
    if split:
        return f"{split[0]}-{split[2]}"
    import hashlib

    return "iri-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def describe_turtle(exp: Export, fmt: str | None = None, endpoint: str | None = None) -> bytes:
    """The description as longturtle bytes (stable blank nodes, sorted)."""
    from szsemi.export.bnodes import stable

    return longturtle(stable(describe(exp, fmt, endpoint))).encode("utf-8")
