"""Validate data against the ontology, shapes and rules: syntax, SHACL, OWL, rule queries, prefix lint.

A file that does not parse raises ``InputError`` (file, line, column) before any stage runs. Each
finding is then located: the file and line of its focus node's block and, where there is one, of
the offending statement (focus, path, value).

>>> report = validate(owl=False)
>>> report.conforms, report.stages
(True, ['syntax', 'shacl', 'rules', 'lint'])
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
import rdflib
from rdflib.namespace import RDF, SH

from szsemi.errors import EngineError, InputError, QueryDefinitionError
from szsemi.graph import resources
from szsemi.graph.load import Source, display_name, load, rdflib_view, read_text, shipped_data
from szsemi.validate.hints import fix_for
from szsemi.validate.locate import SourceIndex
from szsemi.validate.report import Finding, Report
from szsemi.validate.written import WrittenTerms

if TYPE_CHECKING:
    from szsemi.query.catalogue import StoredQuery
    from szsemi.validate.shacl_compile import Plan

_TURTLE = (".ttl", ".nt")
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def validate(
    paths: Sequence[Source] | None = None,
    *,
    ontology: Sequence[Source] | None = None,
    shapes: Sequence[Source] | None = None,
    queries: Sequence[str | os.PathLike[str]] = (),
    owl: bool = True,
    rules: bool = True,
    lint: bool = True,
    shipped_model: bool = True,
    with_shipped_data: bool = False,
    allow_service: bool = False,
) -> Report:
    """Validate ``paths`` (files or folders of ``.ttl``; default: the shipped data).

    ``ontology`` and ``shapes`` add to the shipped ones (a graph that extends ours), or replace
    them with ``shipped_model=False``; ``queries`` are folders of extra ``*-violation.rq`` checks;
    ``with_shipped_data`` loads the shipped data beside ``paths`` (data that refers to ours).
    A SHACL-SPARQL constraint or a check with a ``SERVICE`` clause is refused (``UsageError``)
    unless ``allow_service``: the embedded engine would call that endpoint.
    """
    data_files = expand_paths(paths) if paths else []
    if with_shipped_data or not paths:
        data_files = [*shipped_data(), *data_files]
    ontology_files = [*([resources.ontology_file()] if shipped_model else []), *(ontology or [])]
    shapes_files = [*([resources.shapes_file()] if shipped_model else []), *(shapes or [])]
    store = load([*ontology_files, *data_files], merge_graphs=True)
    shapes_graph = shapes_graph_of(shapes_files)
    from szsemi.validate.shacl_sparql import refuse_forbidden

    refuse_forbidden(shapes_graph)  # before the lint: a forbidden query is refused, whatever else it has
    catalogue: dict[str, StoredQuery] = {}  # read only when the rules or the lint want it
    if rules or lint:
        from szsemi.query.catalogue import load_catalogue

        catalogue = load_catalogue(extra_dirs=tuple(str(q) for q in queries), check=False)

    texts = _texts([*data_files, *ontology_files])
    lint_findings: list[Finding] = []
    if lint:
        from szsemi.validate.prefix_lint import lint_query, lint_shapes_and_broken, lint_turtle

        shape_texts = _texts(shapes_files)
        lint_findings, broken_constraints = lint_shapes_and_broken(shapes_graph, shape_texts)
        # A SHACL-SPARQL constraint that cannot parse is never dropped (a SHACL report without it
        # could say "conforms"): the run stops at the first, with the lint's place and message.
        if broken_constraints:
            first = next(f for f in lint_findings if f.component in ("undeclared-prefix", "unreadable-query"))
            raise QueryDefinitionError(
                f"{first.shape}: a SHACL-SPARQL constraint cannot run: {first.message}",
                path=first.file,
                line=first.line,
            )
        for name, text in [*texts, *shape_texts]:
            if name.endswith(".ttl"):
                lint_findings += lint_turtle(name, text)
        for query in catalogue.values():
            lint_findings += lint_query(query)
    # A check with an undeclared prefix would not parse: its lint finding stands for it, it is not run.
    broken = {f.file for f in lint_findings if f.component in ("undeclared-prefix", "unreadable-query")}
    runnable = {n: q for n, q in catalogue.items() if q.path not in broken} if rules else None
    refuse_service(shapes_graph, list((runnable or {}).values()), allow=allow_service)
    inputs = [*ontology_files, *data_files]
    written = WrittenTerms.scan(inputs)
    report = check_store(
        store, shapes_graph, owl=owl, catalogue=runnable, written=written, faithful=lambda: faithful_graph(inputs)
    )
    from szsemi.validate.literals import ill_typed_findings

    report.findings += ill_typed_findings(data_files)  # a year that is no year is a finding, shapes or not
    report.files = [display_name(f) for f in data_files]
    report.stages.insert(0, "syntax")
    if lint:
        report.findings += lint_findings
        report.stages.append("lint")
        report.checks["lint"] = [*(n for n, _ in shape_texts), *(q.path for q in catalogue.values())]
    report.findings = locate(report.findings, store, texts)
    return report


def check_store(
    store: ox.Store,
    shapes: rdflib.Graph,
    *,
    owl: bool = False,
    catalogue: dict[str, StoredQuery] | None = None,
    written: WrittenTerms | None = None,
    faithful: Callable[[], rdflib.Graph] | None = None,
) -> Report:
    """The graph stages (SHACL, OWL, rule queries) on a loaded store; findings not yet located.

    ``written``: the literals the files write in another form than the store holds them;
    ``faithful`` builds the data as written, for the shapes pySHACL checks.
    """
    from szsemi.validate.shacl import shacl_run

    graph = rdflib_view(store)
    report = Report(triples=len(store))
    try:
        results, plan = shacl_run(graph, store, shapes, written, faithful, report.engines)
    except SyntaxError as e:  # a SHACL-SPARQL query that does not parse (the lint says where)
        raise QueryDefinitionError(
            f"a SHACL-SPARQL constraint does not parse: {e.msg or e}; run without --no-lint to see which and where"
        ) from None
    report.findings = [f.with_(fix=fix_for(f.component, f.focus, f.path, f.value)) for f in results]
    report.stages.append("shacl")
    report.checks["shacl"] = shape_names(shapes, plan)
    if owl:
        from szsemi.validate.owl import owl_findings

        try:
            report.findings += owl_findings(graph)
        except EngineError as e:  # the other stages' findings still stand and are still reported
            report.failures.append(f"owl: {e}")
        report.stages.append("owl")
        report.checks["owl"] = ["consistency", "unsatisfiable classes"]
    if catalogue is not None:
        from szsemi.validate.rules import rule_findings, violation_checks

        checks = violation_checks(catalogue)
        report.findings += rule_findings(store, checks)
        report.stages.append("rules")
        report.checks["rules"] = [q.path for q in checks]
    return report


def refuse_service(shapes: rdflib.Graph, checks: Sequence[StoredQuery] = (), *, allow: bool = False) -> None:
    """``UsageError`` if a SHACL-SPARQL query of ``shapes`` or a check (a stored query) has a SERVICE
    clause and not ``allow``, or one whose endpoint is a variable (see :func:`check_service`)."""
    from szsemi.sparql_syntax import check_service

    for predicate in (SH.select, SH.ask, SH.construct, SH.update):
        for owner, text in sorted(shapes.subject_objects(predicate)):
            shape = owner if isinstance(owner, rdflib.URIRef) else shapes.value(predicate=SH.sparql, object=owner)
            name = shape.n3() if isinstance(shape, rdflib.URIRef) else "a SHACL-SPARQL constraint"
            check_service(str(text), allow=allow, where=f"the sh:{predicate.rsplit('#', 1)[-1]} query of {name}")
    for check in checks:
        check_service(check.text, allow=allow, where=str(check.path))


def expand_paths(paths: Sequence[Source]) -> list[Source]:
    """Files as given; a folder becomes its ``.ttl`` files, recursively, skipping hidden folders."""
    out: list[Source] = []
    for path in paths:
        if isinstance(path, (str, os.PathLike)) and Path(path).is_dir():
            found = sorted(
                p
                for p in Path(path).rglob("*.ttl")
                if not any(part.startswith(".") and part not in (".", "..") for part in p.relative_to(path).parts)
            )
            if not found:
                raise InputError("no .ttl file in this folder", path=os.fspath(path))
            out += [os.fspath(p) for p in found]
        else:
            out.append(path)
    return out


def shapes_graph_of(sources: list[Source]) -> rdflib.Graph:
    """The shapes as an rdflib graph, from files in any RDF format, every term as written.

    Oxigraph's parser reads them (its errors carry file:line:column; it keeps literals as written,
    where its store would rewrite "1"^^xsd:boolean as "true"), and rdflib reads its N-Triples
    without normalising literals either.
    """
    return faithful_graph(sources)


def faithful_graph(sources: list[Source]) -> rdflib.Graph:
    """``sources`` as one rdflib graph, each term as the files write it (relative IRIs resolved)."""
    import rdflib as _rdflib

    from szsemi.graph.load import base_iri, rdf_format, read_bytes

    triples: list[ox.Triple] = []
    for source in sources:
        try:
            quads = list(
                ox.parse(
                    read_bytes(source), format=rdf_format(source), base_iri=base_iri(source), rename_blank_nodes=True
                )
            )
        except SyntaxError as e:
            from szsemi.graph.load import syntax_error_reason

            raise InputError(
                syntax_error_reason(e), path=display_name(source), line=e.lineno, column=e.offset
            ) from None
        triples += [q.triple for q in quads]
    normalize = _rdflib.NORMALIZE_LITERALS
    _rdflib.NORMALIZE_LITERALS = False  # "4.0"^^xsd:decimal stays "4.0", "1"^^xsd:boolean stays "1"
    try:
        graph = _rdflib.Graph()
        if _add_terms(graph, triples):
            return graph
        # a term rdflib has no form for (a triple term, a base direction): through its N-Triples
        # reader, as ever, which refuses it
        text = (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8")
        return _rdflib.Graph().parse(data=text, format="nt")
    finally:
        _rdflib.NORMALIZE_LITERALS = normalize


def _add_terms(graph: rdflib.Graph, triples: list[ox.Triple]) -> bool:
    """Add ``triples`` to ``graph`` as rdflib's N-Triples reader reads them once Oxigraph has written
    them (a fresh blank node per label, a plain literal for an xsd:string, a language-tagged one
    without datatype), without the text in between: that reader took a third of a validate run.
    False, and nothing added, when a term is not an IRI, blank node or literal without a direction."""
    from rdflib import BNode, Literal, URIRef

    blanks: dict[str, BNode] = {}

    def term(t: object) -> rdflib.term.Node | None:
        if isinstance(t, ox.NamedNode):
            return URIRef(t.value)  # one per occurrence, as the reader makes them (and warns of a bad one)
        if isinstance(t, ox.BlankNode):
            blank = blanks.get(t.value)
            if blank is None:
                blank = blanks[t.value] = BNode()
            return blank
        if isinstance(t, ox.Literal) and t.direction is None:
            if t.language:
                return Literal(t.value, t.language, None)
            datatype = t.datatype.value
            return Literal(t.value, None, None if datatype == _XSD_STRING else URIRef(datatype))
        return None

    converted = []
    for t in triples:
        s, p, o = term(t.subject), term(t.predicate), term(t.object)
        if s is None or p is None or o is None:
            return False
        converted.append((s, p, o))
    for triple in converted:  # one by one, in order, as the reader adds them
        graph.add(triple)
    return True


def shape_names(shapes: rdflib.Graph, plan: Plan | None = None) -> list[str]:
    """Every shape as findings name it: ``<iri>``, or ``<node shape>/<path>`` for a blank property shape.

    ``plan``, compiled from ``shapes``, keeps the list for the plan's next run."""
    if plan is not None and "all" in plan.listed:
        return list(plan.listed["all"])
    from szsemi.validate.shacl import path_n3

    names = []
    nodes = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(RDF.type, SH.PropertyShape))
    for predicate in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf):
        nodes |= set(shapes.subjects(predicate, None))
    for node in nodes:
        if isinstance(node, rdflib.URIRef):
            names.append(node.n3())
        for prop in shapes.objects(node, SH.property):
            path = path_n3(shapes, shapes.value(prop, SH.path))
            if isinstance(prop, rdflib.URIRef):
                names.append(prop.n3())
            elif isinstance(node, rdflib.URIRef) and path:
                names.append(f"{node.n3()}/{path}")
    listed = sorted(set(names))
    if plan is not None:
        plan.listed["all"] = listed
    return list(listed)


def _texts(sources: list[Source]) -> list[tuple[str, str]]:
    out = []
    for source in sources:
        name = display_name(source)
        if not name.endswith(_TURTLE):
            continue
        try:
            out.append((name, read_text(source)))
        except InputError:  # the syntax stage reports an unreadable file
            continue
    return out


def locate(findings: list[Finding], store: ox.Store, texts: list[tuple[str, str]]) -> list[Finding]:
    """Each finding with the file and line of its focus node and of the offending statement."""
    located = []
    index = None  # reading the files for places costs more than the checks: only when one is wanted
    for f in findings:
        if f.focus and not f.file:
            index = index or SourceIndex(texts)
            where = index.locate(store, f.focus, f.path, f.value)
            f = f.with_(
                file=where.file,
                line=where.line,
                triple_file=where.triple_file,
                triple_line=where.triple_line,
                anchor=where.anchor,
            )
        located.append(f)
    return sorted(located, key=lambda f: (f.where[0] or "~", f.where[1] or 0, f))
