"""Render RDF terms compactly with the project's prefix map, for messages and tables.

>>> compact("<https://w3id.org/szsemi/id/park/colorful-silicon-valley>")
'sz:park/colorful-silicon-valley'
>>> compact('"x"@en')
'"x"@en'
>>> compact("^<https://w3id.org/szsemi/ontology#hasListing>")  # an inverse path
'^szo:hasListing'
"""

from __future__ import annotations

from szsemi.graph.namespaces import PREFIXES

# Longest namespace first, so sz: wins over a shorter match.
_BY_LENGTH = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))


def compact(nt: str | None) -> str:
    """An N-Triples IRI ``<...>`` as ``prefix:local`` when a project prefix fits (``^<...>``, an
    inverse path, as ``^prefix:local``); anything else as is."""
    if nt and nt.startswith("^<"):
        return "^" + compact(nt[1:])
    if not nt or not (nt.startswith("<") and nt.endswith(">")):
        return nt or ""
    iri = nt[1:-1]
    for prefix, namespace in _BY_LENGTH:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return nt
