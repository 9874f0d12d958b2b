"""Reading a SHACL shapes graph for the compiler: shapes, parameters, paths as SPARQL, focus nodes.

The base of the compiler (:mod:`szsemi.validate.shacl_compile`): what a shape says, its SHACL path as a
SPARQL property path, and the group of patterns that binds a variable to each of its focus nodes.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeAlias

import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD, DefinedNamespace
from rdflib.namespace import SH as _SH
from rdflib.term import Node

from szsemi.validate.shacl_values import Keep, NotCompiled, canonical, sparql_term


class _Terms:
    """A namespace whose terms are made once each. rdflib makes (and checks) a new URIRef at every
    ``SH.x``; compiling the shipped shapes asks for some 15k of them, a sixth of its time."""

    def __init__(self, namespace: type[DefinedNamespace]) -> None:
        self._namespace = namespace
        self._terms: dict[str, URIRef] = {}

    def __getattr__(self, name: str) -> URIRef:  # only for a name not yet asked for: then it is an attribute
        if name.startswith("_"):
            raise AttributeError(name)
        term = self[name]
        setattr(self, name, term)
        return term

    def __getitem__(self, name: str) -> URIRef:
        term = self._terms.get(name)
        if term is None:  # rdflib's own: an AttributeError for a name the namespace does not define
            term = self._terms[name] = self._namespace[name]
        return term


SH = _Terms(_SH)  # the compiler's sh: terms (shacl_conditions, shacl_checks, shacl_compile take them from here)

# the predicates whose objects a variable's nodes can be, for the sh:datatype pre-pass (None: any)
Sources: TypeAlias = frozenset[URIRef] | None
Stack: TypeAlias = tuple[Node, ...]  # the shapes being compiled around a nested one, to stop recursion

TYPE_OF = f"<{RDF.type}>/<{RDFS.subClassOf}>*"
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
# Every predicate that makes pySHACL evaluate a constraint component (SHACL Core and sh:sparql).
PARAMETERS = {
    SH[n]
    for n in (
        "class",
        "datatype",
        "nodeKind",
        "minCount",
        "maxCount",
        "minExclusive",
        "minInclusive",
        "maxExclusive",
        "maxInclusive",
        "not",
        "and",
        "or",
        "xone",
        "minLength",
        "maxLength",
        "pattern",
        "languageIn",
        "uniqueLang",
        "equals",
        "disjoint",
        "lessThan",
        "lessThanOrEquals",
        "node",
        "property",
        "qualifiedValueShape",
        "qualifiedMinCount",
        "qualifiedMaxCount",
        "qualifiedValueShapesDisjoint",
        "closed",
        "ignoredProperties",
        "hasValue",
        "in",
        "sparql",
    )
}
# Features that make the whole shapes graph a job for pySHACL (SHACL-AF, custom components).
WHOLE = (SH.rule, SH.target, SH.expression, SH.ConstraintComponent, SH.parameter, SH.js, SH.jsFunctionName)
RANGES = {
    SH.minInclusive: (">=", SH.MinInclusiveConstraintComponent),
    SH.minExclusive: (">", SH.MinExclusiveConstraintComponent),
    SH.maxInclusive: ("<=", SH.MaxInclusiveConstraintComponent),
    SH.maxExclusive: ("<", SH.MaxExclusiveConstraintComponent),
}
MAX_NESTED_COUNT = 4  # nested cardinalities are written as that many distinct variables


class NotCompiledWhole(NotCompiled):
    """As NotCompiled, for a component that reads its shape's neighbours: pySHACL takes the whole shape."""


@dataclass(frozen=True)
class Check:
    """One constraint of one shape, as one SELECT over all its focus nodes."""

    shape: Node  # the sh:sourceShape of its results
    component: URIRef
    query: str  # binds ?this, and ?value / ?path where the results have them
    severity: Node  # sh:Violation, sh:Warning, sh:Info or a custom severity
    path: Node | None  # the shape's sh:path (the result path unless ?path is bound)
    message: Literal | None  # the shape's (or SPARQL constraint's) sh:message, English first
    keep: Keep | None = None
    sparql: bool = False  # a SPARQL-based constraint: its message takes {?var} from the row
    hint: Callable[[], str] = lambda: "constraint not met"  # the message when the shape has no sh:message


@dataclass(frozen=True)
class Focus:
    """A group binding a given variable to each focus node (maybe more than once); ``sources``:
    predicates whose objects the focus nodes can be (None: any), for the literal pre-pass.

    SHACL counts results as a multiset: a nested property shape validates a node once for every
    chain of focus and value nodes that reaches it (W3C core/property/property-001). ``depth`` such
    nodes are bound beside the focus variable ``v`` (:meth:`keys`), and a check keeps its rows
    distinct on them too, so that a node reached twice is validated twice, a node reached twice
    along the same chain once.
    """

    make: Callable[[str], str]
    sources: Sources
    depth: int = 0

    def __call__(self, v: str) -> str:
        return self.make(v)

    def keys(self, v: str) -> list[str]:
        """The variables that tell apart the chains reaching the focus node in ``v``."""
        return [f"{v}_via{i}" for i in range(self.depth)]

    def distinct(self, v: str) -> str:
        """``v`` and its :meth:`keys`, for a projection or GROUP BY."""
        return " ".join([v, *self.keys(v)])


class ShapesReader:
    """What the shapes graph says, read through an index (rdflib's store is slow to ask 10k times)."""

    def __init__(self, shapes: rdflib.Graph) -> None:
        self.g = shapes
        # subject -> predicate -> objects: rdflib's store is slow to ask 10k times
        self.index: dict[Node, dict[Node, list[Node]]] = {}
        for s, p, o in shapes:
            self.index.setdefault(s, {}).setdefault(p, []).append(o)
        self.counter = itertools.count(1)
        # sh:datatype -> the token its pre-pass fills, and the predicates whose objects it scans
        # (None: every predicate)
        self.ok_tokens: dict[URIRef, str] = {}
        self.ok_preds: dict[URIRef, Sources] = {}
        self.classes: set[Node] | None = None

    # ---- reading the shapes graph

    def var(self) -> str:
        return f"?_{next(self.counter)}"

    def objs(self, node: Node | None, predicate: Node) -> list[Node]:
        return self.index.get(node, {}).get(predicate, []) if node is not None else []

    def one(self, node: Node | None, predicate: URIRef) -> Node | None:
        values = list(self.objs(node, predicate))
        if len(values) > 1:
            raise NotCompiled(f"{predicate.n3()} has {len(values)} values")
        return values[0] if values else None

    def items(self, node: Node | None) -> list[Node]:
        found: list[Node] = []
        seen: set[Node] = set()
        while node is not None and node != RDF.nil and node not in seen:
            seen.add(node)
            found += self.objs(node, RDF.first)[:1]
            node = next(iter(self.objs(node, RDF.rest)), None)
        return found

    def is_property_shape(self, shape: Node) -> bool:
        return self.one(shape, SH.path) is not None

    def deactivated(self, shape: Node) -> bool:
        return any(isinstance(flag, Literal) and bool(flag.value) for flag in self.objs(shape, SH.deactivated))

    def severity(self, shape: Node) -> Node:
        return next(iter(self.objs(shape, SH.severity)), SH.Violation)

    def message(self, node: Node) -> Literal | None:
        """The sh:message, English first, with its language tag."""
        messages = [m for m in self.objs(node, SH.message) if isinstance(m, Literal)]
        english = [m for m in messages if m.language in (None, "en")]
        return (english or messages)[0] if messages else None

    def parameters(self, shape: Node) -> list[URIRef]:
        return sorted({p for p in self.index.get(shape, {}) if isinstance(p, URIRef) and p in PARAMETERS}, key=str)

    def implicit_class(self, shape: Node) -> bool:
        if self.classes is None:
            self.classes = {RDFS.Class, *self.g.subjects(RDFS.subClassOf, RDFS.Class)}
        return any(t in self.classes for t in self.objs(shape, RDF.type))

    def count(self, shape: Node, p: URIRef) -> int:
        value = self.one(shape, p)
        if not (isinstance(value, Literal) and value.datatype == XSD.integer and isinstance(value.value, int)):
            raise NotCompiled(f"{p.n3()} is not an xsd:integer")
        return value.value

    def constant(self, value: Node) -> str:
        """A constant compared with data terms, in SPARQL (a plain literal is an xsd:string, as in RDF 1.1)."""
        if not canonical(value):
            raise NotCompiled(f"{value.n3()} is a blank node or not stored as written by Oxigraph")
        return sparql_term(value)

    # ---- paths

    def path(self, path: Node | None) -> str:
        """A SHACL path as a SPARQL property path."""
        if isinstance(path, URIRef):
            return sparql_term(path)
        if not isinstance(path, BNode):
            raise NotCompiled("a path that is not an IRI or a blank node")
        if self.objs(path, RDF.first):
            return "(" + "/".join(self.path(p) for p in self.items(path)) + ")"
        for predicate, template in (
            (SH.inversePath, "^({})"),
            (SH.zeroOrMorePath, "({})*"),
            (SH.oneOrMorePath, "({})+"),
            (SH.zeroOrOnePath, "({})?"),
        ):
            inner = self.one(path, predicate)
            if inner is not None:
                return "(" + template.format(self.path(inner)) + ")"
        alternatives = self.one(path, SH.alternativePath)
        if alternatives is not None:
            return "(" + "|".join(self.path(p) for p in self.items(alternatives)) + ")"
        raise NotCompiled("an unknown path form")

    def path_of(self, shape: Node) -> str:
        return self.path(self.one(shape, SH.path))

    def sources_after(self, path: Node | None, start: Sources) -> Sources:
        """The predicates whose objects the path's values can be (None: any); ``start`` for a zero step."""
        if isinstance(path, URIRef):
            return frozenset({path})
        if self.objs(path, RDF.first):
            current = start
            for step in self.items(path):
                current = self.sources_after(step, current)
            return current
        if self.one(path, SH.inversePath) is not None:
            return frozenset()  # the values are subjects, never literals
        alternatives = self.one(path, SH.alternativePath)
        if alternatives is not None:
            found: Sources = frozenset()
            for step in self.items(alternatives):
                more = self.sources_after(step, start)
                found = None if found is None or more is None else found | more
            return found
        inner = (
            self.one(path, SH.zeroOrMorePath) or self.one(path, SH.oneOrMorePath) or self.one(path, SH.zeroOrOnePath)
        )
        steps = self.sources_after(inner, None)
        return None if steps is None or start is None else steps | start

    # ---- focus nodes

    def focus_of(self, shape: Node) -> Focus | None:
        """The shape's own targets as a focus, or None when it has none."""
        classes = [sparql_term(c) for c in self.objs(shape, SH.targetClass)]
        if self.implicit_class(shape):
            classes.append(sparql_term(shape))
        nodes: list[str] = []
        subjects_of: list[URIRef] = []
        objects_of: list[URIRef] = []
        for node in self.objs(shape, SH.targetNode):
            if not isinstance(node, URIRef):
                raise NotCompiled("a target node that is not an IRI (pySHACL reports it as the shapes graph has it)")
            nodes.append(sparql_term(node))
        for predicate, found in ((SH.targetSubjectsOf, subjects_of), (SH.targetObjectsOf, objects_of)):
            for p in self.objs(shape, predicate):
                if not isinstance(p, URIRef):
                    raise NotCompiled(f"{predicate.n3()} takes an IRI")
                found.append(p)

        def branches(v: str) -> list[str]:
            # many classes as one path to a VALUES list: Oxigraph parses and plans one branch, not one
            # per class (a shape targeting 22 classes cost each of its checks four times as much)
            if len(classes) > 1:
                c = self.var()
                instance = [f"VALUES {c} {{ {' '.join(classes)} }} {v} {TYPE_OF} {c} ."]
            else:
                instance = [f"{v} {TYPE_OF} {c} ." for c in classes]
            return [
                *instance,
                *(f"VALUES {v} {{ {n} }}" for n in nodes),
                *(f"{v} {sparql_term(p)} {self.var()} ." for p in subjects_of),
                *(f"{self.var()} {sparql_term(p)} {v} ." for p in objects_of),
            ]

        if not (classes or nodes or subjects_of or objects_of):
            return None
        # A subquery, so that Oxigraph plans the checks' joins around it, but no DISTINCT (it tripled
        # the cost of a focus of 70k nodes): a node reached twice yields the same rows twice, which
        # every check absorbs (DISTINCT rows, COUNT(DISTINCT ...), DISTINCT focus nodes before a
        # SPARQL constraint, whose own solutions all count).
        return Focus(
            lambda v: "{ SELECT " + v + " WHERE { " + " UNION ".join("{ " + b + " }" for b in branches(v)) + " } }",
            frozenset(objects_of),
        )

    def value_focus(self, shape: Node, focus: Focus, condition: Callable[[str], str] | None = None) -> Focus:
        """The value nodes of ``shape`` at ``focus`` (those meeting ``condition``) as a new focus."""
        prop = self.is_property_shape(shape)
        path = self.path_of(shape) if prop else None

        def make(v: str) -> str:
            f, x = self.var(), self.var()
            test = f"FILTER ({condition(x)})" if condition else ""
            step = f"LATERAL {{ {f} {path} {x} . {test} }}" if prop else f"BIND ({f} AS {x}) {test}"
            # the chain so far, then the focus node the value is reached from, as this focus's keys
            chain = [*focus.keys(f), f] if prop else focus.keys(f)
            keys = " ".join(f"({k} AS {n})" for k, n in zip(chain, inner.keys(v), strict=True))
            return f"{{ SELECT DISTINCT ({x} AS {v}) {keys} WHERE {{ {focus(f)} {step} }} }}"

        sources = self.sources_after(self.one(shape, SH.path), focus.sources) if prop else focus.sources
        inner = Focus(make, sources, focus.depth + 1 if prop else focus.depth)
        return inner


def chain(patterns: list[str], tail: str = "") -> str:
    """Triple patterns joined from the first, each later one inside LATERAL.

    Oxigraph plans a group without knowing which variables the enclosing EXISTS or LATERAL binds,
    and may join a later pattern on its own (all statements with that predicate, or all statements)
    for every input row; nesting them in LATERAL makes each start from the values already bound.
    """
    text = f"{patterns[-1]} . {tail}"
    for pattern in reversed(patterns[:-1]):
        text = f"{pattern} . LATERAL {{ {text} }}"
    return text
