"""Write a query :class:`~szsemi.query.engines.Result` as a table for people, or in an exact machine format.

Formats: ``table`` (terminal), ``csv`` and ``tsv`` (W3C SPARQL 1.1 Query Results CSV and TSV),
``srj`` (SPARQL 1.1 Query Results JSON), ``json`` (an array of plain JSON objects, one per row:
IRIs and texts as strings, numbers and booleans as JSON numbers and booleans, but a decimal a
double cannot hold exactly, or a NaN or infinity, as its text; ``srj`` keeps every term exactly), and ``ttl``/``nt``
for the triples of a CONSTRUCT or DESCRIBE.

>>> import pyoxigraph as ox
>>> from szsemi.query.engines import Result
>>> r = Result("SELECT", ["x"], [{"x": ox.Literal("a,b")}])
>>> render(r, "csv")
'x\\r\\n"a,b"\\r\\n'
"""

from __future__ import annotations

import math
import unicodedata

import pyoxigraph as ox

from szsemi.errors import UsageError
from szsemi.graph.namespaces import PREFIXES, XSD_INTEGERS
from szsemi.graph.terms import compact_iri
from szsemi.query.engines import Result, Term

FORMATS = ("table", "csv", "tsv", "json", "srj", "ttl", "nt")
_XSD = PREFIXES["xsd"]
_NUMBERS = XSD_INTEGERS
_DECIMALS = {_XSD + "decimal", _XSD + "double", _XSD + "float"}
_TABLE_CELL = 80


def render(result: Result, fmt: str, width: int = 120) -> str:
    """``result`` as text in ``fmt`` (one of :data:`FORMATS`); a table wider than ``width``
    characters is shown one record per block instead, so that it stays readable."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown results format {fmt!r}; use one of {', '.join(FORMATS)}")
    if result.form in ("CONSTRUCT", "DESCRIBE"):
        if fmt in ("ttl", "nt"):
            return _triples(result.triples, fmt)
        if fmt == "srj":
            raise UsageError(f"a {result.form} query gives triples: use --format ttl, nt, table, csv, tsv or json")
        result = Result(
            "SELECT",
            ["subject", "predicate", "object"],
            [{"subject": t.subject, "predicate": t.predicate, "object": t.object} for t in result.triples],
        )
    elif fmt in ("ttl", "nt"):
        raise UsageError(
            f"a {result.form} query gives {'rows' if result.form == 'SELECT' else 'a boolean'}: "
            "--format ttl and nt are for CONSTRUCT and DESCRIBE queries"
        )
    if result.form == "ASK":
        return _ask(result.boolean, fmt)
    if fmt == "table":
        return _table(result, width)
    return {"csv": _csv, "tsv": _tsv, "json": _json, "srj": _srj}[fmt](result)


def _ask(value: bool | None, fmt: str) -> str:
    if fmt == "srj":
        import json  # json and decimal only for the formats that need them: a table starts faster

        return json.dumps({"head": {}, "boolean": value}) + "\n"
    return ("true" if value else "false") + "\n"


def compact(term: object) -> str:
    """A short, readable form of a term: prefixed names, plain numbers and texts."""
    if isinstance(term, ox.NamedNode):
        return _compact_iri(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"{term.value}@{term.language}"
        dt = term.datatype.value
        if dt == _XSD + "string" or dt in _NUMBERS or dt in _DECIMALS or dt == _XSD + "boolean":
            return term.value
        return f"{term.value}^^{_compact_iri(dt)}"
    if isinstance(term, ox.Triple):
        return f"<<( {compact(term.subject)} {compact(term.predicate)} {compact(term.object)} )>>"
    return str(term)


def _compact_iri(iri: str) -> str:
    return compact_iri(iri) or f"<{iri}>"


def _table(result: Result, width: int) -> str:
    names = result.variables
    cells = [[_cell(row.get(n)) for n in names] for row in result.rows]
    widths = [max([len(n)] + [_width(c[i]) for c in cells]) for i, n in enumerate(names)]
    if sum(widths) + 2 * (len(widths) - 1) > width:
        return _records(names, cells, len(result.rows))
    lines = [
        "  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(c + " " * (w - _width(c)) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    lines.append(f"({len(result.rows)} row{'s' if len(result.rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


def _width(text: str) -> int:
    """Terminal columns of ``text``: CJK and other wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _records(names: list[str], cells: list[list[str]], count: int) -> str:
    pad = max(len(n) for n in names)
    lines = []
    for number, row in enumerate(cells, 1):
        lines.append(f"-- row {number} --")
        lines += [f"{n.ljust(pad)}  {c}".rstrip() for n, c in zip(names, row, strict=True) if c]
    lines.append(f"({count} row{'s' if count != 1 else ''})")
    return "\n".join(lines) + "\n"


def _cell(term: Term | None) -> str:
    if term is None:
        return ""
    text = " ".join(compact(term).split())  # one line per row, whatever the literal holds
    return text if len(text) <= _TABLE_CELL else text[: _TABLE_CELL - 1] + "…"


def _csv(result: Result) -> str:
    def field(text: str) -> str:
        if any(c in text for c in '",\r\n'):
            return '"' + text.replace('"', '""') + '"'
        return text

    def value(term: Term | None) -> str:
        if term is None:
            return ""
        if isinstance(term, ox.Triple):  # SPARQL 1.2 CSV: the three parts, space-separated
            return " ".join(value(part) for part in (term.subject, term.predicate, term.object))
        if isinstance(term, ox.BlankNode):
            return f"_:{term.value}"
        return term.value

    lines = [",".join(field(n) for n in result.variables)]
    lines += [",".join(field(value(row.get(n))) for n in result.variables) for row in result.rows]
    return "".join(line + "\r\n" for line in lines)


def _tsv(result: Result) -> str:
    lines = ["\t".join("?" + n for n in result.variables)]
    lines += ["\t".join("" if row.get(n) is None else _nt(row[n]) for n in result.variables) for row in result.rows]
    return "".join(line + "\n" for line in lines)


def _nt(term: Term) -> str:
    """``term`` in N-Triples syntax; a triple term as ``<<( s p o )>>`` (pyoxigraph leaves the brackets out)."""
    if isinstance(term, ox.Triple):
        return f"<<( {_nt(term.subject)} {_nt(term.predicate)} {_nt(term.object)} )>>"
    return str(term)


def _parts(term: ox.Triple) -> dict[str, Term]:
    return {"subject": term.subject, "predicate": term.predicate, "object": term.object}


def _srj_term(term: Term) -> dict[str, object]:
    if isinstance(term, ox.Triple):  # SPARQL 1.2 JSON results
        return {"type": "triple", "value": {k: _srj_term(v) for k, v in _parts(term).items()}}
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out: dict[str, object] = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != _XSD + "string":
        out["datatype"] = term.datatype.value
    return out


def _srj(result: Result) -> str:
    document = {
        "head": {"vars": result.variables},
        "results": {"bindings": [{n: _srj_term(t) for n, t in row.items()} for row in result.rows]},
    }
    import json

    return json.dumps(document, ensure_ascii=False) + "\n"


def _plain(term: Term) -> object:
    if isinstance(term, ox.Triple):
        return {k: _plain(v) for k, v in _parts(term).items()}
    if isinstance(term, ox.Literal) and not term.language:
        dt = term.datatype.value
        try:
            if dt in _NUMBERS:
                return int(term.value)
            if dt in _DECIMALS:
                number = float(term.value)
                if not math.isfinite(number):  # JSON has no NaN or INF
                    return term.value
                # a decimal that a double cannot hold exactly stays text, so no digit is lost
                from decimal import Decimal

                exact = dt != _XSD + "decimal" or Decimal(repr(number)) == Decimal(term.value)
                return number if exact else term.value
        except ValueError:  # an ill-typed literal such as "abc"^^xsd:integer stays text
            return term.value
        if dt == _XSD + "boolean":
            return term.value in ("true", "1")
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def _json(result: Result) -> str:
    import json

    rows = [{n: _plain(row[n]) for n in result.variables if n in row} for row in result.rows]
    return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"


def _triples(triples: list[ox.Triple], fmt: str) -> str:
    if fmt == "nt":
        return "".join(sorted(f"{t} .\n" for t in triples))
    used = {
        p: n
        for p, n in PREFIXES.items()
        if any(
            isinstance(x, ox.NamedNode) and x.value.startswith(n)
            for t in triples
            for x in (t.subject, t.predicate, t.object)
        )
    }
    data = ox.serialize(sorted(triples, key=str), format=ox.RdfFormat.TURTLE, prefixes=used) or b""
    return data.decode("utf-8")
