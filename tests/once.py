"""Pure, expensive steps done once for many tests: rdflib's query parsing, and compiling the shapes.

rdflib's SPARQL engine with each query text parsed once, for pySHACL runs used as the reference:
pySHACL 0.40 hands rdflib the text of a SHACL-SPARQL constraint again for every focus node, and
rdflib parses it again each time: on the shipped data nine tenths of pySHACL's time is spent in
rdflib's query parser, on a dozen distinct texts. rdflib's own way to run one query many times is a
prepared query (``prepareQuery``: parse and translate once, evaluate with new bindings); this does
the same for every text it has seen, so the answers are those of rdflib, computed with less work.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import rdflib
from rdflib.plugins.sparql import processor
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery

from szsemi.validate.shacl_compile import Plan

RDFLIB_QUERY = processor.SPARQLProcessor.query  # rdflib's own, which parses the text on every call


@contextmanager
def sparql_parsed_once() -> Iterator[dict]:
    """Within the ``with``, rdflib parses and translates each (query text, base, namespaces) once.

    Yields the cache, whose size tells how many distinct texts were parsed."""
    prepared: dict[tuple, Any] = {}

    def query(self, strOrQuery, initBindings=None, initNs=None, base=None, DEBUG=False):  # noqa: N803
        if isinstance(strOrQuery, str):
            key = (strOrQuery, base, tuple(sorted((initNs or {}).items())))
            if key not in prepared:
                prepared[key] = translateQuery(parseQuery(strOrQuery), base, initNs)
            strOrQuery = prepared[key]
        return RDFLIB_QUERY(self, strOrQuery, initBindings, initNs, base, DEBUG)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(processor.SPARQLProcessor, "query", query)
        yield prepared


@contextmanager
def compiled_once(shapes: rdflib.Graph) -> Iterator[Plan]:
    """Within the ``with``, validation compiles ``shapes`` (this graph object) once, not on every run.

    A plan depends on the shapes graph alone, and a run does not change it; a test that validates
    many data graphs against the same shapes would otherwise compile them each time (about 0.1 s)."""
    from szsemi.validate import shacl
    from szsemi.validate.shacl_compile import compile_shapes

    plan = compile_shapes(shapes)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(shacl, "compile_shapes", lambda graph: plan if graph is shapes else compile_shapes(graph))
        yield plan


@contextmanager
def shipped_shapes_once() -> Iterator[rdflib.Graph]:
    """Within the ``with``, validation reads and compiles the shipped shapes once, not on every run.

    ``validate`` parses ``shapes.ttl`` (about 0.25 s) and compiles it (about 0.2 s) each time; a
    module that validates dozens of small fixtures against the same shapes pays that for each. Any
    other list of shapes files is read as usual. A run does not change the shapes graph (the
    mutation corpus validates hundreds of mutants against one graph and checks each finding)."""
    from szsemi.graph.resources import shapes_file
    from szsemi.validate import stages

    read = stages.shapes_graph_of
    shipped = [shapes_file()]
    graph = read(shipped)
    with pytest.MonkeyPatch.context() as patch, compiled_once(graph):
        patch.setattr(stages, "shapes_graph_of", lambda sources: graph if list(sources) == shipped else read(sources))
        yield graph
