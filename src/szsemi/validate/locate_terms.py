"""RDF terms that compare equal whether they were read from a Turtle file or from the store: the
keys by which ``locate`` matches a finding's nodes to the statements written in the files.

Numbers compare by value (``1.0`` and ``1``), language tags without case. A blank node's key says
where it comes from (a file's reader, or the store), so the two never meet by accident.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from szsemi.graph.namespaces import PREFIXES, XSD_INTEGERS

XSD = PREFIXES["xsd"]
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_NUMERIC = XSD_INTEGERS | {XSD + t for t in ("decimal", "double", "float")}


@dataclass(frozen=True)
class Term:
    """An RDF term as a comparable key: ("iri", iri), ("blank", id) or ("literal", value, datatype, lang)."""

    key: tuple[object, ...]

    @staticmethod
    def iri(value: str) -> Term:
        return Term(("iri", value))

    @staticmethod
    def literal(lexical: str, datatype: str = XSD + "string", language: str | None = None) -> Term:
        if language:
            return Term(("literal", lexical, RDF + "langString", language.lower()))
        if datatype in _NUMERIC:
            try:
                number = Decimal(lexical.strip())
                return Term(("literal", "number", "numeric", number.normalize() if number else Decimal(0)))
            except InvalidOperation:
                pass
        return Term(("literal", lexical, datatype, None))

    @property
    def iri_value(self) -> str:
        """The IRI of an ``iri`` term."""
        if self.key[0] != "iri":
            raise ValueError(f"not an IRI: {self.key}")
        return str(self.key[1])

    @property
    def is_blank(self) -> bool:
        return self.key[0] == "blank"


def from_ox(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Term:
    if isinstance(term, ox.NamedNode):
        return Term.iri(term.value)
    if isinstance(term, ox.BlankNode):
        return Term(("blank", "store", term.value))
    return Term.literal(term.value, term.datatype.value, term.language)


def parse_nt_term(text: str) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """A pyoxigraph term from its N-Triples form (``<iri>``, ``_:b``, ``"x"@en``, ``"1"^^<...>``)."""
    if text.startswith("_:"):
        return ox.BlankNode(text[2:])
    # Turtle, not N-Triples: rdflib writes a literal with a line break in triple quotes.
    quads = list(ox.parse(f"<urn:s> <urn:p> {text} .".encode(), format=ox.RdfFormat.TURTLE))
    term: object = quads[0].object
    if not isinstance(term, ox.NamedNode | ox.BlankNode | ox.Literal):
        raise SyntaxError(f"a quoted triple is not a term here: {text}")
    return term
