"""The canonical, diff-friendly form of a data file: rdflib's longturtle, with two additions.

A file's leading comment block is kept (longturtle drops comments), blank nodes are put in a
canonical order (longturtle orders them by their random labels), and IRIs under the instance
namespace are written relative to a ``BASE`` line. The result is checked to parse back to the same
graph before anyone writes it.

>>> text = '# About x.\\n@prefix szo: <https://w3id.org/szsemi/ontology#> .\\n<https://w3id.org/szsemi/id/a/b> szo:amount 1 .\\n'
>>> print(format_turtle(text), end="")
# About x.
<BLANKLINE>
BASE <https://w3id.org/szsemi/id/>
PREFIX szo: <https://w3id.org/szsemi/ontology#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
<BLANKLINE>
<a/b>
    szo:amount 1 ;
.
"""

from __future__ import annotations

import re

import rdflib
from rdflib.compare import isomorphic, to_canonical_graph

from szsemi.errors import InputError
from szsemi.graph.guards import nesting_depth, too_big
from szsemi.graph.namespaces import PREFIXES

BASE = PREFIXES["sz"]
_OWN_IRI = re.compile(r"<" + re.escape(BASE) + r"([^>\s]+)>")


def leading_comments(text: str) -> str:
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line)
    return "\n".join(lines) + "\n\n" if lines else ""


MAX_DEPTH = 100  # rdflib recurses per level, and canonical labels take cubic time in the depth


def format_turtle(text: str, name: str = "<string>") -> str:
    """``text`` in canonical form; raises InputError if it does not parse.

    Oxigraph reads it first, so a file is refused here for the same reasons (and with the same
    file:line:column) as by every other command; then a nesting deeper than :data:`MAX_DEPTH`
    (``[ ]`` or ``( )``), which the other commands read but rdflib cannot format, is refused.
    """
    _check_with_oxigraph(text, name)
    depth, where = nesting_depth(text.encode("utf-8"), turtle=True)
    if depth > MAX_DEPTH:
        raise InputError(
            f"nested {depth} levels deep; szsemi format rewrites Turtle nested at most "
            f"{MAX_DEPTH} levels (the other commands read it as it is)",
            path=name,
            line=text.encode("utf-8").count(b"\n", 0, where) + 1,
        )
    # Canonical blank-node labels (content hashes) fix the order longturtle writes them in.
    graph = rdflib.Graph()
    graph += to_canonical_graph(_parse(text, name))
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    body = graph.serialize(format="longturtle", base=BASE)
    body = _OWN_IRI.sub(r"<\1>", body).strip() + "\n"
    result = leading_comments(text) + body
    if not isomorphic(_parse(result, name), graph):
        raise InputError("formatting would change the graph; file left as it is", path=name)
    return result


def _check_with_oxigraph(text: str, name: str) -> None:
    import io

    import pyoxigraph as ox

    from szsemi.graph.load import parse_error

    try:
        for _ in ox.parse(io.BytesIO(text.encode("utf-8")), format=ox.RdfFormat.TURTLE):
            pass
    except SyntaxError as e:
        raise parse_error(e, name) from None
    except MemoryError as e:
        raise (too_big(e, name) or e) from None


def _parse(text: str, name: str) -> rdflib.Graph:
    try:
        return rdflib.Graph().parse(data=text, format="turtle")
    except Exception as e:  # rdflib raises several parser-specific types
        raise InputError(f"does not parse as Turtle: {e}", path=name) from None
