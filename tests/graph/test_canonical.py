"""Blank-node labels of an export under a work bound: RDFC-1.0 for normal data, a tree hash for deep
nesting (which RDFC-1.0 would take days over), a clear refusal for a large look-alike cycle."""

from __future__ import annotations

import random
import re

import pyoxigraph as ox
import pytest

from szsemi.errors import InputError
from szsemi.export.serialise import content_files, export, read_dataset
from szsemi.graph import canonical

TTL = "@prefix e: <http://example.org/> .\n"
E = "http://example.org/"


def _nested(depth: int, copies: int = 1) -> str:
    one = "[ e:p " * depth + "e:o" + " ]" * depth
    return TTL + "e:s e:p " + " , ".join([one] * copies) + " .\n"


def _follow(lines: list[str], start: str) -> list[str]:
    """The objects met following e:p from ``start`` (each subject has one e:p)."""
    nxt = {}
    for line in lines:
        s, p, o = line.rstrip(" .").split(" ", 2)
        assert p == f"<{E}p>"
        nxt.setdefault(s, []).append(o)
    path, node = [], start
    while node in nxt:
        (node,) = nxt[node]
        path.append(node)
    return path


def test_a_chain_10000_deep_is_labelled_by_the_tree_hash(tmp_path):
    path = tmp_path / "deep.ttl"
    path.write_text(_nested(10_000), encoding="utf-8")
    lines = export(fmt="nt", files=[path]).decode().splitlines()
    assert len(lines) == 10_001
    chain = _follow(lines, f"<{E}s>")
    # every level kept, numbered from the root down, ending at e:o
    assert chain == [f"_:t{i}" for i in range(10_000)] + [f"<{E}o>"]


def test_a_shallow_chain_and_normal_blank_nodes_keep_rdfc_labels(tmp_path):
    path = tmp_path / "mixed.ttl"
    path.write_text(_nested(20) + 'e:x e:q [ e:v "1" ] .\n', encoding="utf-8")
    text = export(fmt="nt", files=[path]).decode()
    assert "_:c14n" in text and "_:t0" not in text


def test_deep_and_normal_blank_nodes_together(tmp_path):
    path = tmp_path / "mixed.ttl"
    path.write_text(_nested(500) + 'e:x e:q [ e:v "1" ] .\n', encoding="utf-8")
    text = export(fmt="nt", files=[path]).decode()
    assert f'_:c14n0 <{E}v> "1" .' in text  # the normal node: RDFC-1.0 as if the chain were absent
    assert len(re.findall(r"_:t\d+ <", text)) == 500


def test_the_bytes_do_not_depend_on_labels_or_order_in_the_input(tmp_path):
    """Two identical deep trees under one subject stay two, and the same graph written with other
    labels and lines in another order exports the same bytes."""
    nested = tmp_path / "nested.ttl"
    nested.write_text(_nested(300, copies=2), encoding="utf-8")
    first = export(fmt="nt", files=[nested])
    assert first.count(b"\n") == 2 * 301
    lines = first.decode().splitlines()
    rename = {f"_:t{i}": f"_:x{n}" for i, n in enumerate(random.Random(7).sample(range(10_000), 602))}
    shuffled = [re.sub(r"_:t\d+", lambda m: rename[m.group()], line) for line in lines]
    random.Random(8).shuffle(shuffled)
    other = tmp_path / "other.nt"
    other.write_text("\n".join(shuffled) + "\n", encoding="utf-8")
    assert export(fmt="nt", files=[other]) == first
    for fmt in ("ttl", "jsonld", "xml"):
        assert export(fmt=fmt, files=[other]) == export(fmt=fmt, files=[nested]), fmt


def test_a_large_cycle_of_look_alike_blank_nodes_is_refused(tmp_path):
    path = tmp_path / "ring.nt"
    path.write_text("".join(f"_:b{i} <{E}p> _:b{(i + 1) % 300} .\n" for i in range(300)), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        export(fmt="nt", files=[path])
    message = str(caught.value)
    assert str(path) in message and "300 blank nodes" in message and "2,000,000" in message


def test_the_shipped_graph_stays_far_under_the_bound():
    dataset = read_dataset(content_files("all"))
    links, _ = canonical._linked(dataset)
    costs, _ = canonical.work(dataset, links)
    assert costs  # the shapes' lists link blank nodes: the estimate is exercised
    assert max(costs.values()) * 100 < canonical.COMPONENT_WORK
    assert sum(costs.values()) * 100 < canonical.TOTAL_WORK


def test_a_chain_at_the_bound_is_estimated_as_rdfc_would_work():
    """A chain of n look-alike nodes costs about n**3: RDFC-1.0 below the bound, the tree hash above."""

    def cost(depth: int) -> int:
        dataset = ox.Dataset(ox.parse(_nested(depth).encode(), format=ox.RdfFormat.TURTLE))
        links, _ = canonical._linked(dataset)
        return max(canonical.work(dataset, links)[0].values())

    assert cost(100) == 98**3 < canonical.COMPONENT_WORK < cost(200)
