"""szsemi format on deep nesting: ( ) and [ ] a thousand deep are rewritten and stay put (10,000 deep, under
a memory cap, in tests/cli/test_hostile.py), [ ] cut into labelled blank nodes every NEST_CUT levels; blank
nodes past RDFC's work bound get tree-hash labels and keep their language tags' case."""

from __future__ import annotations

import pyoxigraph as ox

from szsemi.graph.turtle_format import NEST_CUT, format_turtle

TTL = "@prefix e: <http://example.org/> .\n"


def _count(text: str) -> int:
    return len(list(ox.parse(text.encode(), format=ox.RdfFormat.TURTLE)))


def test_a_list_nested_1000_deep_is_formatted_and_stays_formatted():
    text = TTL + "e:s e:p " + "( " * 1000 + "e:o" + " )" * 1000 + " .\n"
    once = format_turtle(text, "deep.ttl")
    assert _count(once) == _count(text) == 2001  # past the default recursion limit: rdflib runs in a deep-stack thread
    assert format_turtle(once, "deep.ttl") == once


def test_blank_nodes_past_the_work_bound_keep_their_tags_and_the_graph():
    text = TTL + "e:s e:p " + '[ e:l "x"@zh-Hans ; e:p ' * 300 + "e:o" + " ]" * 300 + " .\n"
    once = format_turtle(text, "deep.ttl")
    assert '"x"@zh-Hans' in once and "zh-hans" not in once
    assert _count(once) == _count(text) == 601
    assert format_turtle(once, "deep.ttl") == once


def test_blank_nodes_nested_1000_deep_are_cut_into_labelled_nodes_and_stay_put():
    # 10,000 deep, under a memory cap, is tests/cli/test_hostile.py's; the cutting is the same at any depth
    text = TTL + "e:s e:p " + "[ e:p " * 1_000 + "e:o" + " ]" * 1_000 + " .\n"
    once = format_turtle(text, "deep.ttl")
    assert _count(once) == _count(text) == 1_001
    assert len(once) < 2 << 20  # longturtle's staircase alone would take 12 MB (and 1.2 GB at 10,000)
    labels = {line.strip() for line in once.splitlines() if line.lstrip().startswith("_:")}
    assert len(labels) == 1_000 // NEST_CUT - 1  # one labelled node per cut, each written once as a subject
    assert format_turtle(once, "deep.ttl") == once


def test_blank_nodes_at_the_cut_depth_are_nested_as_longturtle_writes_them():
    text = TTL + "e:s e:p " + "[ e:p " * NEST_CUT + "e:o" + " ]" * NEST_CUT + " .\n"
    assert "_:" not in format_turtle(text, "shallow.ttl")


def test_text_already_in_canonical_form_is_returned_without_a_second_reading(monkeypatch):
    from szsemi.graph import turtle_format

    deep = TTL + "e:s e:q ( e:a e:b ) ; e:p " + "[ e:p " * 150 + "e:o" + " ]" * 150 + " .\n"
    once = format_turtle(deep, "nested.ttl")  # 150 deep: past RDFC's work bound, so tree-hash labels
    shallow = format_turtle(TTL + "e:s e:p [ e:q ( e:a e:b ) ] .\n", "shallow.ttl")

    def unreachable(*args: object) -> None:
        raise AssertionError("the result was read back, though it is the text it came from")

    monkeypatch.setattr(turtle_format, "isomorphic", unreachable)
    monkeypatch.setattr(turtle_format.canonical, "canonicalize", unreachable)
    assert format_turtle(once, "nested.ttl") == once
    assert format_turtle(shallow, "shallow.ttl") == shallow
