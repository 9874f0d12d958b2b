"""Single values as pySHACL judges them, for the compiled SHACL checks (:mod:`szsemi.validate.shacl_compile`).

pySHACL reads the store through oxrdflib, as rdflib terms: a literal's lexical form is rdflib's
normalised one, a plain string is typed xsd:string, a datatype rdflib parses can make a literal
ill-typed. SPARQL on Oxigraph decides most values alike; these functions hold the rest: the SPARQL
text of shape constants, which literals Oxigraph stores as written, and the Python tests for
``sh:datatype``, ``sh:pattern`` and value ranges that the checks apply to their candidate rows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import TypeAlias, overload

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

OxTerm: TypeAlias = ox.NamedNode | ox.BlankNode | ox.Literal  # a term of a query row
Keep: TypeAlias = Callable[[OxTerm], bool]  # True for a candidate value node that fails


class NotCompiled(Exception):
    """This part of the shapes graph stays with pySHACL (the reason is the message)."""


# --------------------------------------------------------------------------- terms


def sparql_term(term: Node) -> str:
    """An rdflib IRI or literal from the shapes graph as SPARQL text; a blank node is not compiled."""
    if isinstance(term, URIRef):
        if re.search(r'[\x00-\x20<>"{}|^`\\]', str(term)):
            raise NotCompiled(f"IRI {term!r} cannot be written in SPARQL")
        return f"<{term}>"
    if isinstance(term, Literal):
        return str(_ox_literal(term))
    raise NotCompiled("a blank node as a constant")


def _ox_literal(term: Literal) -> ox.Literal:
    if term.language:
        return ox.Literal(str(term), language=term.language.lower())  # as Oxigraph stores it
    return ox.Literal(str(term), datatype=ox.NamedNode(term.datatype or XSD.string))


def canonical(term: Node) -> bool:
    """True when Oxigraph stores ``term`` as written, so that term equality means the same in both engines."""
    if not isinstance(term, Literal):
        return isinstance(term, URIRef)
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), _ox_literal(term)))
    stored = next(iter(store)).object
    return (
        stored.value == str(term)
        and (stored.language or None) == ((term.language or "").lower() or None)
        and (term.language is not None or stored.datatype.value == str(term.datatype or XSD.string))
    )


@overload
def to_rdflib(term: ox.Literal) -> Literal: ...
@overload
def to_rdflib(term: ox.NamedNode) -> URIRef: ...
@overload
def to_rdflib(term: OxTerm) -> URIRef | BNode | Literal: ...
def to_rdflib(term: OxTerm) -> URIRef | BNode | Literal:
    """An Oxigraph term as oxrdflib shows it to pySHACL (a plain literal keeps xsd:string)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)  # as written


# --------------------------------------------------------------------------- datatypes

# Datatypes Oxigraph can cast to: a literal it stores in canonical form casts to itself.
_CASTS = {XSD[n] for n in ("integer", "decimal", "double", "float", "boolean", "dateTime", "date", "time")}
_YEAR_GUARD = {XSD.date, XSD.dateTime}  # Python's date and datetime only take years 1-9999


def canonical_form(datatype: URIRef, v: str) -> str:
    """A SPARQL test: the literal in ``v`` is in Oxigraph's canonical form of ``datatype``, so rdflib
    parses it too (the other literals of ``datatype`` are decided in Python)."""
    if datatype not in _CASTS:
        return "false"
    test = f"COALESCE(sameTerm(<{datatype}>({v}), {v}), false)"
    if datatype in _YEAR_GUARD:
        test += f' && REGEX(STR({v}), "^[0-9]{{4}}-") && !STRSTARTS(STR({v}), "0000")'
    return test


def rdflib_converts(datatype: URIRef) -> bool:
    """rdflib parses this datatype's lexical forms, so pySHACL can find a literal of it ill-typed."""
    from rdflib.term import XSDToPython

    return XSDToPython.get(datatype) is not None


def datatype_matches(term: OxTerm, datatype: URIRef) -> bool:
    """pySHACL's sh:datatype test for one value node of an rdflib-known ``datatype``."""
    import datetime

    if not isinstance(term, ox.Literal) or term.language or term.datatype.value != str(datatype):
        return False
    import logging

    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.CRITICAL)  # rdflib logs every ill-typed literal it meets
    try:
        lit = to_rdflib(term)
        if lit.ill_typed is True:
            return False
        value = lit.value
    finally:
        logger.setLevel(level)
    kinds: dict[URIRef, type | tuple[type, ...]] = {
        XSD.string: (str, bytes),
        XSD.integer: int,
        XSD.float: float,
        XSD.decimal: Decimal,
        XSD.boolean: bool,
        XSD.date: datetime.date,
        XSD.time: datetime.time,
        XSD.dateTime: datetime.datetime,
    }
    return isinstance(value, kinds[datatype]) if datatype in kinds else True


def datatype_holds(written: str, datatype: str) -> bool:
    """A literal in N-Triples form is of ``datatype`` with a valid lexical form (the sh:datatype test
    on the literal as written)."""
    import logging

    from szsemi.validate.locate import parse_nt_term

    term = parse_nt_term(written)
    if not isinstance(term, ox.Literal) or term.language or term.datatype.value != str(datatype):
        return False
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False).ill_typed is not True
    finally:
        logger.setLevel(level)


# --------------------------------------------------------------------------- value ranges and patterns


def range_keep(op: str, bound: Literal) -> Keep:
    """pySHACL's value-range test, negated: True for a value node that fails ``value op bound``."""
    import datetime

    bound_is_string = isinstance(bound.value, str)

    def fails(term: OxTerm) -> bool:
        if not isinstance(term, ox.Literal):
            return True
        value = to_rdflib(term)
        if isinstance(value.value, str) != bound_is_string:
            return True
        try:
            if value.eq(bound):
                order = 0
            elif value.value.__class__ in (datetime.datetime, datetime.time):
                order = 0 if value.value == bound.value else (1 if value.value > bound.value else -1)
            else:
                order = 1 if value > bound else -1
        except (TypeError, NotImplementedError):
            return True
        return not {">=": order >= 0, ">": order > 0, "<=": order <= 0, "<": order < 0}[op]

    return fails


_SAFE_REGEX = re.compile(
    r"(?:[A-Za-z0-9 _,:;/#@%&'=<>!~-]|\\[.\-/]|\[\^?(?:[A-Za-z0-9_ .]|\\[.\-]|[A-Za-z0-9]-[A-Za-z0-9])+\]"
    r"|[()|^$?*+]|\{\d+(?:,\d*)?\})*"
)


def regex_prefilter(pattern: Literal, flags: Literal | None) -> str | None:
    """A SPARQL filter keeping the values that may fail ``pattern``; None when it cannot be trusted.

    For patterns made of ASCII literals, character classes, groups, alternatives and quantifiers,
    what SPARQL's REGEX matches Python's ``re.search`` matches too (Python's ``$`` also matches
    before a final newline: such a value is a candidate and Python decides), so a REGEX match
    is a sure pass.
    """
    text = str(pattern)
    extra = set(str(flags)) - set("im") if flags is not None else set()
    if extra or not _SAFE_REGEX.fullmatch(text) or "(?" in text:
        return None
    options = "".join(sorted(set(str(flags)) & set("im"))) if flags is not None else ""
    # only strings and IRIs: rdflib rewrites other lexical forms (" 7"^^xsd:integer reads as "7")
    plain = f"(isIRI(?value) || datatype(?value) IN (<{XSD.string}>, <{RDF.langString}>))"
    return f"!COALESCE({plain} && REGEX(STR(?value), {ox.Literal(text)}, {ox.Literal(options)}), false)"


def pattern_keep(pattern: Literal, flags: Literal | None) -> Keep:
    """pySHACL's sh:pattern test, negated (Python ``re``, flags i and m only)."""
    re_flags = 0
    if flags is not None:
        text = str(flags.value).lower()
        re_flags |= (re.I if "i" in text else 0) | (re.M if "m" in text else 0)
    matcher = re.compile(str(pattern), re_flags)
    return lambda term: isinstance(term, ox.BlankNode) or not matcher.search(as_string(term))


def as_string(term: ox.NamedNode | ox.Literal) -> str:
    """The string pySHACL matches a pattern against: rdflib's (normalised) lexical form, or the IRI."""
    if isinstance(term, ox.NamedNode):
        return term.value
    lit = to_rdflib(term)
    if lit.value is not None and lit.datatype in (None, RDF.langString, XSD.string):
        return str(lit.value)
    return str(lit)
