"""Render a validation Report: text for people, JSON, JUnit XML, GitHub annotations, SHACL Turtle.

The JSON shape is versioned (``"format": "szsemi-validation/1"``, documented in
docs/validation-report.md); fields are added, never renamed.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from szsemi.graph.terms import compact
from szsemi.validate.hints import display_term
from szsemi.validate.report import SEVERITIES, Finding, Report, at_least

if TYPE_CHECKING:  # imported only when a SHACL report is written
    import rdflib
    from rdflib.term import Node

JSON_FORMAT = "szsemi-validation/1"
FORMATS = ("text", "json", "junit", "github")


def _name(term: str | None) -> str:
    """A component, rule id or IRI as people read it."""
    if not term:
        return ""
    if term.startswith("<") and ">/" in term:  # a blank property shape: <node shape>/<path> or /^<path>
        shape, path = term.split(">/", 1)
        return f"{compact(shape + '>')}/{compact(path)}"
    if "://" in term and not term.startswith("<"):
        return compact(f"<{term}>")
    return compact(term)


def _place(f: Finding) -> str:
    file, line = f.where
    return f"{file}:{line}" if file and line else (file or "(graph)")


def _focus(f: Finding) -> str:
    if f.focus and f.focus.startswith("_:") and f.anchor:
        return "[" + " ".join(_name(p) for p in f.anchor.split()) + "]"
    return _name(f.focus)


def render_text(report: Report) -> str:
    lines = []
    accepted = [f for f in report.findings if f.baselined]
    for f in (f for f in report.findings if not f.baselined):
        lines += _text_finding(f)
    if accepted:
        lines.append(f"accepted by the baseline {report.baseline} ({len(accepted)}):")
        for f in accepted:
            lines += ["  " + x for x in _text_finding(f)] + [f"      baselined: {f.baselined}"]
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


def _text_finding(f: Finding) -> list[str]:
    what = " ".join(x for x in (_focus(f), _name(f.path)) if x) or " ".join(x for x in (f.component, f.value) if x)
    out = [f"{_place(f)}: {f.severity} [{f.stage}] {what}".rstrip(), f"    {f.message}"]
    if f.fix:
        out.append(f"    fix: {f.fix}")
    detail = [f"constraint {_name(f.component)}"] if f.component else []
    if f.value:
        detail.append(f"value {display_term(f.value)}")
    if f.shape:
        detail.append(f"{'rule' if f.stage == 'rules' else 'shape'} {_name(f.shape)}")
    if f.triple_line and f.file and f.line:
        detail.append(f"node at {f.file}:{f.line}")
    if detail:
        out.append("    (" + "; ".join(detail) + ")")
    return out


def summary_line(report: Report) -> str:
    counts = ", ".join(f"{report.count(s)} {s.lower()}{'s' if report.count(s) != 1 else ''}" for s in SEVERITIES)
    if report.baseline:
        counts += f", {report.count_baselined()} baselined"
    if report.failed:
        verdict = "does not conform" if report.fail_on == "Violation" else f"fails at {report.fail_on}"
    else:
        verdict = "conforms"
    failed = "".join(f"; could not run {f}" for f in report.failures)
    if report.failures:
        verdict += " as far as checked"
    return (
        f"{len(report.files)} data files, {report.triples} triples with the ontology; "
        f"stages: {', '.join(report.stages)}; {counts}: {verdict}{failed}"
    )


def render_json(report: Report) -> str:
    return (
        json.dumps(
            {
                "format": JSON_FORMAT,
                "conforms": report.conforms,
                "passed": not report.failed,
                "fail_on": report.fail_on,
                "stages": report.stages,
                "checks": report.checks,
                "engines": report.engines,
                "failures": report.failures,
                "files": report.files,
                "triples": report.triples,
                "baseline": report.baseline,
                "counts": {s: report.count(s) for s in SEVERITIES},
                "baselined": report.count_baselined(),
                "findings": [f.as_dict() for f in report.findings],
            },
            ensure_ascii=False,
            indent=2,
        )
        + "\n"
    )


# --------------------------------------------------------------------------------------------
# JUnit XML: a test suite per stage, a failing test case per finding, a passing one per clean check
# --------------------------------------------------------------------------------------------


def render_junit(report: Report) -> str:
    root = ET.Element("testsuites", name="szsemi validate")
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for stage in report.stages:
        findings = [f for f in report.findings if f.stage == stage]
        suite = ET.SubElement(root, "testsuite", name=f"szsemi.{stage}")
        counts = {"tests": 0, "failures": 0, "skipped": 0}
        with_findings = set()
        for f in findings:
            check = _name(f.shape or f.component) or stage
            with_findings.add(f.shape or f.component)
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"szsemi.{stage}.{check}",
                name=f"{_place(f)} {_focus(f)} {_name(f.path)}".strip(),
            )
            file, line = f.where
            if file:
                case.set("file", file)
            if line:
                case.set("line", str(line))
            counts["tests"] += 1
            body = "\n".join(_text_finding(f))
            if f.baselined:
                ET.SubElement(case, "skipped", message=f"baselined: {f.baselined}").text = body
                counts["skipped"] += 1
            elif at_least(f.severity, report.fail_on):
                failure = ET.SubElement(
                    case, "failure", message=f"{f.severity}: {f.message}", type=_name(f.component) or f.severity
                )
                failure.text = body
                counts["failures"] += 1
            else:
                ET.SubElement(case, "system-out").text = f"{f.severity} (below --fail-on {report.fail_on})\n{body}"
        for check in report.checks.get(stage, []):
            if check not in with_findings:
                ET.SubElement(suite, "testcase", classname=f"szsemi.{stage}", name=_name(check))
                counts["tests"] += 1
        if counts["tests"] == 0:
            ET.SubElement(suite, "testcase", classname=f"szsemi.{stage}", name=f"{stage} stage")
            counts["tests"] += 1
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
        suite.set("errors", "0")
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("errors", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# --------------------------------------------------------------------------------------------
# GitHub Actions workflow commands
# --------------------------------------------------------------------------------------------

_LEVEL = {"Violation": "error", "Warning": "warning", "Info": "notice"}


def escape_data(text: str) -> str:
    """The message part of a workflow command: ``%``, CR and LF escaped."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value (file, title): also ``:`` and ``,``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(report: Report) -> str:
    lines = []
    for f in report.findings:
        level = "notice" if f.baselined else _LEVEL.get(f.severity, "notice")
        props = []
        file, line = f.where
        if file:
            props.append(f"file={escape_property(file)}")
        if line:
            props.append(f"line={line}")
        title = f"{f.severity} [{f.stage}] {_name(f.component)}".strip()
        props.append(f"title={escape_property(title)}")
        message = f.message
        if f.fix:
            message += f"\nfix: {f.fix}"
        where = " ".join(x for x in (_focus(f), _name(f.path)) if x)
        if where:
            message = f"{where}: {message}"
        if f.baselined:
            message += f"\n(baselined: {f.baselined})"
        lines.append(f"::{level} {','.join(props)}::{escape_data(message)}")
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# The SHACL validation report, as Turtle
# --------------------------------------------------------------------------------------------


def render_shacl_turtle(report: Report) -> str:
    """The SHACL stage's results as a standard ``sh:ValidationReport``.

    A property shape without an IRI is written as a blank node with its ``sh:path`` and an
    ``rdfs:label`` naming it (``NodeShape/path``), since the shapes graph's blank nodes cannot be
    referred to from another graph.
    """
    import pyoxigraph as ox
    import rdflib
    from rdflib.namespace import RDF, RDFS, SH

    from szsemi.graph.namespaces import PREFIXES
    from szsemi.validate.locate import parse_nt_term
    from szsemi.validate.shacl_values import to_rdflib

    graph = rdflib.Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    node = rdflib.BNode()
    graph.add((node, RDF.type, SH.ValidationReport))
    results = [f for f in report.findings if f.stage == "shacl"]
    graph.add((node, SH.conforms, rdflib.Literal(not results)))
    for f in results:
        result = rdflib.BNode()
        graph.add((node, SH.result, result))
        graph.add((result, RDF.type, SH.ValidationResult))
        graph.add((result, SH.resultSeverity, _severity(f.severity)))
        graph.add((result, SH.resultMessage, rdflib.Literal(f.message, lang=f.message_lang)))
        if f.component:
            graph.add((result, SH.sourceConstraintComponent, rdflib.URIRef(f.component)))
        if f.focus:
            graph.add((result, SH.focusNode, to_rdflib(parse_nt_term(f.focus))))
        if f.path:
            graph.add((result, SH.resultPath, _path(graph, f.path)))
        if f.value:
            graph.add((result, SH.value, to_rdflib(parse_nt_term(f.value))))
        if f.shape and f.shape.startswith("<") and f.shape.endswith(">") and ">/" not in f.shape:
            graph.add((result, SH.sourceShape, rdflib.URIRef(f.shape[1:-1])))
        elif f.shape:
            shape = rdflib.BNode()
            graph.add((result, SH.sourceShape, shape))
            graph.add((shape, RDFS.label, rdflib.Literal(f.shape)))
            if f.path:
                graph.add((shape, SH.path, _path(graph, f.path)))
    # rdflib's Turtle writer would write a literal such as "none"^^xsd:boolean bare (not Turtle):
    # Oxigraph's writes every term as it is
    triples = [q.triple for q in ox.parse(graph.serialize(format="nt"), format=ox.RdfFormat.N_TRIPLES)]
    return (ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=dict(PREFIXES)) or b"").decode("utf-8")


def _severity(severity: str) -> rdflib.URIRef:
    import rdflib

    if severity.startswith("<"):
        return rdflib.URIRef(severity[1:-1])
    return rdflib.URIRef("http://www.w3.org/ns/shacl#" + severity)


def _path(graph: rdflib.Graph, path: str) -> Node:
    """A finding's path as a SHACL path node in ``graph``."""
    from szsemi.validate.shacl_paths import path_node

    node: Node = path_node(graph, path)
    return node


def render(report: Report, fmt: str) -> str:
    return {"text": render_text, "json": render_json, "junit": render_junit, "github": render_github}[fmt](report)
