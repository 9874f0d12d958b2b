"""The rule stage: every ``*-violation.rq`` check of the catalogue must return no rows.

Each row is one finding with the rule's id, severity and message (``{name}`` replaced by the row's
``?name``). The finding's focus is ``?this`` or ``?focus`` when the query projects one, else its
first projected variable; its path is ``?path`` or ``?property`` (or a variable whose name ends in
``Property``); its value is ``?value``. Queries run directly on the Oxigraph store.

>>> from szsemi.graph.load import load_shipped
>>> from szsemi.query.catalogue import load_catalogue
>>> checks = violation_checks(load_catalogue())
>>> rule_findings(load_shipped(), checks)
[]
"""

from __future__ import annotations

import re

import pyoxigraph as ox

from szsemi.errors import EngineError, QueryDefinitionError
from szsemi.graph.terms import compact
from szsemi.query.binding import bind
from szsemi.query.catalogue import StoredQuery, check_syntax
from szsemi.query.engines import Term
from szsemi.validate.report import Finding

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def violation_checks(catalogue: dict[str, StoredQuery]) -> list[StoredQuery]:
    """The catalogue's violation checks, in name order."""
    return [q for _, q in sorted(catalogue.items()) if q.kind == "violation" and q.rule is not None]


def rule_findings(store: ox.Store, checks: list[StoredQuery]) -> list[Finding]:
    findings: list[Finding] = []
    for check in checks:
        findings += _run(store, check)
    return findings


def _run(store: ox.Store, check: StoredQuery) -> list[Finding]:
    from szsemi.query.execute import resolve

    text = bind(check.text, resolve(check, {}))
    try:
        solutions = store.query(text)
    except SyntaxError as e:
        try:  # the place in the file, not in the bound text
            check_syntax(check.text)
        except QueryDefinitionError as place:
            raise QueryDefinitionError(place.reason, path=check.path, line=place.line, column=place.column) from None
        raise QueryDefinitionError(f"the check does not parse once bound: {e.msg or e}", path=check.path) from None
    except (OSError, RuntimeError, ValueError) as e:
        raise EngineError(f"{check.path}: the check failed to run: {e}") from None
    rule = check.rule
    # the catalogue lets in only SELECT checks with a rule header; violation_checks keeps only those
    assert rule is not None and isinstance(solutions, ox.QuerySolutions), check.path
    names = [v.value for v in solutions.variables]
    focus_var = next((n for n in ("this", "focus") if n in names), names[0] if names else None)
    path_var = next((n for n in names if n in ("path", "property") or n.endswith("Property")), None)
    findings = []
    for row in solutions:
        values = {n: row[n] for n in names if row[n] is not None}
        focus = values.get(focus_var) if focus_var else None
        path = values.get(path_var) if path_var else None
        value = values.get("value")
        findings.append(
            Finding(
                stage="rules",
                severity=rule.severity,
                component=rule.id,
                shape=check.path,
                focus=str(focus) if isinstance(focus, (ox.NamedNode, ox.BlankNode)) else None,
                path=str(path) if isinstance(path, ox.NamedNode) else None,
                value=str(value) if value is not None else None,
                message=_message(rule.message, values),
            )
        )
    return findings


def _message(template: str, values: dict[str, Term]) -> str:
    """The rule's message with each ``{name}`` replaced by the row's ``?name``."""
    return _PLACEHOLDER.sub(lambda m: _show(values.get(m.group(1)), m.group(0)), template)


def _show(term: Term | None, placeholder: str) -> str:
    if term is None:
        return "(none)" if placeholder else placeholder
    if isinstance(term, ox.Literal):
        return term.value
    if isinstance(term, ox.BlankNode):
        return "a blank node"
    return compact(str(term))
