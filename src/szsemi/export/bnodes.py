"""Stable blank-node labels, so that an export is byte-identical from run to run.

The scheme (documented in the README's export section):

1. Each blank node gets a *content hash*: SHA-256 over the sorted lines ``predicate object`` of its
   own triples, where an object that is itself a blank node is written as its content hash.
2. Its label is ``b`` + the first 32 hex digits of SHA-256 over (the label or IRI of the node that
   points at it, the predicate, its content hash); a blank node nothing points at keeps its content
   hash. Two blank nodes that end with the same label have the same content under the same parent,
   so they are interchangeable; they are numbered ``-1``, ``-2`` ... in either order, with the same bytes
   out either way.

This is exact for blank nodes that form trees under IRIs (Turtle ``[ ]`` nodes, RDF lists: all of the
project's). A graph with a blank node that two nodes point at, or a cycle of blank nodes, falls back to
rdflib's canonical labelling (``rdflib.compare.to_canonical_graph``, slower but general).

>>> import rdflib
>>> text = '<http://x/a> <http://x/p> [ <http://x/q> 1 ] .'
>>> one, two = (stable(rdflib.Graph().parse(data=text, format="turtle")) for _ in range(2))
>>> sorted(one) == sorted(two)
True
"""

from __future__ import annotations

import hashlib
from collections import defaultdict

import rdflib
from rdflib.term import BNode, Node


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def stable(graph: rdflib.Graph) -> rdflib.Graph:
    """A new graph equal to ``graph`` up to blank-node names, with labels that depend on content only."""
    labels = _tree_labels(graph)
    if labels is None:
        from rdflib.compare import to_canonical_graph

        result = rdflib.Graph()
        result += to_canonical_graph(graph)
        return result
    result = rdflib.Graph()
    for s, p, o in graph:
        result.add((labels.get(s, s), p, labels.get(o, o)))
    return result


def _tree_labels(graph: rdflib.Graph) -> dict[BNode, BNode] | None:
    """Labels for every blank node, or None when the blank nodes do not form trees."""
    own: dict[BNode, list[tuple[Node, Node]]] = defaultdict(list)
    parents: dict[BNode, list[tuple[Node, Node]]] = defaultdict(list)
    for s, p, o in graph:
        if isinstance(s, BNode):
            own[s].append((p, o))
        if isinstance(o, BNode):
            parents[o].append((s, p))
    nodes = set(own) | set(parents)
    if any(len(v) > 1 for v in parents.values()):
        return None

    content: dict[BNode, str] = {}

    def content_hash(node: BNode, path: frozenset) -> str | None:
        if node in content:
            return content[node]
        if node in path:
            return None  # a cycle of blank nodes
        lines = []
        for p, o in own.get(node, ()):
            if isinstance(o, BNode):
                inner = content_hash(o, path | {node})
                if inner is None:
                    return None
                lines.append(f"{p.n3()} _:{inner}")
            else:
                lines.append(f"{p.n3()} {o.n3()}")
        content[node] = _sha("\n".join(sorted(lines)))
        return content[node]

    for node in nodes:
        if content_hash(node, frozenset()) is None:
            return None

    # Top-down, so that a node's label is built from its parent's final label: the children of two
    # interchangeable twins then differ too.
    depth: dict[BNode, int] = {}

    def depth_of(node: BNode) -> int:
        if node not in depth:
            parent = parents[node][0][0] if node in parents else None
            depth[node] = depth_of(parent) + 1 if isinstance(parent, BNode) else 0
        return depth[node]

    final: dict[BNode, BNode] = {}
    for level in sorted({depth_of(n) for n in nodes}):
        raw: dict[BNode, str] = {}
        for node in (n for n in nodes if depth[n] == level):
            if node in parents:
                parent, p = parents[node][0]
                where = final[parent].n3() if isinstance(parent, BNode) else parent.n3()
                raw[node] = "b" + _sha(f"{where} {p.n3()} {content[node]}")[:32]
            else:
                raw[node] = "b" + content[node][:32]
        seen: dict[str, int] = defaultdict(int)
        for node in sorted(raw, key=raw.__getitem__):
            text = raw[node]
            seen[text] += 1
            final[node] = BNode(text if seen[text] == 1 else f"{text}-{seen[text]}")
    return final
