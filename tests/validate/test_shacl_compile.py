"""The compiled SHACL engine against pySHACL, the reference: the same findings, on every graph.

A finding is compared as (focus, path, component, value, shape, severity); messages may differ.
pySHACL reads the data with rdflib's own parser, independent of Oxigraph (blank nodes compare as ``_:``).
The cases in tests/data/shacl-engine/ hold shapes and data in one file, with ``# expect:`` lines
pinning findings that must be there; the shipped data is also mutated here, one planted error per
kind. pySHACL runs SHACL-SPARQL constraints once per focus node on rdflib's engine, which parses the
query text again each time (about 25 s on the shipped data); here rdflib parses each text once
(tests/once.py), which brings that to about 2 s, with the same answers (a test checks it).
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from conftest import TEST_DATA
from once import RDFLIB_QUERY, compiled_once, sparql_parsed_once
from rdfcheck import assert_isomorphic
from rdflib.plugins.sparql import processor

from szsemi.graph.load import load, rdflib_view, shipped_data
from szsemi.graph.resources import ontology_file, shapes_file
from szsemi.validate.shacl import finding_key as key
from szsemi.validate.shacl import reference_findings, shacl_run
from szsemi.validate.shacl_compile import compile_shapes
from szsemi.validate.stages import faithful_graph, shapes_graph_of
from szsemi.validate.written import WrittenTerms

CASES = sorted((TEST_DATA / "shacl-engine").glob("*.ttl"))
FIXTURES = sorted((TEST_DATA / "shacl").glob("*.ttl"))
SH = "http://www.w3.org/ns/shacl#"
SHIPPED = (ontology_file(), *shipped_data())


def rdflib_parsed(sources, updates: tuple[str, ...] = ()) -> rdflib.Graph:
    """The data as rdflib's own parser reads it (then ``updates`` on rdflib's engine): the reference
    does not see the data through Oxigraph, the engine it checks.

    The ontology, which most graphs start with, is parsed once and its triples and prefixes copied
    into each new graph, before the rest is parsed into it: the same graph as parsing it all (a test
    checks), without rdflib parsing the ontology again for every fixture."""
    sources = tuple(sources)
    shared = 1 if sources[:1] == (ontology_file(),) else 0
    graph = _copy(_parsed_once(sources[:shared]))
    _parse_as_written(graph, sources[shared:])
    for update in updates:
        graph.update(update)
    return graph


def rdflib_parsed_whole(sources) -> rdflib.Graph:
    """All of ``sources`` parsed into a new graph, nothing shared: what :func:`rdflib_parsed` stands for."""
    graph = rdflib.Graph()
    _parse_as_written(graph, sources)
    return graph


@cache
def _parsed_once(sources: tuple) -> rdflib.Graph:
    """``sources`` parsed once; never handed out, only copied (pySHACL and the updates get a copy)."""
    graph = rdflib.Graph()
    _parse_as_written(graph, sources)
    return graph


def _copy(graph: rdflib.Graph) -> rdflib.Graph:
    """A new graph with the triples and the prefix bindings of ``graph`` (a parse binds the prefixes
    the file declares, and rdflib's SPARQL engine reads the graph's bindings)."""
    copy = rdflib.Graph(bind_namespaces="none")
    for prefix, namespace in graph.namespaces():
        copy.bind(prefix, namespace, override=True, replace=True)
    assert set(copy.namespaces()) == set(graph.namespaces())
    copy += graph
    return copy


def _parse_as_written(graph: rdflib.Graph, sources) -> None:
    normalize, rdflib.NORMALIZE_LITERALS = rdflib.NORMALIZE_LITERALS, False  # every literal as written
    try:
        _parse_into(graph, sources)
    finally:
        rdflib.NORMALIZE_LITERALS = normalize


def _parse_into(graph: rdflib.Graph, sources) -> None:
    for source in sources:
        if isinstance(source, bytes):
            graph.parse(data=source.decode("utf-8"), format="turtle")
        else:
            graph.parse(
                data=source.read_bytes().decode("utf-8"),
                format="turtle",
                publicID=Path(str(source)).absolute().as_uri(),
            )


def _unlabelled(k: tuple) -> tuple:
    """A finding key with blank nodes as ``_:`` (the two parsers label them differently) and language
    tags in lower case (RDF 1.1 lets a store lower them, and Oxigraph does)."""

    def same(x):
        if isinstance(x, str) and x.startswith("_:"):
            return "_:"
        if isinstance(x, str) and (m := re.fullmatch(r'(".*")@([A-Za-z0-9-]+)', x, re.S)):
            return f"{m.group(1)}@{m.group(2).lower()}"
        return x

    return tuple(same(x) for x in k)


def compare(
    store: ox.Store, shapes: rdflib.Graph, reference: rdflib.Graph, *, sparql: bool = True, files: tuple = ()
) -> set[tuple]:
    """Our findings (on the store loaded from ``files``), after checking they are exactly pySHACL's
    (on ``reference``)."""
    graph = rdflib_view(store)
    faithful = (lambda: faithful_graph(list(files))) if files else None
    ours = Counter(_unlabelled(key(f)) for f in shacl_run(graph, store, shapes, WrittenTerms.scan(files), faithful)[0])
    if not sparql:
        ours = Counter({k: n for k, n in ours.items() if k[2] != SH + "SPARQLConstraintComponent"})
    theirs = Counter(_unlabelled(key(f)) for f in reference_findings(reference, shapes, sparql=sparql))
    # as multisets: SHACL counts every result, so a finding reported too often or too rarely fails
    assert sorted((ours - theirs).elements()) == [], "found by the compiled engine only (or more often)"
    assert sorted((theirs - ours).elements()) == [], "found by pySHACL only (or more often)"
    return set(ours)


@cache
def shipped_shapes() -> rdflib.Graph:
    return shapes_graph_of([shapes_file()])


@pytest.fixture(scope="module", autouse=True)
def parsed_once():
    """pySHACL's queries (the reference's, and those of the shapes not compiled) parsed once per text;
    the shipped shapes compiled once for the module (tests/once.py)."""
    with sparql_parsed_once() as prepared, compiled_once(shipped_shapes()):
        yield prepared


def test_the_reference_graph_with_the_ontology_shared_is_the_graph_parsed_whole():
    sources = (ontology_file(), FIXTURES[0])
    rdflib_parsed(sources).update("DELETE WHERE { ?s ?p ?o }")  # a caller's change stays in its copy
    shared, whole = rdflib_parsed(sources), rdflib_parsed_whole(sources)
    assert_isomorphic(shared, whole, what="the reference data")
    assert sorted(shared.namespaces()) == sorted(whole.namespaces())


def test_the_reference_answers_the_same_with_each_query_parsed_once(parsed_once):
    files = (ontology_file(), TEST_DATA / "shacl" / "passage-number-reused.ttl")
    reference = rdflib_parsed(files)
    once = Counter(key(f) for f in reference_findings(reference, shipped_shapes()))
    assert parsed_once, "rdflib's query parser was not replaced"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(processor.SPARQLProcessor, "query", RDFLIB_QUERY)
        every_time = Counter(key(f) for f in reference_findings(reference, shipped_shapes()))
    assert once == every_time
    assert SH + "SPARQLConstraintComponent" in {k[2] for k in once}


# --------------------------------------------------------------------------- the shipped shapes


def test_shipped_shapes_compile_whole_so_pyshacl_is_not_needed():
    plan = compile_shapes(shipped_shapes())
    assert plan.fallback is None, plan.reasons
    components = {c.component for c in plan.checks}
    used = {p.rsplit("#", 1)[-1] for p in re.findall(r"\bsh:(\w+)", shapes_file().read_text(encoding="utf-8"))}
    for parameter, component in [
        ("class", "Class"),
        ("datatype", "Datatype"),
        ("nodeKind", "NodeKind"),
        ("minCount", "MinCount"),
        ("maxCount", "MaxCount"),
        ("in", "In"),
        ("pattern", "Pattern"),
        ("uniqueLang", "UniqueLang"),
        ("minInclusive", "MinInclusive"),
        ("closed", "Closed"),
        ("node", "Node"),
        ("or", "Or"),
        ("xone", "Xone"),
        ("qualifiedMinCount", "QualifiedMinCount"),
        ("sparql", "SPARQL"),
    ]:
        if parameter in used:
            assert rdflib.URIRef(f"{SH}{component}ConstraintComponent") in components, parameter


def test_validating_the_shipped_data_does_not_import_pyshacl():
    code = (
        "import sys; from szsemi.validate.stages import validate; "
        "r = validate(owl=False, rules=False, lint=False); "
        "print(r.conforms, 'pyshacl' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "False"]


# --------------------------------------------------------------------------- small cases, every component


def expected(path: Path, graph: rdflib.Graph) -> set[tuple]:
    """The (severity, focus, path, component) each ``# expect:`` line of a case pins."""

    def iri(text: str) -> str:
        return "<" + str(graph.namespace_manager.expand_curie(text)) + ">"

    def shacl_path(text: str) -> str:  # a SHACL path in SPARQL syntax, with CURIEs: ^ex:p, (ex:p/ex:q), ex:p*
        return re.sub(r"[A-Za-z][\w-]*:[\w-]+", lambda m: iri(m.group(0)), text)

    pinned = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"#\s*expect:\s*(.*)$", line)
        if m:
            fields = dict(item.split("=", 1) for item in m.group(1).split())
            pinned.add(
                (
                    fields.get("severity", "Violation"),
                    iri(fields["focus"]),
                    shacl_path(fields["path"]) if "path" in fields else None,
                    iri(fields["component"])[1:-1],
                )
            )
    return pinned


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_case_matches_pyshacl(case):
    shapes = rdflib.Graph().parse(case, format="turtle")
    found = compare(load([case]), shapes, rdflib_parsed([case]), files=(case,))
    pinned = expected(case, shapes)
    assert pinned, "the case pins no finding"
    assert pinned <= {(k[5], k[0], k[1], k[2]) for k in found}


def test_cases_cover_every_core_component_but_the_property_pairs():
    compiled = set()
    for case in CASES:
        compiled |= {
            c.component.rsplit("#", 1)[-1] for c in compile_shapes(rdflib.Graph().parse(case, format="turtle")).checks
        }
    core = {
        "Class",
        "Datatype",
        "NodeKind",
        "MinCount",
        "MaxCount",
        "MinExclusive",
        "MinInclusive",
        "MaxExclusive",
        "MaxInclusive",
        "MinLength",
        "MaxLength",
        "Pattern",
        "LanguageIn",
        "UniqueLang",
        "Not",
        "And",
        "Or",
        "Xone",
        "Node",
        "QualifiedMinCount",
        "QualifiedMaxCount",
        "Closed",
        "HasValue",
        "In",
        "SPARQL",
    }
    assert {c + "ConstraintComponent" for c in core} <= compiled


def test_what_is_not_compiled_runs_on_pyshacl_under_the_original_shape():
    case = TEST_DATA / "shacl-engine" / "fallback.ttl"
    shapes = rdflib.Graph().parse(case, format="turtle")
    plan = compile_shapes(shapes)
    reasons = "\n".join(plan.reasons)
    for reason in [
        "lessThan",
        "equals",
        "disjoint",
        "qualifiedValueShapesDisjoint",
        "not stored as written",
        "#pattern> in a nested shape",
        "severity other than sh:Violation",
        "recursive",
    ]:
        assert reason in reasons
    assert plan.checks, "the compiled components of the same shapes run on Oxigraph"
    store = load([case])
    findings, _ = shacl_run(rdflib_view(store), store, shapes)
    assert {f.component.rsplit("#", 1)[-1] for f in findings} >= {
        "LessThanConstraintComponent",
        "MinCountConstraintComponent",
        "EqualsConstraintComponent",
    }
    assert not [f for f in findings if "shacl-fallback" in (f.shape or "")]


def _findings_of(text: str, tmp_path: Path) -> Counter[tuple[str, str | None, str, str | None]]:
    """The compiled engine's findings on shapes and data in one Turtle text, as a multiset of
    (focus, path, component, value)."""
    case = tmp_path / "case.ttl"
    case.write_text(text, encoding="utf-8")
    store = load([case])
    shapes = rdflib.Graph().parse(case, format="turtle")
    return Counter(
        (f.focus, f.path, f.component.rsplit("#", 1)[-1], f.value)
        for f in shacl_run(rdflib_view(store), store, shapes)[0]
    )


def test_a_value_of_two_focus_nodes_is_checked_once_per_focus_node_by_a_nested_property_shape(tmp_path: Path):
    # W3C core/property/property-001: the nested property shape validates the address once for each
    # person it is a value of, and SHACL counts results as a multiset: two identical results
    found = _findings_of(
        """
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://e/> .
        ex:PersonShape a sh:NodeShape ; sh:targetClass ex:Person ;
            sh:property [ sh:path ex:address ; sh:property ex:CityShape ] .
        ex:CityShape sh:path ex:city ; sh:class ex:City .
        ex:p1 a ex:Person ; ex:address ex:bad .
        ex:p2 a ex:Person ; ex:address ex:bad , ex:good .
        ex:bad ex:city ex:Nowhere .
        ex:good ex:city ex:Shenzhen . ex:Shenzhen a ex:City .
        """,
        tmp_path,
    )
    assert found == Counter(
        {("<http://e/bad>", "<http://e/city>", "ClassConstraintComponent", "<http://e/Nowhere>"): 2}
    )


def test_a_focus_node_targeted_twice_is_validated_once(tmp_path: Path):
    # focus nodes are a set: a node of two target classes (or reached twice by rdfs:subClassOf*) is
    # validated once, by a SPARQL constraint and through a nested property shape alike
    found = _findings_of(
        """
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://e/> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        ex:S a sh:NodeShape ; sh:targetClass ex:A , ex:B ;
            sh:sparql [ sh:select "SELECT $this ?value WHERE { $this <http://e/p> ?value }" ] ;
            sh:property [ sh:path ex:q ; sh:property [ sh:path ex:r ; sh:datatype ex:D ] ] .
        ex:B rdfs:subClassOf ex:A . ex:C rdfs:subClassOf ex:A .
        ex:a a ex:B , ex:C ; ex:p "x" ; ex:q ex:n . ex:n ex:r "y" .
        """,
        tmp_path,
    )
    assert found == Counter(
        {
            ("<http://e/a>", None, "SPARQLConstraintComponent", '"x"'): 1,
            ("<http://e/n>", "<http://e/r>", "DatatypeConstraintComponent", '"y"'): 1,
        }
    )


def test_shapes_with_rules_go_to_pyshacl_whole():
    shapes = rdflib.Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/ns#> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:minCount 1 ] ;
           sh:rule [ a sh:TripleRule ; sh:subject sh:this ; sh:predicate ex:q ; sh:object 1 ] .
        """,
        format="turtle",
    )
    plan = compile_shapes(shapes)
    assert plan.fallback is shapes and not plan.checks
    data = b"<http://example.org/ns#a> a <http://example.org/ns#C> ."
    store = ox.Store()
    store.load(data, format=ox.RdfFormat.TURTLE)
    assert compare(store, shapes, rdflib_parsed([data])) == {
        (
            "<http://example.org/ns#a>",
            "<http://example.org/ns#p>",
            SH + "MinCountConstraintComponent",
            None,
            "<http://example.org/ns#S>/<http://example.org/ns#p>",
            "Violation",
        )
    }


# --------------------------------------------------------------------------- planted errors in the shipped data

SZ = "https://w3id.org/szsemi/id/"
PREFIXES = """PREFIX szo: <https://w3id.org/szsemi/ontology#> BASE <https://w3id.org/szsemi/id/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#> PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX time: <http://www.w3.org/2006/time#> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> PREFIX dcterms: <http://purl.org/dc/terms/>
"""
REPORT = "<source/pingshan-report-2022-11>"
# (what is planted, SPARQL update, focus (an IRI, "_:" for a blank node, None for any), path, component)
PLANTED = [
    (
        "required property dropped",
        "DELETE WHERE { <passage/identity-notes-r2> szo:inDocument ?d }",
        SZ + "passage/identity-notes-r2",
        "szo:inDocument",
        "MinCount",
    ),
    (
        "wrong datatype",
        "DELETE { ?p szo:passageNumber 3 } INSERT { ?p szo:passageNumber '3' } "
        f"WHERE {{ ?p szo:passageNumber 3 ; szo:inDocument {REPORT} }}",
        SZ + "passage/pingshan-report-2022-11-p3",
        "szo:passageNumber",
        "Datatype",
    ),
    (
        "ill-typed literal",
        "INSERT { ?l szo:waferSizeInches 'twelve'^^xsd:integer } WHERE { ?l szo:waferSizeInches ?w }",
        None,
        "szo:waferSizeInches",
        "Datatype",
    ),
    (
        "wrong class",
        "INSERT DATA { <org/byd> szo:headquarteredIn <org/smic> }",
        SZ + "org/byd",
        "szo:headquarteredIn",
        "Class",
    ),
    (
        "dangling reference",
        "INSERT DATA { <org/smic> szo:subsidiaryOf <org/no-such-group> }",
        SZ + "org/smic",
        "szo:subsidiaryOf",
        "Class",
    ),
    (
        "missing language tag",
        "INSERT DATA { <org/smic> skos:altLabel 'SMIC again' }",
        SZ + "org/smic",
        "skos:altLabel",
        "Datatype",
    ),
    (
        "English name dropped",
        "DELETE { <place/futian-district> skos:prefLabel ?l } WHERE { "
        "<place/futian-district> skos:prefLabel ?l . FILTER (lang(?l) = 'en') }",
        SZ + "place/futian-district",
        "skos:prefLabel",
        "QualifiedMinCount",
    ),
    (
        "second English name",
        "INSERT DATA { <place/pingshan-district> skos:prefLabel 'Pingshan again'@en }",
        SZ + "place/pingshan-district",
        "skos:prefLabel",
        "UniqueLang",
    ),
    (
        "second value of a single-valued property",
        "INSERT { ?x time:unitType time:unitYear } WHERE { ?x time:unitType time:unitMinute }",
        "_:",
        "time:unitType",
        "MaxCount",
    ),
    (
        "extra property on a closed shape",
        "INSERT DATA { <org/smic> szo:foundedIn '2000' }",
        SZ + "org/smic",
        "szo:foundedIn",
        "Closed",
    ),
    (
        "value not in sh:in",
        "DELETE { ?x szo:bound ?b } INSERT { ?x szo:bound szo:Roughly } WHERE { "
        "?x a szo:MonetaryFigure ; szo:bound ?b }",
        None,
        "szo:bound",
        "In",
    ),
    (
        "pattern",
        "DELETE { ?l szo:tickerSymbol ?t } INSERT { ?l szo:tickerSymbol '0981.hk' } WHERE { ?l szo:tickerSymbol ?t }",
        None,
        "szo:tickerSymbol",
        "Pattern",
    ),
    (
        "below the minimum",
        "DELETE { ?x time:numericDuration ?n } INSERT { ?x time:numericDuration '-5.5'^^xsd:decimal } "
        "WHERE { ?x time:numericDuration ?n }",
        "_:",
        "time:numericDuration",
        "MinInclusive",
    ),
    (
        "concept from another scheme",
        "INSERT DATA { <park/colorful-silicon-valley> szo:inSector <measure/output-value> }",
        SZ + "park/colorful-silicon-valley",
        "szo:inSector",
        "Node",
    ),
    (
        "two instants in one",
        "INSERT { ?i time:inXSDgYear '2022'^^xsd:gYear } WHERE { ?i time:inXSDDate ?d }",
        "_:",
        None,
        "Xone",
    ),
    (
        "as-of of no allowed datatype",
        "INSERT DATA { <org/smic> szo:asOf 'last year' }",
        SZ + "org/smic",
        "szo:asOf",
        "Or",
    ),
    (
        "node kind",
        "INSERT DATA { <org/smic> skos:exactMatch 'Q1001406' }",
        SZ + "org/smic",
        "skos:exactMatch",
        "NodeKind",
    ),
    (
        "unexplained identity (a warning)",
        "DELETE { ?x szo:identityNote ?n } WHERE { "
        "?x szo:identityStatus szo:IdentityUnresolved ; szo:identityNote ?n }",
        None,
        None,
        "Or",
    ),
    (
        "no source",
        "DELETE WHERE { <org/byd> prov:wasDerivedFrom ?p }",
        SZ + "org/byd",
        "prov:wasDerivedFrom",
        "MinCount",
    ),
    (
        "SPARQL: passage number reused",
        f"INSERT {{ ?p szo:passageNumber 1 }} WHERE {{ ?p szo:passageNumber 2 ; szo:inDocument {REPORT} }}",
        SZ + "passage/pingshan-report-2022-11-p2",
        "szo:passageNumber",
        "SPARQL",
    ),
]


def _iri(name: str | None) -> str | None:
    if name is None:
        return None
    prefix, local = name.split(":", 1)
    namespaces = dict(re.findall(r"PREFIX (\w+): <([^>]+)>", PREFIXES))
    return f"<{namespaces[prefix]}{local}>"


@cache
def planted_store() -> ox.Store:
    store = load([ontology_file(), *shipped_data()])
    for _, update, *_ in PLANTED:
        before = set(store)
        store.update(PREFIXES + update)
        assert set(store) != before, update
    return store


@cache
def planted_reference() -> rdflib.Graph:
    return rdflib_parsed(SHIPPED, tuple(PREFIXES + update for _, update, *_ in PLANTED))


@cache
def planted_findings() -> tuple:
    """The compiled engine's findings on the planted store, computed once: each planted error looks
    for its own among them (the store and the shapes are the same for all)."""
    store = planted_store()
    return tuple(shacl_run(rdflib_view(store), store, shipped_shapes())[0])


@pytest.mark.parametrize("name,update,focus,path,component", PLANTED, ids=[p[0] for p in PLANTED])
def test_each_planted_error_is_found(name, update, focus, path, component):
    found = planted_findings()
    hits = [
        f
        for f in found
        if f.component == f"{SH}{component}ConstraintComponent"
        and f.path == _iri(path)
        and (focus is None or f.focus == f"<{focus}>" or focus == "_:" and f.focus.startswith("_:"))
    ]
    assert hits, name


def test_planted_errors_core_components_match_pyshacl():
    found = compare(planted_store(), shipped_shapes(), planted_reference(), sparql=False, files=SHIPPED)
    assert len(found) >= len(PLANTED)


@pytest.mark.slow
def test_planted_errors_match_pyshacl_with_sparql_constraints():
    found = compare(planted_store(), shipped_shapes(), planted_reference(), files=SHIPPED)
    # key: focus, path, component, ...; the core findings alone would already outnumber PLANTED
    sparql = {(focus, component) for focus, _, component, *_ in found if component == SH + "SPARQLConstraintComponent"}
    assert (f"<{SZ}passage/pingshan-report-2022-11-p2>", SH + "SPARQLConstraintComponent") in sparql


@pytest.mark.slow
def test_shipped_data_matches_pyshacl():
    store = load([ontology_file(), *shipped_data()])
    assert compare(store, shipped_shapes(), rdflib_parsed(SHIPPED), files=SHIPPED) == set()


@pytest.mark.slow
@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.stem)
def test_fixture_matches_pyshacl(fixture):
    files = (ontology_file(), fixture)
    assert compare(load(files), shipped_shapes(), rdflib_parsed(files), files=files)
