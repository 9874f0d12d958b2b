"""Which source documents each statement of the graph belongs to: the rule behind ``--graph-per-source``.

The rule: a passage and its document belong to that document. A derivation node, and the link to
it, belong to the document of its ``prov:entity`` passage; a ``prov:wasDerivedFrom`` link to the
document of its passage. Any other statement of an entity belongs to the documents of the
derivations whose ``szo:forProperty`` names its predicate; failing that (``rdf:type``, or an entity
without qualified derivations), to every document the entity cites: the data cannot tell which one
states it, and each does speak of the entity. A blank node belongs with the IRI it hangs from, under
the predicate that links it there. So an entity citing two sources appears in both graphs, with each
property in the graph of the source that gives it, and the union of all graphs is exactly the graph.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

import pyoxigraph as ox

from szsemi.graph.namespaces import PREFIXES

SZO, PROV = PREFIXES["szo"], PREFIXES["prov"]
RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
IN_DOCUMENT = ox.NamedNode(SZO + "inDocument")
SOURCE_DOCUMENT = ox.NamedNode(SZO + "SourceDocument")
FOR_PROPERTY = ox.NamedNode(SZO + "forProperty")
WAS_DERIVED_FROM = ox.NamedNode(PROV + "wasDerivedFrom")
QUALIFIED_DERIVATION = ox.NamedNode(PROV + "qualifiedDerivation")
PROV_ENTITY = ox.NamedNode(PROV + "entity")

Node = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


def source_graphs(triples: Sequence[ox.Triple]) -> dict[ox.Triple, set[ox.NamedNode]]:
    """The source documents each triple belongs to (an empty set: no source, the default graph)."""
    by_predicate: dict[ox.NamedNode, list[ox.Triple]] = defaultdict(list)
    parents: dict[ox.BlankNode, list[tuple[Node, ox.NamedNode]]] = defaultdict(list)
    for t in triples:
        by_predicate[t.predicate].append(t)
        if isinstance(t.object, ox.BlankNode):
            parents[t.object].append((t.subject, t.predicate))

    doc_of: dict[Node, ox.NamedNode] = {}
    for t in by_predicate[IN_DOCUMENT]:
        if isinstance(t.object, ox.NamedNode):
            doc_of[t.subject] = t.object
    docs: set[Node] = {t.subject for t in by_predicate[RDF_TYPE] if t.object == SOURCE_DOCUMENT}
    docs |= set(doc_of.values())

    def docs_of_passages(passages: Iterable[Node]) -> set[ox.NamedNode]:
        return {doc_of[p] for p in passages if p in doc_of} | {
            p for p in passages if p in docs and isinstance(p, ox.NamedNode)
        }

    derivation_docs: dict[Node, set[ox.NamedNode]] = defaultdict(set)
    for t in by_predicate[PROV_ENTITY]:
        derivation_docs[t.subject] |= docs_of_passages([t.object])
    properties: dict[Node, list[Node]] = defaultdict(list)
    for t in by_predicate[FOR_PROPERTY]:
        properties[t.subject].append(t.object)
    cited: dict[Node, set[ox.NamedNode]] = defaultdict(set)
    by_property: dict[tuple[Node, Node], set[ox.NamedNode]] = defaultdict(set)
    for t in by_predicate[QUALIFIED_DERIVATION]:
        found = derivation_docs.get(t.object, set())
        for prop in properties.get(t.object, ()):
            by_property[(t.subject, prop)] |= found
        cited[t.subject] |= found
    for t in by_predicate[WAS_DERIVED_FROM]:
        cited[t.subject] |= docs_of_passages([t.object])

    def roots(node: Node, via: ox.NamedNode, seen: frozenset[Node] = frozenset()) -> set[tuple[Node, ox.NamedNode]]:
        """(IRI, top predicate) pairs a node hangs from."""
        if not isinstance(node, ox.BlankNode):
            return {(node, via)}
        if node in seen or node not in parents:
            return set()
        result: set[tuple[Node, ox.NamedNode]] = set()
        for parent, p in parents[node]:
            result |= roots(parent, p, seen | {node})
        return result

    result: dict[ox.Triple, set[ox.NamedNode]] = {}
    for t in triples:
        s, p, o = t.subject, t.predicate, t.object
        if s in derivation_docs:
            found = set(derivation_docs[s])
        elif p == QUALIFIED_DERIVATION and o in derivation_docs:
            found = set(derivation_docs[o])
        elif p == WAS_DERIVED_FROM and docs_of_passages([o]):
            found = docs_of_passages([o])
        else:
            found = set()
            for root, top in roots(s, p):
                if root in docs and isinstance(root, ox.NamedNode):
                    found.add(root)
                elif root in doc_of:
                    found.add(doc_of[root])
                elif (root, top) in by_property:
                    found |= by_property[(root, top)]
                else:
                    found |= cited.get(root, set())
        result[t] = found
    return result
