"""The server's plain JSON values agree with `szsemi query --format json` for every integer type."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from szsemi.graph.namespaces import PREFIXES, XSD_INTEGER_NAMES
from szsemi.query.engines import Result
from szsemi.query.render import render
from szsemi.serve.results import plain


@pytest.mark.parametrize("name", XSD_INTEGER_NAMES)
def test_every_integer_type_is_a_json_number_in_the_cli_and_the_server(name: str) -> None:
    literal = ox.Literal("7", datatype=ox.NamedNode(PREFIXES["xsd"] + name))
    assert plain(literal) == 7
    assert json.loads(render(Result("SELECT", ["n"], [{"n": literal}]), "json")) == [{"n": 7}]
