"""The literals as the files write them, where the Oxigraph store holds another form.

Oxigraph's store keeps values, not lexical forms, for some datatypes: ``"4.0"^^xsd:decimal`` is stored
as ``"4"``, ``"300"^^xsd:byte`` as an ``xsd:integer``, ``"1"^^xsd:boolean`` as ``"true"``, and
language tags in lower case. A validation report must carry the data's own terms, so the data files
are scanned once for such literals (the written form W beside the stored form C, per subject and
predicate) and findings are written with W. Language tags are not restored: Oxigraph's parser already
lowers them (RDF 1.1 lets it).

The scan is cheap where it matters: an N-Triples file is searched with one regular expression for
the literals of those datatypes (lines already in the stored form are skipped); other formats are
parsed, and only literals are looked at.

>>> import pyoxigraph as ox
>>> w = WrittenTerms()
>>> w.add(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("4.0", datatype=ox.NamedNode(XSD + "decimal")))
>>> w.restore("<urn:s>", "<urn:p>", '"4"^^<http://www.w3.org/2001/XMLSchema#decimal>')
'"4.0"^^<http://www.w3.org/2001/XMLSchema#decimal>'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from szsemi.graph.namespaces import PREFIXES, XSD_INTEGER_NAMES
from szsemi.validate.memo import ContentMemo

XSD = PREFIXES["xsd"]
# datatypes whose literals the store may hold in another form (their value, or xsd:integer)
INTEGERS = XSD_INTEGER_NAMES
REWRITTEN = frozenset(
    XSD + n for n in (*INTEGERS, "decimal", "double", "float", "boolean", "dateTime", "time", "date", "dateTimeStamp")
)
_NT_TYPED = re.compile(
    rb'"\^\^<http://www\.w3\.org/2001/XMLSchema#(?:'
    + b"|".join(n.encode() for n in sorted({r[len(XSD) :] for r in REWRITTEN}, key=len, reverse=True))
    + rb")> \."
)
# the forms the store keeps as written: those lines need no parse
_NT_SURE = re.compile(
    rb'"(?:0|-?[1-9][0-9]*)"\^\^<http://www\.w3\.org/2001/XMLSchema#integer> \.'
    rb'|"(?:true|false)"\^\^<http://www\.w3\.org/2001/XMLSchema#boolean> \.'
    rb'|"-?(?:0|[1-9][0-9]*)(?:\.[0-9]*[1-9])?"\^\^<http://www\.w3\.org/2001/XMLSchema#decimal> \.'
    rb'|"-?[0-9]{4}-[0-9]{2}-[0-9]{2}"\^\^<http://www\.w3\.org/2001/XMLSchema#date> \.'
)
_CANONICAL = {
    XSD + "integer": re.compile(r"0|-?[1-9][0-9]*"),
    XSD + "decimal": re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]*[1-9])?"),
    XSD + "boolean": re.compile(r"true|false"),
}


def _as_stored(term: Any) -> Any:
    """The term as the store holds it, when that is plain to see; None when the store must say."""
    if not isinstance(term, ox.Literal):
        return term
    if term.language:
        return term
    pattern = _CANONICAL.get(term.datatype.value)
    if (pattern is not None and pattern.fullmatch(term.value)) or term.datatype.value not in REWRITTEN:
        return term
    return None


def stored_forms(terms: Iterable[Any]) -> dict[Any, Any]:
    """Each term -> as the store holds it (one small store for all the terms that need one)."""
    out, ask = {}, []
    for term in terms:
        known = _as_stored(term)
        if known is None:
            ask.append(term)
        else:
            out[term] = known
    if ask:
        store = ox.Store()
        store.extend(
            ox.Quad(ox.NamedNode(f"urn:szsemi:{i}"), ox.NamedNode("urn:szsemi:p"), t) for i, t in enumerate(ask)
        )
        for quad in store:
            out[ask[int(quad.subject.value.rsplit(":", 1)[1])]] = quad.object
    return out


def stored_form(term: Any) -> Any:
    """The term as the store holds it."""
    return stored_forms([term])[term]


class WrittenTerms:
    """(subject, predicate, stored literal) -> the literal as written, and stored -> written forms."""

    def __init__(self) -> None:
        self.by_triple: dict[tuple[str, str, str], str] = {}
        self.by_term: dict[str, list[str]] = {}
        self.written_datatype: dict[str, list[str]] = {}

    def __bool__(self) -> bool:
        return bool(self.by_term)

    @property
    def retyped(self) -> bool:
        """Some literal is held with another datatype than written (``"5"^^xsd:int`` as an xsd:integer):
        no check on the store can see its datatype."""
        return any(
            stored.split("^^", 1)[-1] != written.split("^^", 1)[-1]
            for stored, forms in self.by_term.items()
            if "^^" in stored
            for written in forms
        )

    def add(self, subject: Any, predicate: Any, written: Any, stored: Any = None) -> None:
        stored = stored_form(written) if stored is None else stored
        if stored == written:
            return
        key = str(stored)
        self.by_triple[(str(subject), str(predicate), key)] = str(written)
        forms = self.by_term.setdefault(key, [])
        if str(written) not in forms:
            forms.append(str(written))

    def restore(self, focus: str | None, path: str | None, value: str | None) -> str | None:
        """``value`` (N-Triples) as written in the statement (focus, path, value), or its one written form."""
        if value is None or value not in self.by_term:
            return value
        if focus and path and re.fullmatch(r"<[^>]*>", path):  # the statement is known: as written there
            return self.by_triple.get((focus, path, value), value)
        forms = self.by_term[value]
        return forms[0] if len(forms) == 1 else value

    @classmethod
    def scan(cls, sources: Iterable[Any]) -> WrittenTerms:
        from szsemi.graph.load import base_iri, rdf_format, read_bytes

        found = cls()
        for source in sources:
            data = read_bytes(source).removeprefix(b"\xef\xbb\xbf")  # a byte-order mark is no RDF
            fmt = rdf_format(source)
            base = None if fmt == ox.RdfFormat.N_TRIPLES else base_iri(source)
            rewritten = _kept.get_or_make(_rewritten, data, fmt, base, size=len(data))
            for subject, predicate, written, stored in rewritten:
                found.add(subject, predicate, written, stored)
        return found


# A file's rewritten literals, kept for the next scan of the same bytes, format and base IRI (validate/memo.py)
_Rewritten = tuple[tuple[Any, Any, Any, Any], ...]  # (subject, predicate, written literal, stored form)
_kept: ContentMemo[_Rewritten] = ContentMemo()


def _rewritten(data: bytes, fmt: ox.RdfFormat, base: str | None) -> _Rewritten:
    if fmt == ox.RdfFormat.N_TRIPLES:
        lines = [
            line
            for m in _NT_TYPED.finditer(data)
            if not _NT_SURE.search(line := data[data.rfind(b"\n", 0, m.start()) + 1 : m.end()])
        ]
        quads: Iterable[ox.Quad] = ox.parse(b"\n".join(lines), format=fmt) if lines else ()
    else:
        quads = ox.parse(data, format=fmt, base_iri=base)
    candidates = [
        q
        for q in quads
        if isinstance(q.object, ox.Literal) and not q.object.language and q.object.datatype.value in REWRITTEN
    ]
    stored = stored_forms({q.object for q in candidates})
    return tuple((q.subject, q.predicate, q.object, stored[q.object]) for q in candidates)
