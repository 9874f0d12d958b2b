"""Write answers in the SPARQL 1.1 results formats and the RDF formats the server offers.

JSON, CSV and TSV come from :func:`szsemi.query.render.render`, the CLI's own writers; the XML
results format and the RDF formats are written here (RDF by pyoxigraph).
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from szsemi.graph.namespaces import PREFIXES, XSD_INTEGERS
from szsemi.query.engines import Result
from szsemi.query.render import render

_XSD_STRING = PREFIXES["xsd"] + "string"
_RDF_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/xml": ox.RdfFormat.RDF_XML,
}
CHARSET = {"text/csv", "text/tab-separated-values", "text/turtle", "text/plain", "application/n-triples"}


def write_rows(result: Result, media: str) -> bytes:
    """A SELECT or ASK result in ``media`` (one of negotiate.SELECT_TYPES)."""
    if media in ("application/sparql-results+xml", "application/xml", "text/xml"):
        return _xml(result).encode("utf-8")
    if media in ("text/csv", "text/tab-separated-values"):
        if result.form == "ASK":  # the W3C CSV/TSV formats have no boolean: one cell says it
            return f"boolean\r\n{'true' if result.boolean else 'false'}\r\n".encode()
        return render(result, "csv" if media == "text/csv" else "tsv").encode("utf-8")
    return render(result, "srj").encode("utf-8")


def write_triples(triples: list[Any], media: str) -> bytes:
    """Triples in ``media`` (one of negotiate.GRAPH_TYPES), with the project's prefixes in Turtle."""
    fmt = _RDF_FORMATS[media]
    if fmt == ox.RdfFormat.TURTLE:
        return render(Result("CONSTRUCT", triples=triples), "ttl").encode("utf-8")
    ordered = sorted(triples, key=str)
    if fmt == ox.RdfFormat.N_TRIPLES:
        return ox.serialize(ordered, format=fmt) or b""
    prefixes = PREFIXES if fmt == ox.RdfFormat.RDF_XML else None
    data = ox.serialize(ordered, format=fmt, prefixes=prefixes) if prefixes else ox.serialize(ordered, format=fmt)
    return data or b""


def plain(term: Any) -> Any:
    """A term as a plain JSON value: integers and booleans as such, everything else as its text
    (decimals too, so that no digit is lost)."""
    if isinstance(term, ox.Literal) and not term.language:
        if term.datatype.value in XSD_INTEGERS:
            try:
                return int(term.value)
            except ValueError:
                return term.value
        if term.datatype.value == PREFIXES["xsd"] + "boolean":
            return term.value in ("true", "1")
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def _xml_term(term: Any) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
    if term.datatype.value != _XSD_STRING:
        return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
    return f"<literal>{escape(term.value)}</literal>"


def _xml(result: Result) -> str:
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        '<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>',
    ]
    out += [f"<variable name={quoteattr(v)}/>" for v in result.variables]
    out.append("</head>\n")
    if result.form == "ASK":
        out.append(f"<boolean>{'true' if result.boolean else 'false'}</boolean>\n</sparql>\n")
        return "".join(out)
    out.append("<results>\n")
    for row in result.rows:
        cells = "".join(f"<binding name={quoteattr(n)}>{_xml_term(t)}</binding>" for n, t in row.items())
        out.append(f"<result>{cells}</result>\n")
    out.append("</results>\n</sparql>\n")
    return "".join(out)
