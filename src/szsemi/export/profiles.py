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
from collections.abc import Iterable, Sequence

import pyoxigraph as ox

from szsemi.errors import UsageError
from szsemi.graph.namespaces import PREFIXES

SCHEMA = PREFIXES["schema"]
WDT = PREFIXES["wdt"]
SKOS = PREFIXES["skos"]
RDF, RDFS, OWL = PREFIXES["rdf"], PREFIXES["rdfs"], PREFIXES["owl"]
RDF_TYPE = ox.NamedNode(RDF + "type")
SUB_PROPERTY = ox.NamedNode(RDFS + "subPropertyOf")
EQUIVALENT_PROPERTY = ox.NamedNode(OWL + "equivalentProperty")
SUB_CLASS = ox.NamedNode(RDFS + "subClassOf")
CHAIN = ox.NamedNode(OWL + "propertyChainAxiom")
FIRST, REST, NIL = ox.NamedNode(RDF + "first"), ox.NamedNode(RDF + "rest"), ox.NamedNode(RDF + "nil")

Node = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

# What each profile keeps: a namespace (every term in it) or single terms.
PROFILES: dict[str, tuple[str, ...]] = {
    "native": (),
    "schema": (SCHEMA,),
    # Wikidata's RDF writes labels as rdfs:label and skos:prefLabel, aliases as skos:altLabel,
    # descriptions as schema:description, and references with prov:wasDerivedFrom.
    "wikidata-like": (
        WDT,
        RDFS + "label",
        SKOS + "prefLabel",
        SKOS + "altLabel",
        SKOS + "exactMatch",
        SCHEMA + "description",
        PREFIXES["prov"] + "wasDerivedFrom",
    ),
}


def _in_profile(term: Node, targets: tuple[str, ...]) -> bool:
    if not isinstance(term, ox.NamedNode):
        return False
    text = term.value
    return any(text == t or (t.endswith(("/", "#")) and text.startswith(t)) for t in targets)


def _reach(edges: dict[Node, set[Node]], start: Node) -> set[Node]:
    seen, todo = {start}, [start]
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _collection(objects: dict[tuple[Node, Node], list[Node]], head: Node) -> list[Node]:
    items: list[Node] = []
    seen: set[Node] = set()
    while head != NIL and head not in seen:
        seen.add(head)
        items += objects.get((head, FIRST), [])
        rest = objects.get((head, REST), [])
        if not rest:
            break
        head = rest[0]
    return items


def re_express(graph: Iterable[ox.Triple], profile: str, mappings: Sequence[ox.Triple]) -> list[ox.Triple]:
    """``graph`` in ``profile``'s vocabulary; ``mappings`` holds the alignments and the ontology."""
    if profile not in PROFILES:
        raise UsageError(f"unknown profile {profile!r}: use one of {', '.join(PROFILES)}")
    graph = list(graph)
    if profile == "native":
        return graph
    targets = PROFILES[profile]
    props: dict[Node, set[Node]] = defaultdict(set)
    classes: dict[Node, set[Node]] = defaultdict(set)
    objects: dict[tuple[Node, Node], list[Node]] = defaultdict(list)
    for t in mappings:
        objects[(t.subject, t.predicate)].append(t.object)
        if t.predicate == SUB_PROPERTY:
            props[t.subject].add(t.object)
        elif t.predicate == EQUIVALENT_PROPERTY:
            props[t.subject].add(t.object)
            props[t.object].add(t.subject)
        elif t.predicate == SUB_CLASS and isinstance(t.object, ox.NamedNode):
            classes[t.subject].add(t.object)
    chains = []
    for t in mappings:
        if t.predicate == CHAIN:
            steps = _collection(objects, t.object)
            if len(steps) != 2:
                raise UsageError(f"alignments: property chain for {t.subject} must have two steps")
            chains.append((t.subject, steps[0], steps[1]))

    prop_targets: dict[Node, set[Node]] = {}
    class_targets: dict[Node, set[Node]] = {}
    out: set[ox.Triple] = set()
    for t in graph:
        p = t.predicate
        if p not in prop_targets:
            prop_targets[p] = {q for q in _reach(props, p) if _in_profile(q, targets)}
        for q in prop_targets[p]:
            if isinstance(q, ox.NamedNode):
                out.add(ox.Triple(t.subject, q, t.object))
        if p == RDF_TYPE:
            if t.object not in class_targets:
                class_targets[t.object] = {c for c in _reach(classes, t.object) if _in_profile(c, targets)}
            for c in class_targets[t.object]:
                out.add(ox.Triple(t.subject, RDF_TYPE, c))
    if chains:
        by_subject: dict[tuple[Node, Node], list[Node]] = defaultdict(list)
        for t in graph:
            by_subject[(t.subject, t.predicate)].append(t.object)
        for q, first, second in chains:
            if _in_profile(q, targets) and isinstance(q, ox.NamedNode):
                for t in graph:
                    if t.predicate == first:
                        for z in by_subject.get((t.object, second), ()):
                            out.add(ox.Triple(t.subject, q, z))
    return _prune(out)


def _prune(graph: set[ox.Triple]) -> list[ox.Triple]:
    """Drop statements about blank nodes that nothing named reaches any more (their link was unmapped)."""
    objects: dict[Node, list[Node]] = defaultdict(list)
    for t in graph:
        objects[t.subject].append(t.object)
    reached = {
        t.object for t in graph if not isinstance(t.subject, ox.BlankNode) and isinstance(t.object, ox.BlankNode)
    }
    todo = list(reached)
    while todo:
        for o in objects.get(todo.pop(), ()):
            if isinstance(o, ox.BlankNode) and o not in reached:
                reached.add(o)
                todo.append(o)
    return [t for t in graph if not isinstance(t.subject, ox.BlankNode) or t.subject in reached]
