"""Vocabulary profiles: the graph re-expressed in schema.org terms or in Wikidata's direct properties.

The mappings live in ``ontology/alignments.ttl``. Re-expressing is one step of RDFS/OWL entailment
restricted to the profile's vocabulary: a triple ``s P o`` gives ``s Q o`` for every target term Q that
P reaches through ``rdfs:subPropertyOf`` / ``owl:equivalentProperty`` (the ontology's own hierarchy
included); ``s rdf:type A`` gives ``s rdf:type B`` for every target class B that A reaches through
``rdfs:subClassOf``; ``Q owl:propertyChainAxiom (P1 P2)`` gives ``x Q z`` from ``x P1 y . y P2 z``.
The profile is exactly those triples plus the triples already in its vocabulary; everything else is
left out (it has no counterpart there), and so are statements about blank nodes that no named node
reaches any more.

>>> sorted(PROFILES)
['native', 'schema', 'wikidata-like']
"""

from __future__ import annotations

from collections import defaultdict

import rdflib
from rdflib import OWL, RDF, RDFS, URIRef

from szsemi.errors import UsageError
from szsemi.graph.namespaces import PREFIXES

SCHEMA = PREFIXES["schema"]
WDT = PREFIXES["wdt"]
SKOS = PREFIXES["skos"]

# What each profile keeps: a namespace (every term in it) or single terms.
PROFILES: dict[str, tuple[str, ...]] = {
    "native": (),
    "schema": (SCHEMA,),
    # Wikidata's RDF writes labels as rdfs:label and skos:prefLabel, aliases as skos:altLabel,
    # descriptions as schema:description, and references with prov:wasDerivedFrom.
    "wikidata-like": (WDT, str(RDFS.label), SKOS + "prefLabel", SKOS + "altLabel", SKOS + "exactMatch",
                      SCHEMA + "description", PREFIXES["prov"] + "wasDerivedFrom"),
}


def _in_profile(term, targets: tuple[str, ...]) -> bool:
    text = str(term)
    return any(text == t or (t.endswith(("/", "#")) and text.startswith(t)) for t in targets)


def _reach(edges: dict, start) -> set:
    seen, todo = {start}, [start]
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def re_express(graph: rdflib.Graph, profile: str, mappings: rdflib.Graph) -> rdflib.Graph:
    """``graph`` in ``profile``'s vocabulary; ``mappings`` holds the alignments and the ontology."""
    if profile not in PROFILES:
        raise UsageError(f"unknown profile {profile!r}: use one of {', '.join(PROFILES)}")
    if profile == "native":
        return graph
    targets = PROFILES[profile]
    props: dict = defaultdict(set)
    classes: dict = defaultdict(set)
    for p, q in mappings.subject_objects(RDFS.subPropertyOf):
        props[p].add(q)
    for p, q in mappings.subject_objects(OWL.equivalentProperty):
        props[p].add(q)
        props[q].add(p)
    for a, b in mappings.subject_objects(RDFS.subClassOf):
        if isinstance(b, URIRef):
            classes[a].add(b)
    chains = []
    for q, head in mappings.subject_objects(OWL.propertyChainAxiom):
        steps = list(rdflib.collection.Collection(mappings, head))
        if len(steps) != 2:
            raise UsageError(f"alignments: property chain for {q} must have two steps")
        chains.append((q, steps[0], steps[1]))

    prop_targets: dict = {}
    class_targets: dict = {}
    out = rdflib.Graph()
    for s, p, o in graph:
        if p not in prop_targets:
            prop_targets[p] = {q for q in _reach(props, p) if _in_profile(q, targets)}
        for q in prop_targets[p]:
            out.add((s, q, o))
        if p == RDF.type:
            if o not in class_targets:
                class_targets[o] = {c for c in _reach(classes, o) if _in_profile(c, targets)}
            for c in class_targets[o]:
                out.add((s, RDF.type, c))
    for q, first, second in chains:
        if _in_profile(q, targets):
            for x, y in graph.subject_objects(first):
                for z in graph.objects(y, second):
                    out.add((x, q, z))
    return _prune(out)


def _prune(graph: rdflib.Graph) -> rdflib.Graph:
    """Drop statements about blank nodes that nothing named reaches any more (their link was unmapped)."""
    reached = {o for s, _, o in graph if not isinstance(s, rdflib.BNode) and isinstance(o, rdflib.BNode)}
    todo = list(reached)
    while todo:
        for o in graph.objects(todo.pop()):
            if isinstance(o, rdflib.BNode) and o not in reached:
                reached.add(o)
                todo.append(o)
    result = rdflib.Graph()
    for triple in graph:
        if not isinstance(triple[0], rdflib.BNode) or triple[0] in reached:
            result.add(triple)
    return result
