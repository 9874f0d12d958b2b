"""One validation report for every stage (syntax, SHACL, OWL, rules, lint).

A finding accepted by a baseline (``baselined`` holds the reason) is listed but never fails a run.

>>> r = Report(findings=[Finding(stage="shacl", severity="Warning", message="x")])
>>> r.conforms, r.fails("Warning"), r.fails("Violation")
(True, True, False)
>>> r.findings[0] = r.findings[0].with_(baselined="known, see issue 12")
>>> r.fails("Warning"), r.count("Warning"), r.count_baselined()
(False, 0, 1)
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

SEVERITIES = ("Violation", "Warning", "Info")  # most severe first
STAGES = ("syntax", "shacl", "owl", "rules", "lint", "baseline")


@dataclass(frozen=True, order=True)
class Finding:
    """One problem found in the graph, with everything needed to find and fix it."""

    stage: str  # shacl | owl | rules | lint | baseline
    severity: str  # one of SEVERITIES, or a custom severity's IRI as <iri>
    message: str
    focus: str | None = None  # the focus node, in N-Triples form (<iri> or _:b)
    path: str | None = None  # the SHACL result path in SPARQL path syntax: <iri>, ^<iri>, (<a>/<b>), <p>* ...
    component: str | None = None  # the SHACL constraint component IRI, or a rule/check id
    value: str | None = None  # the offending value, in N-Triples form
    shape: str | None = None  # the shape or rule that found it
    file: str | None = None  # where the focus node's block is written
    line: int | None = None
    column: int | None = None
    triple_file: str | None = None  # where the offending statement (focus, path, value) is written
    triple_line: int | None = None
    anchor: str | None = None  # a blank focus node named by its owner IRI and the path to it
    fix: str | None = None  # how to fix it, when the message does not already say
    baselined: str | None = None  # the baseline's reason, when the finding is accepted
    message_lang: str | None = None  # the language tag of the shape's sh:message, when it has one
    engine: str | None = None  # SHACL: which engine checked the shape, "compiled" or "pyshacl"

    def with_(self, **changes: Any) -> Finding:
        return replace(self, **changes)

    def as_dict(self) -> dict[str, Any]:
        """The fields that are set, in declaration order (the JSON form of a finding)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}

    @property
    def where(self) -> tuple[str | None, int | None]:
        """The most precise place: the offending statement if known, else the focus node's block."""
        if self.triple_file and self.triple_line:
            return self.triple_file, self.triple_line
        return self.file, self.line


@dataclass
class Report:
    """What a validation run found, which stages and checks it ran, and what fails it."""

    findings: list[Finding] = field(default_factory=list)
    stages: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    triples: int = 0
    checks: dict[str, list[str]] = field(default_factory=dict)  # stage -> the checks it ran
    fail_on: str = "Violation"
    baseline: str | None = None  # the baseline file applied, if any
    # SHACL: "compiled" -> the shapes compiled to SPARQL; "pyshacl" -> what was handed to pySHACL, and why
    engines: dict[str, list[str]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)  # stages that could not run ("owl: HermiT failed ...")

    @property
    def conforms(self) -> bool:
        """No Violation outside the baseline."""
        return not self.fails("Violation")

    @property
    def failed(self) -> bool:
        """The run fails: a finding outside the baseline at ``fail_on`` or more severe."""
        return self.fails(self.fail_on)

    def fails(self, level: str = "Violation") -> bool:
        """True when a finding outside the baseline is at ``level`` or more severe."""
        return any(at_least(f.severity, level) and not f.baselined for f in self.findings)

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity and not f.baselined)

    def count_baselined(self) -> int:
        return sum(1 for f in self.findings if f.baselined)


def rank(severity: str) -> int:
    """0 for the most severe; a custom severity (an IRI, ``<...>``) ranks with Info, the least."""
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES) - 1


def at_least(severity: str, level: str) -> bool:
    """``severity`` is ``level`` or more severe.

    >>> at_least("<http://example.org/MySeverity>", "Info"), at_least("<http://example.org/MySeverity>", "Warning")
    (True, False)
    """
    return rank(severity) <= rank(level)
