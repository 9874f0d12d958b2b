"""A second SHACL engine agrees with ours: pyrudof (rudof, written in Rust) against pySHACL.

The shipped data and every fixture of tests/data/shacl/ are loaded once into one Oxigraph store
(with the shipped ontology, as ``szsemi validate`` does); the same store, dumped as N-Triples, is
what pyrudof reads, so blank nodes keep their labels and focus nodes compare as they are. The
two engines must agree on whether the graph conforms and on the set of (focus node, path,
constraint component, severity).

What is compared, and why:

* Core constraints only. The shapes' SHACL-SPARQL constraints (``sh:sparql``) are removed for
  both engines: rudof does not run them (most engines do not), and ours run them on Oxigraph,
  which test_shapes.py checks against pySHACL.
* Top-level results only. pySHACL also reports the results of the node shapes an ``sh:node``
  refers to (the ones it nests under ``sh:detail``), which rudof does not report; they come from
  shapes without targets, which can be reached only that way, so those are left out.
* A path is compared when it is one IRI or the inverse of one (pyrudof writes ``^(iri)``, our
  findings ``^<iri>``); a longer path counts as "no path" on both sides.

pyrudof runs in one session for the module: the core shapes are read once, and so are the
ontology's triples without blank nodes, which every case's dump holds. A case adds its whole dump
in a staging frame and rolls it back after validating, so rudof validates exactly that dump (a
test checks the answers equal those of a fresh session). A fresh session spends about 0.1 s
reading a case's data into an empty graph; merging it into the loaded ontology takes a tenth.
"""

from __future__ import annotations

import re
from functools import cache

import pyoxigraph as ox
import pytest
import rdflib
from conftest import TEST_DATA
from once import compiled_once
from rdflib.namespace import SH

from szsemi.graph import resources
from szsemi.graph.load import load, shipped_data
from szsemi.validate.stages import check_store, shapes_graph_of

pyrudof = pytest.importorskip("pyrudof")

FIXTURES = sorted((TEST_DATA / "shacl").glob("*.ttl"))
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
SPARQL = str(SH.SPARQLConstraintComponent)


@cache
def shapes() -> rdflib.Graph:
    return shapes_graph_of([resources.shapes_file()])


@cache
def core_shapes_turtle() -> str:
    core = rdflib.Graph()
    core += shapes()
    for shape, constraint in list(core.subject_objects(SH.sparql)):
        core.remove((shape, SH.sparql, constraint))
    return core.serialize(format="turtle")


@pytest.fixture(scope="module", autouse=True)
def _shapes_compiled_once():
    with compiled_once(shapes()):  # tests/once.py: each case would compile the same shapes again
        yield


def _targeted(shape_name: str | None) -> bool:
    """The finding comes from a shape with a target (or a property shape of one)."""
    m = re.match(r"<([^>]+)>", shape_name or "")
    if not m:
        return True
    shape = rdflib.URIRef(m.group(1))
    owners = [shape, *shapes().subjects(SH.property, shape)]
    return any(shapes().value(owner, t) is not None for owner in owners for t in TARGETS)


def ours(store: ox.Store) -> tuple[bool, set]:
    found = {
        (f.focus, f.path, f.component, f.severity)
        for f in check_store(store, shapes()).findings
        if f.component != SPARQL and _targeted(f.shape)
    }
    return not found, found


def _triples(store: ox.Store) -> str:
    return store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()).decode("utf-8")


@cache
def _ontology_lines() -> frozenset[str]:
    """The ontology's triples without blank nodes, as N-Triples lines: every case's dump holds them
    as they are (a blank node's label changes from one load to the next)."""
    return frozenset(line for line in _triples(load([resources.ontology_file()])).splitlines() if "_:" not in line)


@cache
def _session() -> pyrudof.Rudof:
    """One rudof session with the core shapes and the blank-node-free ontology triples loaded."""
    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    rudof.read_shacl(core_shapes_turtle())
    rudof.read_data("\n".join(sorted(_ontology_lines())) + "\n", format=pyrudof.RDFFormat.NTriples)
    return rudof


def theirs(store: ox.Store) -> tuple[bool, set]:
    """rudof's verdict on exactly the store's triples: the shared session plus the store's dump,
    merged in a staging frame that is rolled back after (the ontology lines are a subset of it)."""
    data = _triples(store)
    assert _ontology_lines() <= set(data.splitlines()), "the store does not hold the ontology"
    rudof = _session()
    rudof.begin_staging()
    try:
        rudof.read_data(data, format=pyrudof.RDFFormat.NTriples, merge=True)
        assert sum(1 for _ in rudof.triples()) == len(store), "rudof holds other triples than the store"
        report = rudof.validate_shacl()
    finally:
        rudof.rollback_staging()
    return _verdict(report)


def fresh(store: ox.Store) -> tuple[bool, set]:
    """rudof's verdict in a new session that reads the dump and the shapes alone."""
    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    rudof.read_data(_triples(store), format=pyrudof.RDFFormat.NTriples)
    rudof.read_shacl(core_shapes_turtle())
    return _verdict(rudof.validate_shacl())


def _verdict(report) -> tuple[bool, set]:
    found = set()
    for r in report:
        focus = r.focus_node if r.focus_node.startswith("_:") else f"<{r.focus_node}>"
        found.add((focus, _path(r.path), r.constraint_component, r.severity))
    return report.conforms, found


_IRI = r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>^()|]*"


def _path(path: str | None) -> str | None:
    if path and re.fullmatch(_IRI, path):
        return f"<{path}>"
    inverse = re.fullmatch(rf"\^\(({_IRI})\)", path or "")
    return f"^<{inverse.group(1)}>" if inverse else None


CASES = [pytest.param(None, id="shipped-data")] + [pytest.param(p, id=p.stem) for p in FIXTURES]


@pytest.mark.slow
@pytest.mark.parametrize("fixture", CASES)
def test_pyrudof_and_pyshacl_agree(fixture):
    store = load([resources.ontology_file(), *([fixture] if fixture else shipped_data())])
    (our_conforms, our_results), (their_conforms, their_results) = ours(store), theirs(store)
    assert our_results == their_results, (
        f"only pySHACL: {our_results - their_results}; only rudof: {their_results - our_results}"
    )
    assert our_conforms == their_conforms
    if fixture is None:
        assert our_conforms and not our_results


def test_the_cross_check_compares_something():
    """Most fixtures fail a core constraint, so agreement is not agreement on nothing."""
    assert len(FIXTURES) >= 40
    failing_core = 0
    for fixture in FIXTURES[:10]:
        conforms, results = theirs(load([resources.ontology_file(), fixture]))
        failing_core += not conforms and bool(results)
    assert failing_core >= 5


def test_the_shared_rudof_session_answers_as_a_fresh_one():
    """Staging the cases in one session leaves nothing behind: the same answers as a new session,
    before and after other cases (a failing fixture, a conforming graph, then the failing one again)."""
    cases = [FIXTURES[0], None, FIXTURES[1], FIXTURES[0]]
    for fixture in cases:
        store = load([resources.ontology_file(), *([fixture] if fixture else shipped_data())])
        assert theirs(store) == fresh(store), fixture
