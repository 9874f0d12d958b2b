"""The shipped data: it conforms, its citations still point at the same words, its files are canonical."""

from __future__ import annotations

import hashlib
import re

import pytest
from conftest import REPO, SHARED

from szsemi.graph.namespaces import PREFIXES
from szsemi.graph.turtle_format import format_turtle
from szsemi.validate.stages import validate

SEED = SHARED / "seed" / "000_8f6a00a811c0170d.txt"
NOTES = SHARED / "notes" / "entities.md"


def test_shipped_data_conforms_with_no_finding_at_all():
    report = validate()
    assert report.stages == ["syntax", "shacl", "owl", "rules", "lint"]
    assert report.findings == [], [f"{f.focus} {f.path} {f.message}" for f in report.findings]


def _hashes(store, document: str) -> dict[int, str]:
    rows = store.query(
        "PREFIX szo: <https://w3id.org/szsemi/ontology#> SELECT ?n ?h WHERE { "
        f"?p szo:inDocument <{PREFIXES['sz']}source/{document}> ; szo:passageNumber ?n ; szo:textSha256 ?h }}"
    )
    return {int(r["n"].value): r["h"].value for r in rows}


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@pytest.mark.skipif(not SEED.exists(), reason="the shared source report is not beside this checkout")
def test_report_citations_point_at_the_same_paragraphs(shipped_store):
    paragraphs = [p.strip() for p in SEED.read_text(encoding="utf-8").splitlines() if p.strip()]
    assert _hashes(shipped_store, "pingshan-report-2022-11") == {i: _sha(p) for i, p in enumerate(paragraphs, 1)}
    rows = list(
        shipped_store.query(
            "PREFIX szo: <https://w3id.org/szsemi/ontology#> SELECT ?h WHERE { "
            f"<{PREFIXES['sz']}source/pingshan-report-2022-11> szo:textSha256 ?h }}"
        )
    )
    assert rows[0]["h"].value == hashlib.sha256(SEED.read_bytes()).hexdigest()


@pytest.mark.skipif(not NOTES.exists(), reason="the shared identity notes are not beside this checkout")
def test_identity_note_citations_point_at_the_same_rows(shipped_store):
    text = NOTES.read_text(encoding="utf-8")
    rows = [
        line.strip()
        for line in text.splitlines()
        if line.startswith("|") and not line.startswith("|---") and not line.startswith("| report's name")
    ]
    rows += [block.strip() for block in text.split("\n\n") if block.strip().startswith("Wikidata ids")]
    assert _hashes(shipped_store, "identity-notes") == {i: _sha(r) for i, r in enumerate(rows, 1)}


ARTICLES = SHARED / "sources"


def _article_docs(store) -> dict[str, tuple[str, str]]:
    rows = store.query(
        "PREFIX szo: <https://w3id.org/szsemi/ontology#> SELECT ?d ?f ?h WHERE { "
        "?d a szo:SourceDocument ; szo:fileName ?f ; szo:textSha256 ?h FILTER(REGEX(?f, '^[0-9]{3}-')) }"
    )
    return {r["d"].value.rsplit("/", 1)[1]: (r["f"].value, r["h"].value) for r in rows}


@pytest.mark.skipif(not ARTICLES.is_dir(), reason="the shared articles are not beside this checkout")
def test_article_citations_point_at_the_same_lines(shipped_store):
    docs = _article_docs(shipped_store)
    assert len(docs) == 10
    for slug, (name, whole) in docs.items():
        raw = (ARTICLES / name).read_bytes()
        assert hashlib.sha256(raw).hexdigest() == whole, name
        body = raw.decode("utf-8").split("\n---\n", 1)[1]  # below the header: the page text as stored
        lines = [line.strip() for line in body.splitlines() if line.strip()]
        for number, digest in _hashes(shipped_store, slug).items():
            assert _sha(lines[number - 1]) == digest, f"{name} passage {number}"


@pytest.mark.skipif(not ARTICLES.is_dir(), reason="the shared articles are not beside this checkout")
def test_article_headers_agree_with_the_graph(shipped_store):
    rows = shipped_store.query(
        "PREFIX szo: <https://w3id.org/szsemi/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/> "
        "SELECT ?f ?url ?date ?unknown WHERE { ?d szo:fileName ?f ; szo:sourceAddress ?url . "
        "OPTIONAL { ?d dcterms:date ?date } OPTIONAL { ?d szo:dateUnknown ?unknown } }"
    )
    for r in rows:
        head = (ARTICLES / r["f"].value).read_text(encoding="utf-8").split("\n---\n", 1)[0]
        fields = dict(line.split(": ", 1) for line in head.splitlines() if ": " in line)
        assert fields["url"] == r["url"].value
        published = fields["published"]
        if r["date"] is not None:
            assert published.startswith(r["date"].value), r["f"].value
        else:
            assert r["unknown"] is not None and published.startswith("unknown"), r["f"].value


def test_every_cited_passage_has_an_english_gist(shipped_store):
    rows = shipped_store.query(
        "PREFIX szo: <https://w3id.org/szsemi/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#> "
        "SELECT DISTINCT ?p WHERE { { ?x prov:wasDerivedFrom ?p } UNION { ?x prov:entity ?p } "
        "FILTER NOT EXISTS { ?p szo:gist ?g FILTER(LANGMATCHES(LANG(?g), 'en')) } }"
    )
    assert [r["p"].value for r in rows] == []


def test_the_2016_line_and_the_2021_project_stay_apart(shipped_store):
    rows = shipped_store.query(
        "SELECT ?p ?o WHERE { { <https://w3id.org/szsemi/id/line/smic-shenzhen-300mm> ?p ?o } UNION "
        "{ ?o ?p <https://w3id.org/szsemi/id/line/smic-shenzhen-300mm> } "
        "FILTER(CONTAINS(STR(?o), '28nm') || CONTAINS(STR(?o), '2021')) }"
    )
    assert list(rows) == []


@pytest.mark.parametrize("path", sorted((REPO / "data").glob("*.ttl")), ids=lambda p: p.name)
def test_data_files_are_in_canonical_form(path):
    text = path.read_text(encoding="utf-8")
    formatted = format_turtle(text, str(path))
    assert formatted == text, f"run: szsemi format data/{path.name}"
    assert format_turtle(formatted) == formatted  # idempotent


_DECLARATION = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([\w-]*):\s*<([^>]*)>", re.IGNORECASE | re.MULTILINE)
_SH_DECLARE = re.compile(r'sh:prefix "([\w-]+)" ; sh:namespace "([^"]+)"')


@pytest.mark.parametrize(
    "path",
    sorted([*REPO.glob("ontology/*.ttl"), *REPO.glob("data/*.ttl"), *REPO.glob("queries/*.rq")]),
    ids=lambda p: p.name,
)
def test_every_prefix_means_what_the_project_prefix_map_says(path):
    text = path.read_text(encoding="utf-8")
    declared = _DECLARATION.findall(text) + _SH_DECLARE.findall(text)
    for prefix, iri in declared:
        assert PREFIXES.get(prefix) == iri, f"{prefix}: is {iri}, the project map says {PREFIXES.get(prefix)}"


def test_wikidata_ids_are_only_the_confirmed_ones(shipped_store):
    rows = shipped_store.query(
        "SELECT DISTINCT ?o WHERE { ?s ?p ?o FILTER(STRSTARTS(STR(?o), 'http://www.wikidata.org/')) }"
    )
    assert {r["o"].value.rsplit("/", 1)[1] for r in rows} == {"Q148", "Q15174", "Q15175", "Q1001406"}


def test_every_report_paragraph_is_cited(shipped_store):
    rows = shipped_store.query(
        "PREFIX szo: <https://w3id.org/szsemi/ontology#> PREFIX prov: <http://www.w3.org/ns/prov#> "
        "SELECT DISTINCT ?n WHERE { ?fact prov:wasDerivedFrom ?p . ?p szo:passageNumber ?n ; "
        f"szo:inDocument <{PREFIXES['sz']}source/pingshan-report-2022-11> }}"
    )
    assert sorted(int(r["n"].value) for r in rows) == [1, 2, 3, 4, 5, 6]


_XSD = "http://www.w3.org/2001/XMLSchema#"
OWL2_DATATYPE_MAP = {
    _XSD + n
    for n in (
        "decimal integer nonNegativeInteger nonPositiveInteger positiveInteger negativeInteger long int short "
        "byte unsignedLong unsignedInt unsignedShort unsignedByte double float string normalizedString token "
        "language Name NCName NMTOKEN boolean hexBinary base64Binary anyURI dateTime dateTimeStamp"
    ).split()
} | {
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#PlainLiteral",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#XMLLiteral",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
    "http://www.w3.org/2000/01/rdf-schema#Literal",
    "http://www.w3.org/2002/07/owl#real",
    "http://www.w3.org/2002/07/owl#rational",
}


def test_the_ontology_says_which_owl_2_profile_it_is(shipped_store):
    rows = shipped_store.query(
        "SELECT DISTINCT ?d WHERE { { ?s ?p ?o FILTER(isLiteral(?o)) BIND(DATATYPE(?o) AS ?d) } UNION "
        "{ ?p <http://www.w3.org/2000/01/rdf-schema#range> ?d FILTER(STRSTARTS(STR(?d), STR(xsd:))) } }".replace(
            "STR(xsd:)", f"'{_XSD}'"
        )
    )
    outside = sorted({r["d"].value for r in rows} - OWL2_DATATYPE_MAP)
    comment = " ".join(
        r["c"].value
        for r in shipped_store.query(
            "SELECT ?c WHERE { <https://w3id.org/szsemi/ontology> <http://www.w3.org/2000/01/rdf-schema#comment> ?c }"
        )
    )
    if outside:  # a claim of OWL 2 DL would be false: the ontology must say it is OWL 2 Full and why
        assert "OWL 2 Full, not OWL 2 DL" in comment, outside
        assert all(d.rsplit("#", 1)[1] in comment for d in outside), outside
    else:
        assert "OWL 2 Full" not in comment


def test_the_ontology_terms_have_distinct_chinese_labels(shipped_store):
    rows = shipped_store.query(
        "SELECT ?label (GROUP_CONCAT(STR(?t); separator=' ') AS ?terms) WHERE { "
        "?t <http://www.w3.org/2000/01/rdf-schema#label> ?label "
        "FILTER(LANG(?label) = 'zh-hans' || LANG(?label) = 'zh-Hans') "
        "FILTER(STRSTARTS(STR(?t), 'https://w3id.org/szsemi/ontology#')) "
        "FILTER NOT EXISTS { ?t a <http://www.w3.org/2002/07/owl#NamedIndividual> } } "
        "GROUP BY ?label HAVING (COUNT(?t) > 1)"
    )
    assert [(r["label"].value, r["terms"].value) for r in rows] == []
