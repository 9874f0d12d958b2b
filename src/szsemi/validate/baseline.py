"""Known findings: a baseline file lists accepted findings, each with the reason it is accepted.

A finding matches an entry on stage, component (or rule id), focus, path and value, never on line
numbers, so edits elsewhere in a file do not unsettle it. A blank focus node is matched by its
anchor (owner IRI and the predicates down to it). A finding without a focus (a lint finding) also
matches on its file. A matched finding is listed with the reason but does not fail the run; an
entry that matches nothing is reported as stale (an Info finding pointing at the entry's line).

The file is YAML (JSON is read too)::

    format: szsemi-baseline/1
    accepted:
      - stage: shacl
        component: sh:MinCountConstraintComponent
        focus: sz:park/example
        path: szo:locatedIn
        reason: the source does not say where this park is; asked upstream

Names may be prefixed with the project's prefixes or written as ``<full IRIs>``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from szsemi.errors import InputError
from szsemi.graph.load import Source, display_name, read_text
from szsemi.graph.namespaces import expand
from szsemi.graph.terms import compact
from szsemi.validate.report import Finding, Report

FORMAT = "szsemi-baseline/1"
KEYS = ("stage", "component", "focus", "path", "value", "file")
ALLOWED = {*KEYS, "reason", "severity", "message"}
STALE = "stale-baseline-entry"


# (stage, component, focus, path, value, file): what a finding and an entry are matched on
Key = tuple[str | None, str | None, str | None, str | None, str | None, str | None]


@dataclass(frozen=True)
class Entry:
    key: Key
    reason: str
    line: int | None
    raw: dict[str, Any]


def _iri(text: str | None) -> str | None:
    """A name as a full IRI (without brackets): ``sz:x`` and ``<http://...>`` alike."""
    if text is None:
        return None
    text = str(text).strip()
    if text.startswith("<") and text.endswith(">"):
        return text[1:-1]
    return expand(text)


def _term(text: str | None) -> str | None:
    """A value as N-Triples: literals and blank nodes as they are, names as ``<iri>``."""
    if text is None:
        return None
    text = str(text).strip()
    if text.startswith('"'):
        return text
    if text.startswith("_:") or text == "[]":
        return "[]"
    if text.startswith("^"):  # an inverse path
        return "^" + (_term(text[1:]) or "")
    return f"<{_iri(text)}>"


def _focus(text: str | None) -> str | None:
    if text is None:
        return None
    return " ".join(f"<{_iri(part)}>" for part in str(text).split())


def finding_key(f: Finding) -> Key:
    focus = f.anchor if f.focus and f.focus.startswith("_:") else f.focus
    return (
        f.stage,
        _iri(f.component) if f.component and ":" in f.component else f.component,
        _focus(focus),
        _term(f.path),
        _term(f.value),
        None if f.focus else f.file,
    )


def _entry_key(raw: dict[str, Any]) -> Key:
    component = raw.get("component")
    component = _iri(component) if component and ":" in str(component) else component
    return (
        raw.get("stage"),
        component,
        _focus(raw.get("focus")),
        _term(raw.get("path")),
        _term(raw.get("value")),
        None if raw.get("focus") else raw.get("file"),
    )


def load_baseline(source: Source) -> list[Entry]:
    """The entries of a baseline file; ``InputError`` (file, line) for anything malformed."""
    name = display_name(source)
    text = read_text(source)
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        try:
            node, data = None, json.loads(text)
        except ValueError:
            mark = getattr(e, "problem_mark", None)
            raise InputError(
                f"not valid YAML or JSON: {getattr(e, 'problem', e)}", path=name, line=mark.line + 1 if mark else None
            ) from None
    if not isinstance(data, dict) or not isinstance(data.get("accepted", []), list):
        raise InputError(
            "a baseline is a mapping with 'accepted:', a list of findings each with a 'reason'", path=name, line=1
        )
    if data.get("format", FORMAT) != FORMAT:
        raise InputError(
            f"unknown baseline format {data.get('format')!r}; this szsemi reads {FORMAT}", path=name, line=1
        )
    lines = _entry_lines(node)
    entries = []
    for i, raw in enumerate(data.get("accepted") or []):
        line = lines[i] if i < len(lines) else None
        if not isinstance(raw, dict):
            raise InputError(
                "each accepted finding is a mapping (stage, component, focus, path, value, reason)",
                path=name,
                line=line,
            )
        unknown = sorted(set(raw) - ALLOWED)
        if unknown:
            raise InputError(
                f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(ALLOWED))}", path=name, line=line
            )
        if not isinstance(raw.get("reason"), str) or not raw["reason"].strip():
            raise InputError("this accepted finding has no reason: say why it is accepted", path=name, line=line)
        if not raw.get("stage") or not raw.get("component"):
            raise InputError("an accepted finding needs at least 'stage' and 'component'", path=name, line=line)
        entries.append(Entry(_entry_key(raw), raw["reason"].strip(), line, raw))
    return entries


def _entry_lines(node: yaml.Node | None) -> list[int]:
    if not isinstance(node, yaml.MappingNode):
        return []
    for key, value in node.value:
        if key.value == "accepted" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def apply_baseline(report: Report, entries: list[Entry], source_name: str) -> Report:
    """Mark the findings the baseline accepts, and add a stale finding for each unused entry."""
    by_key: dict[Key, Entry] = {}
    for entry in entries:
        by_key.setdefault(entry.key, entry)
    used: set[Key] = set()
    findings = []
    for f in report.findings:
        accepted_by = by_key.get(finding_key(f))
        if accepted_by is not None:
            used.add(accepted_by.key)
            f = f.with_(baselined=accepted_by.reason)
        findings.append(f)
    for entry in entries:
        if entry.key not in used:
            what = ", ".join(f"{k} {entry.raw[k]}" for k in KEYS if entry.raw.get(k) is not None)
            findings.append(
                Finding(
                    stage="baseline",
                    severity="Info",
                    component=STALE,
                    file=source_name,
                    line=entry.line,
                    message=f"this accepted finding no longer occurs ({what}): remove the entry from the baseline",
                )
            )
    report.findings = findings
    report.baseline = source_name
    if "baseline" not in report.stages:
        report.stages.append("baseline")
    return report


def render_baseline(report: Report, previous: Sequence[Entry] = ()) -> str:
    """A baseline accepting every current finding; reasons kept from ``previous``, new ones empty."""
    reasons = {e.key: e.reason for e in previous}
    accepted = []
    seen = set()
    for f in report.findings:
        if f.stage == "baseline":
            continue
        key = finding_key(f)
        if key in seen:
            continue
        seen.add(key)
        focus = f.anchor if f.focus and f.focus.startswith("_:") else f.focus
        entry = {
            "stage": f.stage,
            "component": compact(f"<{f.component}>") if f.component and "://" in f.component else f.component,
            "focus": " ".join(compact(p) for p in focus.split()) if focus else None,
            "path": compact(f.path) if f.path else None,
            "value": (compact(f.value) if not f.value.startswith("_:") else "[]") if f.value else None,
            "file": f.file if not f.focus else None,
            "severity": f.severity,
            "message": f.message,
            "reason": reasons.get(key, ""),
        }
        accepted.append({k: v for k, v in entry.items() if v is not None})
    header = (
        "# szsemi validation baseline: findings accepted for now. Give each a reason (why it is\n"
        "# accepted, and until when); an entry without one is refused. Matching ignores line numbers.\n"
    )
    return header + yaml.safe_dump(
        {"format": FORMAT, "accepted": accepted}, allow_unicode=True, sort_keys=False, width=100
    )
