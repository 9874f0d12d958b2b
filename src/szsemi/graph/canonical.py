"""Canonical blank-node labels for an export: RDFC-1.0, with a bound on its work.

RDFC-1.0 (``Dataset.canonicalize``) gives each blank node a label that depends only on the graph.
Blank nodes that look alike from their own statements (the same *first-degree hash*) are told apart
by walking the paths between them, and that walk grows with about the cube of the number of such
look-alike nodes linked together: a chain of 400 nested ``[ ]`` takes 13 s, 10,000 would take days.

So the look-alike nodes' linked groups are sized first (:func:`work`, linear in the statements).
A connected group of blank nodes whose estimated work exceeds :data:`COMPONENT_WORK` (or all of
them, when together they exceed :data:`TOTAL_WORK`) is labelled by a tree hash instead, which
is linear: each node's hash covers its own statements and its children's hashes, and the nodes
are numbered ``_:t0``, ``_:t1``, ... depth first from the root, children in order of link and
hash. Nested ``[ ]`` and ``( )`` make such trees. A group that is not a tree
(a cycle, a node with two blank parents, a blank graph name, an RDF 1.2 triple term) is refused
with the bound in the message. The rest of the graph is labelled by RDFC-1.0 as if the group
were absent. Normal data stays far under the bounds, so its labels are RDFC-1.0's (``_:c14nN``).
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from math import factorial

import pyoxigraph as ox

from szsemi.errors import InputError

# Units of estimated RDFC-1.0 work: the cube of a linked group of look-alike nodes, times the
# permutations of look-alike neighbours. A chain of 100 (10^6) takes 0.2 s, of 200 about 2 s.
COMPONENT_WORK = 2_000_000
TOTAL_WORK = 20_000_000

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | ox.DefaultGraph


def _blanks(term: Term) -> Iterator[ox.BlankNode]:
    if isinstance(term, ox.BlankNode):
        yield term
    elif isinstance(term, ox.Triple):
        yield from _blanks(term.subject)
        yield from _blanks(term.object)


def _quad_blanks(q: ox.Quad) -> list[ox.BlankNode]:
    return [*_blanks(q.subject), *_blanks(q.object), *_blanks(q.graph_name)]


class _Sets:
    """Union-find over blank nodes."""

    def __init__(self) -> None:
        self.parent: dict[ox.BlankNode, ox.BlankNode] = {}

    def find(self, x: ox.BlankNode) -> ox.BlankNode:
        root = self.parent.setdefault(x, x)
        while root != self.parent[root]:
            root = self.parent[root]
        while x != root:  # path compression
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, nodes: list[ox.BlankNode]) -> None:
        first = self.find(nodes[0])
        for other in nodes[1:]:
            self.parent[self.find(other)] = first


def _text(term: Term, me: ox.BlankNode) -> str:
    if isinstance(term, ox.BlankNode):
        return "_:a" if term == me else "_:z"
    return str(term)


def _linked(dataset: ox.Dataset) -> tuple[list[ox.Quad], set[ox.BlankNode]]:
    """The statements that link two blank nodes (or hold a triple term, or a blank graph name), and
    the blank nodes inside triple terms. Only linked nodes can make RDFC-1.0's work grow faster than
    the data: a node linked to no other blank node has no ``_:z`` in its first-degree hash, so it
    never looks like a linked one."""
    blank, triple, iri = ox.BlankNode, ox.Triple, ox.NamedNode
    links: list[ox.Quad] = []
    inside: set[ox.BlankNode] = set()
    for q in dataset:  # one pass, cheap tests first: most subjects are IRIs and most graphs are not blank
        s = q.subject
        if type(s) is iri and type(q.graph_name) is not blank:
            o = q.object
            if type(o) is not triple:
                continue
        if type(q.subject) is triple or type(q.object) is triple:
            inside.update(b for t in (q.subject, q.object) if isinstance(t, triple) for b in _blanks(t))
        if len(set(_quad_blanks(q))) > 1:
            links.append(q)
    return links, inside


def _mentions(dataset: ox.Dataset, node: ox.BlankNode) -> list[ox.Quad]:
    found = [*dataset.quads_for_subject(node), *dataset.quads_for_graph_name(node)]
    return found + [q for q in dataset.quads_for_object(node) if q.subject != node]


def work(dataset: ox.Dataset, links: list[ox.Quad]) -> tuple[dict[ox.BlankNode, int], _Sets]:
    """The estimated RDFC-1.0 work of each group of blank nodes joined by ``links`` (keyed by the
    group's root in the returned union-find); groups without look-alike nodes cost 0."""
    groups = _Sets()
    for q in links:
        groups.union(_quad_blanks(q))
    mentions = {b: _mentions(dataset, b) for b in list(groups.parent)}
    first_degree = {
        b: tuple(
            sorted(f"{_text(q.subject, b)} {q.predicate} {_text(q.object, b)} {_text(q.graph_name, b)}" for q in qs)
        )
        for b, qs in mentions.items()
    }
    counts = Counter(first_degree.values())
    alike = {b for b, key in first_degree.items() if counts[key] > 1}
    linked = _Sets()  # the look-alike nodes, linked through statements that hold two of them
    factor: dict[ox.BlankNode, int] = defaultdict(lambda: 1)
    for b in alike:
        linked.find(b)
        neighbours: Counter[tuple[tuple[str, ...], str, str]] = Counter()
        for q in mentions[b]:
            others = [o for o in _quad_blanks(q) if o != b and o in alike]
            if others:
                linked.union([b, *others])
            for o in others:
                neighbours[(first_degree[o], str(q.predicate), "s" if q.subject == o else "o")] += 1
        for n in neighbours.values():  # RDFC-1.0 tries every order of look-alike neighbours
            factor[b] = min(factor[b] * factorial(min(n, 20)), 1 << 62)
    size = Counter(linked.find(b) for b in alike)
    perms: dict[ox.BlankNode, int] = defaultdict(lambda: 1)
    for b in alike:
        root = linked.find(b)
        perms[root] = min(perms[root] * factor[b], 1 << 62)
    result: dict[ox.BlankNode, int] = {groups.find(b): 0 for b in mentions}
    for root, n in size.items():
        result[groups.find(root)] += n**3 * perms[root]
    return result, groups


def _heavy(dataset: ox.Dataset) -> tuple[set[ox.BlankNode], _Sets, set[ox.BlankNode]]:
    """The groups (by union-find root) over the bounds, the union-find, the nodes in triple terms."""
    links, inside = _linked(dataset)
    costs, groups = work(dataset, links) if links else ({}, _Sets())
    heavy = {root for root, w in costs.items() if w > COMPONENT_WORK}
    if sum(w for root, w in costs.items() if root not in heavy) > TOTAL_WORK:
        heavy = {root for root, w in costs.items() if w > 0}
    return heavy, groups, inside


def canonicalize(dataset: ox.Dataset, name: str) -> ox.Dataset:
    """``dataset`` with canonical blank-node labels (see the module's docstring); ``name`` names
    the input files in a refusal."""
    labelled = canonicalize_over_bound(dataset, name)
    if labelled is None:
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        return dataset
    return labelled


def canonicalize_over_bound(dataset: ox.Dataset, name: str) -> ox.Dataset | None:
    """:func:`canonicalize` of ``dataset`` if some of its blank nodes are past the work bounds, else
    None (``dataset`` then untouched): the work is estimated once, for a caller that labels data
    under the bounds its own way (``szsemi format`` lets rdflib do it)."""
    heavy, groups, inside = _heavy(dataset)
    if not heavy:
        return None
    members: dict[ox.BlankNode, set[ox.BlankNode]] = defaultdict(set)
    for b in list(groups.parent):
        if (root := groups.find(b)) in heavy:
            members[root].add(b)
    by_group = [
        list(dict.fromkeys(q for b in sorted(nodes, key=str) for q in _mentions(dataset, b)))
        for nodes in members.values()
    ]
    if any(nodes & inside for nodes in members.values()):
        raise _refusal(max(len(nodes) for nodes in members.values()), name)
    labels = _tree_labels(by_group, name)
    rest = ox.Dataset(q for q in dataset if not (q.subject in labels or q.object in labels))
    rest.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    for group in by_group:
        for q in group:
            rest.add(_relabel(q, labels))
    return rest


def _refusal(nodes: int, name: str) -> InputError:
    return InputError(
        f"{nodes} blank nodes linked so that their canonical labelling (RDFC-1.0) would take more "
        f"than {COMPONENT_WORK:,} steps, and not as a tree (nested [ ] or ( ) make trees, whose "
        "labels szsemi can compute another way); give those nodes IRIs",
        path=name,
    )


def _relabel(q: ox.Quad, labels: dict[ox.BlankNode, ox.BlankNode]) -> ox.Quad:
    s, o = q.subject, q.object
    return ox.Quad(
        labels[s] if isinstance(s, ox.BlankNode) else s,
        q.predicate,
        labels[o] if isinstance(o, ox.BlankNode) else o,
        q.graph_name,
    )


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _tree_labels(groups: Iterable[list[ox.Quad]], name: str) -> dict[ox.BlankNode, ox.BlankNode]:
    """``_:tN`` labels for the blank nodes of tree-shaped groups; an ``InputError`` for any other."""
    hashes: dict[ox.BlankNode, str] = {}
    children: dict[ox.BlankNode, list[tuple[str, ox.BlankNode]]] = {}
    roots: list[ox.BlankNode] = []
    for quads in groups:
        root = _tree(quads, hashes, children)
        if root is None:
            raise _refusal(len({b for q in quads for b in _quad_blanks(q)}), name)
        roots.append(root)
    # Numbered in depth-first order, children by link and hash. Nodes that tie (isomorphic groups,
    # or siblings with the same link and hash) are interchangeable: either order gives the same bytes.
    labels: dict[ox.BlankNode, ox.BlankNode] = {}
    stack = sorted(roots, key=hashes.__getitem__, reverse=True)
    while stack:
        node = stack.pop()
        labels[node] = ox.BlankNode(f"t{len(labels)}")
        stack.extend(child for _, child in sorted(children[node], key=lambda c: (c[0], hashes[c[1]]), reverse=True))
    return labels


def _tree(
    quads: list[ox.Quad],
    hashes: dict[ox.BlankNode, str],
    children: dict[ox.BlankNode, list[tuple[str, ox.BlankNode]]],
) -> ox.BlankNode | None:
    """The root of a group of blank nodes linked as a tree, their hashes and children filled in;
    None if the group is not a tree (each node at most one blank parent, no cycle, nothing else)."""
    lines: dict[ox.BlankNode, list[str]] = defaultdict(list)
    parent: dict[ox.BlankNode, ox.BlankNode] = {}
    kids: dict[ox.BlankNode, list[tuple[str, ox.BlankNode]]] = defaultdict(list)
    for q in quads:
        s, o, g = q.subject, q.object, q.graph_name
        if isinstance(s, ox.Triple) or isinstance(o, ox.Triple) or isinstance(g, ox.BlankNode):
            return None
        if isinstance(s, ox.BlankNode) and isinstance(o, ox.BlankNode):
            if o in parent or o == s:
                return None
            parent[o] = s
            kids[s].append((f"{q.predicate} {g}", o))
        elif isinstance(s, ox.BlankNode):
            lines[s].append(f"> {q.predicate} {o} {g}")
        elif isinstance(o, ox.BlankNode):
            lines[o].append(f"< {s} {q.predicate} {g}")
    nodes = set(lines) | set(kids) | set(parent)
    roots = [b for b in nodes if b not in parent]
    if len(roots) != 1:
        return None
    # children's hashes before their parent's, without recursion (a tree may be 10,000 deep)
    order, stack = [], [roots[0]]
    while stack:
        node = stack.pop()
        order.append(node)
        stack.extend(child for _, child in kids.get(node, []))
    if len(order) != len(nodes):  # a cycle apart from the root
        return None
    for node in reversed(order):
        own = lines[node] + [f"- {link} {hashes[child]}" for link, child in kids.get(node, [])]
        hashes[node] = _sha("\n".join(sorted(own)))
        children[node] = kids.get(node, [])
    return roots[0]
