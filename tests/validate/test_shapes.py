"""SHACL shapes: every failing fixture in tests/data/shacl/ yields exactly the findings its header pins.

Each fixture starts with a comment block holding ``# expect:`` lines (required findings) and
``# detail:`` lines (findings tolerated, not required: pySHACL's nested sh:detail results of an
sh:node failure). Only the SHACL stage is compared; the rule queries may report more.
tests/data/README.md documents the format and every fixture.
"""

from __future__ import annotations

import io
import re
from functools import cache
from pathlib import Path

import pytest
import rdflib
from conftest import TEST_DATA
from once import shipped_shapes_once
from rdflib.namespace import RDF, SH

from szsemi.cli.main import main
from szsemi.graph.namespaces import expand
from szsemi.graph.resources import shapes_file
from szsemi.validate.report import Report
from szsemi.validate.stages import validate

SHACL_DATA = TEST_DATA / "shacl"
FIXTURES = sorted(SHACL_DATA.glob("*.ttl"))
KEYS = {"severity", "focus", "owner", "via", "path", "component"}
# Constraint parameters and the components they stand for (SHACL 1.0 core, plus sh:sparql).
PARAMETERS = [
    "class",
    "datatype",
    "nodeKind",
    "minCount",
    "maxCount",
    "minExclusive",
    "minInclusive",
    "maxExclusive",
    "maxInclusive",
    "minLength",
    "maxLength",
    "pattern",
    "languageIn",
    "uniqueLang",
    "equals",
    "disjoint",
    "lessThan",
    "lessThanOrEquals",
    "not",
    "and",
    "or",
    "xone",
    "node",
    "qualifiedMinCount",
    "qualifiedMaxCount",
    "closed",
    "hasValue",
    "in",
    "sparql",
]
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)

Key = tuple[str, str, str | None, str]  # severity, focus (or "_:" + its anchor), path, component


def _term(value: str, line: str) -> str:
    """An IRI from ``<iri>`` or a project CURIE; anything else is a mistake in the fixture."""
    if value.startswith("<") and value.endswith(">"):
        return value[1:-1]
    iri = expand(value)
    assert iri != value, f"unknown prefix in {value!r} ({line!r})"
    return iri


def header(fixture: Path) -> tuple[set[Key], set[Key]]:
    """The (expect, detail) keys pinned in the fixture's leading comment block."""
    pinned: dict[str, set[Key]] = {"expect": set(), "detail": set()}
    for line in fixture.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            break  # the header ends at the first line of Turtle
        m = re.match(r"#\s*(expect|detail):\s*(.*)$", line)
        if not m:
            continue
        fields = dict(item.split("=", 1) for item in m.group(2).split())
        assert set(fields) <= KEYS and {"focus", "component"} <= set(fields), f"bad header line {line!r}"
        if fields["focus"] == "_:":  # a blank node, named by its owner IRI and the path to it
            assert "owner" in fields and "via" in fields, f"a blank focus needs owner= and via= ({line!r})"
            steps = [fields["owner"], *fields["via"].split(",")]
            focus = "_:" + " ".join("<" + _term(step, line) + ">" for step in steps)
        else:
            assert not {"owner", "via"} & set(fields), f"owner=/via= are for blank focus nodes ({line!r})"
            focus = "<" + _term(fields["focus"], line) + ">"
        path = fields.get("path")
        if path is not None:  # ^name is an inverse path
            inverse = path.startswith("^")
            path = ("^" if inverse else "") + "<" + _term(path[inverse:], line) + ">"
        pinned[m.group(1)].add((fields.get("severity", "Violation"), focus, path, _term(fields["component"], line)))
    return pinned["expect"], pinned["detail"]


@pytest.fixture(scope="module", autouse=True)
def shapes_read_once():
    """The shipped shapes parsed and compiled once for the module's dozens of runs (tests/once.py)."""
    with shipped_shapes_once():
        yield


@cache
def report_of(fixture: Path) -> Report:
    # only the SHACL stage is compared: the rule queries and the lint would add nothing asserted here
    return validate([fixture], owl=False, rules=False, lint=False)


def keys(fixture: Path) -> set[Key]:
    """The fixture's SHACL findings as keys; a blank focus node is named by its anchor."""
    found = set()
    for f in report_of(fixture).findings:
        if f.stage != "shacl":
            continue
        focus = f.focus
        if focus.startswith("_:"):
            assert f.file == str(fixture) and f.anchor, f"blank focus {focus} not anchored in the fixture"
            focus = "_:" + f.anchor
        found.add((f.severity, focus, f.path, f.component))
    return found


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.stem)
def test_fixture_yields_exactly_its_pinned_findings(fixture):
    expected, detail = header(fixture)
    assert expected, f"{fixture.name} pins no '# expect:' line"
    found = keys(fixture)
    assert expected <= found, f"missing: {expected - found}"
    assert found <= expected | detail, f"unexpected: {found - expected - detail}"
    if any(severity == "Violation" for severity, *_ in expected):
        assert not report_of(fixture).conforms


def test_the_fixtures_are_found():
    assert len(FIXTURES) >= 40, f"expected the SHACL fixtures in {SHACL_DATA}"


# --------------------------------------------------------------------------- coverage


@cache
def shapes() -> rdflib.Graph:
    return rdflib.Graph().parse(data=shapes_file().read_bytes(), format="turtle")


def _sparql_name(shape, constraint) -> str:
    return constraint.n3() if isinstance(constraint, rdflib.URIRef) else f"{shape.n3()} sh:sparql"


def _template(g: rdflib.Graph, node) -> re.Pattern | None:
    """The sh:message of ``node`` as a regex: each {$var} or {?var} matches anything."""
    messages = [m for m in g.objects(node, SH.message) if getattr(m, "language", None) in (None, "en")]
    if not messages:
        return None
    parts = re.split(r"\{[?$]\w+\}", str(messages[0]))
    return re.compile(".*?".join(re.escape(p) for p in parts), re.S)


def hits(g: rdflib.Graph, finding) -> set[str]:
    """The node shapes and SPARQL constraints (as in ``all_checks``) that produced ``finding``."""
    m = re.fullmatch(r"<([^>]+)>(?:/\^?<([^>]+)>)?", finding.shape or "")  # S, S/<p> or S/^<p>
    if not m:
        return set()
    head = rdflib.URIRef(m.group(1))
    if (head, RDF.type, SH.NodeShape) in g:
        owners = [head]
        path = rdflib.URIRef(m.group(2)) if m.group(2) else None
        props = [p for p in g.objects(head, SH.property) if path and g.value(p, SH.path) == path]
    else:  # a named property shape: it belongs to the node shapes that list it
        owners, props = list(g.subjects(SH.property, head)), [head]
    found = {o.n3() for o in owners}
    if finding.component == str(SH.NodeConstraintComponent):
        found |= {n.n3() for p in props for n in g.objects(p, SH.node)}
    if finding.component == str(SH.SPARQLConstraintComponent):
        for owner in owners:
            for c in g.objects(owner, SH.sparql):
                template = _template(g, c) or _template(g, owner)
                if template and template.fullmatch(finding.message):
                    found.add(_sparql_name(owner, c))
    return found


def all_checks(g: rdflib.Graph) -> set[str]:
    named = {s.n3() for s in g.subjects(RDF.type, SH.NodeShape) if isinstance(s, rdflib.URIRef)}
    return named | {_sparql_name(s, c) for s, c in g.subject_objects(SH.sparql)}


def test_every_node_shape_and_sparql_constraint_has_a_failing_fixture():
    g = shapes()
    checks = all_checks(g)
    assert len(checks) > 40  # the shapes file was read
    covered = set()
    for fixture in FIXTURES:
        for finding in report_of(fixture).findings:
            if finding.stage == "shacl":
                covered |= hits(g, finding)
    assert checks - covered == set(), "shapes without a failing fixture in tests/data/shacl/"


def top_level_components(g: rdflib.Graph) -> set[str]:
    """Components used directly by a targeted node shape or by its property shapes."""
    shapes_ = {s for t in TARGETS for s in g.subjects(t, None)}
    shapes_ |= {p for s in list(shapes_) for p in g.objects(s, SH.property)}
    used = set()
    for shape in shapes_:
        for name in PARAMETERS:
            value = g.value(shape, SH[name])
            if value is not None and (name != "closed" or value.toPython() is True):
                label = "SPARQL" if name == "sparql" else name[0].upper() + name[1:]
                used.add(str(SH[label + "ConstraintComponent"]))
    return used


def test_every_constraint_component_the_shapes_use_is_pinned_by_a_fixture():
    used = top_level_components(shapes())
    assert str(SH.ClosedConstraintComponent) in used and str(SH.SPARQLConstraintComponent) in used
    pinned = {component for fixture in FIXTURES for *_, component in header(fixture)[0]}
    assert used - pinned == set()


# --------------------------------------------------------------------------- command line


def test_cli_names_the_file_line_and_focus_node_and_exits_1():
    fixture = SHACL_DATA / "listing-ticker-lowercase.ttl"
    lines = fixture.read_text(encoding="utf-8").splitlines()
    first = lines.index("<listing/smic-hkex-0981>") + 1
    block = range(first, lines.index(".", first) + 2)  # the listing's lines, up to its closing "."
    out, err = io.StringIO(), io.StringIO()
    code = main(["validate", "--no-owl", str(fixture)], out=out, err=err)
    text = out.getvalue()
    assert code == 1, text + err.getvalue()
    finding = r"Violation \[shacl\] sz:listing/smic-hkex-0981 szo:tickerSymbol"
    m = re.search(rf"^{re.escape(str(fixture))}:(\d+): {finding}$", text, re.M)
    assert m and int(m.group(1)) in block, text
    assert "sh:PatternConstraintComponent" in text
    assert text.rstrip().endswith("does not conform")


# --------------------------------------------------------------------------- datatypes


def _datatypes_allowed(g: rdflib.Graph, shape) -> set:
    """The datatypes a property shape accepts: its sh:datatype, or those of its sh:or members."""
    found = set(g.objects(shape, SH.datatype))
    for members in g.objects(shape, SH["or"]):
        for member in rdflib.collection.Collection(g, members):
            found |= set(g.objects(member, SH.datatype))
    return found


def test_every_typed_property_of_the_data_has_a_shape_checking_its_datatype(shipped_store):
    g = shapes()
    allowed: dict = {}
    for shape, path in g.subject_objects(SH.path):
        allowed.setdefault(path, set()).update(_datatypes_allowed(g, shape))
    rows = shipped_store.query(
        "SELECT DISTINCT ?p (DATATYPE(?o) AS ?d) WHERE { ?s ?p ?o FILTER(isLiteral(?o)) "
        "FILTER(isBlank(?s) || STRSTARTS(STR(?s), 'https://w3id.org/szsemi/id/')) }"
    )
    used = {(rdflib.URIRef(r["p"].value), rdflib.URIRef(r["d"].value)) for r in rows}
    assert len(used) > 30  # the data was read
    unchecked = sorted(f"{p.n3()} {d.n3()}" for p, d in used if d not in allowed.get(p, set()))
    assert unchecked == [], "typed properties of the data without a shape checking that datatype"
