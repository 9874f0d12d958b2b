"""Render a validation Report as text for people or as JSON for machines.

The JSON shape is versioned (``"format": "szsemi-validation/1"``); fields are added, never renamed.
"""

from __future__ import annotations

import json

from szsemi.report import SEVERITIES, Report
from szsemi.terms import compact

JSON_FORMAT = "szsemi-validation/1"


def render_text(report: Report) -> str:
    lines = []
    for f in report.findings:
        where = f"{f.file}:{f.line}" if f.file and f.line else (f.file or "(graph)")
        what = " ".join(x for x in (compact(f.focus), compact(f.path)) if x)
        lines.append(f"{where}: {f.severity} [{f.stage}] {what}")
        lines.append(f"    {f.message}")
        detail = [f"constraint {compact('<' + f.component + '>') if f.component and '://' in f.component else f.component}"]
        if f.value:
            detail.append(f"value {compact(f.value)}")
        if f.shape:
            detail.append(f"shape {compact(f.shape)}")
        lines.append("    (" + "; ".join(detail) + ")")
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


def summary_line(report: Report) -> str:
    counts = ", ".join(f"{report.count(s)} {s.lower()}{'s' if report.count(s) != 1 else ''}"
                       for s in SEVERITIES)
    verdict = "conforms" if report.conforms else "does not conform"
    return (f"{len(report.files)} data files, {report.triples} triples with the ontology; "
            f"stages: {', '.join(report.stages)}; {counts}: {verdict}")


def render_json(report: Report) -> str:
    return json.dumps({
        "format": JSON_FORMAT,
        "conforms": report.conforms,
        "stages": report.stages,
        "files": report.files,
        "triples": report.triples,
        "counts": {s: report.count(s) for s in SEVERITIES},
        "findings": [{k: v for k, v in f.__dict__.items() if v is not None} for f in report.findings],
    }, ensure_ascii=False, indent=2) + "\n"
