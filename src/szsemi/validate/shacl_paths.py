"""SHACL property paths: to SPARQL for the compiled checks, and to and from the text findings carry.

A finding's path is written in SPARQL property-path syntax with full IRIs: ``<p>``, ``^<p>``,
``(<p>/<q>)``, ``(<p>|<q>)``, ``<p>*``, ``<p>+``, ``<p>?`` (a group in parentheses where a
modifier or ``^`` applies to more than one IRI). :func:`path_text` writes it from a shapes graph,
:func:`path_node` builds the SHACL path back into a graph (for the SHACL report).

>>> g = rdflib.Graph().parse(data='''@prefix sh: <http://www.w3.org/ns/shacl#> .
...   <urn:s> sh:path ( <urn:p> [ sh:inversePath <urn:q> ]
...                     [ sh:zeroOrMorePath [ sh:alternativePath ( <urn:a> <urn:b> ) ] ] ) .''',
...   format="turtle")
>>> text = path_text(g, g.value(rdflib.URIRef("urn:s"), SH.path))
>>> text
'(<urn:p>/^<urn:q>/(<urn:a>|<urn:b>)*)'
>>> out = rdflib.Graph()
>>> path_text(out, path_node(out, text)) == text
True
"""

from __future__ import annotations

import re

import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.term import Node

_MODIFIERS = {SH.zeroOrMorePath: "*", SH.oneOrMorePath: "+", SH.zeroOrOnePath: "?"}


def _items(graph: rdflib.Graph, node: Node | None) -> list[Node]:
    found: list[Node] = []
    seen: set[Node] = set()
    while node is not None and node != RDF.nil and node not in seen:
        seen.add(node)
        first = graph.value(node, RDF.first)
        if first is not None:
            found.append(first)
        node = graph.value(node, RDF.rest)
    return found


def path_text(graph: rdflib.Graph, path: Node | None) -> str | None:
    """The path as a finding carries it; None when it is not a well-formed SHACL path."""
    if isinstance(path, rdflib.URIRef):
        return path.n3()
    if not isinstance(path, rdflib.BNode):
        return None
    if graph.value(path, RDF.first) is not None:
        steps = [path_text(graph, p) for p in _items(graph, path)]
        return None if None in steps or not steps else "(" + "/".join(s for s in steps if s) + ")"
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        options = [path_text(graph, p) for p in _items(graph, alternatives)]
        return None if None in options or not options else "(" + "|".join(s for s in options if s) + ")"
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        inner = path_text(graph, inverse)
        return None if inner is None else "^" + _atom(inner)
    for predicate, mark in _MODIFIERS.items():
        inner_node = graph.value(path, predicate)
        if inner_node is not None:
            inner = path_text(graph, inner_node)
            return None if inner is None else _atom(inner) + mark
    return None


def _atom(text: str) -> str:
    """``text`` as one unit a modifier or ``^`` can apply to."""
    if re.fullmatch(r"<[^>]*>", text) or (text.startswith("(") and _closing(text, 0) == len(text) - 1):
        return text
    return f"({text})"


def _closing(text: str, start: int) -> int:
    depth = 0
    i = start
    while i < len(text):
        c = text[i]
        if c == "<":
            i = text.index(">", i)
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def path_node(graph: rdflib.Graph, text: str) -> Node:
    """Build the SHACL path written as ``text`` in ``graph``; return its node."""
    node, end = _parse(graph, text, 0)
    if end != len(text):
        raise ValueError(f"not a path: {text!r}")
    return node


def _parse(graph: rdflib.Graph, text: str, i: int) -> tuple[Node, int]:
    """A sequence or alternative starting at ``i``, up to a closing parenthesis or the end."""
    items: list[Node] = []
    separator = None
    while True:
        node, i = _unary(graph, text, i)
        items.append(node)
        if i < len(text) and text[i] in "/|":
            separator = text[i]
            i += 1
            continue
        break
    if len(items) == 1:
        return items[0], i
    head = rdflib.BNode()
    Collection(graph, head, items)
    if separator == "|":
        alt = rdflib.BNode()
        graph.add((alt, SH.alternativePath, head))
        return alt, i
    return head, i


def _unary(graph: rdflib.Graph, text: str, i: int) -> tuple[Node, int]:
    node: Node
    if text[i] == "^":
        inner, i = _unary(graph, text, i + 1)
        node = rdflib.BNode()
        graph.add((node, SH.inversePath, inner))
        return node, i
    if text[i] == "(":
        node, i = _parse(graph, text, i + 1)
        if text[i] != ")":
            raise ValueError(f"not a path: {text!r}")
        i += 1
    elif text[i] == "<":
        end = text.index(">", i)
        node, i = rdflib.URIRef(text[i + 1 : end]), end + 1
    else:
        raise ValueError(f"not a path: {text!r}")
    while i < len(text) and text[i] in "*+?":
        wrapper = rdflib.BNode()
        graph.add((wrapper, {v: k for k, v in _MODIFIERS.items()}[text[i]], node))
        node, i = wrapper, i + 1
    return node, i


def simple_predicate(path: str | None) -> tuple[str, bool] | None:
    """(IRI, inverse?) when ``path`` is one IRI or its inverse, else None.

    >>> simple_predicate("^<urn:p>"), simple_predicate("(<urn:p>/<urn:q>)")
    (('urn:p', True), None)
    """
    if path and re.fullmatch(r"\^?<[^>]*>", path):
        return path.lstrip("^")[1:-1], path.startswith("^")
    return None
