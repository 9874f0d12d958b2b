"""szsemi export: every format reads back, by pyoxigraph and by rdflib, as the same dataset (graph names
included), byte-stable across runs and hash seeds, with RDFC-1.0 blank-node labels; graph per source;
profiles through the alignments; the VoID/DCAT description; atomic files."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import warnings
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdfcheck import assert_isomorphic, assert_same_dataset, quads
from rdflib import OWL, RDF, RDFS, BNode, URIRef

from szsemi.cli.main import main
from szsemi.errors import InputError, UsageError
from szsemi.export.describe import describe_turtle
from szsemi.export.serialise import (
    FORMATS,
    QUAD_FORMATS,
    Export,
    build,
    content_files,
    export,
    fix_tags,
    graph_name,
    serialize,
)
from szsemi.graph import resources
from szsemi.graph.namespaces import PREFIXES

PARSER = {"ttl": "turtle", "nt": "nt", "nq": "nquads", "trig": "trig", "jsonld": "json-ld", "xml": "xml"}
OX_FORMAT = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
}
SZO = rdflib.Namespace(PREFIXES["szo"])
PROV = rdflib.Namespace(PREFIXES["prov"])
SCHEMA = rdflib.Namespace(PREFIXES["schema"])
WDT = rdflib.Namespace(PREFIXES["wdt"])
VOID = rdflib.Namespace(PREFIXES["void"])
TRICKY = Path(__file__).resolve().parent.parent / "data" / "export" / "tricky-literals.ttl"


@cache
def reference(content: str) -> rdflib.Graph:
    """The shipped files parsed by rdflib on their own: not through the export code.

    Parsed once per content for the module; no test changes it (``+`` makes a new graph)."""
    graph = rdflib.Graph()
    for source in content_files(content):
        graph.parse(data=source.read_bytes(), format="turtle")
    return graph


def read_rdflib(data: bytes, fmt: str) -> rdflib.Dataset:
    dataset = rdflib.Dataset()
    with warnings.catch_warnings():  # rdflib's own N-Quads, TriG and JSON-LD parsers use its deprecated API
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"rdflib\.")
        dataset.parse(data=data, format=PARSER[fmt])
    return dataset


def read_oxigraph(data: bytes, fmt: str) -> list[ox.Quad]:
    return list(ox.parse(data, format=OX_FORMAT[fmt]))


def assert_reads_back(data: bytes, fmt: str, expected, what: str) -> None:
    """Both readers give ``expected`` (a dataset: graph names count)."""
    assert_same_dataset(read_oxigraph(data, fmt), expected, what=f"{what}, read by pyoxigraph")
    assert_same_dataset(read_rdflib(data, fmt), expected, what=f"{what}, read by rdflib")


def ox_term(term):
    return quads(rdflib.Graph().add((URIRef("http://x/s"), URIRef("http://x/p"), term)))[0].object


def holds(exp: Export, s, p, o, graph) -> bool:
    quad = ox.Quad(ox_term(s), ox_term(p), ox_term(o), ox.NamedNode(graph.value) if graph else ox.DefaultGraph())
    return quad in exp.dataset


@pytest.fixture(scope="module")
def data_export():
    return build("data")


@pytest.fixture(scope="module")
def per_source():
    return build("data", graph_per_source=True)


@pytest.mark.parametrize("content", ["data", "all"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_reads_back_as_the_graph_and_is_byte_identical(content, fmt):
    first = export(content, fmt)
    assert export(content, fmt) == first
    assert_reads_back(first, fmt, reference(content), f"{content} as {fmt}")


@pytest.mark.hostile(
    what="literals with lines beginning PREFIX, @prefix or GRAPH, quotes before @, a trailing "
    "backslash, language subtags, blank-node cycles",
    result="every format reads back as the same graph in pyoxigraph and rdflib",
    kind="input",
)
@pytest.mark.parametrize("fmt", FORMATS)
def test_tricky_literals_survive_every_format(fmt):
    """Issue 11: TriG dropped literal lines beginning with PREFIX, @prefix or GRAPH."""
    data = export(fmt=fmt, files=[TRICKY])
    assert data == export(fmt=fmt, files=[TRICKY])
    expected = rdflib.Graph().parse(TRICKY, format="turtle")
    assert_reads_back(data, fmt, expected, f"tricky literals as {fmt}")
    text = data.decode("utf-8")
    for tag in ("en-GB", "zh-Hant-TW", "zh-Hans"):
        assert tag in text, (fmt, tag)
    assert "zh-hant" not in text.lower().replace("zh-hant-tw", "")


@pytest.mark.parametrize("fmt", QUAD_FORMATS)
def test_graph_per_source_keeps_every_triple_and_names_one_graph_per_source(fmt, per_source):
    data = serialize(per_source, fmt)
    assert serialize(build("data", graph_per_source=True), fmt) == data
    assert_reads_back(data, fmt, per_source.dataset, f"graph per source as {fmt}")
    union = rdflib.Graph()
    for s, p, o, _ in read_rdflib(data, fmt).quads((None, None, None, None)):
        union.add((s, p, o))
    assert_isomorphic(union, reference("data"), what=f"union of the graphs in {fmt}")
    named = set(per_source.graph_names)
    assert named == {graph_name(doc) for doc in per_source.sources}
    assert len(named) >= 2


@pytest.mark.parametrize("fmt", QUAD_FORMATS)
def test_the_default_graph_stays_the_default_graph(fmt, per_source):
    """Issue 11: JSON-LD put the default graph's triples in a blank-node graph."""
    data = serialize(per_source, fmt)
    default = [q for q in per_source.dataset if isinstance(q.graph_name, ox.DefaultGraph)]
    assert default, "the shipped data has statements with no source"
    names = {q.graph_name for q in read_oxigraph(data, fmt)}
    assert not any(isinstance(n, ox.BlankNode) for n in names)
    assert_same_dataset(
        [q for q in read_oxigraph(data, fmt) if isinstance(q.graph_name, ox.DefaultGraph)],
        default,
        what=f"default graph of {fmt}",
    )


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
                    assert holds(per_source, entity, prop, value, graph_name(ox_term(doc))), (entity, prop, doc)
                    checked += 1
    assert checked > 50


def test_a_two_source_entity_is_in_both_graphs_with_each_property_in_its_own(per_source):
    native = reference("data")
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
            graph = graph_name(ox_term(doc))
            mine = {
                (q.predicate.value)
                for q in per_source.dataset.quads_for_subject(ox_term(entity))
                if q.graph_name == graph
            }
            assert str(RDF.type) in mine
            only_elsewhere = set().union(*(p for d, p in by_doc.items() if d != doc)) - props
            for prop in only_elsewhere:
                assert str(prop) not in mine, (entity, prop, doc)
                found += 1
    assert found > 0


def test_passages_and_citations_sit_in_their_documents_graph(per_source):
    native = reference("data")
    for passage, doc in native.subject_objects(SZO.inDocument):
        assert holds(per_source, passage, SZO.inDocument, doc, graph_name(ox_term(doc)))
    for entity, passage in native.subject_objects(PROV.wasDerivedFrom):
        doc = native.value(passage, SZO.inDocument)
        assert holds(per_source, entity, PROV.wasDerivedFrom, passage, graph_name(ox_term(doc)))


@pytest.mark.slow
def test_export_is_byte_identical_across_processes_and_hash_seeds():
    script = (
        "import hashlib, sys\nfrom szsemi.export.serialise import export\n"
        "for fmt in ('ttl','nt','nq','trig','jsonld','xml'):\n"
        "    for files in (None, [sys.argv[1]]):\n"
        "        gps = fmt in ('nq','trig','jsonld') and files is None\n"
        "        data = export('all', fmt, gps, files=files)\n"
        "        print(fmt, gps, hashlib.sha256(data).hexdigest())\n"
    )
    runs = []
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        result = subprocess.run(
            [sys.executable, "-c", script, str(TRICKY)], capture_output=True, text=True, env=env, timeout=300
        )
        assert result.returncode == 0, result.stderr
        runs.append(result.stdout)
    assert runs[0] == runs[1]
    assert len(runs[0].splitlines()) == 12


def test_blank_nodes_get_rdfc10_labels_that_depend_on_content_not_on_parse():
    one, two = (export(fmt="nt", files=[TRICKY]) for _ in range(2))
    assert one == two
    labels = {word for line in one.decode().splitlines() for word in line.split() if word.startswith("_:")}
    assert labels and all(label.startswith("_:c14n") for label in labels)
    # The two identical nested nodes stay two, and so do their children; the cycle stays a cycle.
    graph = rdflib.Graph().parse(data=one, format="nt")
    assert len(graph) == len(rdflib.Graph().parse(TRICKY, format="turtle"))
    pair = set(graph.objects(URIRef("http://example.org/export/note"), URIRef("http://example.org/export/pair")))
    assert len(pair) == 2


def test_files_are_read_with_their_own_blank_nodes(tmp_path):
    a, b = tmp_path / "a.nt", tmp_path / "b.ttl"
    a.write_text('_:x <http://example.org/p> "a" .\n', encoding="utf-8")
    b.write_text('_:x <http://example.org/p> "b" .\n', encoding="utf-8")
    graph = rdflib.Graph().parse(data=export(fmt="nt", files=[a, b]), format="nt")
    assert len(set(graph.subjects())) == 2


@pytest.mark.hostile(
    what="export of a file with a syntax error, and of a missing file",
    result="InputError naming the file and line (exit 2)",
    kind="input",
)
def test_a_file_that_does_not_parse_is_named_with_its_line(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("<http://example.org/a> <http://example.org/p> .\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        export(fmt="nt", files=[TRICKY, bad])
    assert "bad.ttl" in str(caught.value) and caught.value.line == 1
    with pytest.raises(InputError, match="no such file"):
        export(fmt="nt", files=[tmp_path / "missing.ttl"])


# A tag, a literal ending in a backslash, and a "@zh-hans inside a literal (escaped quotation mark).
@pytest.mark.parametrize(
    "literal, written",
    [
        (rb'"x"@zh-hans', rb'"x"@zh-Hans'),
        (rb'"a\\"@en-gb', rb'"a\\"@en-GB'),
        (rb'"a \"@zh-hans b"@en', rb'"a \"@zh-hans b"@en'),
    ],
)
def test_tags_are_fixed_only_at_the_end_of_a_literal(literal, written):
    line = b"<http://a> <http://b> " + literal + b" .\n"
    assert fix_tags(line) == b"<http://a> <http://b> " + written + b" .\n"
    assert list(ox.parse(fix_tags(line), format=ox.RdfFormat.N_TRIPLES)) == list(
        ox.parse(line, format=ox.RdfFormat.N_TRIPLES)
    )


def test_language_tags_are_written_in_bcp47_case():
    for fmt in FORMATS:
        text = export("data", fmt).decode("utf-8")
        assert "zh-Hans" in text, fmt
        assert "zh-hans" not in text, fmt


def test_jsonld_has_a_compact_context_of_the_project_prefixes():
    doc = json.loads(export("data", "jsonld"))
    assert doc["@context"] == PREFIXES
    nodes = doc["@graph"]
    key = lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True)  # noqa: E731
    assert nodes == sorted(nodes, key=key)
    assert any(node["@id"].startswith("sz:") for node in nodes)


def test_turtle_is_sorted_by_subject_with_the_project_prefixes():
    text = export("data", "ttl").decode("utf-8")
    lines = text.splitlines()
    prefixes = [line for line in lines if line.startswith("@prefix ")]
    assert prefixes == sorted(prefixes) and len(prefixes) == len(PREFIXES)
    subjects = [line.split(" ", 1)[0] for line in lines if line and not line[0].isspace() and line not in prefixes]
    assert subjects == sorted(subjects, key=lambda s: s.encode()) or len(set(subjects)) == len(subjects)
    assert len(set(subjects)) == len(subjects)


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
    for _s, p, o in out:
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
    chained = {(org, native.value(listing, SZO.onExchange)) for org, listing in native.subject_objects(SZO.hasListing)}
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
        data=text, format="turtle"
    )


def test_profile_exports_are_byte_stable_and_reparse():
    for profile in ("schema", "wikidata-like"):
        exp = build("data", profile)
        for fmt in ("ttl", "jsonld"):
            data = serialize(exp, fmt)
            assert data == serialize(build("data", profile), fmt)
            assert_reads_back(data, fmt, exp.dataset, f"{profile} {fmt}")


# Description ----------------------------------------------------------------------------------------


def described(exp, fmt=None, endpoint=None) -> rdflib.Graph:
    return rdflib.Graph().parse(data=describe_turtle(exp, fmt, endpoint), format="turtle")


def test_description_counts_what_the_export_holds(data_export):
    graph = data_export.union()
    d = described(data_export, "ttl", "http://127.0.0.1:1/sparql")
    ds = next(d.subjects(RDF.type, VOID.Dataset))
    assert int(d.value(ds, VOID.triples)) == len(graph)
    for part in d.objects(ds, VOID.classPartition):
        cls = d.value(part, VOID["class"])
        assert int(d.value(part, VOID.entities)) == len(set(graph.subjects(RDF.type, cls)))
    for part in d.objects(ds, VOID.propertyPartition):
        prop = d.value(part, VOID.property)
        assert int(d.value(part, VOID.triples)) == len(list(graph.triples((None, prop, None))))
    assert {d.value(p, VOID.property) for p in d.objects(ds, VOID.propertyPartition)} == set(graph.predicates())
    assert {str(s) for s in d.objects(ds, URIRef(PREFIXES["dcterms"] + "source"))} == {
        s.value for s in data_export.sources
    }
    assert (ds, URIRef(PREFIXES["dcterms"] + "license"), URIRef("https://opensource.org/licenses/MIT")) in d
    assert (ds, VOID.sparqlEndpoint, URIRef("http://127.0.0.1:1/sparql")) in d
    assert str(d.value(ds, URIRef(PREFIXES["dcat"] + "version"))) == __import__("szsemi").__version__


def test_description_of_a_per_source_export_lists_its_graphs(per_source):
    d = described(per_source)
    ds = URIRef(PREFIXES["sz"] + "dataset/szsemi-data")
    subsets = set(d.objects(ds, VOID.subset))
    assert {str(s) for s in subsets} == {n.value for n in per_source.graph_names}
    for name in subsets:
        size = sum(1 for q in per_source.dataset.quads_for_graph_name(ox.NamedNode(str(name))))
        assert int(d.value(name, VOID.triples)) == size
        assert str(d.value(name, URIRef(PREFIXES["dcterms"] + "source"))) in {s.value for s in per_source.sources}


def test_description_is_byte_stable_and_its_blank_node_canonical(data_export):
    one = describe_turtle(data_export, "ttl", "http://127.0.0.1:1/sparql")
    assert one == describe_turtle(build("data"), "ttl", "http://127.0.0.1:1/sparql")
    assert b"_:c14n0" in one


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


def test_turtle_and_trig_write_one_object_per_line_but_never_split_a_string(tmp_path):
    source = tmp_path / "commas.ttl"
    source.write_text(
        '<http://example.org/a> <http://example.org/p> "x , y" , "z \\" , w" , "v\\\\" , <http://example.org/b> .\n',
        encoding="utf-8",
    )
    for fmt in ("ttl", "trig"):
        data = export(fmt=fmt, files=[source])
        assert_reads_back(data, fmt, rdflib.Graph().parse(source, format="turtle"), f"commas in {fmt}")
        body = [line for line in data.decode().splitlines() if not line.startswith("@prefix")]
        assert len(body) == 4, body  # the subject line and three more objects
        assert any('"x , y"' in line for line in body) and any('"z \\" , w"' in line for line in body), body
