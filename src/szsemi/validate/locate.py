"""Where a node and a statement are written in a Turtle file, so findings can point at a line.

A small Turtle reader keeps, for each statement, the line of its object (and of its predicate), and
for each subject the line where its block starts. A blank node's block is its owner's (the IRI it
hangs from); the line of its ``[`` stands for the statement when no other is found. It reads any valid Turtle, so hand-written files get the same answers as the project's
longturtle files. Files it cannot read (RDF/XML, JSON-LD, TriG) fall back to a line scan for
subjects written at column 0.

A finding's blank focus node has a store-local name, so it is matched through its owner: the IRI it
hangs from, the predicates on the way down, and at each step the blank node whose own statements
agree best with the store's.

>>> text = '@base <http://e/> .\\n@prefix p: <http://p/> .\\n<a> p:x 1 ;\\n  p:y "z" .\\np:b p:x 2 .\\n'
>>> sorted(subject_lines(text).items())
[('http://e/a', 3), ('http://p/b', 5)]
>>> index = SourceIndex([("t.ttl", text)])
>>> index.statement_line("http://e/a", "http://p/y", Term.literal("z"))
('t.ttl', 4)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from urllib.parse import urljoin as _urljoin

import pyoxigraph as ox

_XSD = "http://www.w3.org/2001/XMLSchema#"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_NUMERIC = {
    _XSD + t
    for t in (
        "integer",
        "decimal",
        "double",
        "float",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "negativeInteger",
        "nonPositiveInteger",
        "unsignedInt",
        "unsignedLong",
        "unsignedShort",
        "unsignedByte",
    )
}


# --------------------------------------------------------------------------------------------
# Terms, comparable between the Turtle text and the store
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """An RDF term as a comparable key: ("iri", iri), ("blank", id) or ("literal", value, datatype, lang)."""

    key: tuple[object, ...]

    @staticmethod
    def iri(value: str) -> Term:
        return Term(("iri", value))

    @staticmethod
    def literal(lexical: str, datatype: str = _XSD + "string", language: str | None = None) -> Term:
        if language:
            return Term(("literal", lexical, _RDF + "langString", language.lower()))
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
    def one(m: re.Match[str]) -> str:
        if m.group(1) or m.group(2):
            return chr(int(m.group(1) or m.group(2), 16))
        return _STRING_ESCAPES.get(m.group(3), m.group(3))

    return _ESCAPE.sub(one, text)


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str
    line: int


def _tokens(text: str) -> list[_Tok]:
    out = []
    line, pos = 1, 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise ValueError(f"line {line}: cannot read {text[pos : pos + 20]!r}")
        kind = m.lastgroup or ""
        if kind != "ws":
            out.append(_Tok(kind, m.group(), line))
        line += m.group().count("\n")
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
            predicate = _RDF + "type" if verb.text == "a" else self.term(verb).iri_value
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
            return Term.literal(tok.text, _XSD + kind)
        if tok.text in ("true", "false"):
            return Term.literal(tok.text, _XSD + "boolean")
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
        head = Term.iri(_RDF + "nil")
        previous = None
        while self.cur().text != ")":
            line = self.cur().line
            cell = self.fresh()
            self.out.blocks[cell] = line
            item = self.object()
            self.out.statements.append(Statement(cell, _RDF + "first", item, line, line))
            if previous is None:
                head = cell
            else:
                self.out.statements.append(Statement(previous, _RDF + "rest", cell, line, line))
            previous = cell
        end = self.take(")")
        if previous is not None:
            self.out.statements.append(Statement(previous, _RDF + "rest", Term.iri(_RDF + "nil"), end.line, end.line))
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
            return Term.iri(self.prefixes[prefix] + re.sub(r"\\(.)", r"\1", local))
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


# --------------------------------------------------------------------------------------------
# The index over every file of a run
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Location:
    file: str | None = None
    line: int | None = None
    triple_file: str | None = None
    triple_line: int | None = None
    anchor: str | None = None


class SourceIndex:
    """Blocks and statements of several files; the first file that describes a subject wins."""

    def __init__(self, files: list[tuple[str, str]]):
        self.blocks: dict[Term, tuple[str, int]] = {}
        self.by_subject: dict[Term, list[tuple[str, Statement]]] = {}
        self.parent: dict[Term, tuple[Term, str]] = {}
        for number, (name, text) in enumerate(files):
            try:
                parsed = parse_turtle(name, text, number)
            except ValueError:
                for iri, line in subject_lines(text).items():
                    self.blocks.setdefault(Term.iri(iri), (name, line))
                continue
            for subject, line in parsed.blocks.items():
                self.blocks.setdefault(subject, (name, line))
            for st in parsed.statements:
                self.by_subject.setdefault(st.subject, []).append((name, st))
                if st.object.is_blank:
                    self.parent.setdefault(st.object, (st.subject, st.predicate))

    def statement_line(self, subject: str | Term, predicate: str, obj: Term | None = None) -> tuple[str, int] | None:
        """Where ``subject predicate obj`` is written: the object's line; without ``obj``, the line of
        the first such predicate."""
        node = Term.iri(subject) if isinstance(subject, str) else subject
        for name, st in self.by_subject.get(node, []):
            if st.predicate == predicate and (obj is None or st.object == obj):
                return name, st.line if obj is not None else st.predicate_line
        return None

    def locate(self, store: ox.Store, focus: str | None, path: str | None = None, value: str | None = None) -> Location:
        """Where the focus node's block starts and, if found, where (focus, path, value) is written."""
        if not focus:
            return Location()
        try:
            node_ox = parse_nt_term(focus)
        except SyntaxError:
            return Location()
        node, anchor = self._node(store, node_ox)
        if node is None:
            return Location(anchor=anchor)
        file, line = self.blocks.get(node, (None, None))
        if anchor is not None:  # a blank node: its block is its owner's; the "[" is the statement
            blank_at = (file, line)
            file, line = self.blocks.get(Term.iri(anchor.split()[0][1:-1]), (file, line))
        triple: tuple[str | None, int | None] | None = None
        if path and not re.fullmatch(r"\^?<[^>]*>", path):
            path = None  # a longer path: the focus node's block is the place
        if path and path.startswith("^<"):  # an inverse path: the statement is (value, path, focus)
            triple = self._incoming(store, node_ox, node, path[2:-1], value)
            path = None
        if path and path.startswith("<"):
            path = path[1:-1]
        if path:
            obj = self._value(store, node, path, value)
            # (focus, path, value) when written so; else the first statement of the path (a missing
            # or extra value, or a SPARQL constraint whose value defaults to the focus node)
            triple = (self.statement_line(node, path, obj) if obj is not None else None) or self.statement_line(
                node, path
            )
        if triple is None and anchor is not None:
            triple = blank_at
        triple_file, triple_line = triple or (None, None)
        return Location(file, line, triple_file, triple_line, anchor=anchor)

    def _incoming(
        self,
        store: ox.Store,
        node_ox: ox.NamedNode | ox.BlankNode | ox.Literal,
        node: Term,
        predicate: str,
        value: str | None,
    ) -> tuple[str, int] | None:
        """Where ``value predicate focus`` is written; without a value (a count), the first such
        statement in the files."""
        subject = self._value(store, node, predicate, value)
        if subject is not None:
            return self.statement_line(subject, predicate, node)
        if isinstance(node_ox, ox.Literal):
            return None
        places = [
            self.statement_line(subject, predicate, node)
            for q in store.quads_for_pattern(None, ox.NamedNode(predicate), node_ox)
            if not isinstance(q.subject, ox.Triple) and (subject := self._node(store, q.subject)[0]) is not None
        ]
        return min((p for p in places if p), default=None)

    def _value(self, store: ox.Store, node: Term, path: str, value: str | None) -> Term | None:
        if value is None:
            return None
        try:
            term = parse_nt_term(value)
        except SyntaxError:
            return None
        if not isinstance(term, ox.BlankNode):
            return from_ox(term)
        return self._node(store, term)[0]

    def _node(self, store: ox.Store, term: ox.NamedNode | ox.BlankNode | ox.Literal) -> tuple[Term | None, str | None]:
        """The parsed node for a store term, and for a blank node its anchor (owner IRI and path)."""
        if not isinstance(term, ox.BlankNode):
            return from_ox(term), None
        chain = _owner_chain(store, term)
        if chain is None:
            return None, None
        owner, steps = chain
        anchor = " ".join([f"<{owner.value}>", *(f"<{p}>" for p, _ in steps)])
        node = Term.iri(owner.value)
        for predicate, blank in steps:
            candidates = [
                st.object for _, st in self.by_subject.get(node, []) if st.predicate == predicate and st.object.is_blank
            ]
            if not candidates:
                return None, anchor
            wanted = _signature_store(store, blank)
            node = max(candidates, key=lambda c: len(wanted & self._signature(c)))
        return node, anchor

    def _signature(self, node: Term) -> set[tuple[str, Term]]:
        return {(st.predicate, st.object) for _, st in self.by_subject.get(node, []) if not st.object.is_blank}


def _owner_chain(store: ox.Store, blank: ox.BlankNode) -> tuple[ox.NamedNode, list[tuple[str, ox.BlankNode]]] | None:
    """The IRI a blank node hangs from and the (predicate, blank node) steps down to it."""
    steps: list[tuple[str, ox.BlankNode]] = []
    node = blank
    for _ in range(20):
        quad = next(iter(store.quads_for_pattern(None, None, node)), None)
        if quad is None:
            return None
        steps.insert(0, (quad.predicate.value, node))
        if isinstance(quad.subject, ox.NamedNode):
            return quad.subject, steps
        if not isinstance(quad.subject, ox.BlankNode):
            return None
        node = quad.subject
    return None


def _signature_store(store: ox.Store, node: ox.BlankNode) -> set[tuple[str, Term]]:
    return {
        (q.predicate.value, from_ox(q.object))
        for q in store.quads_for_pattern(node, None, None)
        if not isinstance(q.object, ox.BlankNode | ox.Triple)
    }
