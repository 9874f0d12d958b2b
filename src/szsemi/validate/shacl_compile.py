"""Compile a SHACL shapes graph into SPARQL checks for Oxigraph: one query per constraint per shape.

Each check selects every result of one constraint component of one shape at once, over all focus
nodes (``?this``; ``?value`` and ``?path`` where the result has them). pySHACL is the reference: a
check reports what pySHACL reports at the top level of its report (a nested shape's results stay
out, as the standard has them). Where SPARQL cannot decide a value exactly as
pySHACL does, the query selects the candidates and ``keep`` decides in Python (``sh:pattern``, value
ranges); ``sh:datatype`` takes the lexical forms Oxigraph rejects but rdflib accepts from a small
pre-pass (``__OK_n__(?var)`` tokens in the query text, filled by :mod:`szsemi.validate.shacl`).

What is not compiled (the property-pair components, ``sh:qualifiedValueShapesDisjoint``, shapes
nested under ``sh:node``/``sh:or``... that use ``sh:pattern``, ranges, SPARQL or a severity other
than ``sh:Violation``, recursive shapes, blank-node constants, literals Oxigraph would rewrite...)
goes into ``Plan.fallback``: a shapes graph for pySHACL holding only those parts, each under a stand-in
shape that ``Plan.alias`` maps back. SHACL-AF rules, SPARQL targets and custom components send the
whole graph to pySHACL. A shapes graph whose SHACL-SPARQL the standard forbids is refused
(``InputError``, :mod:`szsemi.validate.shacl_sparql`).

The compiler is layered: :mod:`~szsemi.validate.shacl_shapes` reads shapes, paths and focus nodes,
:mod:`~szsemi.validate.shacl_conditions` writes the conditions on one value node and nested shapes,
:mod:`~szsemi.validate.shacl_checks` the top-level checks; this module makes the plan.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeAlias

import rdflib
from rdflib import URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from szsemi.validate.shacl_checks import CheckBuilder
from szsemi.validate.shacl_shapes import SH, TARGETS, WHOLE, Check, Focus, NotCompiledWhole, Sources, Stack
from szsemi.validate.shacl_sparql import refuse_forbidden
from szsemi.validate.shacl_values import NotCompiled

__all__ = ["Check", "Plan", "compile_shapes"]

Chain: TypeAlias = tuple[Node, ...]  # the sh:property shapes from a top shape down to one under it
# a part of a top shape: the chain down to the shape it belongs to, and the parameters of one
# component there (None: the whole shape at the end of the chain)
Where: TypeAlias = tuple[Chain, tuple[URIRef, ...] | None]
Part: TypeAlias = tuple[Node, Chain, tuple[URIRef, ...] | None]  # a part left to pySHACL, under its top shape
Builder: TypeAlias = Callable[[Node, Focus, Stack], list[Check]]  # the checks of one component


@dataclass
class Plan:
    """The compiled checks, and what pySHACL still has to do."""

    checks: list[Check] = field(default_factory=list)
    # token -> (datatype, predicates): the literals of that datatype, objects of those predicates (None:
    # of any), that Oxigraph does not hold in canonical form; those rdflib accepts fill the token
    lexical: dict[str, tuple[URIRef, Sources]] = field(default_factory=dict)
    fallback: rdflib.Graph | None = None  # shapes for pySHACL, or None when everything compiled
    alias: dict[Node, Node] = field(default_factory=dict)  # stand-in shape in ``fallback`` -> the real shape
    reasons: list[str] = field(default_factory=list)  # why each fallback part was not compiled
    # What validation reads from the shapes graph alone, kept here on first use (by shacl.py): like
    # the checks, it holds for the graph the plan was compiled from, and a plan may serve many runs.
    names: dict[Node, str] = field(default_factory=dict)  # shape -> its name in findings
    listed: dict[str, list[str]] = field(default_factory=dict)  # the shape names a report lists, by stage


def compile_shapes(shapes: rdflib.Graph) -> Plan:
    """Compile ``shapes``; whatever cannot be compiled exactly is left to pySHACL in ``Plan.fallback``.

    ``InputError`` when a SHACL-SPARQL query uses a construct the standard forbids.
    """
    refuse_forbidden(shapes)
    return _Compiler(shapes).plan()


class _Compiler(CheckBuilder):
    """The plan: every top shape's checks, and the parts left to pySHACL."""

    # ---- the plan

    def plan(self) -> Plan:
        plan = Plan()
        if any((None, p, None) in self.g for p in WHOLE) or (None, RDF.type, SH.ConstraintComponent) in self.g:
            plan.fallback = self.g
            plan.reasons.append("SHACL-AF or custom components: the whole graph runs on pySHACL")
            return plan
        parts: list[Part] = []  # left to pySHACL
        for shape in self.top_shapes():
            if self.deactivated(shape):
                continue
            try:
                focus = self.focus_of(shape)
            except NotCompiled as e:
                parts.append((shape, (), None))
                plan.reasons.append(f"{shape.n3()}: {e}")
                continue
            if focus is None:  # no target: nothing to validate
                continue
            for (chain, predicates), result in self.shape_parts(shape, focus, ()):
                if isinstance(result, NotCompiled):
                    parts.append((shape, chain, predicates))
                    where = " ".join(p.n3() for p in (*chain, *(predicates or ())))
                    plan.reasons.append(f"{shape.n3()} {where}: {result}")
                else:
                    plan.checks += result
        plan.lexical = {self.ok_tokens[d]: (d, p) for d, p in self.ok_preds.items()}
        if parts:
            plan.fallback, plan.alias = self.fallback_graph(parts)
        return plan

    def top_shapes(self) -> list[Node]:
        shapes = {s for p in TARGETS for s in self.g.subjects(p, None)}
        shapes |= {
            s
            for kind in (SH.NodeShape, SH.PropertyShape)
            for s in self.g.subjects(RDF.type, kind)
            if self.implicit_class(s)
        }
        return sorted(shapes, key=str)

    def fallback_graph(self, parts: list[Part]) -> tuple[rdflib.Graph, dict[Node, Node]]:
        """The shapes graph without targets, plus a targeted stand-in shape for each part left to pySHACL.

        A stand-in has the top shape's targets, a chain of stand-in property shapes with the same
        paths down to the shape the part belongs to, and there the part's parameters only.
        """
        graph = rdflib.Graph()
        for triple in self.g:
            if triple[1] not in TARGETS:
                graph.add(triple)
        for shape in {s for s in self.top_shapes() if self.implicit_class(s)}:
            for t in list(graph.objects(shape, RDF.type)):  # no implicit targets either
                if t not in (SH.NodeShape, SH.PropertyShape):
                    graph.remove((shape, RDF.type, t))
        alias: dict[Node, Node] = {}
        names = (URIRef(f"urn:szsemi:shacl-fallback:{n}") for n in itertools.count())

        def copy(original: Node, into: Node, predicates: Iterable[URIRef]) -> None:
            for p in predicates:
                for o in self.objs(original, p):
                    graph.add((into, p, o))

        for shape, chain, predicates in parts:
            top = shape
            if chain or predicates is not None:
                top = next(names)
                alias[top] = shape
                copy(shape, top, (SH.path, SH.severity, SH.message))
            copy(shape, top, TARGETS)
            if self.implicit_class(shape):
                graph.add((top, SH.targetClass, shape))
            holder, original = top, shape
            for i, p_shape in enumerate(chain):
                if i == len(chain) - 1 and predicates is None:
                    graph.add((holder, SH.property, p_shape))  # the whole property shape
                    break
                stand_in = next(names)
                alias[stand_in] = p_shape
                graph.add((holder, SH.property, stand_in))
                copy(p_shape, stand_in, (SH.path, SH.severity, SH.message))
                holder, original = stand_in, p_shape
            if predicates is not None:
                copy(original, holder, predicates)
                if SH.closed in predicates:  # sh:closed reads the shape's property paths
                    copy(original, holder, (SH.property,))
        return graph, alias

    # ---- top-level checks: one per constraint component of a shape, over all its focus nodes

    def shape_parts(
        self, shape: Node, focus: Focus, stack: Stack, chain: Chain = ()
    ) -> list[tuple[Where, list[Check] | NotCompiled]]:
        """((chain, parameters), checks or NotCompiled) for each component of ``shape`` and, through
        its sh:property shapes (``chain``), of the shapes under it."""
        out: list[tuple[Where, list[Check] | NotCompiled]] = []
        for predicates, build in self.components(shape):
            try:
                out.append(((chain, predicates), build(shape, focus, stack)))
            except NotCompiledWhole as e:
                return [((chain, None), e)]
            except NotCompiled as e:
                out.append(((chain, predicates), e))
        for p_shape in sorted(self.objs(shape, SH.property), key=str):
            if self.deactivated(p_shape):
                continue
            if p_shape in stack + (shape,) or len(stack) > 20:
                out.append(((chain + (p_shape,), None), NotCompiled("recursive shapes")))
                continue
            try:
                sub_focus = self.value_focus(shape, focus) if self.is_property_shape(shape) else focus
            except NotCompiled as e:
                out.append(((chain + (p_shape,), None), e))
                continue
            out += self.shape_parts(p_shape, sub_focus, stack + (shape,), chain + (p_shape,))
        return out

    def components(self, shape: Node) -> list[tuple[tuple[URIRef, ...], Builder]]:
        """(parameters, builder) for each constraint component ``shape`` uses."""
        groups: list[tuple[tuple[URIRef, ...], Builder]] = []
        done: set[URIRef] = set()
        joint = {
            SH.closed: (SH.closed, SH.ignoredProperties),
            SH.ignoredProperties: (SH.closed, SH.ignoredProperties),
            **{
                p: (SH.qualifiedValueShape, SH.qualifiedMinCount, SH.qualifiedMaxCount, SH.qualifiedValueShapesDisjoint)
                for p in (
                    SH.qualifiedValueShape,
                    SH.qualifiedMinCount,
                    SH.qualifiedMaxCount,
                    SH.qualifiedValueShapesDisjoint,
                )
            },
        }
        builders: dict[URIRef, Builder] = {
            SH.closed: self.closed_checks,
            SH.qualifiedValueShape: self.qualified_checks,
            SH.sparql: self.sparql_checks,
        }
        for p in self.parameters(shape):
            if p in done or p == SH.property:
                continue
            predicates = joint.get(p, (p,))
            done.update(predicates)
            groups.append((predicates, builders.get(predicates[0]) or self.value_builder(p)))
        return groups

    def value_builder(self, p: URIRef) -> Builder:
        """The builder of the component of parameter ``p`` (a condition on each value node, a count...)."""

        def build(shape: Node, focus: Focus, stack: Stack) -> list[Check]:
            return self.value_checks(shape, focus, p, stack)

        return build
