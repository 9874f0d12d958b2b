"""szsemi format on deep nesting: ( ) and [ ] thousands deep are rewritten and stay put, [ ] cut into
labelled blank nodes every NEST_CUT levels; blank nodes past RDFC's work bound get tree-hash labels and keep their
language tags' case."""

from __future__ import annotations

import pyoxigraph as ox

from szsemi.graph.turtle_format import NEST_CUT, format_turtle

TTL = "@prefix e: <http://example.org/> .\n"


def _count(text: str) -> int:
    return len(list(ox.parse(text.encode(), format=ox.RdfFormat.TURTLE)))


def test_a_list_nested_3000_deep_is_formatted_and_stays_formatted():
    text = TTL + "e:s e:p " + "( " * 3000 + "e:o" + " )" * 3000 + " .\n"
    once = format_turtle(text, "deep.ttl")
    assert _count(once) == _count(text) == 6001
    assert format_turtle(once, "deep.ttl") == once


def test_blank_nodes_past_the_work_bound_keep_their_tags_and_the_graph():
    text = TTL + "e:s e:p " + '[ e:l "x"@zh-Hans ; e:p ' * 300 + "e:o" + " ]" * 300 + " .\n"
    once = format_turtle(text, "deep.ttl")
    assert '"x"@zh-Hans' in once and "zh-hans" not in once
    assert _count(once) == _count(text) == 601
    assert format_turtle(once, "deep.ttl") == once


def test_blank_nodes_nested_10000_deep_are_cut_into_labelled_nodes_and_stay_put():
    text = TTL + "e:s e:p " + "[ e:p " * 10_000 + "e:o" + " ]" * 10_000 + " .\n"
    once = format_turtle(text, "deep.ttl")
    assert _count(once) == _count(text) == 10_001
    assert len(once) < 20 << 20  # longturtle's staircase alone would take about 1.2 GB
    labels = {line.strip() for line in once.splitlines() if line.lstrip().startswith("_:")}
    assert len(labels) == 10_000 // NEST_CUT - 1  # one labelled node per cut, each written once as a subject
    assert format_turtle(once, "deep.ttl") == once


def test_blank_nodes_at_the_cut_depth_are_nested_as_longturtle_writes_them():
    text = TTL + "e:s e:p " + "[ e:p " * NEST_CUT + "e:o" + " ]" * NEST_CUT + " .\n"
    assert "_:" not in format_turtle(text, "shallow.ttl")
