"""SPARQL text as tokens: the one lexer that query binding, the prefix lint and the SHACL compiler share.

It is not a parser: it splits the text into tokens that are safe to reason about (a ``WHERE``,
``{`` or ``SERVICE`` inside a string, an IRI or a comment is never a keyword), and finds the few
things the package needs from them: the prologue, the query form, a SELECT's projection, and
``SERVICE`` clauses, which the embedded engine refuses unless the user opts in (it must not open
network connections).
Imports only :mod:`szsemi.errors`.

>>> [t.text for t in tokens('SELECT * { ?s <x> "SERVICE" } # SERVICE')]
['SELECT', '*', '{', '?s', '<x>', '"SERVICE"', '}']
>>> [s.target.text for s in service_clauses("SELECT * { SERVICE SILENT <http://e/> { ?s ?p ?o } }")]
['<http://e/>']
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from szsemi.errors import QueryDefinitionError, UsageError

__all__ = [
    "Token",
    "ServiceClause",
    "check_service",
    "position",
    "projection",
    "service_clauses",
    "skip_prologue",
    "string_end",
    "syntax_error",
    "tokens",
]


# A NamedTuple, not a dataclass: importing dataclasses (and inspect) would cost a stored query's
# start-up a tenth of its time (tests/cli/test_light_query_path.py).
class Token(NamedTuple):
    """One token: ``kind`` is iri | string | var | lang | name | punct; ``start``/``end`` index the text."""

    kind: str
    start: int
    end: int
    text: str

    def word(self) -> str | None:
        """The upper-cased text of a name token (a keyword, prefixed name or number), else None."""
        return self.text.upper() if self.kind == "name" else None

    def is_punct(self, char: str) -> bool:
        return self.kind == "punct" and self.text == char

    def var_name(self) -> str | None:
        """The name of a variable token without its ``?`` or ``$`` (``$this`` and ``?this`` are one
        variable), else None."""
        return self.text[1:] if self.kind == "var" else None


_CODEPOINT_ESCAPE = re.compile(r"\\[uU][0-9A-Fa-f]{4}")

# One pattern for every token, tried at one position; the first character decides the kind, so the
# order of the alternatives only matters where a character may also stand alone (a ``punct``):
#  - blanks are " \t\r\n\f" only; a comment runs to the end of its line; neither is a token;
#  - a string ends at its closing quote; a backslash escapes any character (a line break too); a
#    short string may not hold a raw line break. An unterminated string is matched as a bare
#    ``quote``, and :func:`string_end` raises the error naming its place;
#  - ``<`` starts an IRI only when IRIREF characters up to a ``>`` follow it;
#  - a variable or name character is a letter, digit or ``_`` (``str.isalnum()``: what ``\w``
#    matches) or any non-ASCII character that is not a space (``str.isspace()``: what ``\s``
#    matches); a name also takes ``-.:%`` and ``\``-escapes of PN_LOCAL_ESC characters;
#  - any other character is a one-character ``punct``.
# One regular expression per token instead of a Python step per character: the catalogue's 33
# files are split five times faster.
_NON_ASCII = r"[^\x00-\x7f\s]"
_TOKEN = re.compile(
    r"(?:[ \t\r\n\f]+|#[^\r\n]*)"
    r"|(?P<string>'''(?:\\[\s\S]|(?!''')[^\\])*'''"
    r'|"""(?:\\[\s\S]|(?!""")[^\\])*"""'
    r"|'(?!'')(?:\\[\s\S]|[^'\\\r\n])*'"
    r'|"(?!"")(?:\\[\s\S]|[^"\\\r\n])*")'
    r"|(?P<quote>['\"])"
    r'|(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)'
    rf"|(?P<var>[?$](?:\w|{_NON_ASCII})+)"
    r"|(?P<lang>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)"
    rf"|(?P<name>(?:[\w:]|{_NON_ASCII})(?:[\w\-.:%]|{_NON_ASCII}|\\[_~.\-!$&'()*+,;=/?#@%])*)"
    r"|(?P<punct>[\s\S])"
)


def position(text: str, index: int) -> tuple[int, int]:
    """The 1-based (line, column) of ``index`` in ``text``."""
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def syntax_error(text: str, index: int, message: str) -> QueryDefinitionError:
    """A :class:`QueryDefinitionError` at the line and column of ``index``."""
    line, column = position(text, index)
    return QueryDefinitionError(message, line=line, column=column)


def tokens(text: str, check_escapes: bool = True) -> list[Token]:
    """Split query text into tokens.

    Comments are dropped; strings (all four quote forms), IRIs, variables, language tags and
    names (keywords, prefixed names with ``\\``-escapes, numbers, blank node labels) are single
    tokens. ``<`` starts an IRI only when the text up to the next ``>`` is made of IRIREF
    characters; otherwise it is an operator. With ``check_escapes``, a ``\\uXXXX`` codepoint
    escape anywhere is refused (engines disagree on where such escapes apply).
    """
    m = _CODEPOINT_ESCAPE.search(text) if check_escapes else None
    if m:
        raise syntax_error(
            text,
            m.start(),
            f"the query text contains the codepoint escape {m.group()!r}; "
            "write the character itself (engines disagree on where "
            "such escapes apply)",
        )
    # A stored query's text is split up to four times on its way (its form, its variables, the
    # syntax check, the binding), and a validate run splits every stored query and SHACL-SPARQL
    # text twice (reading, lint): short texts are split once; each caller gets its own list.
    if len(text) <= _SHORT_TEXT:
        return list(_split_short(text))
    return list(_split_once(text)) if len(text) <= _REMEMBERED_TEXT else _split(text)


_SHORT_TEXT = 8 * 1024  # characters: every shipped query and shape (the longest is 5.4k); 128 are kept
_REMEMBERED_TEXT = 64 * 1024  # characters; a longer text is split each time, never kept


@lru_cache(maxsize=128)
def _split_short(text: str) -> tuple[Token, ...]:
    return tuple(_split(text))


@lru_cache(maxsize=16)
def _split_once(text: str) -> tuple[Token, ...]:
    return tuple(_split(text))


def _split(text: str) -> list[Token]:
    out: list[Token] = []
    append = out.append
    match = _TOKEN.match
    i, n = 0, len(text)
    while i < n:
        m = match(text, i)
        if m is None:  # cannot happen: any character is at least a punct
            raise syntax_error(text, i, "no token starts here")
        kind = m.lastgroup
        j = m.end()
        if kind == "quote":  # an unterminated string: string_end raises, naming where it starts
            j = string_end(text, i)
            append(Token("string", i, j, text[i:j]))
        elif kind == "name":
            while j > i + 1 and text[j - 1] == "." and text[j - 2] != "\\":
                j -= 1  # a trailing '.' ends the triple, it is not part of the name
            append(Token(kind, i, j, text[i:j]))
        elif kind is not None:  # None: blanks or a comment
            append(Token(kind, i, j, m.group()))
        i = j
    return out


def string_end(text: str, i: int) -> int:
    """The index just past the string literal that starts at ``text[i]`` (a quote)."""
    quote = text[i]
    n = len(text)
    if text.startswith(quote * 3, i):
        j = i + 3
        while j < n:
            if text[j] == "\\":
                j += 2
            elif text.startswith(quote * 3, j):
                return j + 3
            else:
                j += 1
        raise syntax_error(text, i, "unterminated long string")
    j = i + 1
    while j < n:
        c = text[j]
        if c == "\\":
            j += 2
        elif c == quote:
            return j + 1
        elif c in "\r\n":
            break
        else:
            j += 1
    raise syntax_error(text, i, "unterminated string")


def skip_prologue(toks: list[Token]) -> int:
    """The index of the first token after ``BASE <iri>`` / ``PREFIX p: <iri>`` / ``VERSION "..."``."""
    k = 0
    while k < len(toks) and toks[k].word() in ("BASE", "PREFIX", "VERSION"):
        k += 3 if toks[k].word() == "PREFIX" else 2
    return k


def projection(toks: list[Token], select: int) -> list[Token]:
    """The tokens a ``SELECT`` at ``toks[select]`` projects: those after the keyword (and
    ``DISTINCT`` / ``REDUCED``) up to its ``FROM``, ``WHERE`` or ``{``.

    >>> toks = tokens("SELECT DISTINCT ?a (STR(?b) AS ?c) WHERE { ?a ?p ?b }")
    >>> [t.text for t in projection(toks, 0)]
    ['?a', '(', 'STR', '(', '?b', ')', 'AS', '?c', ')']
    """
    k = select + 1
    if k < len(toks) and toks[k].word() in ("DISTINCT", "REDUCED"):
        k += 1
    end = k
    while end < len(toks) and toks[end].word() not in ("FROM", "WHERE") and not toks[end].is_punct("{"):
        end += 1
    return toks[k:end]


# --------------------------------------------------------------------------------------------
# SERVICE: the embedded engine would call the URL itself
# --------------------------------------------------------------------------------------------


class ServiceClause(NamedTuple):
    """A ``SERVICE [SILENT] target`` in a query: the keyword token and the target (IRI, prefixed
    name or variable; None when the text ends after the keyword)."""

    keyword: Token
    silent: bool
    target: Token | None


def service_clauses(text: str) -> list[ServiceClause]:
    """Every ``SERVICE`` clause of ``text``, found as a keyword token (never inside a string,
    IRI or comment). Codepoint escapes are not refused here: bound queries contain them."""
    toks = tokens(text, check_escapes=False)
    found = []
    for k, tok in enumerate(toks):
        if tok.word() != "SERVICE":
            continue
        silent = k + 1 < len(toks) and toks[k + 1].word() == "SILENT"
        j = k + 2 if silent else k + 1
        found.append(ServiceClause(tok, silent, toks[j] if j < len(toks) else None))
    return found


def check_service(text: str, *, allow: bool = False, where: str = "the query", flag: str = "--allow-service") -> None:
    """Refuse (:class:`UsageError`) a ``SERVICE`` clause in ``text`` unless ``allow``; a SERVICE
    whose endpoint is a variable is refused either way (the embedded engine calls IRIs only).

    ``where`` names the text in the message (a file, a shape), ``flag`` the opt-in to mention.

    >>> check_service("SELECT * { ?s ?p 'SERVICE <http://e/>' }")
    >>> check_service("SELECT * { SERVICE <http://e/> { ?s ?p ?o } }")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    szsemi.errors.UsageError: the query, line 1: SERVICE <http://e/> would make ... unless you give --allow-service
    """
    if "service" not in text.lower():  # the lexer costs about 1 ms a query: skip it when it cannot match
        return
    for clause in service_clauses(text):
        line, _ = position(text, clause.keyword.start)
        target = clause.target.text if clause.target is not None else "(nothing)"
        if clause.target is None or clause.target.kind == "var":
            raise UsageError(
                f"{where}, line {line}: SERVICE {target}: the embedded engine needs the "
                "endpoint as an IRI (<https://...> or a prefixed name), not a variable"
            )
        if not allow:
            raise UsageError(
                f"{where}, line {line}: SERVICE {target} would make the embedded engine "
                f"call that endpoint over the network; it is refused unless you give {flag}"
            )
