"""SHACL-SPARQL constraints: their prefixes, the constructs the standard forbids, and the query text.

The SHACL specification (section 5.3.1, pre-bound variables) forbids in SHACL-SPARQL queries
``MINUS``, ``VALUES``, federated ``SERVICE``, a nested ``SELECT`` (a subquery need not return the
pre-bound variables) and ``AS ?this`` (or another pre-bound variable). A conforming engine refuses
such a shapes graph rather than running it: :func:`refuse_forbidden` raises ``InputError`` (exit 2)
naming the shape and the construct. The text is read with the package's one SPARQL lexer
(:mod:`szsemi.sparql_syntax`), so a keyword inside a string, an IRI or a comment is not one.

>>> forbidden_construct('SELECT $this WHERE { $this ?p ?o . MINUS { $this ?p "MINUS" } }')
'MINUS'
>>> forbidden_construct('SELECT $this WHERE { $this ex:values ?v . FILTER (?v > 1) } # VALUES')
>>> forbidden_construct('SELECT $this WHERE { { SELECT $this WHERE { FILTER ($this = <urn:x>) } } }')
>>> forbidden_construct('SELECT $this WHERE { { SELECT * WHERE { FILTER ($this = <urn:x>) } } }')
'a nested SELECT that does not project $this'
"""

from __future__ import annotations

import itertools

import rdflib
from rdflib.namespace import OWL, SH
from rdflib.term import Node

from szsemi.errors import InputError, QueryDefinitionError
from szsemi.sparql_syntax import Token, projection, skip_prologue, tokens

_PRE_BOUND = ("this", "shapesGraph", "currentShape")


def _tokens(text: str) -> list[Token] | None:
    """The tokens of ``text``, or None when it cannot be split (an unterminated string): then it is
    not refused here, and Oxigraph or pySHACL reports it."""
    try:
        return tokens(text, check_escapes=False)
    except QueryDefinitionError:
        return None


def forbidden_construct(text: str, *, validator: bool = False) -> str | None:
    """The first construct of ``text`` that SHACL-SPARQL forbids, or None.

    ``validator``: an ASK or SELECT validator of a custom component, where ``$value`` is pre-bound too.
    """
    toks = _tokens(text) or []
    for word in ("MINUS", "VALUES", "SERVICE"):
        if any(t.word() == word for t in toks):
            return word
    selects = [k for k, t in enumerate(toks) if t.word() == "SELECT"]
    for k in selects[1:]:
        # a subquery must return $this (SELECT * may not: $this need not be in scope there)
        if not any(t.var_name() == "this" for t in projection(toks, k)):
            return "a nested SELECT that does not project $this"
    names = (*_PRE_BOUND, "value") if validator else _PRE_BOUND
    for before, after in itertools.pairwise(toks):
        if before.word() == "AS" and after.var_name() in names:
            return f"AS ?{after.var_name()} (a pre-bound variable)"
    return None


def pre_bound_unsupported(text: str) -> str | None:
    """The first variable of ``text`` that the compiled engine cannot pre-bind (``$currentShape``,
    ``$shapesGraph``, ``$PATH``), or None."""
    for t in _tokens(text) or []:
        if t.var_name() in ("currentShape", "shapesGraph", "PATH"):
            return t.text
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


def owner_name(shapes: rdflib.Graph, owner: Node) -> str:
    """The shape (or component) a SPARQL text belongs to, for messages."""
    for predicate in (SH.sparql, SH.validator, SH.nodeValidator, SH.propertyValidator):
        holder = shapes.value(predicate=predicate, object=owner)
        if holder is not None:
            return f"shape {holder.n3() if isinstance(holder, rdflib.URIRef) else '(blank node)'}"
    return f"shape {owner.n3()}" if isinstance(owner, rdflib.URIRef) else "a SHACL-SPARQL constraint"


def declared_prefixes(shapes: rdflib.Graph, owner: Node) -> dict[str, str]:
    """The prefixes ``owner``'s ``sh:prefixes`` declare, following ``owl:imports`` of those nodes."""
    declared: dict[str, str] = {}
    todo = list(shapes.objects(owner, SH.prefixes))
    seen: set[Node] = set()
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


def split_prologue(text: str) -> tuple[str, str] | None:
    """A SPARQL query's PREFIX/BASE declarations and the rest, or None when the rest is not a SELECT.

    >>> split_prologue("PREFIX ex: <http://e/> # SELECT\\nSELECT * { ?s ex:p ?o }")
    ('PREFIX ex: <http://e/> # SELECT\\n', 'SELECT * { ?s ex:p ?o }')
    """
    toks = _tokens(text)
    if toks is None:
        return None
    k = skip_prologue(toks)
    if k >= len(toks) or toks[k].word() != "SELECT":
        return None
    return text[: toks[k].start], text[toks[k].start :]


def project_this(select: str) -> str:
    """``select`` with ``?this`` projected, so that LATERAL binds it inside (SEP-0006 scoping).

    >>> project_this("SELECT DISTINCT ?value WHERE { $this ?p ?value }")
    'SELECT DISTINCT ?this ?value WHERE { $this ?p ?value }'
    >>> project_this("SELECT $this ?value WHERE { $this ?p ?value }")
    'SELECT $this ?value WHERE { $this ?p ?value }'
    """
    toks = _tokens(select) or []
    if not toks or toks[0].word() != "SELECT":
        raise ValueError(f"not a SELECT query: {select[:40]!r}")
    listed = projection(toks, 0)
    if (listed and listed[0].is_punct("*")) or any(t.var_name() == "this" for t in listed):
        return select
    k = 2 if len(toks) > 1 and toks[1].word() in ("DISTINCT", "REDUCED") else 1
    at = toks[k].start if k < len(toks) else len(select)
    return select[:at] + "?this " + select[at:]
