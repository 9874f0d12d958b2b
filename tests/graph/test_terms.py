"""The one IRI compaction (szsemi.graph.terms) and the places that use it agree."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from szsemi.graph.namespaces import PREFIXES, expand
from szsemi.graph.terms import compact, compact_iri, split_iri

SZ, SZO = PREFIXES["sz"], PREFIXES["szo"]


@pytest.mark.parametrize(
    "iri,expected",
    [
        (SZ + "park/colorful-silicon-valley", "sz:park/colorful-silicon-valley"),
        (SZO + "IndustrialPark", "szo:IndustrialPark"),
        ("http://www.wikidata.org/prop/direct/P31", "wdt:P31"),  # the longer of wd: and wdt: wins
        (SZ, None),  # the namespace itself has no local part
        (SZ + "//x", None),  # expand() would not read sz://x back
        ("http://example.org/x", None),
    ],
)
def test_compact_iri_takes_the_longest_namespace_and_round_trips(iri, expected):
    assert compact_iri(iri) == expected
    if expected:
        assert expand(expected) == iri


def test_a_test_of_the_local_part_chooses_among_namespaces():
    # RDF/XML needs an element name: a local part starting with a digit does not fit
    assert split_iri(SZ + "x/1", lambda local: local[:1].isalpha()) == ("sz", SZ, "x/1")
    assert split_iri("http://www.wikidata.org/prop/direct/P31", lambda local: local.isalpha()) is None


def test_the_users_of_the_compaction_agree():
    from szsemi.export.describe import _slug
    from szsemi.export.writers import _qname
    from szsemi.export.writers import compact_iri as jsonld_compact
    from szsemi.query.render import compact as render_compact

    iri = SZO + "hasListing"
    assert compact(f"<{iri}>") == render_compact(ox.NamedNode(iri)) == jsonld_compact(iri) == "szo:hasListing"
    assert _qname(iri) == ("szo", "hasListing", SZO)
    assert _slug(ox.NamedNode(iri).value) == "szo-hasListing"
    assert render_compact(ox.NamedNode("http://example.org/x")) == "<http://example.org/x>"
