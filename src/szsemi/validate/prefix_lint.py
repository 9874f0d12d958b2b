"""The lint stage: prefixes and placeholders of stored queries and SHACL-SPARQL constraints.

Checks, each a finding with the file and line:

* ``undeclared-prefix`` (Violation): a query uses ``p:x`` without ``PREFIX p:``; a SHACL-SPARQL
  constraint uses one that its ``sh:prefixes`` do not declare. Engines predefine different
  prefixes, so relying on one breaks on the next engine.
* ``prefix-namespace-mismatch`` (Violation): a project prefix (``szsemi.graph.namespaces.PREFIXES``)
  declared with another namespace, in a query, in ``sh:declare``, or (Warning) in a Turtle file.
* ``unused-prefix`` (Warning): a query declares a prefix it never uses (the catalogue's convention).
* ``unknown-message-variable`` (Violation): a check's message names ``{x}`` but the query has no ``?x``.

>>> lint_query_text("PREFIX szo: <https://w3id.org/szsemi/ontology#>\\nSELECT * { ?s skos:x ?o }", "q.rq")[0].message
"the prefix 'skos:' is used but not declared: add PREFIX skos: <http://www.w3.org/2004/02/skos/core#>"
"""

from __future__ import annotations

import re

import rdflib
from rdflib.namespace import SH
from rdflib.term import Identifier, Node

from szsemi.errors import QueryDefinitionError
from szsemi.graph.namespaces import PREFIXES
from szsemi.query.binding import query_variables
from szsemi.query.catalogue import StoredQuery, check_syntax
from szsemi.sparql_syntax import tokens
from szsemi.validate.report import Finding
from szsemi.validate.shacl_sparql import declared_prefixes

_PREFIX_LINE = re.compile(r"^[ \t]*(@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE | re.MULTILINE)
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _line(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def _finding(
    check: str,
    severity: str,
    message: str,
    file: str | None,
    line: int | None,
    value: str | None = None,
    shape: str | None = None,
) -> Finding:
    return Finding(
        stage="lint",
        severity=severity,
        component=check,
        message=message,
        file=file,
        line=line,
        value=value,
        shape=shape,
    )


def _declare_hint(prefix: str) -> str:
    return f" <{PREFIXES[prefix]}>" if prefix in PREFIXES else " <namespace>"


def _scan(text: str) -> tuple[dict[str, tuple[str, int]], list[tuple[str, int]]]:
    """(declared prefix -> (namespace, index), [(used prefix, index)]) of a SPARQL text."""
    toks = tokens(text)
    declared: dict[str, tuple[str, int]] = {}
    used: list[tuple[str, int]] = []
    k = 0
    while k < len(toks):
        tok = toks[k]
        if tok.word() == "PREFIX" and k + 2 < len(toks) and toks[k + 2].kind == "iri":
            declared[toks[k + 1].text[:-1]] = (toks[k + 2].text[1:-1], toks[k + 1].start)
            k += 3
            continue
        if tok.kind == "name" and ":" in tok.text and not tok.text.startswith("_:"):
            used.append((tok.text.split(":", 1)[0], tok.start))
        k += 1
    return declared, used


def lint_query_text(
    text: str,
    file: str | None,
    *,
    offset: int = 0,
    declared_outside: dict[str, str] | None = None,
    shape: str | None = None,
    check_unused: bool = True,
) -> list[Finding]:
    """Lint one SPARQL text; ``offset`` lines precede it in ``file``; ``declared_outside`` are
    the prefixes declared for it elsewhere (a constraint's ``sh:prefixes``)."""
    try:
        declared, used = _scan(text)
    except QueryDefinitionError as e:
        return [
            _finding(
                "unreadable-query",
                "Violation",
                f"the query cannot be read: {e.reason}",
                file,
                (e.line or 1) + offset,
                shape=shape,
            )
        ]
    known = {**(declared_outside or {}), **{p: ns for p, (ns, _) in declared.items()}}
    findings = []
    reported = set()
    for prefix, index in used:
        if prefix not in known and prefix not in reported:
            reported.add(prefix)
            where = "its sh:prefixes" if declared_outside is not None else "the query"
            fix = (
                f"add PREFIX {prefix}:{_declare_hint(prefix)}"
                if declared_outside is None
                else f'declare it with sh:declare [ sh:prefix "{prefix}" ; sh:namespace '
                f'"{PREFIXES.get(prefix, "namespace")}"^^xsd:anyURI ] on the sh:prefixes node'
            )
            findings.append(
                _finding(
                    "undeclared-prefix",
                    "Violation",
                    f"the prefix '{prefix}:' is used but not declared"
                    + (f" in {where}" if declared_outside is not None else "")
                    + f": {fix}",
                    file,
                    _line(text, index) + offset,
                    value=prefix,
                    shape=shape,
                )
            )
    for prefix, (namespace, index) in declared.items():
        findings += _mismatch(prefix, namespace, file, _line(text, index) + offset, shape=shape)
        if check_unused and prefix not in {p for p, _ in used}:
            findings.append(
                _finding(
                    "unused-prefix",
                    "Warning",
                    f"PREFIX {prefix}: is declared but never used: remove the line",
                    file,
                    _line(text, index) + offset,
                    value=prefix,
                    shape=shape,
                )
            )
    return findings


def _mismatch(
    prefix: str,
    namespace: str,
    file: str | None,
    line: int | None,
    severity: str = "Violation",
    shape: str | None = None,
) -> list[Finding]:
    if prefix in PREFIXES and PREFIXES[prefix] != namespace:
        return [
            _finding(
                "prefix-namespace-mismatch",
                severity,
                f"'{prefix}:' is declared as <{namespace}> but the project's prefix map has "
                f"<{PREFIXES[prefix]}>: use that namespace, or another prefix name for this one",
                file,
                line,
                value=f"<{namespace}>",
                shape=shape,
            )
        ]
    return []


def lint_query(query: StoredQuery) -> list[Finding]:
    """Prefixes of a stored query, its syntax, and the placeholders of a check's message."""
    findings = lint_query_text(query.text, query.path, shape=query.path)
    if not any(f.component in ("undeclared-prefix", "unreadable-query") for f in findings):
        try:
            check_syntax(query.text)
        except QueryDefinitionError as e:
            findings.append(_finding("unreadable-query", "Violation", e.reason, query.path, e.line, shape=query.path))
    if query.rule is not None:
        variables = query_variables(query.text)
        for name in dict.fromkeys(_PLACEHOLDER.findall(query.rule.message)):
            if name not in variables:
                findings.append(
                    _finding(
                        "unknown-message-variable",
                        "Violation",
                        f"the message names {{{name}}} but the query has no ?{name}: "
                        f"project ?{name} or fix the message",
                        query.path,
                        _message_line(query.text),
                        value=name,
                        shape=query.path,
                    )
                )
    return findings


def _message_line(text: str) -> int:
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("#+ message:"):
            return number
    return 1


def lint_shapes(shapes: rdflib.Graph, files: list[tuple[str, str]]) -> list[Finding]:
    """Prefixes of every SHACL-SPARQL query in ``shapes``, and the namespaces of ``sh:declare``.

    ``files`` are the shapes files as (display name, text), to find the lines.
    """
    return lint_shapes_and_broken(shapes, files)[0]


def lint_shapes_and_broken(shapes: rdflib.Graph, files: list[tuple[str, str]]) -> tuple[list[Finding], set[Node]]:
    """The findings, and the nodes holding a query that cannot parse (an undeclared prefix)."""
    findings = []
    broken: set[Node] = set()
    # a parsed graph's subjects are IRIs and blank nodes (Identifiers, which sort)
    for decl in sorted({d for d in shapes.subjects(SH.prefix, None) if isinstance(d, Identifier)}):
        prefix, namespace = str(shapes.value(decl, SH.prefix)), str(shapes.value(decl, SH.namespace))
        file, line = _find(
            files,
            re.compile(r'sh:prefix\s+"' + re.escape(prefix) + r'"\s*;\s*sh:namespace\s+"' + re.escape(namespace) + '"'),
        )
        if line is None:
            file, line = _find(files, re.compile(r'sh:prefix\s+"' + re.escape(prefix) + '"'))
        findings += _mismatch(prefix, namespace, file, line)
    for predicate in (SH.select, SH.ask, SH.construct, SH.update):
        for owner, query in sorted(shapes.subject_objects(predicate)):
            declared = declared_prefixes(shapes, owner)
            text = str(query)
            file, line = _find_text(files, text)
            found = lint_query_text(
                text,
                file,
                offset=(line or 1) - 1,
                declared_outside=declared,
                shape=_owner_name(shapes, owner),
                check_unused=False,
            )
            if any(f.component in ("undeclared-prefix", "unreadable-query") for f in found):
                broken.add(owner)
            findings += found
    return findings, broken


def lint_turtle(file: str, text: str) -> list[Finding]:
    """Project prefixes that a Turtle file declares with another namespace (Warning)."""
    return [
        f
        for m in _PREFIX_LINE.finditer(text)
        for f in _mismatch(m.group(2) or "", m.group(3), file, _line(text, m.start()), "Warning")
    ]


def _owner_name(shapes: rdflib.Graph, owner: Node) -> str:
    if isinstance(owner, rdflib.URIRef):
        return owner.n3()
    shape = shapes.value(predicate=SH.sparql, object=owner)
    return f"{shape.n3()} (sh:sparql)" if isinstance(shape, rdflib.URIRef) else "(anonymous constraint)"


def _find(files: list[tuple[str, str]], pattern: re.Pattern[str]) -> tuple[str | None, int | None]:
    for name, text in files:
        if m := pattern.search(text):
            return name, _line(text, m.start())
    return None, None


def _find_text(files: list[tuple[str, str]], query: str) -> tuple[str | None, int | None]:
    """The file and line where a query literal starts: the whole text, else its longest line."""
    for name, text in files:
        if (index := text.find(query)) >= 0:
            return name, _line(text, index)
    lines = query.splitlines()
    longest = max(range(len(lines)), key=lambda i: len(lines[i].strip()), default=0)
    needle = lines[longest].strip() if lines else ""
    for name, text in files:
        if needle and (index := text.find(needle)) >= 0:
            return name, _line(text, index) - longest
    return (files[0][0], None) if files else (None, None)
