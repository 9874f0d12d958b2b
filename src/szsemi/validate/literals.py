"""Ill-typed literals: a lexical form that is not valid for its datatype (``"year-x"^^xsd:gYear``).

RDF parsers accept such a literal (it is an RDF term all the same) and SHACL only sees it where a
shape asks for its datatype, so without this check the data could "conform" with a year that is
no year. Each one is a finding of the syntax stage (component ``ill-typed-literal``), on its subject
and predicate, so the report gives its file and line. Oxigraph filters the literals by regular
expression (only the invalid ones come back); the literals the store holds in another form than
written (:mod:`szsemi.validate.written`) are judged as written.
"""

from __future__ import annotations

import pyoxigraph as ox

from szsemi.validate.report import Finding
from szsemi.validate.written import XSD, WrittenTerms

_ZONE = "(Z|[+-][0-9]{2}:[0-9]{2})?"
_YEAR = "-?[0-9]{4,}"
_MONTH = "(0[1-9]|1[0-2])"
_DAY = "(0[1-9]|[12][0-9]|3[01])"
_TIME = "([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\\\.[0-9]+)?|24:00:00(\\\\.0+)?"
_NUMBER = "[+-]?([0-9]+(\\\\.[0-9]*)?|\\\\.[0-9]+)"
# the lexical space of each datatype, as a SPARQL regular expression (backslashes doubled for the string)
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
    "duration": "-?P(?=.)([0-9]+Y)?([0-9]+M)?([0-9]+D)?(T(?=.)([0-9]+H)?([0-9]+M)?([0-9]+(\\\\.[0-9]+)?S)?)?",
}


def _query() -> str:
    tests = " || ".join(f'(datatype(?o) = <{XSD}{name}> && !REGEX(STR(?o), "^({pattern})$"))'
                        for name, pattern in LEXICAL.items() if "(?=" not in pattern)
    return f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o . FILTER (isLiteral(?o) && ({tests})) }}"


def ill_typed_findings(store: ox.Store, written: WrittenTerms | None = None) -> list[Finding]:
    """A Violation for each statement whose literal is not valid for its datatype."""
    findings = []
    solutions = store.query(_query())
    assert isinstance(solutions, ox.QuerySolutions)
    for row in solutions:
        findings.append(_finding(str(row["s"]), str(row["p"]), str(row["o"]), row["o"].datatype.value))
    for (subject, predicate, _), text in (written.by_triple.items() if written else ()):
        from szsemi.validate.locate import parse_nt_term
        from szsemi.validate.shacl_values import datatype_holds

        term = parse_nt_term(text)
        if isinstance(term, ox.Literal) and not term.language and not datatype_holds(text, term.datatype.value):
            findings.append(_finding(subject, predicate, text, term.datatype.value))
    return findings


def _finding(subject: str, predicate: str, value: str, datatype: str) -> Finding:
    name = datatype.removeprefix(XSD)
    return Finding(stage="syntax", severity="Violation", component="ill-typed-literal", focus=subject,
                   path=predicate, value=value,
                   message=f"the literal {value} is not a valid xsd:{name}" if datatype.startswith(XSD) else
                   f"the literal {value} is not valid for its datatype <{datatype}>",
                   fix=f"write a value in the lexical form of xsd:{name}, or give it the datatype it really has")
