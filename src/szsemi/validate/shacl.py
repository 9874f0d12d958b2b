"""SHACL validation on Oxigraph: the shapes compiled to SPARQL, pySHACL only for what is not compiled.

:mod:`szsemi.validate.shacl_compile` turns the shapes graph into one SELECT per constraint per shape, each
over all focus nodes at once; this module runs them on the store and turns rows into findings. pySHACL
stays the reference engine: the parts the compiler leaves out run on pySHACL (``Plan.fallback``),
and :func:`reference_findings` (pySHACL alone) is what the tests and the benchmark compare with.
Findings match pySHACL's on focus node, path, component, value, source shape and severity, as a
multiset (top-level results only: a nested shape's results are not results of the graph); blank
nodes keep the store's labels, as pySHACL sees them through :func:`szsemi.graph.load.rdflib_view`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pyoxigraph as ox
import rdflib
from rdflib import URIRef
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

from szsemi.errors import InputError
from szsemi.validate.report import Finding
from szsemi.validate.shacl_compile import Check, Plan, compile_shapes
from szsemi.validate.shacl_paths import path_text
from szsemi.validate.shacl_shapes import Sources
from szsemi.validate.shacl_values import OxTerm, canonical_form, datatype_holds, datatype_matches, to_rdflib
from szsemi.validate.written import WrittenTerms

_MESSAGE_VAR = re.compile(r"\{[?$](\w+)\}")
_LEXICAL = re.compile(r"(__OK_\d+__)\((\?\w+)\)")


def shacl_run(
    data: rdflib.Graph,
    store: ox.Store,
    shapes: rdflib.Graph,
    written: WrittenTerms | None = None,
    faithful: Callable[[], rdflib.Graph] | None = None,
    engines: dict[str, list[str]] | None = None,
) -> tuple[list[Finding], Plan | None]:
    """Validate the store (``data`` is an rdflib view of it, for pySHACL) against ``shapes``: the
    findings, and the plan that ran (None when pySHACL checked every shape).

    ``written``: the literals the store holds in another form than the files (see
    :mod:`szsemi.validate.written`); findings carry the written form, and an ``sh:datatype`` result
    the written literal satisfies (``"5"^^xsd:int``, stored as an ``xsd:integer``) is dropped.
    ``faithful`` builds the data as the files write it, for pySHACL (else it reads ``data``); when the
    store holds some literal with another datatype than written, pySHACL checks every shape on it.
    ``engines`` is filled with the shapes compiled (``compiled``) and what pySHACL checks, and why (``pyshacl``).
    """
    if written is not None and written.retyped:
        # the store cannot show the data's datatypes as written: the reference engine checks it all,
        # on the data as the files write it
        if engines is not None:
            engines["pyshacl"] = [
                "every shape: the data writes literals of a datatype the store keeps as another "
                "(xsd:int, xsd:byte... as xsd:integer)"
            ]
        findings = pyshacl_findings(faithful() if faithful is not None else data, shapes, shapes, {})
        return sorted(findings), None
    plan = compile_shapes(shapes)
    if engines is not None:
        if "compiled" not in plan.listed:
            # each shape named once, not once per check (a shape has about two): naming reads the shapes graph
            plan.listed["compiled"] = sorted({_named(shapes, plan, shape) for shape in {c.shape for c in plan.checks}})
        engines["compiled"] = list(plan.listed["compiled"])
        engines["pyshacl"] = list(plan.reasons)
    findings = run_checks(store, shapes, plan)
    if plan.fallback is not None:
        findings += pyshacl_findings(faithful() if faithful is not None else data, plan.fallback, shapes, plan.alias)
    if written:
        findings = [f for f in (_as_written(f, written, shapes, plan) for f in findings) if f is not None]
    return sorted(findings), plan


def _named(shapes: rdflib.Graph, plan: Plan, shape: Node) -> str:
    """:func:`shape_name`, kept in the plan: a shape's name depends on the shapes graph alone."""
    name = plan.names.get(shape)
    if name is None:
        name = plan.names[shape] = shape_name(shapes, shape)
    return name


def _as_written(finding: Finding, written: WrittenTerms, shapes: rdflib.Graph, plan: Plan) -> Finding | None:
    value = written.restore(finding.focus, finding.path, finding.value)
    if value == finding.value:
        return finding
    if value is not None and finding.component == str(SH.DatatypeConstraintComponent) and finding.shape:
        wanted = {str(o) for s, o in shapes.subject_objects(SH.datatype) if _named(shapes, plan, s) == finding.shape}
        if len(wanted) == 1 and datatype_holds(value, next(iter(wanted))):
            return None
    return finding.with_(value=value)  # a multiset: identical results of distinct constraints both stay


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
    return sorted(pyshacl_findings(data, run, shapes, {}))


def path_n3(graph: rdflib.Graph, path: Node | None) -> str | None:
    """A result path as findings carry it (:func:`szsemi.validate.shacl_paths.path_text`).

    >>> g = rdflib.Graph().parse(data="[] <http://www.w3.org/ns/shacl#inversePath> <http://e/p> .", format="turtle")
    >>> path_n3(g, next(g.subjects()))
    '^<http://e/p>'
    """
    return path_text(graph, path)


def finding_key(finding: Finding) -> tuple[str | None, ...]:
    """What must agree with pySHACL: focus, path, component, value, source shape, severity."""
    return (finding.focus, finding.path, finding.component, finding.value, finding.shape, finding.severity)


def run_checks(store: ox.Store, shapes: rdflib.Graph, plan: Plan) -> list[Finding]:
    """The findings of every compiled check of ``plan`` on ``store``."""
    accepted = {
        token: _accepted_literals(store, datatype, predicates) for token, (datatype, predicates) in plan.lexical.items()
    }

    def fill(match: re.Match[str]) -> str:
        terms = accepted[match.group(1)]
        return "(" + (" || ".join(f"sameTerm({match.group(2)}, {t})" for t in terms) or "false") + ")"

    findings: list[Finding] = []
    pending = list(plan.checks)
    while pending:
        check = pending.pop()
        rows = list(_rows(store, _LEXICAL.sub(fill, check.query)))
        if check.keep is not None:
            rows = [row for row in rows if check.keep(row["value"])]
        shape = _named(shapes, plan, check.shape)  # once per check, not per row
        findings += [_finding(check, row, shapes, shape) for row in rows]
    return findings


def _rows(store: ox.Store, query: str) -> Iterator[dict[str, OxTerm]]:
    solutions = store.query(query)
    if not isinstance(solutions, ox.QuerySolutions):
        raise TypeError(f"a compiled check is not a SELECT query: {query[:60]!r}")
    names = [v.value for v in solutions.variables]
    for solution in solutions:  # a solution iterates over its values in the order of the variables
        yield {name: value for name, value in zip(names, solution, strict=True) if value is not None}


def _accepted_literals(store: ox.Store, datatype: URIRef, predicates: Sources) -> list[str]:
    """Literals of ``datatype`` that Oxigraph holds in a non-canonical form but rdflib accepts."""
    if predicates is not None and not predicates:
        return []
    values = "VALUES ?p { " + " ".join(f"<{p}>" for p in sorted(predicates)) + " } " if predicates else ""
    query = (
        f"SELECT DISTINCT ?v WHERE {{ {values}?s ?p ?v . FILTER (isLiteral(?v) && "
        f"datatype(?v) = <{datatype}> && !({canonical_form(datatype, '?v')})) }}"
    )
    return [str(row["v"]) for row in _rows(store, query) if datatype_matches(row["v"], datatype)]


def _n3(term: OxTerm) -> str:
    """A term in N-Triples form, as the data writes it (a plain string without ^^xsd:string)."""
    if isinstance(term, ox.Literal) and not term.language and term.datatype.value == str(XSD.string):
        return rdflib.Literal(term.value).n3()
    return to_rdflib(term).n3()


def _finding(check: Check, row: dict[str, OxTerm], shapes: rdflib.Graph, shape: str) -> Finding:
    focus = row["this"]
    value = row.get("value")
    path = row.get("path")
    if check.sparql:
        value = value if value is not None else focus
        path_text = f"<{path.value}>" if isinstance(path, ox.NamedNode) else None
    elif path is not None:
        path_text = f"<{path.value}>"
    else:
        path_text = path_n3(shapes, check.path)
    message = str(check.message) if check.message is not None else check.hint()
    if check.sparql:
        message = _MESSAGE_VAR.sub(lambda m: _show(row.get(m.group(1))), message)
    return Finding(
        stage="shacl",
        severity=_level(check.severity),
        focus=_n3(focus),
        path=path_text,
        component=str(check.component),
        value=_n3(value) if value is not None else None,
        shape=shape,
        message=message,
        message_lang=check.message.language if check.message is not None else None,
        engine="compiled",
    )


def _to_ox(term: Node) -> OxTerm:
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if not isinstance(term, rdflib.Literal):
        raise TypeError(f"not an RDF term: {term!r}")
    if term.language:
        return ox.Literal(str(term), language=term.language)
    return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or XSD.string)))


def _show(term: OxTerm | None) -> str:
    from szsemi.graph.terms import compact

    if term is None:
        return "?"
    if isinstance(term, ox.Literal):
        return term.value
    return compact(str(term))


def _level(severity: Node) -> str:
    """sh:Violation, sh:Warning, sh:Info by name; a custom severity as ``<iri>``."""
    if str(severity).startswith(str(SH)) and str(severity)[len(str(SH)) :] in ("Violation", "Warning", "Info"):
        return str(severity)[len(str(SH)) :]
    return f"<{severity}>"


def shape_name(shapes: rdflib.Graph, shape: Node) -> str:
    """A shape's IRI; for a blank property shape, its node shape and path (``S/<p>`` or ``S/^<p>``)."""
    if isinstance(shape, rdflib.URIRef):
        return shape.n3()
    parent = shapes.value(predicate=SH.property, object=shape)
    path = path_n3(shapes, shapes.value(shape, SH.path))
    if parent is not None and path:
        return f"{shape_name(shapes, parent)}/{path}"
    return shape_name(shapes, parent) if parent is not None else "(anonymous shape)"


# --------------------------------------------------------------------------- pySHACL


def pyshacl_findings(
    data: rdflib.Graph, run: rdflib.Graph, shapes: rdflib.Graph, alias: dict[Node, Node]
) -> list[Finding]:
    """pySHACL on the shapes graph ``run``; a stand-in shape in ``alias`` is reported as its original."""
    import pyshacl

    # In advanced mode pySHACL copies the data first, because SHACL rules may add to it; without
    # rules nothing writes to it, and the copy was a third of pySHACL's time on a small graph.
    inplace = (None, SH.rule, None) not in run
    try:
        _, results, _ = pyshacl.validate(
            data, shacl_graph=run, inference="none", advanced=True, allow_warnings=True, inplace=inplace
        )
    except NotImplementedError as e:  # a feature neither engine runs ($shapesGraph, ...): refused, not skipped
        raise InputError(f"the shapes use a SHACL feature this validator does not support: {e}") from None
    # top-level results only: those of a nested shape stay under their sh:detail, as the standard has them
    return [
        _from_result(results, r, shapes, alias)
        for report in results.subjects(RDF.type, SH.ValidationReport)
        for r in results.objects(report, SH.result)
    ]


def _from_result(results: rdflib.Graph, result: Node, shapes: rdflib.Graph, alias: dict[Node, Node]) -> Finding:
    def one(p: URIRef) -> Node | None:
        return results.value(result, p)

    focus = one(SH.focusNode)
    if focus is None:
        raise ValueError("pySHACL gave a result without sh:focusNode")

    path = one(SH.resultPath)
    value = one(SH.value)
    shape = one(SH.sourceShape)
    if shape is not None:
        shape = alias.get(shape, shape)
    return Finding(
        stage="shacl",
        severity=_level(one(SH.resultSeverity) or SH.Violation),
        focus=focus.n3(),
        path=path_n3(results, path),
        component=str(one(SH.sourceConstraintComponent)),
        value=_n3(_to_ox(value)) if value is not None else None,
        shape=shape_name(shapes, shape) if shape is not None else None,
        message=str(one(SH.resultMessage) or "constraint not met"),
        message_lang=getattr(one(SH.resultMessage), "language", None),
        engine="pyshacl",
    )
