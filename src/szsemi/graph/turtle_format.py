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


def format_turtle(text: str, name: str = "<string>") -> str:
    """``text`` in canonical form; raises InputError if it does not parse."""
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


def _parse(text: str, name: str) -> rdflib.Graph:
    try:
        return rdflib.Graph().parse(data=text, format="turtle")
    except Exception as e:  # rdflib raises several parser-specific types
        raise InputError(f"does not parse as Turtle: {e}", path=name) from None
