"""Graph and dataset comparison for the tests: isomorphism, optionally by literal value, with a readable diff.

Both sides are turned into pyoxigraph datasets and given RDFC-1.0 canonical blank-node labels
(``Dataset.canonicalize``); isomorphic graphs then have equal sets of N-Quads lines, and the lines only
one side has are the diff. Language tags compare case-insensitively, as RDF says (Oxigraph lowercases).

Stores hand literals back in their own canonical form (Oxigraph writes ``10.0``^^xsd:decimal as ``10``,
Virtuoso writes booleans as ``1``/``0``, language tags come back in lower case), so a round trip through
a store is compared by value: each literal is first rewritten to one canonical lexical form.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

import pyoxigraph as ox
import rdflib
from rdflib import XSD, BNode, Literal, URIRef

_INTEGERS = {
    XSD.integer,
    XSD.int,
    XSD.long,
    XSD.short,
    XSD.byte,
    XSD.nonNegativeInteger,
    XSD.positiveInteger,
    XSD.negativeInteger,
    XSD.nonPositiveInteger,
    XSD.unsignedInt,
    XSD.unsignedLong,
    XSD.unsignedShort,
    XSD.unsignedByte,
}


def by_value(term):
    """One lexical form per value for the datatypes the project uses; other terms as they are."""
    if not isinstance(term, Literal):
        return term
    if term.language:
        return Literal(str(term), lang=term.language.lower())
    dt, text = term.datatype, str(term).strip()
    try:
        if dt in _INTEGERS:
            return Literal(str(int(text)), datatype=XSD.integer)
        if dt == XSD.decimal:
            value = Decimal(text).normalize()
            return Literal(format(value, "f"), datatype=dt)
        if dt in (XSD.double, XSD.float):
            return Literal(repr(float(text)), datatype=dt)
        if dt == XSD.boolean:
            return Literal("true" if text in ("true", "1") else "false", datatype=dt)
    except (ValueError, InvalidOperation):
        return term
    if dt == XSD.string:
        return Literal(text)
    return term


def _by_value(graph: rdflib.Graph) -> rdflib.Graph:
    result = rdflib.Graph()
    for s, p, o in graph:
        result.add((s, p, by_value(o)))
    return result


def _ox_term(term: Any, blanks: dict[Any, ox.BlankNode]) -> Any:
    if isinstance(term, (ox.NamedNode, ox.BlankNode, ox.Literal, ox.DefaultGraph)):
        return term
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return blanks.setdefault(term, ox.BlankNode())
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)) if term.datatype else None)
    raise TypeError(f"not an RDF term: {term!r}")


def _graph_name(context: Any, blanks: dict[Any, ox.BlankNode]) -> Any:
    name = getattr(context, "identifier", context)
    if name is None or str(name) == str(rdflib.graph.DATASET_DEFAULT_GRAPH_ID):
        return ox.DefaultGraph()
    return _ox_term(name, blanks)


def quads(data: Any) -> list[ox.Quad]:
    """The statements of an rdflib Graph or Dataset, a pyoxigraph Dataset, or pyoxigraph quads."""
    blanks: dict[Any, ox.BlankNode] = {}
    if isinstance(data, rdflib.Dataset):
        return [
            ox.Quad(_ox_term(s, blanks), _ox_term(p, blanks), _ox_term(o, blanks), _graph_name(g, blanks))
            for s, p, o, g in data.quads((None, None, None, None))
        ]
    if isinstance(data, rdflib.Graph):
        return [ox.Quad(_ox_term(s, blanks), _ox_term(p, blanks), _ox_term(o, blanks)) for s, p, o in data]
    return [q if isinstance(q, ox.Quad) else ox.Quad(q.subject, q.predicate, q.object) for q in data]


def canonical_lines(data: Any) -> set[str]:
    """The N-Quads lines of ``data`` with RDFC-1.0 blank-node labels."""
    dataset = ox.Dataset(quads(data))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(q) for q in dataset}


def _compare(a: set[str], b: set[str], sizes: tuple[int, int], what: str) -> None:
    if a == b:
        return

    def show(lines: Iterable[str]) -> str:
        shown = sorted(lines)
        return "\n".join("  " + line for line in shown[:20]) + ("\n  ..." if len(shown) > 20 else "")

    raise AssertionError(
        f"{what}: not isomorphic ({sizes[0]} vs {sizes[1]} statements)\n"
        f"only in the result ({len(a - b)}):\n{show(a - b)}\n"
        f"only in the expected ({len(b - a)}):\n{show(b - a)}"
    )


def assert_isomorphic(got: rdflib.Graph, expected: rdflib.Graph, values: bool = False, what: str = "graph") -> None:
    """Fail with the triples only one side has (at most 20 of each) unless the graphs are isomorphic."""
    if values:
        got, expected = _by_value(got), _by_value(expected)
    _compare(canonical_lines(got), canonical_lines(expected), (len(got), len(expected)), what)


def assert_same_dataset(got: Any, expected: Any, what: str = "dataset") -> None:
    """Like ``assert_isomorphic`` for datasets: graph names count (rdflib or pyoxigraph on either side)."""
    a, b = quads(got), quads(expected)
    _compare(canonical_lines(a), canonical_lines(b), (len(set(map(str, a))), len(set(map(str, b)))), what)
