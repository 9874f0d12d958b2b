"""Ill-typed literals: a lexical form that is not valid for its datatype (``"year-x"^^xsd:gYear``).

RDF parsers accept such a literal (it is an RDF term all the same) and SHACL only sees it where a
shape asks for its datatype, so without this check the data could "conform" with a year that is
no year. Each one is a finding of the syntax stage (component ``ill-typed-literal``), on its subject
and predicate, so the report gives its file and line. The literals are judged as the files write
them (the store would hold "300"^^xsd:byte as an xsd:integer).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox

from szsemi.validate.memo import ContentMemo
from szsemi.validate.report import Finding
from szsemi.validate.shacl_values import datatype_holds
from szsemi.validate.written import INTEGERS, XSD

_ZONE = "(Z|[+-][0-9]{2}:[0-9]{2})?"
_YEAR = "-?[0-9]{4,}"
_MONTH = "(0[1-9]|1[0-2])"
_DAY = "(0[1-9]|[12][0-9]|3[01])"
_TIME = "([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\\\.[0-9]+)?|24:00:00(\\\\.0+)?"
_NUMBER = "[+-]?([0-9]+(\\\\.[0-9]*)?|\\\\.[0-9]+)"
# the lexical space of each datatype, as a regular expression (backslashes doubled)
LEXICAL = {
    "integer": "[+-]?[0-9]+",
    "decimal": _NUMBER,
    "double": f"{_NUMBER}([eE][+-]?[0-9]+)?|[+-]?INF|NaN",
    "float": f"{_NUMBER}([eE][+-]?[0-9]+)?|[+-]?INF|NaN",
    "boolean": "true|false|1|0",
    "date": f"{_YEAR}-{_MONTH}-{_DAY}{_ZONE}",
    "dateTime": f"{_YEAR}-{_MONTH}-{_DAY}T({_TIME}){_ZONE}",
    "time": f"({_TIME}){_ZONE}",
    "gYear": f"{_YEAR}{_ZONE}",
    "gYearMonth": f"{_YEAR}-{_MONTH}{_ZONE}",
    "gMonthDay": f"--{_MONTH}-{_DAY}{_ZONE}",
    "gMonth": f"--{_MONTH}{_ZONE}",
    "gDay": f"---{_DAY}{_ZONE}",
}
for _name in INTEGERS:
    LEXICAL.setdefault(_name, "[+-]?[0-9]+")
# integer types with a range: the lexical form is checked above, the range by rdflib
_BOUNDED = frozenset(XSD + n for n in INTEGERS if n != "integer")


_NT_TYPED = re.compile(rb'"\^\^<http://www\.w3\.org/2001/XMLSchema#(\w+)> \.')
_VALID = {XSD + name: re.compile(pattern.replace("\\\\", "\\")) for name, pattern in LEXICAL.items()}


def ill_typed_findings(sources: Iterable[Any]) -> list[Finding]:
    """A Violation for each statement of ``sources`` whose literal is not valid for its datatype, as
    written. An N-Triples file is searched with a regular expression (only the few invalid lines are
    parsed); other formats are parsed."""
    from szsemi.graph.load import base_iri, rdf_format, read_bytes

    findings: list[Finding] = []
    for source in sources:
        data = read_bytes(source).removeprefix(b"\xef\xbb\xbf")  # a byte-order mark is no RDF
        fmt = rdf_format(source)
        base = None if fmt == ox.RdfFormat.N_TRIPLES else base_iri(source)
        findings += _kept.get_or_make(_file_findings, data, fmt, base, size=len(data))
    return findings


# A file's findings, kept for the next run over the same bytes, format and base IRI (validate/memo.py)
_kept: ContentMemo[tuple[Finding, ...]] = ContentMemo()


def _file_findings(data: bytes, fmt: ox.RdfFormat, base: str | None) -> tuple[Finding, ...]:
    if fmt == ox.RdfFormat.N_TRIPLES:
        bad = []
        for m in _NT_TYPED.finditer(data):
            pattern = _VALID.get(XSD + m.group(1).decode("ascii"))
            start = data.rfind(b'"', 0, m.start()) + 1
            if pattern is not None and not pattern.fullmatch(data[start : m.start()].decode("utf-8", "replace")):
                bad.append(data[data.rfind(b"\n", 0, m.start()) + 1 : m.end()])
        quads: Iterable[ox.Quad] = ox.parse(b"\n".join(bad), format=fmt) if bad else ()
    else:
        quads = ox.parse(data, format=fmt, base_iri=base)
    findings = []
    for q in quads:
        o = q.object
        if not isinstance(o, ox.Literal) or o.language:
            continue  # a language-tagged literal is an rdf:langString: neither check below applies
        datatype = o.datatype.value
        pattern = _VALID.get(datatype)
        if (pattern is not None and not pattern.fullmatch(o.value)) or (
            datatype in _BOUNDED and not datatype_holds(str(o), datatype)
        ):
            findings.append(_finding(str(q.subject), str(q.predicate), str(o), datatype))
    return tuple(findings)


def _finding(subject: str, predicate: str, value: str, datatype: str) -> Finding:
    name = datatype.removeprefix(XSD)
    return Finding(
        stage="syntax",
        severity="Violation",
        component="ill-typed-literal",
        focus=subject,
        path=predicate,
        value=value,
        message=f"the literal {value} is not a valid xsd:{name}"
        if datatype.startswith(XSD)
        else f"the literal {value} is not valid for its datatype <{datatype}>",
        fix=f"write a value in the lexical form of xsd:{name}, or give it the datatype it really has",
    )
