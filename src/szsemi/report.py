"""One validation report for every stage (syntax, SHACL, OWL, rules, lint).

>>> r = Report(findings=[Finding(stage="shacl", severity="Warning", message="x")])
>>> r.conforms, r.fails("Warning"), r.fails("Violation")
(True, True, False)
"""

from __future__ import annotations

from dataclasses import dataclass, field

SEVERITIES = ("Violation", "Warning", "Info")  # most severe first


@dataclass(frozen=True, order=True)
class Finding:
    """One problem found in the graph, with everything needed to find and fix it."""

    stage: str  # syntax | shacl | owl | rule | lint
    severity: str  # one of SEVERITIES
    message: str
    focus: str | None = None  # the focus node, in N-Triples form (<iri> or _:b)
    path: str | None = None  # the property path, as an IRI
    component: str | None = None  # the SHACL constraint component IRI, or a rule/check id
    value: str | None = None  # the offending value, in N-Triples form
    shape: str | None = None  # the shape or rule that found it
    file: str | None = None  # where the focus node is written
    line: int | None = None
    column: int | None = None


@dataclass
class Report:
    """What a validation run found, and which stages it ran."""

    findings: list[Finding] = field(default_factory=list)
    stages: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    triples: int = 0

    @property
    def conforms(self) -> bool:
        return not self.fails("Violation")

    def fails(self, level: str = "Violation") -> bool:
        """True when a finding is at ``level`` or more severe."""
        worst = SEVERITIES[: SEVERITIES.index(level) + 1]
        return any(f.severity in worst for f in self.findings)

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)
