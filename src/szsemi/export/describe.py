"""A VoID and DCAT description of an export: what catalogues read to know what a dataset holds.

Title, version, licence, the source documents, the triple count, the classes and properties used
with their counts, the named graphs as subsets, the format, and the SPARQL endpoint when one is
given. No dates or machine facts go in, so the description is as byte-stable as the export (it is
written by the export's own Turtle writer).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable

import pyoxigraph as ox

from szsemi import __version__
from szsemi.export.serialise import MEDIA_TYPES, Export, serialize
from szsemi.graph.namespaces import PREFIXES
from szsemi.graph.terms import split_iri

VOID, DCAT, DCTERMS, OWL = PREFIXES["void"], PREFIXES["dcat"], PREFIXES["dcterms"], PREFIXES["owl"]
RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
LICENSE = ox.NamedNode("https://opensource.org/licenses/MIT")
XSD_INTEGER = ox.NamedNode(PREFIXES["xsd"] + "integer")
TITLES = {
    "data": "instance data",
    "ontology": "ontology",
    "shapes": "SHACL shapes",
    "all": "ontology, shapes and instance data",
}

Node = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
Subject = ox.NamedNode | ox.BlankNode | ox.Triple
Add = Callable[[Subject, ox.NamedNode, Node], None]


def _n(namespace: str, local: str) -> ox.NamedNode:
    return ox.NamedNode(namespace + local)


def _int(n: int) -> ox.Literal:
    return ox.Literal(str(n), datatype=XSD_INTEGER)


def dataset_iri(exp: Export) -> ox.NamedNode:
    """``sz:dataset/szsemi-<content>[-<profile>]``: one IRI per kind of export, not per file."""
    suffix = exp.content if exp.profile == "native" else f"{exp.content}-{exp.profile}"
    return ox.NamedNode(PREFIXES["sz"] + f"dataset/szsemi-{suffix}")


def describe(exp: Export, fmt: str | None = None, endpoint: str | None = None) -> ox.Dataset:
    """The VoID + DCAT description of ``exp`` (exported as ``fmt``; queryable at ``endpoint``)."""
    triples: list[tuple[Subject, ox.NamedNode, Node]] = []

    def add(s: Subject, p: ox.NamedNode, o: Node) -> None:
        triples.append((s, p, o))

    ds = dataset_iri(exp)
    title = f"Shenzhen semiconductor knowledge graph: {TITLES[exp.content]}"
    if exp.profile != "native":
        title += f" ({exp.profile} profile)"
    add(ds, RDF_TYPE, _n(VOID, "Dataset"))
    add(ds, RDF_TYPE, _n(DCAT, "Dataset"))
    add(ds, _n(DCTERMS, "title"), ox.Literal(title, language="en"))
    add(
        ds,
        _n(DCTERMS, "description"),
        ox.Literal(
            "Industrial parks, firms, districts, government plans, sectors, milestones, money figures and "
            "proximity in Shenzhen's semiconductor industry, each fact tied to the passage it comes from.",
            language="en",
        ),
    )
    add(ds, _n(DCAT, "version"), ox.Literal(__version__))
    add(ds, _n(OWL, "versionInfo"), ox.Literal(__version__))
    add(ds, _n(DCTERMS, "license"), LICENSE)
    add(ds, _n(VOID, "uriSpace"), ox.Literal(PREFIXES["sz"]))
    add(ds, _n(DCTERMS, "conformsTo"), ox.NamedNode(PREFIXES["szo"].rstrip("#")))
    for source in exp.sources:
        add(ds, _n(DCTERMS, "source"), source)
    _statistics(exp, ds, add)
    if fmt is not None:
        dist = ox.NamedNode(f"{ds.value}/{fmt}")
        add(ds, _n(DCAT, "distribution"), dist)
        add(dist, RDF_TYPE, _n(DCAT, "Distribution"))
        add(
            dist,
            _n(DCAT, "mediaType"),
            ox.NamedNode("https://www.iana.org/assignments/media-types/" + MEDIA_TYPES[fmt]),
        )
        add(dist, _n(DCTERMS, "license"), LICENSE)
    if endpoint:
        add(ds, _n(VOID, "sparqlEndpoint"), ox.NamedNode(endpoint))
        service = ox.BlankNode()
        add(service, RDF_TYPE, _n(DCAT, "DataService"))
        add(service, _n(DCAT, "endpointURL"), ox.NamedNode(endpoint))
        add(service, _n(DCAT, "servesDataset"), ds)
        add(ds, _n(DCAT, "accessService"), service)
    result = ox.Dataset(ox.Quad(s, p, o) for s, p, o in triples)
    result.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return result


def _statistics(exp: Export, ds: ox.NamedNode, add: Add) -> None:
    """Counts over the union of the export's graphs (a statement in two graphs counts once)."""
    per_graph: Counter[ox.NamedNode] = Counter()
    seen: set[ox.Triple] = set()
    subjects: set[Subject] = set()
    objects: set[Node] = set()
    typed: set[tuple[Subject, Node]] = set()
    properties: Counter[ox.NamedNode] = Counter()
    named = bool(exp.graph_names)
    for q in exp.dataset:
        if isinstance(q.graph_name, ox.NamedNode):
            per_graph[q.graph_name] += 1
        if named:
            triple = q.triple
            if triple in seen:
                continue
            seen.add(triple)
        subjects.add(q.subject)
        objects.add(q.object)
        properties[q.predicate] += 1
        if q.predicate == RDF_TYPE:
            typed.add((q.subject, q.object))
    classes: Counter[Node] = Counter(o for _, o in typed)
    add(ds, _n(VOID, "triples"), _int(sum(properties.values())))
    add(ds, _n(VOID, "distinctSubjects"), _int(len(subjects)))
    add(ds, _n(VOID, "distinctObjects"), _int(len(objects)))
    add(ds, _n(VOID, "entities"), _int(sum(isinstance(s, ox.NamedNode) for s in subjects)))
    add(ds, _n(VOID, "classes"), _int(len(classes)))
    add(ds, _n(VOID, "properties"), _int(len(properties)))
    for cls, n in classes.items():
        part = ox.NamedNode(f"{ds.value}/class/{_slug(cls)}")
        add(ds, _n(VOID, "classPartition"), part)
        add(part, _n(VOID, "class"), cls)
        add(part, _n(VOID, "entities"), _int(n))
    for prop, n in properties.items():
        part = ox.NamedNode(f"{ds.value}/property/{_slug(prop)}")
        add(ds, _n(VOID, "propertyPartition"), part)
        add(part, _n(VOID, "property"), prop)
        add(part, _n(VOID, "triples"), _int(n))
    for name in exp.graph_names:
        add(ds, _n(VOID, "subset"), name)
        add(name, RDF_TYPE, _n(VOID, "Dataset"))
        add(name, _n(VOID, "triples"), _int(per_graph[name]))
        if name in exp.graph_source:
            add(name, _n(DCTERMS, "source"), exp.graph_source[name])


def _slug(term: Node) -> str:
    """A readable, collision-free path segment for a class or property: its prefixed name."""
    text = term.value if isinstance(term, (ox.NamedNode, ox.BlankNode, ox.Literal)) else str(term)
    split = split_iri(text)
    if split:
        return f"{split[0]}-{split[2]}"
    return "iri-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def describe_turtle(exp: Export, fmt: str | None = None, endpoint: str | None = None) -> bytes:
    """The description as Turtle bytes (canonical blank nodes, sorted, the export's own writer)."""
    return serialize(Export(exp.content, exp.profile, describe(exp, fmt, endpoint)), "ttl")
