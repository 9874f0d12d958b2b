"""Bind query parameters as RDF terms, the same way for the local store and a remote endpoint.

A stored query is never edited by splicing raw text into it. Each parameter becomes one
``VALUES ?var { term ... }`` block, inserted as the first element of the query's top-level
WHERE group, and each term is written by :func:`term_to_sparql` in strict SPARQL term syntax.
The result is plain query text, so both engines receive exactly the same query.

>>> from rdflib.term import Literal, URIRef
>>> term_to_sparql(Literal('say "hi"', lang="en"))
'"say \\\\"hi\\\\""@en'
>>> print(bind("SELECT ?s WHERE { ?s ?p ?o }", {"o": [URIRef("http://e/a"), Literal(1)]}))
SELECT ?s WHERE {
  VALUES ?o { <http://e/a> "1"^^<http://www.w3.org/2001/XMLSchema#integer> }
 ?s ?p ?o }

Semantics: the VALUES block is joined with the rest of the top-level group, so a bound
variable restricts the solutions wherever it is in scope there (triple patterns, nested groups,
OPTIONAL, FILTERs of that group, the projection). It is *not* substituted into places the
top-level group cannot see: a sub-SELECT that does not project the variable, a FILTER inside a
nested group where the variable is not bound, and the inside of a sub-SELECT before its
LIMIT/aggregation. A BIND that assigns a bound variable makes the query invalid.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Literal, NamedTuple, TypeAlias

import pyoxigraph as ox

from szsemi.errors import UsageError
from szsemi.sparql_syntax import Token, skip_prologue, syntax_error, tokens

__all__ = ["bind", "query_form", "query_variables", "term_to_sparql", "with_slice"]

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

# --------------------------------------------------------------------------------------------
# Terms
# --------------------------------------------------------------------------------------------

# SPARQL 1.1 IRIREF: '<' ([^<>"{}|^`\]-[#x00-#x20])* '>'
# Patterns are compiled on first use (re keeps them), not at import: a stored query without
# parameters uses none of them.
_IRIREF_FORBIDDEN = r'[<>"{}|^`\\\x00-\x20]'

_LANGTAG = r"[a-zA-Z]+(?:-[a-zA-Z0-9]+)*"  # SPARQL LANGTAG, without the '@'

# ECHAR escapes; every other control character is written as \\uXXXX.
_ECHAR = {"\t": "\\t", "\b": "\\b", "\n": "\\n", "\r": "\\r", "\f": "\\f", '"': '\\"', "\\": "\\\\"}
_HEX4 = r"[0-9A-Fa-f]{4}"
# What makes _string write an escape: an _ECHAR character or another control character. Without
# one there is no backslash, so no \u escape either: the value is written as it is.
_NEEDS_ESCAPE = r'[\x00-\x1f\x7f"\\]'

# What _parts sees in a term, whichever library made it.
_Parts: TypeAlias = (
    tuple[Literal["iri", "bnode"], str]
    | tuple[Literal["literal"], str, str | None, str | None]  # lexical, language, datatype
    | tuple[Literal["other"], tuple[str, str]]  # the type's module and name
)


def _show(value: object, limit: int = 120) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _check_unicode(value: str, what: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise UsageError(f"{what} {_show(value)} contains a lone surrogate code point") from None


def iri_ref(value: str, what: str = "IRI") -> str:
    """``<value>`` after checking that it is an absolute IRI that SPARQL IRIREF can carry.

    The RFC 3987 check is pyoxigraph's own, the one it applies when it parses the query.
    """
    _check_unicode(value, what)
    bad = re.search(_IRIREF_FORBIDDEN, value)
    if bad:
        raise UsageError(f"{what} {_show(value)} contains {bad.group()!r}, which a SPARQL IRI cannot contain")
    try:
        ox.NamedNode(value)
    except ValueError as e:
        raise UsageError(f"{what} {_show(value)} is not an absolute IRI (RFC 3987): {e}") from None
    return f"<{value}>"


def _language_ok(tag: str) -> bool:
    if not re.fullmatch(_LANGTAG, tag):
        return False
    try:
        ox.Literal("", language=tag)  # pyoxigraph's BCP 47 (RFC 5646) check
    except ValueError:
        return False
    return True


def _string(value: str) -> str:
    """``"value"`` in STRING_LITERAL_QUOTE form, safe however an engine handles ``\\u`` escapes.

    SPARQL 1.1 section 19.2 lets ``\\uXXXX`` be decoded before parsing. Engines differ: some
    decode only inside strings (Oxigraph, RDF4J), some follow Java's rule (Jena: a ``\\u`` after
    an escaped backslash is not an escape), some decode every ``\\u`` in the text, taking 8 hex
    digits when they can (rdflib). So the output never contains a ``\\u`` that the value did not
    ask for: a ``u``/``U`` right after a backslash of the value is itself written ``\\u0075`` /
    ``\\u0055``, and an escape we write is never followed by four hex digits (those are escaped
    too, one at a time, until that is no longer so).
    """
    if not re.search(_NEEDS_ESCAPE, value):  # no backslash, quote or control: nothing below applies
        return '"' + value + '"'
    out: list[str] = []
    force = False  # the previous piece was a \\uXXXX escape
    prev_backslash = False
    special, hex4 = re.compile(_NEEDS_ESCAPE), re.compile(_HEX4)
    i, n = 0, len(value)
    while i < n:
        # the characters up to the next special one are written as they are, but for those right
        # after a backslash (a u or U) or an escape we wrote (the first of four hex digits)
        found = special.search(value, i)
        end = found.start() if found else n
        while i < end and ((prev_backslash and value[i] in "uU") or (force and hex4.match(value, i))):
            out.append(f"\\u{ord(value[i]):04X}")
            force, prev_backslash = True, False
            i += 1
        if i < end:
            out.append(value[i:end])
            force, prev_backslash = False, False
        if found:  # an _ECHAR character, or another control character
            ch = value[end]
            out.append(_ECHAR.get(ch) or f"\\u{ord(ch):04X}")
            force, prev_backslash = ch not in _ECHAR, ch == "\\"
        i = end + 1
    return '"' + "".join(out) + '"'


def _parts(term: object) -> _Parts:
    """("iri", value) | ("literal", lexical, language, datatype) | ("bnode", id) | ("other", (module, type))."""
    if isinstance(term, ox.NamedNode):
        return ("iri", term.value)
    if isinstance(term, ox.Literal):
        return ("literal", term.value, term.language, term.datatype.value)
    if isinstance(term, ox.BlankNode):
        return ("bnode", term.value)
    # rdflib terms, recognised without importing rdflib (it costs ~100 ms on the query path)
    kind = type(term).__module__, type(term).__name__
    for cls in type(term).__mro__:
        if cls.__module__ != "rdflib.term":
            continue
        if cls.__name__ == "URIRef":
            return ("iri", str(term))
        if cls.__name__ == "Literal":
            dt = getattr(term, "datatype", None)
            return ("literal", str(term), getattr(term, "language", None), None if dt is None else str(dt))
        if cls.__name__ == "BNode":
            return ("bnode", str(term))
    return ("other", kind)


def term_to_sparql(term: object) -> str:
    """The SPARQL/N-Triples text of a pyoxigraph or rdflib IRI or literal.

    Raises :class:`UsageError` for blank nodes, for anything that is not such a term, for IRIs
    (also datatype IRIs) that hold a character SPARQL IRIs cannot hold or are not absolute
    RFC 3987 IRIs, for language tags that are not ``[a-zA-Z]+(-[a-zA-Z0-9]+)*`` and well-formed
    BCP 47 (RFC 5646), and for lone surrogates. These are also the checks pyoxigraph makes when
    it parses the query, so an accepted term cannot make the bound query fail to parse there.
    """
    parts = _parts(term)
    if parts[0] == "bnode":
        raise UsageError(f"blank node {_show(term)} cannot be a query parameter: use an IRI")
    if parts[0] == "iri":
        return iri_ref(parts[1])
    if parts[0] == "literal":
        _, lexical, language, dt = parts
        _check_unicode(lexical, "literal")
        text = _string(lexical)
        if language:
            if not _language_ok(language):
                raise UsageError(
                    f"invalid language tag {_show(language)} on {_show(term)}: not a well-formed BCP 47 tag"
                )
            return f"{text}@{language}"
        if dt is not None and dt != _XSD_STRING:
            if dt in (_RDF + "langString", _RDF + "dirLangString"):
                raise UsageError(f"literal {_show(term)} has datatype {dt} but no language tag")
            return f"{text}^^{iri_ref(dt, 'datatype IRI')}"
        return text
    raise UsageError(f"{_show(term)} is not a bindable RDF term: give a pyoxigraph or rdflib IRI or literal")


# --------------------------------------------------------------------------------------------
# Finding the WHERE group
# --------------------------------------------------------------------------------------------

_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
_AFTER_WHERE = {"VALUES", "GROUP", "ORDER", "HAVING", "LIMIT", "OFFSET"}


class _Where(NamedTuple):  # not a dataclass: see sparql_syntax.Token
    open: Token  # the '{' of the top-level WHERE group
    close: Token  # its '}'
    subselect: bool  # the group is a bare sub-SELECT: { SELECT ... }
    construct_short: Token | None  # the CONSTRUCT keyword of a CONSTRUCT WHERE { ... } query


def _matching(text: str, toks: list[Token]) -> dict[int, int]:
    """Index of the closing brace/paren for each opening one, checking they balance."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    closer = {"{": "}", "(": ")", "[": "]"}
    for k, t in enumerate(toks):
        if t.kind != "punct":
            continue
        if t.text in closer:
            stack.append(k)
        elif t.text in "})]":
            if not stack or closer[toks[stack[-1]].text] != t.text:
                raise syntax_error(text, t.start, f"unbalanced {t.text!r}")
            pairs[stack.pop()] = k
    if stack:
        raise syntax_error(text, toks[stack[-1]].start, f"unclosed {toks[stack[-1]].text!r}")
    return pairs


def _form_token(text: str, toks: list[Token], why: str = "") -> tuple[int, str]:
    """The index and upper-cased word of the query form keyword after the prologue; a
    :class:`QueryDefinitionError` naming what stands there instead (``why`` is added to it)."""
    k = skip_prologue(toks)
    word = toks[k].word() if k < len(toks) else None
    if word is None or word not in _FORMS:
        where = toks[k].start if k < len(toks) else len(text)
        found = toks[k].text if k < len(toks) else "nothing"
        raise syntax_error(
            text, where, f"expected SELECT, ASK, CONSTRUCT or DESCRIBE after the prologue, found {found!r}{why}"
        )
    return k, word


def query_form(text: str, check_escapes: bool = True) -> str:
    r"""SELECT, ASK, CONSTRUCT or DESCRIBE: the form of a query, read past comments and the prologue.

    >>> query_form("# note\nPREFIX ex: <http://e/>\nask { ?s ?p ?o }")
    'ASK'
    """
    toks = tokens(text, check_escapes)
    return _form_token(text, toks)[1]


def form_span(text: str) -> tuple[int, int]:
    r"""Where the query form keyword (SELECT, ASK, CONSTRUCT, DESCRIBE) stands in ``text``.

    >>> form_span("PREFIX ex: <http://e/>\nASK { ?s ?p ?o }")
    (23, 26)
    """
    toks = tokens(text, check_escapes=False)
    tok = toks[_form_token(text, toks)[0]]  # an error names the place
    return tok.start, tok.end


def query_variables(text: str) -> set[str]:
    """The names of the variables a query mentions (without ``?``/``$``)."""
    return {t.text[1:] for t in tokens(text) if t.kind == "var"}


def with_slice(text: str, limit: int | None, offset: int | None) -> str | None:
    r"""A SELECT with ``LIMIT``/``OFFSET`` appended, or None when the query has its own (or a
    trailing VALUES), in which case the caller slices the rows. The numbers are ints, not text.

    >>> with_slice("SELECT * WHERE { ?s ?p ?o } ORDER BY ?s", 5, None)
    'SELECT * WHERE { ?s ?p ?o } ORDER BY ?s\nLIMIT 5'
    """
    # the text may be a bound query: the \u escapes bind() writes into strings are fine here
    if query_form(text, check_escapes=False) != "SELECT":
        return None
    toks = tokens(text, check_escapes=False)
    where = _find_where(text, check_escapes=False)
    tail = [t.word() for t in toks if t.start >= where.close.end]
    if {"LIMIT", "OFFSET", "VALUES"} & set(tail):
        return None
    clauses = ([f"LIMIT {int(limit)}"] if limit is not None else []) + (
        [f"OFFSET {int(offset)}"] if offset is not None else []
    )
    return text.rstrip() + "\n" + " ".join(clauses)


@lru_cache(maxsize=256)  # a stored query's text is bound again and again: find its group once
def _find_where(text: str, check_escapes: bool = True) -> _Where:
    toks = tokens(text, check_escapes)
    pairs = _matching(text, toks)
    k, _ = _form_token(text, toks, ": only queries with a WHERE clause take parameters")
    form = toks[k]
    k += 1
    short: Token | None = None
    if form.word() == "CONSTRUCT":
        if k < len(toks) and toks[k].text == "{" and toks[k].kind == "punct":
            k = pairs[k] + 1  # skip the template
        else:
            short = form
    while k < len(toks):
        t = toks[k]
        if t.kind == "punct" and t.text == "(":
            k = pairs[k] + 1
            continue
        if t.kind == "punct" and t.text == "{":
            if short is not None:
                raise syntax_error(text, t.start, "CONSTRUCT without a template needs WHERE before '{'")
            return _group(toks, pairs, k, None)
        word = t.word()
        if word == "WHERE":
            if k + 1 < len(toks) and toks[k + 1].kind == "punct" and toks[k + 1].text == "{":
                return _group(toks, pairs, k + 1, short)
            raise syntax_error(text, t.start, "WHERE is not followed by '{'")
        if word in _AFTER_WHERE:
            break
        k += 1
    raise syntax_error(text, form.start, f"this {form.word()} query has no WHERE clause to bind parameters in")


def _group(toks: list[Token], pairs: dict[int, int], k: int, short: Token | None) -> _Where:
    first = toks[k + 1]
    return _Where(open=toks[k], close=toks[pairs[k]], subselect=first.word() == "SELECT", construct_short=short)


# --------------------------------------------------------------------------------------------
# bind
# --------------------------------------------------------------------------------------------

_VARNAME = r"[A-Za-z_][A-Za-z0-9_]*"


def bind(query: str, bindings: Mapping[str, Iterable[object]]) -> str:
    """The query text with one ``VALUES ?name { term ... }`` block per non-empty binding.

    ``bindings`` maps variable names (without ``?``) to sequences of rdflib terms; several terms
    mean "any of these", an empty sequence means "not bound". Blocks are written in name order,
    each term once, right after the ``{`` of the top-level WHERE group (found with the WHERE
    keyword, or as the first top-level ``{`` of a SELECT/ASK/DESCRIBE without it, or the first
    after the template of a CONSTRUCT). A WHERE group that is a bare sub-SELECT is wrapped in
    braces, and ``CONSTRUCT WHERE { T }`` is rewritten to ``CONSTRUCT { T } WHERE { ... T }``,
    because neither form may hold a VALUES block.

    Raises :class:`UsageError` for a bad name or term and :class:`QueryDefinitionError` when the
    query has no WHERE group (e.g. ``DESCRIBE <x>``, an update) or cannot be tokenised.
    """
    blocks: list[str] = []
    for name in sorted(bindings):
        if not isinstance(name, str) or not re.fullmatch(_VARNAME, name):
            raise UsageError(f"invalid variable name {_show(name)}: use [A-Za-z_][A-Za-z0-9_]* without '?'")
        values = bindings[name]
        if isinstance(values, (str, bytes)) or _parts(values)[0] != "other":
            raise UsageError(f"binding for {name!r} must be a sequence of terms, got {_show(values)}")
        terms = list(dict.fromkeys(term_to_sparql(v) for v in values))
        if terms:
            blocks.append(f"\n  VALUES ?{name} {{ {' '.join(terms)} }}")
    if not blocks:
        return query
    values_text = "".join(blocks) + "\n"
    w = _find_where(query)
    a, b = w.open.end, w.close.start
    if w.subselect:
        return query[:a] + values_text + "  {" + query[a:b] + "\n  }" + query[b:]
    if w.construct_short is not None:
        c = w.construct_short.end
        return query[:c] + " {" + query[a:b] + "\n}" + query[c:a] + values_text + query[a:]
    return query[:a] + values_text + query[a:]


def select_variables(text: str) -> list[str] | None:
    """The variables a SELECT projects, in order; None for ``SELECT *`` or another form.

    >>> select_variables("SELECT DISTINCT ?a (COUNT(*) AS ?n) WHERE { ?a ?p ?o } GROUP BY ?a")
    ['a', 'n']
    """
    toks = tokens(text, check_escapes=False)
    k = skip_prologue(toks)
    if k >= len(toks) or toks[k].word() != "SELECT":
        return None
    names: list[str] = []
    depth = 0
    for i in range(k + 1, len(toks)):
        t = toks[i]
        if depth == 0 and (t.word() in ("WHERE", "FROM") or (t.kind == "punct" and t.text == "{")):
            break
        if t.kind == "punct" and t.text == "*" and depth == 0:
            return None
        if t.kind == "punct" and t.text in "()":
            depth += 1 if t.text == "(" else -1
        elif t.kind == "var" and (depth == 0 or toks[i - 1].word() == "AS"):
            names.append(t.text[1:])
    return names
