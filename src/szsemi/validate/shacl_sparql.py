"""SHACL-SPARQL constraints: their prefixes, the constructs the standard forbids, and the query text.

The SHACL specification (section 5.3.1, pre-bound variables) forbids in SHACL-SPARQL queries
``MINUS``, ``VALUES``, federated ``SERVICE``, a nested ``SELECT`` (a subquery need not return the
pre-bound variables) and ``AS ?this`` (or another pre-bound variable). A conforming engine refuses
such a shapes graph rather than running it: :func:`refuse_forbidden` raises ``InputError`` (exit 2)
naming the shape and the construct.

>>> forbidden_construct('SELECT $this WHERE { $this ?p ?o . MINUS { $this ?p "MINUS" } }')
'MINUS'
>>> forbidden_construct('SELECT $this WHERE { $this ex:values ?v . FILTER (?v > 1) } # VALUES')
>>> forbidden_construct('SELECT $this WHERE { { SELECT $this WHERE { FILTER ($this = <urn:x>) } } }')
>>> forbidden_construct('SELECT $this WHERE { { SELECT * WHERE { FILTER ($this = <urn:x>) } } }')
'a nested SELECT that does not project $this'
"""

from __future__ import annotations

import re
from typing import Any

import rdflib
from rdflib.namespace import OWL, SH

from szsemi.errors import InputError

# strings, IRIs and comments: their text is not syntax
_OPAQUE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\x00-\x20]*>|#[^\n]*'
)
_KEYWORD = r"(?<![\w:?$]){}(?![\w:])"
_PRE_BOUND = ("this", "shapesGraph", "currentShape")


def _syntax(text: str) -> str:
    return _OPAQUE.sub(" ", text)


def forbidden_construct(text: str, *, validator: bool = False) -> str | None:
    """The first construct of ``text`` that SHACL-SPARQL forbids, or None.

    ``validator``: an ASK or SELECT validator of a custom component, where ``$value`` is pre-bound too.
    """
    code = _syntax(text)
    for word in ("MINUS", "VALUES", "SERVICE"):
        if re.search(_KEYWORD.format(word), code, re.IGNORECASE):
            return word
    for m in list(re.finditer(_KEYWORD.format("SELECT"), code, re.IGNORECASE))[1:]:
        projection = re.split(r"\bWHERE\b|\{", code[m.end() :], maxsplit=1, flags=re.IGNORECASE)[0]
        if not re.search(r"[?$]this\b", projection):  # a subquery must return $this (SELECT * may not)
            return "a nested SELECT that does not project $this"
    names = (*_PRE_BOUND, "value") if validator else _PRE_BOUND
    for name in names:
        if re.search(r"\bAS\s+[?$]" + name + r"\b", code, re.IGNORECASE):
            return f"AS ?{name} (a pre-bound variable)"
    return None


def refuse_forbidden(shapes: rdflib.Graph) -> None:
    """``InputError`` naming the shape and construct when a SPARQL text of ``shapes`` is forbidden."""
    validators = (
        set(shapes.objects(None, SH.validator))
        | set(shapes.objects(None, SH.nodeValidator))
        | set(shapes.objects(None, SH.propertyValidator))
    )
    for predicate in (SH.select, SH.ask):
        for owner, text in sorted(shapes.subject_objects(predicate)):
            found = forbidden_construct(str(text), validator=owner in validators or predicate == SH.ask)
            if found:
                raise InputError(
                    f"{owner_name(shapes, owner)} uses {found} in its SPARQL query, which the SHACL "
                    "specification forbids there (SHACL 5.3.1, pre-bound variables): rewrite it "
                    "(FILTER NOT EXISTS for MINUS, FILTER or UNION for VALUES, no SERVICE, "
                    "no subquery, BIND to another variable)"
                )


def owner_name(shapes: rdflib.Graph, owner: Any) -> str:
    """The shape (or component) a SPARQL text belongs to, for messages."""
    for predicate in (SH.sparql, SH.validator, SH.nodeValidator, SH.propertyValidator):
        holder = shapes.value(predicate=predicate, object=owner)
        if holder is not None:
            return f"shape {holder.n3() if isinstance(holder, rdflib.URIRef) else '(blank node)'}"
    return f"shape {owner.n3()}" if isinstance(owner, rdflib.URIRef) else "a SHACL-SPARQL constraint"


def declared_prefixes(shapes: rdflib.Graph, owner: Any) -> dict[str, str]:
    """The prefixes ``owner``'s ``sh:prefixes`` declare, following ``owl:imports`` of those nodes."""
    declared: dict[str, str] = {}
    todo = list(shapes.objects(owner, SH.prefixes))
    seen: set[Any] = set()
    while todo:
        node = todo.pop(0)
        if node in seen:
            continue
        seen.add(node)
        for decl in shapes.objects(node, SH.declare):
            prefix, namespace = shapes.value(decl, SH.prefix), shapes.value(decl, SH.namespace)
            if prefix is not None and namespace is not None:
                declared.setdefault(str(prefix), str(namespace))
        todo += list(shapes.objects(node, OWL.imports))
    return declared


_PROLOGUE = re.compile(r"\A(?:\s+|#[^\n]*\n|(?:PREFIX\s+[\w.-]*:\s*<[^>]*>)|(?:BASE\s*<[^>]*>))*", re.IGNORECASE)


def split_prologue(text: str) -> tuple[str, str] | None:
    """A SPARQL query's PREFIX/BASE declarations and the rest, or None when the rest is not a SELECT."""
    m = _PROLOGUE.match(text)
    prologue, body = text[: m.end()] if m else "", text[m.end() :] if m else text
    if not re.match(r"SELECT\b", body, re.IGNORECASE):
        return None
    return prologue, body


def project_this(select: str) -> str:
    """``select`` with ``?this`` projected, so that LATERAL binds it inside (SEP-0006 scoping)."""
    m = re.match(r"SELECT\s+(DISTINCT\s+|REDUCED\s+)?", select, re.IGNORECASE)
    assert m is not None
    projection = select[m.end() :].split("WHERE", 1)[0].split("{", 1)[0]
    if projection.strip().startswith("*") or re.search(r"[$?]this\b", projection):
        return select
    return select[: m.end()] + "?this " + select[m.end() :]
