"""Validate data against the ontology and shapes: SHACL, then OWL consistency; one Report.

A file that does not parse raises ``InputError`` (file, line, column) before any stage runs.

>>> report = validate(owl=False)
>>> report.conforms, report.stages
(True, ['shacl'])
"""

from __future__ import annotations

from collections.abc import Sequence

import rdflib

from szsemi import resources
from szsemi.errors import InputError
from szsemi.locate import subject_lines
from szsemi.report import Finding, Report
from szsemi.store import Source, display_name, load, rdflib_view, read_bytes, shipped_data


def validate(paths: Sequence[Source] | None = None, *, ontology: Sequence[Source] | None = None,
             shapes: Sequence[Source] | None = None, owl: bool = True) -> Report:
    """Validate ``paths`` (default: the shipped data) with ``ontology`` and ``shapes`` (default: shipped)."""
    data_files = list(paths) if paths else shipped_data()
    ontology_files = list(ontology) if ontology else [resources.ontology_file()]
    store = load([*ontology_files, *data_files])
    graph = rdflib_view(store)
    shapes_graph = _shapes_graph(list(shapes) if shapes else [resources.shapes_file()])

    from szsemi.shacl import shacl_findings

    report = Report(files=[display_name(f) for f in data_files], triples=len(store))
    findings = shacl_findings(graph, store, shapes_graph)
    report.stages.append("shacl")
    if owl:
        from szsemi.reasoning import owl_findings

        findings += owl_findings(graph)
        report.stages.append("owl")
    report.findings = _located(findings, graph, [*data_files, *ontology_files])
    return report


def _shapes_graph(sources: list[Source]) -> rdflib.Graph:
    # Shapes are parsed by Oxigraph first, for the same file:line:column errors as the data.
    load(sources)
    graph = rdflib.Graph()
    for source in sources:
        graph.parse(data=read_bytes(source), format="turtle")
    return graph


def _located(findings: list[Finding], graph: rdflib.Graph, files: list[Source]) -> list[Finding]:
    """Each finding with the file and line where its focus node (or its owner) is described."""
    where: dict[str, tuple[str, int]] = {}
    for source in reversed(files):  # the first file that describes a subject wins
        try:
            text = read_bytes(source).decode("utf-8")
        except (InputError, UnicodeDecodeError):
            continue
        for iri, line in subject_lines(text).items():
            where[iri] = (display_name(source), line)
    located = []
    for finding in findings:
        iri = _owner_iri(graph, finding.focus)
        if iri in where:
            file, line = where[iri]
            finding = Finding(**{**finding.__dict__, "file": file, "line": line})
        located.append(finding)
    return sorted(located, key=lambda f: (f.file or "~", f.line or 0, f))


def _owner_iri(graph: rdflib.Graph, focus: str | None) -> str | None:
    """The IRI whose block describes ``focus``: itself, or the subject a blank node hangs from."""
    if not focus:
        return None
    if focus.startswith("<"):
        return focus[1:-1]
    node = rdflib.BNode(focus[2:]) if focus.startswith("_:") else None
    for _ in range(10):  # blank nodes nest a few levels at most (plan -> period -> instant)
        parent = next(graph.subjects(None, node), None) if node is not None else None
        if parent is None:
            return None
        if isinstance(parent, rdflib.URIRef):
            return str(parent)
        node = parent
    return None
