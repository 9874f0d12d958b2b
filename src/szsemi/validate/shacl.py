"""SHACL validation on Oxigraph: the shapes compiled to SPARQL, pySHACL only for what is not compiled.

:mod:`szsemi.validate.shacl_compile` turns the shapes graph into one SELECT per constraint per shape, each
over all focus nodes at once; this module runs them on the store and turns rows into findings. pySHACL
stays the reference engine: the parts the compiler leaves out run on pySHACL (``Plan.fallback``),
and :func:`reference_findings` (pySHACL alone) is what the tests and the benchmark compare with.
Findings match pySHACL's on focus node, path, component, value, source shape and severity, nested
``sh:detail`` results of ``sh:node`` included; blank nodes keep the store's labels, as pySHACL sees
them through :func:`szsemi.graph.load.rdflib_view`.
"""

from __future__ import annotations

import re

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF, SH

from szsemi.validate.report import Finding
from szsemi.validate.shacl_compile import Check, Plan, compile_shapes
from szsemi.validate.shacl_values import canonical_form, datatype_matches, to_rdflib

_MESSAGE_VAR = re.compile(r"\{[?$](\w+)\}")
_LEXICAL = re.compile(r"(__OK_\d+__)\((\?\w+)\)")


def shacl_findings(data: rdflib.Graph, store: ox.Store, shapes: rdflib.Graph) -> list[Finding]:
    """Validate the store (``data`` is an rdflib view of it, for pySHACL) against ``shapes``."""
    plan = compile_shapes(shapes)
    findings = run_checks(store, shapes, plan)
    if plan.fallback is not None:
        findings += pyshacl_findings(data, plan.fallback, shapes, plan.alias)
    return sorted(set(findings))


def reference_findings(data: rdflib.Graph, shapes: rdflib.Graph, *, sparql: bool = True) -> list[Finding]:
    """pySHACL alone on every shape: the reference the compiled engine must agree with.

    ``sparql=False`` leaves out the SHACL-SPARQL constraints, which pySHACL runs once per focus node
    on rdflib's engine (272 s on 10k triples): the core constraints alone, a lower bound of its time.
    """
    run = shapes
    if not sparql:
        run = rdflib.Graph()
        for triple in shapes:
            if triple[1] != SH.sparql:
                run.add(triple)
    return sorted(set(pyshacl_findings(data, run, shapes, {})))


def path_n3(graph: rdflib.Graph, path) -> str | None:
    """A result path as findings carry it: ``<iri>``, ``^<iri>`` for an inverse path, else None.

    >>> g = rdflib.Graph().parse(data="[] <http://www.w3.org/ns/shacl#inversePath> <http://e/p> .", format="turtle")
    >>> path_n3(g, next(g.subjects()))
    '^<http://e/p>'
    """
    if isinstance(path, rdflib.URIRef):
        return path.n3()
    inverse = graph.value(path, SH.inversePath) if isinstance(path, rdflib.BNode) else None
    return f"^{inverse.n3()}" if isinstance(inverse, rdflib.URIRef) else None


def finding_key(finding: Finding) -> tuple:
    """What must agree with pySHACL: focus, path, component, value, source shape, severity."""
    return (finding.focus, finding.path, finding.component, finding.value, finding.shape, finding.severity)


def run_checks(store: ox.Store, shapes: rdflib.Graph, plan: Plan) -> list[Finding]:
    """The findings of every compiled check of ``plan`` on ``store``."""
    accepted = {token: _accepted_literals(store, datatype, predicates)
                for token, (datatype, predicates) in plan.lexical.items()}

    def fill(match: re.Match) -> str:
        terms = accepted[match.group(1)]
        return "(" + (" || ".join(f"sameTerm({match.group(2)}, {t})" for t in terms) or "false") + ")"

    findings: list[Finding] = []
    pending = list(plan.checks)
    while pending:
        check = pending.pop()
        rows = list(_rows(store, _LEXICAL.sub(fill, check.query)))
        if check.keep is not None:
            rows = [row for row in rows if check.keep(row["value"])]
        findings += [_finding(check, row, shapes) for row in rows]
        if rows and check.details:
            pending += check.details
    return findings


def _rows(store: ox.Store, query: str):
    solutions = store.query(query)
    names = [v.value for v in solutions.variables]
    for solution in solutions:
        yield {name: solution[name] for name in names if solution[name] is not None}


def _accepted_literals(store: ox.Store, datatype, predicates) -> list[str]:
    """Literals of ``datatype`` that Oxigraph holds in a non-canonical form but rdflib accepts."""
    if predicates is not None and not predicates:
        return []
    values = "VALUES ?p { " + " ".join(f"<{p}>" for p in sorted(predicates)) + " } " if predicates else ""
    query = (f"SELECT DISTINCT ?v WHERE {{ {values}?s ?p ?v . FILTER (isLiteral(?v) && "
             f"datatype(?v) = <{datatype}> && !({canonical_form(datatype, '?v')})) }}")
    return [str(row["v"]) for row in store.query(query) if datatype_matches(row["v"], datatype)]


def _n3(term) -> str:
    return to_rdflib(term).n3()


def _finding(check: Check, row: dict, shapes: rdflib.Graph) -> Finding:
    focus = row["this"]
    value = row.get("value")
    path = row.get("path") if "path" in row else None
    if check.sparql:
        value = value if value is not None else focus
        path_text = f"<{path.value}>" if isinstance(path, ox.NamedNode) else None
    elif path is not None:
        path_text = f"<{path.value}>"
    else:
        path_text = path_n3(shapes, check.path)
    message = check.message or check.hint()
    if check.sparql:
        message = _MESSAGE_VAR.sub(lambda m: _show(row.get(m.group(1))), message)
    return Finding(stage="shacl", severity=_level(check.severity), focus=_n3(focus), path=path_text,
                   component=str(check.component), value=_n3(value) if value is not None else None,
                   shape=shape_name(shapes, check.shape), message=message)


def _show(term) -> str:
    from szsemi.graph.terms import compact

    if term is None:
        return "?"
    if isinstance(term, ox.Literal):
        return term.value
    return compact(str(term))


def _level(severity) -> str:
    return str(severity).rsplit("#", 1)[-1]


def shape_name(shapes: rdflib.Graph, shape) -> str:
    """A shape's IRI; for a blank property shape, its node shape and path (``S/<p>`` or ``S/^<p>``)."""
    if isinstance(shape, rdflib.URIRef):
        return shape.n3()
    parent = shapes.value(predicate=SH.property, object=shape)
    path = path_n3(shapes, shapes.value(shape, SH.path))
    if parent is not None and path:
        return f"{shape_name(shapes, parent)}/{path}"
    return shape_name(shapes, parent) if parent is not None else "(anonymous shape)"


# --------------------------------------------------------------------------- pySHACL


def pyshacl_findings(data: rdflib.Graph, run: rdflib.Graph, shapes: rdflib.Graph, alias: dict) -> list[Finding]:
    """pySHACL on the shapes graph ``run``; a stand-in shape in ``alias`` is reported as its original."""
    import pyshacl

    _, results, _ = pyshacl.validate(data, shacl_graph=run, inference="none", advanced=True,
                                     allow_warnings=True)
    return [_from_result(results, r, shapes, alias) for r in results.subjects(RDF.type, SH.ValidationResult)]


def _from_result(results: rdflib.Graph, result, shapes: rdflib.Graph, alias: dict) -> Finding:
    def one(p):
        return results.value(result, p)

    path = one(SH.resultPath)
    value = one(SH.value)
    shape = one(SH.sourceShape)
    shape = alias.get(shape, shape)
    return Finding(
        stage="shacl",
        severity=_level(one(SH.resultSeverity) or SH.Violation),
        focus=one(SH.focusNode).n3(),
        path=path_n3(results, path),
        component=str(one(SH.sourceConstraintComponent)),
        value=value.n3() if value is not None else None,
        shape=shape_name(shapes, shape) if shape is not None else None,
        message=str(one(SH.resultMessage) or "constraint not met"),
    )
