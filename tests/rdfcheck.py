"""Graph comparison for the tests: isomorphism, optionally by literal value, with a readable diff.

Stores hand literals back in their own canonical form (Oxigraph writes ``10.0``^^xsd:decimal as ``10``,
Virtuoso writes booleans as ``1``/``0``, language tags come back in lower case), so a round trip through
a store is compared by value: each literal is first rewritten to one canonical lexical form.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import rdflib
from rdflib import XSD, Literal
from rdflib.compare import graph_diff, isomorphic

from szsemi.export.bnodes import stable

_INTEGERS = {XSD.integer, XSD.int, XSD.long, XSD.short, XSD.byte, XSD.nonNegativeInteger,
             XSD.positiveInteger, XSD.negativeInteger, XSD.nonPositiveInteger, XSD.unsignedInt,
             XSD.unsignedLong, XSD.unsignedShort, XSD.unsignedByte}


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


def assert_isomorphic(got: rdflib.Graph, expected: rdflib.Graph, values: bool = False, what: str = "graph"):
    """Fail with the triples only one side has (at most 20 of each) unless the graphs are isomorphic.

    Blank nodes are first given content-derived labels (``szsemi.export.bnodes``), which makes isomorphic
    graphs equal as sets; rdflib.compare decides when they are not tree-shaped, and writes the diff.
    """
    if values:
        got, expected = _by_value(got), _by_value(expected)
    a, b = stable(got), stable(expected)
    if set(a) == set(b):
        return
    if len(a) == len(b) and isomorphic(got, expected):
        return
    _, only_got, only_expected = graph_diff(a, b)

    def show(graph):
        lines = sorted(" ".join(t.n3() for t in triple) for triple in graph)
        return "\n".join("  " + line for line in lines[:20]) + ("\n  ..." if len(lines) > 20 else "")

    raise AssertionError(f"{what}: not isomorphic ({len(got)} vs {len(expected)} triples)\n"
                         f"only in the result ({len(only_got)}):\n{show(only_got)}\n"
                         f"only in the expected ({len(only_expected)}):\n{show(only_expected)}")
