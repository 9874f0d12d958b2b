"""IRIs as prefixed names with the project's prefix map: the one compaction, for messages, tables,
exports and slugs.

>>> compact_iri("https://w3id.org/szsemi/id/park/colorful-silicon-valley")
'sz:park/colorful-silicon-valley'
>>> compact_iri("http://example.org/x") is None
True
>>> split_iri("https://w3id.org/szsemi/ontology#hasListing")
('szo', 'https://w3id.org/szsemi/ontology#', 'hasListing')
>>> compact("<https://w3id.org/szsemi/id/park/colorful-silicon-valley>")
'sz:park/colorful-silicon-valley'
>>> compact('"x"@en')
'"x"@en'
>>> compact("^<https://w3id.org/szsemi/ontology#hasListing>")  # an inverse path
'^szo:hasListing'
"""

from __future__ import annotations

from collections.abc import Callable

from szsemi.graph.namespaces import PREFIXES

# Longest namespace first, so sz: wins over a shorter match.
_BY_LENGTH = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))


def plain_local(local: str) -> bool:
    """The default test of a local part: not empty, and not ``//...`` (which ``expand`` would not
    read back as a prefixed name)."""
    return bool(local) and not local.startswith("//")


def split_iri(iri: str, fits: Callable[[str], bool] = plain_local) -> tuple[str, str, str] | None:
    """``(prefix, namespace, local)`` for the longest project namespace that starts ``iri`` and
    leaves a local part that ``fits`` accepts (an RDF/XML element name, say); else ``None``."""
    for prefix, namespace in _BY_LENGTH:
        if iri.startswith(namespace) and fits(iri[len(namespace) :]):
            return prefix, namespace, iri[len(namespace) :]
    return None


def compact_iri(iri: str, fits: Callable[[str], bool] = plain_local) -> str | None:
    """``prefix:local`` for ``iri`` (see :func:`split_iri`), or ``None`` when no project prefix fits."""
    split = split_iri(iri, fits)
    return f"{split[0]}:{split[2]}" if split else None


def compact(nt: str | None) -> str:
    """An N-Triples IRI ``<...>`` as ``prefix:local`` when a project prefix fits (``^<...>``, an
    inverse path, as ``^prefix:local``); anything else as is."""
    if nt and nt.startswith("^<"):
        return "^" + compact(nt[1:])
    if not nt or not (nt.startswith("<") and nt.endswith(">")):
        return nt or ""
    return compact_iri(nt[1:-1]) or nt
