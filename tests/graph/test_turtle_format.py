"""szsemi format on deep nesting: ( ) thousands deep is rewritten and stays put; [ ] past the limit is
refused with the reason; blank nodes past RDFC's work bound get tree-hash labels and keep their
language tags' case."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from szsemi.errors import InputError
from szsemi.graph.guards import nesting_depth
from szsemi.graph.turtle_format import MAX_BLANK_DEPTH, format_turtle

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


def test_blank_nodes_nested_past_the_limit_are_refused_with_the_reason():
    depth = MAX_BLANK_DEPTH + 1
    text = TTL + "e:s e:p " + "[ e:p " * depth + "e:o" + " ]" * depth + " .\n"
    with pytest.raises(InputError) as caught:
        format_turtle(text, "deep.ttl")
    message = str(caught.value)
    assert "deep.ttl" in message and f"nested {depth} levels deep" in message and "square of the depth" in message


def test_nesting_depth_can_count_one_kind_of_bracket():
    data = b"e:s e:p ( [ e:p ( [ e:p 1 ] ) ] ) ."
    assert nesting_depth(data, turtle=True)[0] == 4
    assert nesting_depth(data, turtle=True, brackets=b"[]")[0] == 2
