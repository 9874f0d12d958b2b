"""szsemi export: every format re-parses to the graph, byte-stable across runs and hash seeds; graph per
source; profiles through the alignments; the VoID/DCAT description; atomic files."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib
from rdflib import OWL, RDF, RDFS, BNode, Literal, URIRef

from rdfcheck import assert_isomorphic
from szsemi.graph import resources
from szsemi.export.bnodes import stable
from szsemi.cli.main import main
from szsemi.export.describe import describe
from szsemi.errors import UsageError
from szsemi.export.serialise import FORMATS, QUAD_FORMATS, build, content_files, export, graph_name, serialize
from szsemi.graph.namespaces import PREFIXES

PARSER = {"ttl": "turtle", "nt": "nt", "nq": "nquads", "trig": "trig", "jsonld": "json-ld", "xml": "xml"}
SZO = rdflib.Namespace(PREFIXES["szo"])
PROV = rdflib.Namespace(PREFIXES["prov"])
SCHEMA = rdflib.Namespace(PREFIXES["schema"])
WDT = rdflib.Namespace(PREFIXES["wdt"])
VOID = rdflib.Namespace(PREFIXES["void"])


def reference(content: str) -> rdflib.Graph:
    """The shipped files parsed by rdflib on their own: not through the export code."""
    graph = rdflib.Graph()
    for source in content_files(content):
        graph.parse(data=source.read_bytes(), format="turtle")
    return graph


def reparse(data: bytes, fmt: str) -> rdflib.Dataset:
    dataset = rdflib.Dataset()
    dataset.parse(data=data, format=PARSER[fmt])
    return dataset


def graph_of(dataset: rdflib.Dataset, name) -> rdflib.Graph:
    source = dataset.graph(name) if name is not None else dataset.default_graph
    result = rdflib.Graph()
    for triple in source:
        result.add(triple)
    return result


@pytest.fixture(scope="module")
def data_export():
    return build("data")


@pytest.fixture(scope="module")
def per_source():
    return build("data", graph_per_source=True)


@pytest.mark.parametrize("content", ["data", "all"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_reparses_to_the_graph_and_is_byte_identical(content, fmt):
    first = export(content, fmt)
    assert export(content, fmt) == first
    parsed = graph_of(reparse(first, fmt), None)
    assert_isomorphic(parsed, reference(content), what=f"{content} as {fmt}")


@pytest.mark.parametrize("fmt", QUAD_FORMATS)
def test_graph_per_source_keeps_every_triple_and_names_one_graph_per_source(fmt, per_source):
    data = serialize(per_source, fmt)
    assert serialize(build("data", graph_per_source=True), fmt) == data
    dataset = reparse(data, fmt)
    union = rdflib.Graph()
    for name, expected in per_source.graphs.items():
        got = graph_of(dataset, name)
        assert_isomorphic(got, expected, what=f"graph {name} in {fmt}")
        union += got
    assert_isomorphic(union, reference("data"), what=f"union of the graphs in {fmt}")
    named = {n for n in per_source.graphs if n is not None}
    assert named == {graph_name(doc) for doc in per_source.sources}
    assert len(named) >= 2


def test_a_property_goes_to_the_graph_of_the_source_that_gives_it(per_source):
    native = reference("data")
    doc_of = dict(native.subject_objects(SZO.inDocument))
    checked = 0
    for entity, derivation in native.subject_objects(PROV.qualifiedDerivation):
        docs = {doc_of[p] for p in native.objects(derivation, PROV.entity)}
        for prop in native.objects(derivation, SZO.forProperty):
            for value in native.objects(entity, prop):
                if isinstance(value, BNode):
                    continue
                for doc in docs:
                    assert (entity, prop, value) in per_source.graphs[graph_name(doc)], (entity, prop, doc)
                    checked += 1
    assert checked > 50


def test_a_two_source_entity_is_in_both_graphs_with_each_property_in_its_own():
    native = reference("data")
    exp = build("data", graph_per_source=True)
    doc_of = dict(native.subject_objects(SZO.inDocument))
    found = 0
    for entity in set(native.subjects(PROV.qualifiedDerivation)):
        by_doc: dict = {}
        for d in native.objects(entity, PROV.qualifiedDerivation):
            for p in native.objects(d, PROV.entity):
                by_doc.setdefault(doc_of[p], set()).update(native.objects(d, SZO.forProperty))
        if len(by_doc) < 2:
            continue
        for doc, props in by_doc.items():
            mine = exp.graphs[graph_name(doc)]
            assert (entity, RDF.type, None) in mine
            only_elsewhere = set().union(*(p for d, p in by_doc.items() if d != doc)) - props
            for prop in only_elsewhere:
                assert (entity, prop, None) not in mine, (entity, prop, doc)
                found += 1
    assert found > 0


def test_passages_and_citations_sit_in_their_documents_graph(per_source):
    native = reference("data")
    for passage, doc in native.subject_objects(SZO.inDocument):
        assert (passage, SZO.inDocument, doc) in per_source.graphs[graph_name(doc)]
    for entity, passage in native.subject_objects(PROV.wasDerivedFrom):
        doc = native.value(passage, SZO.inDocument)
        assert (entity, PROV.wasDerivedFrom, passage) in per_source.graphs[graph_name(doc)]


@pytest.mark.slow
def test_export_is_byte_identical_across_processes_and_hash_seeds(tmp_path):
    script = ("import hashlib, sys\nfrom szsemi.export.serialise import export\n"
              "for fmt in ('ttl','nt','nq','trig','jsonld','xml'):\n"
              "    print(fmt, hashlib.sha256(export('all', fmt, fmt in ('nq','trig','jsonld'))).hexdigest())\n")
    runs = []
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env,
                                timeout=300)
        assert result.returncode == 0, result.stderr
        runs.append(result.stdout)
    assert runs[0] == runs[1]
    assert len(runs[0].splitlines()) == 6


def test_blank_node_labels_depend_on_content_not_on_parse():
    text = """@prefix ex: <http://example.org/> .
    ex:a ex:p [ ex:q 1 ; ex:r [ ex:s "x" ] ] , [ ex:q 1 ; ex:r [ ex:s "x" ] ] ; ex:t ( 1 2 ) ."""
    one = stable(rdflib.Graph().parse(data=text, format="turtle"))
    two = stable(rdflib.Graph().parse(data=text, format="turtle"))
    assert set(one) == set(two)
    # The two identical nodes stay two (numbered), and so do their children.
    assert len(one) == len(rdflib.Graph().parse(data=text, format="turtle"))
    assert len(set(one.objects(URIRef("http://example.org/a"), URIRef("http://example.org/p")))) == 2


def test_shared_and_cyclic_blank_nodes_fall_back_to_rdflib_canonical_labels():
    text = """@prefix ex: <http://example.org/> .
    _:x ex:next _:y . _:y ex:next _:x . ex:a ex:p _:z . ex:b ex:p _:z . _:z ex:v 1 ."""
    graph = rdflib.Graph().parse(data=text, format="turtle")
    one, two = stable(graph), stable(rdflib.Graph().parse(data=text, format="turtle"))
    assert set(one) == set(two)
    assert_isomorphic(one, graph)


def test_language_tags_are_written_in_bcp47_case():
    text = export("data", "nt").decode("utf-8")
    assert '@zh-Hans .' in text
    assert '@zh-hans' not in text


def test_jsonld_has_a_compact_context_of_the_project_prefixes():
    doc = json.loads(export("data", "jsonld"))
    assert doc["@context"] == PREFIXES
    nodes = doc["@graph"]
    key = lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True)  # noqa: E731
    assert nodes == sorted(nodes, key=key)
    assert any(node["@id"].startswith("sz:") for node in nodes)


def test_triple_formats_refuse_graph_per_source():
    for fmt in set(FORMATS) - set(QUAD_FORMATS):
        with pytest.raises(UsageError, match="named graphs"):
            export("data", fmt, graph_per_source=True)


# Profiles -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ontology():
    return rdflib.Graph().parse(data=resources.ontology_file().read_bytes(), format="turtle")


def test_schema_profile_uses_only_schema_terms_and_maps_what_alignments_say():
    native = reference("data")
    out = build("data", "schema").union()
    assert len(out) > 300
    for s, p, o in out:
        assert str(p).startswith(PREFIXES["schema"]) or (p == RDF.type and str(o).startswith(PREFIXES["schema"])), p
    for s, o in native.subject_objects(SZO.locatedIn):
        assert (s, SCHEMA.containedInPlace, o) in out
    for s in native.subjects(RDF.type, SZO.Company):
        assert (s, RDF.type, SCHEMA.Corporation) in out
    for s, o in native.subject_objects(SZO.subsidiaryOf):  # through org:subOrganizationOf
        assert (s, SCHEMA.parentOrganization, o) in out
    for s, o in native.subject_objects(URIRef(PREFIXES["skos"] + "prefLabel")):
        assert (s, SCHEMA.name, o) in out
    # A "more than" amount is not a schema:value: left out on purpose.
    assert not list(out.subject_objects(SCHEMA.value))


def test_wikidata_like_profile_uses_direct_properties_and_the_listing_chain():
    native = reference("data")
    out = build("data", "wikidata-like").union()
    for s, o in native.subject_objects(SZO.locatedIn):
        assert (s, WDT.P131, o) in out
    chained = {(org, native.value(listing, SZO.onExchange))
               for org, listing in native.subject_objects(SZO.hasListing)}
    assert chained and chained == set(out.subject_objects(WDT.P414))
    for s, c in native.subject_objects(RDF.type):
        if not isinstance(s, BNode):
            assert (s, WDT.P31, c) in out
    assert not [p for p in out.predicates() if str(p).startswith(PREFIXES["szo"])]


def test_p131_mapping_holds_on_the_data_every_located_in_value_is_an_administrative_area(ontology):
    native = reference("data") + ontology
    admin = {c for c in native.transitive_subjects(RDFS.subClassOf, SZO.AdministrativeArea)}
    values = set(native.objects(None, SZO.locatedIn))
    assert values
    for value in values:
        assert set(native.objects(value, RDF.type)) & admin, value


def test_alignments_give_no_wikidata_item_ids_and_stay_out_of_the_ontology():
    text = resources.alignments_file().read_bytes().decode("utf-8")
    assert "wikidata.org/entity" not in text and "wd:Q" not in text
    ontology = rdflib.Graph().parse(data=resources.ontology_file().read_bytes(), format="turtle")
    assert (None, OWL.imports, URIRef("https://w3id.org/szsemi/alignments")) not in ontology
    assert (URIRef("https://w3id.org/szsemi/alignments"), RDF.type, OWL.Ontology) in rdflib.Graph().parse(
        data=text, format="turtle")


def test_profile_exports_are_byte_stable_and_reparse():
    for profile in ("schema", "wikidata-like"):
        exp = build("data", profile)
        for fmt in ("ttl", "jsonld"):
            data = serialize(exp, fmt)
            assert data == serialize(build("data", profile), fmt)
            assert_isomorphic(graph_of(reparse(data, fmt), None), exp.union(), what=f"{profile} {fmt}")


# Description ----------------------------------------------------------------------------------------


def test_description_counts_what_the_export_holds(data_export):
    graph = data_export.union()
    d = describe(data_export, "ttl", "http://127.0.0.1:1/sparql")
    ds = next(d.subjects(RDF.type, VOID.Dataset))
    assert int(d.value(ds, VOID.triples)) == len(graph)
    for part in d.objects(ds, VOID.classPartition):
        cls = d.value(part, VOID["class"])
        assert int(d.value(part, VOID.entities)) == len(set(graph.subjects(RDF.type, cls)))
    for part in d.objects(ds, VOID.propertyPartition):
        prop = d.value(part, VOID.property)
        assert int(d.value(part, VOID.triples)) == len(list(graph.triples((None, prop, None))))
    assert {d.value(p, VOID.property) for p in d.objects(ds, VOID.propertyPartition)} == set(graph.predicates())
    assert set(d.objects(ds, URIRef(PREFIXES["dcterms"] + "source"))) == set(data_export.sources)
    assert (ds, URIRef(PREFIXES["dcterms"] + "license"), URIRef("https://opensource.org/licenses/MIT")) in d
    assert (ds, VOID.sparqlEndpoint, URIRef("http://127.0.0.1:1/sparql")) in d
    assert str(d.value(ds, URIRef(PREFIXES["dcat"] + "version"))) == __import__("szsemi").__version__


def test_description_of_a_per_source_export_lists_its_graphs(per_source):
    d = describe(per_source)
    ds = next(d.subjects(RDF.type, VOID.Dataset))
    subsets = set(d.objects(ds, VOID.subset))
    assert subsets == {n for n in per_source.graphs if n is not None}
    for name in subsets:
        assert int(d.value(name, VOID.triples)) == len(per_source.graphs[name])
        assert d.value(name, URIRef(PREFIXES["dcterms"] + "source")) in per_source.sources


# The command ----------------------------------------------------------------------------------------


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(list(argv), out=out, err=err), out.getvalue(), err.getvalue()


def test_cli_writes_the_file_and_its_description(tmp_path):
    target = tmp_path / "graph.nq"
    code, out, err = run("export", "--format", "nq", "--graph-per-source", "-o", str(target))
    assert code == 0, err
    assert target.read_bytes() == export("data", "nq", graph_per_source=True)
    description = rdflib.Graph().parse(tmp_path / "graph.nq.void.ttl", format="turtle")
    ds = next(description.subjects(RDF.type, VOID.Dataset))
    assert int(description.value(ds, VOID.triples)) == len(reference("data"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.nq", "graph.nq.void.ttl"]


def test_cli_describe_alone_and_stdout(tmp_path):
    code, out, _ = run("export", "--describe", "--endpoint", "http://127.0.0.1:1/sparql")
    assert code == 0
    graph = rdflib.Graph().parse(data=out, format="turtle")
    assert (None, VOID.sparqlEndpoint, URIRef("http://127.0.0.1:1/sparql")) in graph
    code, out, _ = run("export", "--format", "nt")
    assert code == 0 and out.encode("utf-8") == export("data", "nt")


def test_cli_usage_errors_exit_2():
    code, _, err = run("export", "--format", "ttl", "--graph-per-source")
    assert code == 2 and "named graphs" in err
    code, _, err = run("export", "--format", "csv")
    assert code == 2


def test_an_interrupted_export_leaves_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "graph.ttl"
    target.write_bytes(b"old contents\n")

    def interrupted(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr("szsemi.graph.atomic.os.fsync", interrupted)
    err = io.StringIO()
    assert main(["export", "-o", str(target)], out=io.StringIO(), err=err) == 130  # Ctrl-C: exit 130
    assert err.getvalue() == "szsemi: interrupted\n"
    assert target.read_bytes() == b"old contents\n"
    assert [p.name for p in tmp_path.iterdir()] == ["graph.ttl"]
