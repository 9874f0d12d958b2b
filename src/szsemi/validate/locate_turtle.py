"""A small Turtle reader that keeps line numbers: for each statement the line of its object (and
of its predicate), for each subject the line where its block starts. It reads any valid Turtle, so
hand-written files get the same answers as the project's longturtle files; for files it cannot read,
a line scan finds the subjects written at column 0.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import urljoin as _urljoin

from szsemi.validate.locate_terms import RDF, XSD, Term

# --------------------------------------------------------------------------------------------
# Tokens
# --------------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"""
    (?P<ws>[ \t\r\n]+|\#[^\r\n]*)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<long>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*''')
  | (?P<str>"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<dt>\^\^)
  | (?P<num>[+-]?(?:[0-9]+\.[0-9]*[eE][+-]?[0-9]+|\.[0-9]+[eE][+-]?[0-9]+|[0-9]+[eE][+-]?[0-9]+
                 |[0-9]*\.[0-9]+|[0-9]+))
  | (?P<blank>_:[^\s;,.()\[\]]+(?:\.[^\s;,.()\[\]]+)*)
  | (?P<pname>(?:[A-Za-z\u00C0-\uFFFF][\w.\-\u00B7\u00C0-\uFFFF]*)?:(?:(?:[^\s;,()\[\]"'#\\.]|\\.|%[0-9A-Fa-f]{2})
                 (?:(?:[^\s;,()\[\]"'#\\]|\\.)*(?:[^\s;,()\[\]"'#\\.]|\\.))?)?)
  | (?P<word>[A-Za-z@][A-Za-z]*)
  | (?P<punct>[\[\]();,.])
""",
    re.VERBOSE,
)

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def urljoin(base: str, reference: str) -> str:
    """RFC 3986 resolution that keeps an empty fragment (``ontology#``), which urllib drops."""
    if _SCHEME.match(reference) or not base:
        return reference
    joined = _urljoin(base, reference)
    return joined + "#" if reference.endswith("#") and not joined.endswith("#") else joined


_STRING_ESCAPES = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))", re.DOTALL)


def _unescape(text: str) -> str:
    if "\\" not in text:  # most strings and IRIs have no escape
        return text

    def one(m: re.Match[str]) -> str:
        if m.group(1) or m.group(2):
            return chr(int(m.group(1) or m.group(2), 16))
        return _STRING_ESCAPES.get(m.group(3), m.group(3))

    return _ESCAPE.sub(one, text)


class _Tok(NamedTuple):  # a tuple, not a dataclass: a data file has tens of thousands
    kind: str
    text: str
    line: int


def _tokens(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    append = out.append
    match = _TOKEN.match
    line, pos, n = 1, 0, len(text)
    while pos < n:
        m = match(text, pos)
        if not m:
            raise ValueError(f"line {line}: cannot read {text[pos : pos + 20]!r}")
        kind = m.lastgroup or ""
        found = m.group()
        if kind != "ws":
            append(_Tok(kind, found, line))
        if "\n" in found:  # most tokens hold no line break
            line += found.count("\n")
        pos = m.end()
    return out


# --------------------------------------------------------------------------------------------
# A Turtle reader that keeps line numbers
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Statement:
    subject: Term
    predicate: str
    object: Term
    line: int  # the line of the object
    predicate_line: int


@dataclass
class ParsedFile:
    name: str
    statements: list[Statement] = field(default_factory=list)
    blocks: dict[Term, int] = field(default_factory=dict)  # subject -> line its block starts


class _Reader:
    def __init__(self, name: str, text: str, number: int):
        self.toks = _tokens(text)
        self.i = 0
        self.prefixes: dict[str, str] = {}
        self.base = ""
        self.out = ParsedFile(name)
        self.number = number  # keeps blank nodes of different files apart
        self.blanks = 0
        self.labels: dict[str, Term] = {}

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def cur(self) -> _Tok:
        """The next token, which the grammar requires to be there."""
        tok = self.peek()
        if tok is None:
            raise ValueError("end of file: expected more")
        return tok

    def take(self, text: str | None = None) -> _Tok:
        tok = self.peek()
        if tok is None or (text is not None and tok.text != text):
            where = f"line {tok.line}" if tok else "end of file"
            raise ValueError(f"{where}: expected {text or 'more'}")
        self.i += 1
        return tok

    def fresh(self) -> Term:
        self.blanks += 1
        return Term(("blank", self.number, self.blanks))

    def read(self) -> ParsedFile:
        while (tok := self.peek()) is not None:
            low = tok.text.lower()
            if low in ("@prefix", "prefix"):
                self.take()
                name = self.take().text
                self.prefixes[name[:-1]] = urljoin(self.base, self.take().text[1:-1])
                if low == "@prefix":
                    self.take(".")
            elif low in ("@base", "base"):
                self.take()
                self.base = urljoin(self.base, self.take().text[1:-1])
                if low == "@base":
                    self.take(".")
            else:
                self.triples()
                self.take(".")
        return self.out

    def triples(self) -> None:
        tok = self.cur()
        if tok.text == "[":
            subject = self.blank_property_list()
            if (nxt := self.peek()) is not None and nxt.text != ".":
                self.predicate_objects(subject)
        else:
            subject = self.term(self.take())
            self.out.blocks.setdefault(subject, tok.line)
            self.predicate_objects(subject)

    def predicate_objects(self, subject: Term) -> None:
        while True:
            verb = self.take()
            predicate = RDF + "type" if verb.text == "a" else self.term(verb).iri_value
            while True:
                start = self.cur()
                obj = self.object()
                self.out.statements.append(Statement(subject, predicate, obj, start.line, verb.line))
                if (nxt := self.peek()) is not None and nxt.text == ",":
                    self.take()
                    continue
                break
            while (nxt := self.peek()) is not None and nxt.text == ";":
                self.take()
            if nxt is None or nxt.text in (".", "]"):
                return

    def object(self) -> Term:
        tok = self.cur()
        if tok.text == "[":
            return self.blank_property_list()
        if tok.text == "(":
            return self.collection()
        self.take()
        if tok.kind in ("str", "long"):
            body = tok.text[3:-3] if tok.kind == "long" else tok.text[1:-1]
            lexical = _unescape(body)
            nxt = self.peek()
            if nxt is not None and nxt.kind == "lang":
                self.take()
                return Term.literal(lexical, language=nxt.text[1:])
            if nxt is not None and nxt.kind == "dt":
                self.take()
                return Term.literal(lexical, self.term(self.take()).iri_value)
            return Term.literal(lexical)
        if tok.kind == "num":
            kind = "double" if "e" in tok.text.lower() else "decimal" if "." in tok.text else "integer"
            return Term.literal(tok.text, XSD + kind)
        if tok.text in ("true", "false"):
            return Term.literal(tok.text, XSD + "boolean")
        return self.term(tok)

    def blank_property_list(self) -> Term:
        start = self.take("[")
        node = self.fresh()
        self.out.blocks[node] = start.line
        if self.cur().text != "]":
            self.predicate_objects(node)
        self.take("]")
        return node

    def collection(self) -> Term:
        start = self.take("(")
        head = Term.iri(RDF + "nil")
        previous = None
        while self.cur().text != ")":
            line = self.cur().line
            cell = self.fresh()
            self.out.blocks[cell] = line
            item = self.object()
            self.out.statements.append(Statement(cell, RDF + "first", item, line, line))
            if previous is None:
                head = cell
            else:
                self.out.statements.append(Statement(previous, RDF + "rest", cell, line, line))
            previous = cell
        end = self.take(")")
        if previous is not None:
            self.out.statements.append(Statement(previous, RDF + "rest", Term.iri(RDF + "nil"), end.line, end.line))
        del start
        return head

    def term(self, tok: _Tok) -> Term:
        if tok.kind == "iri":
            return Term.iri(urljoin(self.base, _unescape(tok.text[1:-1])))
        if tok.kind == "blank":
            if tok.text not in self.labels:
                self.labels[tok.text] = self.fresh()
            return self.labels[tok.text]
        if tok.kind == "pname":
            prefix, _, local = tok.text.partition(":")
            if prefix not in self.prefixes:
                raise ValueError(f"line {tok.line}: undeclared prefix {prefix!r}")
            return Term.iri(self.prefixes[prefix] + (re.sub(r"\\(.)", r"\1", local) if "\\" in local else local))
        raise ValueError(f"line {tok.line}: unexpected {tok.text!r}")


def parse_turtle(name: str, text: str, number: int = 0) -> ParsedFile:
    """Statements and block lines of a Turtle file; ``ValueError`` when it is not Turtle we can read."""
    return _Reader(name, text, number).read()


# --------------------------------------------------------------------------------------------
# The line scan kept for files the reader cannot take
# --------------------------------------------------------------------------------------------

_PREFIX = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE)
_BASE = re.compile(r"^\s*(?:@base|BASE)\s+<([^>]*)>", re.IGNORECASE)
_IRI_SUBJECT = re.compile(r"^<([^>\s]*)>")
_PNAME_SUBJECT = re.compile(r"^([A-Za-z][\w.-]*)?:((?:[^\s;,\\]|\\.)*)")


def subject_lines(text: str) -> dict[str, int]:
    """IRI -> the first line (1-based) where a block about it starts at column 0."""
    prefixes: dict[str, str] = {}
    base = ""
    found: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if m := _BASE.match(line):
            base = urljoin(base, m.group(1))
        elif m := _PREFIX.match(line):
            prefixes[m.group(1) or ""] = urljoin(base, m.group(2))
        elif m := _IRI_SUBJECT.match(line):
            found.setdefault(urljoin(base, m.group(1)), number)
        elif (m := _PNAME_SUBJECT.match(line)) and (m.group(1) or "") in prefixes:
            local = re.sub(r"\\(.)", r"\1", m.group(2))
            found.setdefault(prefixes[m.group(1) or ""] + local, number)
    return found
