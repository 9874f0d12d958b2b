"""Where a node and a statement are written in a Turtle file, so findings can point at a line.

The Turtle reader of ``locate_turtle`` gives, for each statement, the line of its object (and of
its predicate), and for each subject the line where its block starts; ``locate_terms`` makes the
terms of the files and of the store comparable. A blank node's block is its owner's (the IRI it
hangs from); the line of its ``[`` stands for the statement when no other is found. Files the
reader cannot take (RDF/XML, JSON-LD, TriG) fall back to a line scan for subjects at column 0.

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
from dataclasses import dataclass

import pyoxigraph as ox

from szsemi.validate.locate_terms import Term, from_ox, parse_nt_term
from szsemi.validate.locate_turtle import ParsedFile, Statement, parse_turtle, subject_lines
from szsemi.validate.memo import ContentMemo

# The readers' names that callers take from here, where finding a line starts.
__all__ = ["Location", "SourceIndex", "Term", "from_ox", "parse_nt_term", "parse_turtle", "subject_lines"]


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
            parsed = _read(name, text, number)
            if not isinstance(parsed, ParsedFile):  # a file the reader cannot take: its subjects' lines
                for iri, line in parsed.items():
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


# A file's reading, kept for the next run that locates findings in the same text (validate/memo.py):
# every run over the shipped data reads the same files, and reading them costs more than the checks.
# SourceIndex copies what it takes.
_kept: ContentMemo[ParsedFile | dict[str, int]] = ContentMemo()


def _read(name: str, text: str, number: int) -> ParsedFile | dict[str, int]:
    """The Turtle reader's answer for a file (kept), or for a file it cannot take, its subjects' lines."""
    return _kept.get_or_make(_reading, name, text, number, size=len(text))


def _reading(name: str, text: str, number: int) -> ParsedFile | dict[str, int]:
    try:
        return parse_turtle(name, text, number)
    except ValueError:
        return subject_lines(text)


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
