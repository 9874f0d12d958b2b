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
whole graph to pySHACL.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pyoxigraph as ox
import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD

from szsemi.validate.shacl_sparql import declared_prefixes, project_this, refuse_forbidden, split_prologue
from szsemi.validate.shacl_values import (NotCompiled, canonical, canonical_form, pattern_keep, range_keep,
                                 rdflib_converts, regex_prefilter, sparql_term, to_rdflib)

TYPE_OF = f"<{RDF.type}>/<{RDFS.subClassOf}>*"
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)
# Every predicate that makes pySHACL evaluate a constraint component (SHACL Core and sh:sparql).
PARAMETERS = {SH[n] for n in (
    "class", "datatype", "nodeKind", "minCount", "maxCount", "minExclusive", "minInclusive", "maxExclusive",
    "maxInclusive", "not", "and", "or", "xone", "minLength", "maxLength", "pattern", "languageIn",
    "uniqueLang", "equals", "disjoint", "lessThan", "lessThanOrEquals", "node", "property",
    "qualifiedValueShape", "qualifiedMinCount", "qualifiedMaxCount", "qualifiedValueShapesDisjoint",
    "closed", "ignoredProperties", "hasValue", "in", "sparql")}
# Features that make the whole shapes graph a job for pySHACL (SHACL-AF, custom components).
WHOLE = (SH.rule, SH.target, SH.expression, SH.ConstraintComponent, SH.parameter, SH.js, SH.jsFunctionName)
RANGES = {SH.minInclusive: (">=", SH.MinInclusiveConstraintComponent),
          SH.minExclusive: (">", SH.MinExclusiveConstraintComponent),
          SH.maxInclusive: ("<=", SH.MaxInclusiveConstraintComponent),
          SH.maxExclusive: ("<", SH.MaxExclusiveConstraintComponent)}
MAX_NESTED_COUNT = 4  # nested cardinalities are written as that many distinct variables


class NotCompiledWhole(NotCompiled):
    """As NotCompiled, for a component that reads its shape's neighbours: pySHACL takes the whole shape."""


@dataclass(frozen=True)
class Check:
    """One constraint of one shape, as one SELECT over all its focus nodes."""

    shape: rdflib.term.Node  # the sh:sourceShape of its results
    component: URIRef
    query: str  # binds ?this, and ?value / ?path where the results have them
    severity: URIRef
    path: rdflib.term.Node | None  # the shape's sh:path (the result path unless ?path is bound)
    message: Literal | None  # the shape's (or SPARQL constraint's) sh:message, English first
    keep: Callable[[ox.Literal | ox.NamedNode | ox.BlankNode], bool] | None = None
    sparql: bool = False  # a SPARQL-based constraint: its message takes {?var} from the row
    hint: Callable[[], str] = lambda: "constraint not met"  # the message when the shape has no sh:message


@dataclass
class Plan:
    """The compiled checks, and what pySHACL still has to do."""

    checks: list[Check] = field(default_factory=list)
    # token -> (datatype, predicates): the literals of that datatype, objects of those predicates (None:
    # of any), that Oxigraph does not hold in canonical form; those rdflib accepts fill the token
    lexical: dict[str, tuple[URIRef, frozenset | None]] = field(default_factory=dict)
    fallback: rdflib.Graph | None = None  # shapes for pySHACL, or None when everything compiled
    alias: dict = field(default_factory=dict)  # stand-in shape in ``fallback`` -> the real shape
    reasons: list[str] = field(default_factory=list)  # why each fallback part was not compiled


def compile_shapes(shapes: rdflib.Graph) -> Plan:
    """Compile ``shapes``; whatever cannot be compiled exactly is left to pySHACL in ``Plan.fallback``.

    ``InputError`` when a SHACL-SPARQL query uses a construct the standard forbids.
    """
    refuse_forbidden(shapes)
    return _Compiler(shapes).plan()


# --------------------------------------------------------------------------- the compiler


@dataclass(frozen=True)
class Focus:
    """A group binding a given variable to each focus node (maybe more than once); ``sources``:
    predicates whose objects the focus nodes can be (None: any), for the literal pre-pass."""

    make: Callable[[str], str]
    sources: frozenset | None

    def __call__(self, v: str) -> str:
        return self.make(v)


class _Compiler:
    def __init__(self, shapes: rdflib.Graph):
        self.g = shapes
        self.index: dict = {}  # subject -> predicate -> objects: rdflib's store is slow to ask 10k times
        for s, p, o in shapes:
            self.index.setdefault(s, {}).setdefault(p, []).append(o)
        self.counter = itertools.count(1)
        self.ok_tokens: dict[URIRef, str] = {}
        self.ok_preds: dict[URIRef, set | None] = {}
        self.classes: set | None = None

    # ---- reading the shapes graph

    def var(self) -> str:
        return f"?_{next(self.counter)}"

    def objs(self, node, predicate) -> list:
        return self.index.get(node, {}).get(predicate, [])

    def one(self, node, predicate):
        values = list(self.objs(node, predicate))
        if len(values) > 1:
            raise NotCompiled(f"{predicate.n3()} has {len(values)} values")
        return values[0] if values else None

    def items(self, node) -> list:
        found, seen = [], set()
        while node is not None and node != RDF.nil and node not in seen:
            seen.add(node)
            found += self.objs(node, RDF.first)[:1]
            node = next(iter(self.objs(node, RDF.rest)), None)
        return found

    def is_property_shape(self, shape) -> bool:
        return self.one(shape, SH.path) is not None

    def deactivated(self, shape) -> bool:
        return any(isinstance(flag, Literal) and bool(flag.value) for flag in self.objs(shape, SH.deactivated))

    def severity(self, shape) -> URIRef:
        return next(iter(self.objs(shape, SH.severity)), SH.Violation)

    def message(self, node) -> Literal | None:
        """The sh:message, English first, with its language tag."""
        messages = [m for m in self.objs(node, SH.message) if isinstance(m, Literal)]
        english = [m for m in messages if m.language in (None, "en")]
        return (english or messages)[0] if messages else None

    def parameters(self, shape) -> list:
        return sorted({p for p in self.index.get(shape, {}) if p in PARAMETERS}, key=str)

    def implicit_class(self, shape) -> bool:
        if self.classes is None:
            self.classes = {RDFS.Class, *self.g.subjects(RDFS.subClassOf, RDFS.Class)}
        return any(t in self.classes for t in self.objs(shape, RDF.type))

    def count(self, shape, p) -> int:
        value = self.one(shape, p)
        if not (isinstance(value, Literal) and value.datatype == XSD.integer and isinstance(value.value, int)):
            raise NotCompiled(f"{p.n3()} is not an xsd:integer")
        return value.value

    def constant(self, value) -> str | None:
        """A constant compared with data terms, in SPARQL (a plain literal is an xsd:string, as in RDF 1.1)."""
        if not canonical(value):
            raise NotCompiled(f"{value.n3()} is a blank node or not stored as written by Oxigraph")
        return sparql_term(value)

    # ---- paths

    def path(self, path) -> str:
        """A SHACL path as a SPARQL property path."""
        if isinstance(path, URIRef):
            return sparql_term(path)
        if not isinstance(path, BNode):
            raise NotCompiled("a path that is not an IRI or a blank node")
        if self.objs(path, RDF.first):
            return "(" + "/".join(self.path(p) for p in self.items(path)) + ")"
        for predicate, template in ((SH.inversePath, "^({})"), (SH.zeroOrMorePath, "({})*"),
                                    (SH.oneOrMorePath, "({})+"), (SH.zeroOrOnePath, "({})?")):
            inner = self.one(path, predicate)
            if inner is not None:
                return "(" + template.format(self.path(inner)) + ")"
        alternatives = self.one(path, SH.alternativePath)
        if alternatives is not None:
            return "(" + "|".join(self.path(p) for p in self.items(alternatives)) + ")"
        raise NotCompiled("an unknown path form")

    def path_of(self, shape) -> str:
        return self.path(self.one(shape, SH.path))

    def sources_after(self, path, start: frozenset | None) -> frozenset | None:
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
            found: frozenset | None = frozenset()
            for step in self.items(alternatives):
                more = self.sources_after(step, start)
                found = None if found is None or more is None else found | more
            return found
        inner = (self.one(path, SH.zeroOrMorePath) or self.one(path, SH.oneOrMorePath)
                 or self.one(path, SH.zeroOrOnePath))
        steps = self.sources_after(inner, None)
        return None if steps is None or start is None else steps | start

    # ---- focus nodes

    def focus_of(self, shape) -> Focus | None:
        """The shape's own targets as a focus, or None when it has none."""
        branches, sources = [], set()
        for cls in self.objs(shape, SH.targetClass):
            branches.append(lambda v, c=sparql_term(cls): f"{v} {TYPE_OF} {c} .")
        if self.implicit_class(shape):
            branches.append(lambda v, c=sparql_term(shape): f"{v} {TYPE_OF} {c} .")
        for node in self.objs(shape, SH.targetNode):
            if not isinstance(node, URIRef):
                raise NotCompiled("a target node that is not an IRI (pySHACL reports it as the shapes graph has it)")
            branches.append(lambda v, n=sparql_term(node): f"VALUES {v} {{ {n} }}")
        for p in self.objs(shape, SH.targetSubjectsOf):
            branches.append(lambda v, p=sparql_term(p): f"{v} {p} {self.var()} .")
        for p in self.objs(shape, SH.targetObjectsOf):
            branches.append(lambda v, p=sparql_term(p): f"{self.var()} {p} {v} .")
            sources.add(p)
        if not branches:
            return None
        # A subquery, so that Oxigraph plans the checks' joins around it, but no DISTINCT (it tripled
        # the cost of a focus of 70k nodes): a node reached twice yields the same rows twice, which
        # every check absorbs (DISTINCT rows, COUNT(DISTINCT ...), a set of findings).
        return Focus(lambda v: ("{ SELECT " + v + " WHERE { "
                                + " UNION ".join("{ " + make(v) + " }" for make in branches) + " } }"),
                     frozenset(sources))

    def value_focus(self, shape, focus: Focus, condition: Callable[[str], str] | None = None) -> Focus:
        """The value nodes of ``shape`` at ``focus`` (those meeting ``condition``) as a new focus."""
        prop = self.is_property_shape(shape)
        path = self.path_of(shape) if prop else None

        def make(v):
            f, x = self.var(), self.var()
            test = f"FILTER ({condition(x)})" if condition else ""
            step = f"LATERAL {{ {f} {path} {x} . {test} }}" if prop else f"BIND ({f} AS {x}) {test}"
            return f"{{ SELECT DISTINCT ({x} AS {v}) WHERE {{ {focus(f)} {step} }} }}"

        sources = self.sources_after(self.one(shape, SH.path), focus.sources) if prop else focus.sources
        return Focus(make, sources)

    # ---- the plan

    def plan(self) -> Plan:
        plan = Plan()
        if any((None, p, None) in self.g for p in WHOLE) or (None, RDF.type, SH.ConstraintComponent) in self.g:
            plan.fallback = self.g
            plan.reasons.append("SHACL-AF or custom components: the whole graph runs on pySHACL")
            return plan
        # (top shape, chain of sh:property shapes under it, component parameters) left to pySHACL;
        # parameters None: the whole shape at the end of the chain
        parts: list[tuple] = []
        for shape in self.top_shapes():
            if self.deactivated(shape):
                continue
            try:
                focus = self.focus_of(shape)
            except NotCompiled as e:
                parts.append((shape, (), None))
                plan.reasons.append(f"{shape.n3()}: {e}")
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

    def top_shapes(self) -> list:
        shapes = {s for p in TARGETS for s in self.g.subjects(p, None)}
        shapes |= {s for kind in (SH.NodeShape, SH.PropertyShape) for s in self.g.subjects(RDF.type, kind)
                   if self.implicit_class(s)}
        return sorted(shapes, key=str)

    def fallback_graph(self, parts) -> tuple[rdflib.Graph, dict]:
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
        alias = {}
        names = (URIRef(f"urn:szsemi:shacl-fallback:{n}") for n in itertools.count())

        def copy(original, into, predicates):
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

    def shape_parts(self, shape, focus: Focus, stack: tuple, chain: tuple = ()):
        """((chain, parameters), checks or NotCompiled) for each component of ``shape`` and, through
        its sh:property shapes (``chain``), of the shapes under it."""
        out = []
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

    def components(self, shape) -> list:
        """(parameters, builder) for each constraint component ``shape`` uses."""
        groups, done = [], set()
        joint = {SH.closed: (SH.closed, SH.ignoredProperties),
                 SH.ignoredProperties: (SH.closed, SH.ignoredProperties),
                 **{p: (SH.qualifiedValueShape, SH.qualifiedMinCount, SH.qualifiedMaxCount,
                        SH.qualifiedValueShapesDisjoint)
                    for p in (SH.qualifiedValueShape, SH.qualifiedMinCount, SH.qualifiedMaxCount,
                              SH.qualifiedValueShapesDisjoint)}}
        builders = {SH.closed: self.closed_checks, SH.qualifiedValueShape: self.qualified_checks,
                    SH.sparql: self.sparql_checks}
        for p in self.parameters(shape):
            if p in done or p == SH.property:
                continue
            predicates = joint.get(p, (p,))
            done.update(predicates)
            build = builders.get(predicates[0])
            groups.append((predicates, build or (lambda s, f, st, p=p: self.value_checks(s, f, p, st))))
        return groups

    def check(self, shape, component, query, **kw) -> Check:
        return Check(shape=shape, component=component, query=query, severity=self.severity(shape),
                     path=self.one(shape, SH.path), message=kw.pop("message", self.message(shape)),
                     hint=lambda: hint(self.g, shape, component), **kw)

    def values(self, shape, focus: Focus, tail: str = "", value: str = "?value") -> str:
        """``focus`` binding ?this, each value node of ``shape`` there as ``value``, then ``tail``.

        A plain predicate with a plain filter is one hash join (every statement of the predicate,
        filtered, then joined with the focus nodes); anything else is followed from each focus node
        inside LATERAL, since Oxigraph would otherwise evaluate it on its own for the join.
        """
        if not self.is_property_shape(shape):
            return f"{focus('?this')} BIND (?this AS {value}) {tail}"
        pattern = f"?this {self.path_of(shape)} {value} . {tail}"
        if self.direct(shape) and not re.search(r"EXISTS|LATERAL", tail):
            return f"{focus('?this')} {{ {pattern} }}"
        return f"{focus('?this')} LATERAL {{ {pattern} }}"

    def direct(self, shape) -> bool:
        """The shape's path is one predicate, or its inverse."""
        path = self.one(shape, SH.path)
        return isinstance(path, URIRef) or (isinstance(path, BNode)
                                            and isinstance(self.one(path, SH.inversePath), URIRef))

    def per_focus(self, focus: Focus, pattern: str) -> str:
        """``pattern`` evaluated once for each focus node ?this."""
        return f"{focus('?this')} LATERAL {{ {pattern} }}"

    def value_sources(self, shape, focus: Focus) -> frozenset | None:
        if self.is_property_shape(shape):
            return self.sources_after(self.one(shape, SH.path), focus.sources)
        return focus.sources

    def value_checks(self, shape, focus: Focus, p, stack) -> list[Check]:
        prop = self.is_property_shape(shape)
        path = self.path_of(shape) if prop else None
        if p in (SH.minCount, SH.maxCount):
            if not prop:
                raise NotCompiled(f"{p.n3()} on a node shape")
            n = self.count(shape, p)
            if p == SH.minCount:
                if n == 0:
                    return []
                if n == 1:
                    absent = "MINUS" if self.direct(shape) else "FILTER NOT EXISTS"
                    q = f"SELECT DISTINCT ?this WHERE {{ {focus('?this')} {absent} {{ ?this {path} ?v }} }}"
                else:
                    q = (f"SELECT ?this WHERE {{ {self.per_focus(focus, f'OPTIONAL {{ ?this {path} ?v }}')} }} "
                         f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {n})")
                return [self.check(shape, SH.MinCountConstraintComponent, q)]
            q = (f"SELECT ?this WHERE {{ {self.values(shape, focus, value='?v')} }} "
                 f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {n})")
            return [self.check(shape, SH.MaxCountConstraintComponent, q)]
        if p == SH.hasValue:
            checks = []
            for value in self.objs(shape, SH.hasValue):
                term = self.constant(value)
                missing = ("" if term is None else f"FILTER NOT EXISTS {{ ?this {path} {term} }}" if prop
                           else f"FILTER (!sameTerm(?this, {term}))")
                checks.append(self.check(shape, SH.HasValueConstraintComponent,
                                         f"SELECT DISTINCT ?this WHERE {{ {focus('?this')} {missing} }}"))
            return checks
        if p == SH.uniqueLang:
            if not self.unique_lang(shape) or not prop:
                return []
            pairs = chain([f"?this {path} ?a", f"?this {path} ?b"],
                          'FILTER (!sameTerm(?a, ?b) && LANG(?a) != "" && LCASE(LANG(?a)) = LCASE(LANG(?b))) '
                          'BIND (LCASE(LANG(?a)) AS ?lang)')
            # one result per language used more than once, as the standard counts them
            q = f"SELECT DISTINCT ?this ?lang WHERE {{ {self.per_focus(focus, pairs)} }}"
            return [self.check(shape, SH.UniqueLangConstraintComponent, q)]

        def select(condition: str | None) -> str:
            test = f"FILTER ({condition})" if condition else ""
            return f"SELECT DISTINCT ?this ?value WHERE {{ {self.values(shape, focus, test)} }}"

        if p == SH.pattern:
            patterns = list(self.objs(shape, SH.pattern))
            if not all(isinstance(x, Literal) for x in patterns):
                raise NotCompiled("sh:pattern is not a literal")
            flags = next(iter(self.objs(shape, SH.flags)), None)
            return [self.check(shape, SH.PatternConstraintComponent, select(regex_prefilter(x, flags)),
                               keep=pattern_keep(x, flags)) for x in patterns]
        if p in RANGES:
            op, component = RANGES[p]
            checks = []
            for bound in self.objs(shape, p):
                if not isinstance(bound, Literal):
                    raise NotCompiled(f"{p.n3()} is not a literal")
                sure = "false"  # the values both engines compare alike; pySHACL decides the others
                exact = (XSD.integer, XSD.decimal)
                if bound.ill_typed is not False:
                    pass
                elif bound.datatype in exact:
                    sure = (f"isNumeric(?value) && datatype(?value) IN (<{exact[0]}>, <{exact[1]}>) "
                            f"&& ?value {op} {sparql_term(bound)}")
                elif bound.datatype in (XSD.double, XSD.float):
                    sure = (f"isNumeric(?value) && datatype(?value) = <{bound.datatype}> "
                            f"&& ?value {op} {sparql_term(bound)}")
                checks.append(self.check(shape, component, select(f"!COALESCE({sure}, false)"),
                                         keep=range_keep(op, bound)))
            return checks
        component = _COMPONENTS.get(p)
        if component is None:
            raise NotCompiled(f"{p.n3()} is not compiled")
        sources = self.value_sources(shape, focus)
        condition = self.value_condition(shape, p, "?value", sources, stack)
        if condition is None:
            return []
        if p == SH["class"] and (self.direct(shape) or not prop):
            # an anti-join with every instance of the class, one check per class as pySHACL reports
            checks = []
            for cls in self.objs(shape, SH["class"]):
                instances = f"MINUS {{ ?value {TYPE_OF} {sparql_term(cls)} }}"
                q = (f"SELECT DISTINCT ?this ?value WHERE {{ {self.values(shape, focus)} {instances} }}" if prop
                     else f"SELECT DISTINCT ?this ?value WHERE {{ {focus('?this')} BIND (?this AS ?value) {instances} }}")
                checks.append(self.check(shape, component, q))
            return checks
        if p == SH["in"]:  # a literal Oxigraph keeps as written may still equal a member for rdflib
            members = {_typed(m) for m in self.items(self.one(shape, SH["in"]))}
            return [self.check(shape, component, select(condition),
                               keep=lambda term: not isinstance(term, ox.Literal) or to_rdflib(term) not in members)]
        return [self.check(shape, component, select(condition))]

    def unique_lang(self, shape) -> bool:
        flag = self.one(shape, SH.uniqueLang)
        if not (isinstance(flag, Literal) and flag.datatype == XSD.boolean):
            raise NotCompiled("sh:uniqueLang is not a boolean")
        return str(flag) == "true"  # the standard names true only: "1"^^xsd:boolean does not activate it

    # ---- conditions on one value node: a SPARQL expression, true when the value node fails

    def value_condition(self, shape, p, v: str, sources, stack) -> str | None:
        """The failure condition of component ``p`` of ``shape`` for the value node in ``v``."""
        if p == SH["class"]:
            return " || ".join(f"NOT EXISTS {{ {v} {TYPE_OF} {sparql_term(c)} }}"
                               for c in self.objs(shape, SH["class"]))
        if p == SH.datatype:
            return f"!({self.datatype_match(self.one(shape, SH.datatype), v, sources)})"
        if p == SH.nodeKind:
            kind = self.one(shape, SH.nodeKind)
            tests = {SH.IRI: f"isIRI({v})", SH.BlankNode: f"isBlank({v})", SH.Literal: f"isLiteral({v})",
                     SH.BlankNodeOrIRI: f"!isLiteral({v})", SH.BlankNodeOrLiteral: f"!isIRI({v})",
                     SH.IRIOrLiteral: f"!isBlank({v})"}
            return f"!({tests[kind]})" if kind in tests else "true"
        if p == SH["in"]:
            members = [t for t in (self.constant(m) for m in self.items(self.one(shape, SH["in"]))) if t]
            return "!(" + (" || ".join(f"sameTerm({v}, {m})" for m in members) or "false") + ")"
        if p == SH.languageIn:
            wanted = set()
            for tag in self.items(self.one(shape, SH.languageIn)):
                if not (isinstance(tag, Literal) and isinstance(tag.value, str)):
                    raise NotCompiled("sh:languageIn takes strings")
                wanted.add(str(tag.value).lower())
            tags = ", ".join(str(ox.Literal(t)) for t in sorted(wanted)) or '""'
            ok = (f'LANG({v}) != "" && (LCASE(LANG({v})) IN ({tags}) '
                  f'|| LCASE(STRBEFORE(CONCAT(LANG({v}), "-"), "-")) IN ({tags}))')
            if "*" in wanted:
                ok = f'LANG({v}) != ""'
            return f"!(isLiteral({v}) && COALESCE({ok}, false))"
        if p in (SH.minLength, SH.maxLength):
            n = self.count(shape, p)
            if p == SH.minLength:
                return None if n == 0 else f"isBlank({v}) || STRLEN(STR({v})) < {n}"
            return f"isBlank({v}) || STRLEN(STR({v})) > {n}"
        if p == SH.node:
            return " || ".join(f"EXISTS {{ {self.nonconf(n, v, sources, stack)} }}"
                               for n in self.objs(shape, SH.node))
        if p == SH["not"]:
            return " || ".join(f"NOT EXISTS {{ {self.nonconf(n, v, sources, stack)} }}"
                               for n in self.objs(shape, SH["not"]))
        if p in (SH["and"], SH["or"], SH.xone):
            conditions = []
            for lst in self.objs(shape, p):
                members = self.items(lst)
                if p != SH.xone:
                    members = list(dict.fromkeys(members))  # pySHACL takes these as a set, sh:xone as a list
                fails = [f"EXISTS {{ {self.nonconf(m, v, sources, stack)} }}" for m in members]
                if p == SH["and"]:
                    conditions.append("(" + (" || ".join(fails) or "false") + ")")
                elif p == SH["or"]:
                    conditions.append("(" + (" && ".join(fails) or "false") + ")")
                else:
                    conditions.append("((" + " + ".join(f"IF({f}, 0, 1)" for f in fails) + ") != 1)")
            return " || ".join(conditions) or None
        raise NotCompiled(f"{p.n3()} is not compiled")

    def datatype_match(self, datatype, v: str, sources) -> str:
        """True when the value node in ``v`` matches ``datatype`` as pySHACL decides."""
        if not isinstance(datatype, URIRef):
            raise NotCompiled("sh:datatype is not an IRI")
        if datatype == RDFS.Literal:
            return f"isLiteral({v})"
        if datatype == RDFS.Datatype:
            raise NotCompiled("sh:datatype rdfs:Datatype")
        if datatype == RDF.langString:
            return f'isLiteral({v}) && LANG({v}) != ""'
        same = f"isLiteral({v}) && datatype({v}) = {sparql_term(datatype)}"
        if datatype == XSD.string or not rdflib_converts(datatype):
            return same
        # rdflib parses this datatype: Oxigraph's canonical forms pass; the others are decided in Python
        sure = canonical_form(datatype, v)
        token = self.ok_tokens.setdefault(datatype, f"__OK_{len(self.ok_tokens)}__")
        known = self.ok_preds.get(datatype, frozenset())
        self.ok_preds[datatype] = None if known is None or sources is None else known | sources
        return f"{same} && (({sure}) || {token}({v}))"

    # ---- nested shapes: a group with a solution exactly when the node in ``x`` fails ``shape``

    def nonconf(self, shape, x: str, sources, stack: tuple) -> str:
        if shape in stack or len(stack) > 20:
            raise NotCompiled("recursive shapes")
        if self.deactivated(shape):
            return "FILTER (false)"
        if self.severity(shape) != SH.Violation:
            raise NotCompiled("a nested shape with a severity other than sh:Violation")
        stack = stack + (shape,)
        prop = self.is_property_shape(shape)
        path = self.path_of(shape) if prop else None
        vsources = self.sources_after(self.one(shape, SH.path), sources) if prop else sources
        groups = []
        for p in self.parameters(shape):
            v = self.var() if prop else x
            vp = f"{x} {path} {v} ." if prop else ""
            if p in (SH.ignoredProperties, SH.qualifiedMinCount, SH.qualifiedMaxCount,
                     SH.qualifiedValueShapesDisjoint, SH.flags):
                continue  # read with sh:closed and sh:qualifiedValueShape
            if p == SH.property:
                for sub in self.objs(shape, SH.property):
                    groups.append(f"{vp} FILTER EXISTS {{ {self.nonconf(sub, v, vsources, stack)} }}")
            elif p in (SH.minCount, SH.maxCount):
                if not prop:
                    raise NotCompiled(f"{p.n3()} on a node shape")
                n = self.count(shape, p)
                if p == SH.minCount and n > 0:
                    groups.append(f"FILTER NOT EXISTS {{ {self.distinct_values(x, path, n)} }}")
                elif p == SH.maxCount:
                    groups.append(self.distinct_values(x, path, n + 1))
            elif p == SH.hasValue:
                for value in self.objs(shape, SH.hasValue):
                    term = self.constant(value)
                    groups.append("" if term is None else f"FILTER NOT EXISTS {{ {x} {path} {term} }}" if prop
                                  else f"FILTER (!sameTerm({x}, {term}))")
            elif p == SH.uniqueLang:
                if self.unique_lang(shape) and prop:
                    a, b = self.var(), self.var()
                    groups.append(chain([f"{x} {path} {a}", f"{x} {path} {b}"],
                                        f'FILTER (!sameTerm({a}, {b}) && LANG({a}) != "" '
                                        f"&& LCASE(LANG({a})) = LCASE(LANG({b})))"))
            elif p == SH.closed:
                flag = self.one(shape, SH.closed)
                if isinstance(flag, Literal) and flag.value is True:
                    extra = self.closed_pattern(shape, v, self.var(), self.var())
                    groups.append(f"{vp} LATERAL {{ {extra} }}" if prop else extra)
            elif p == SH.qualifiedValueShape:
                groups += self.nested_qualified(shape, x, path, vsources, stack)
            elif p in (SH.pattern, SH.sparql) or p in RANGES:
                raise NotCompiled(f"{p.n3()} in a nested shape")
            else:
                condition = self.value_condition(shape, p, v, vsources, stack)
                if condition is not None:
                    groups.append(f"{vp} FILTER ({condition})")
        if not groups:
            return "FILTER (false)"
        return " UNION ".join("{ " + g + " }" for g in groups)

    def distinct_values(self, x: str, path: str, n: int, each: Callable[[str], str] | None = None) -> str:
        """A pattern with a solution when ``x`` has ``n`` distinct values along ``path`` (each meeting ``each``)."""
        if n > MAX_NESTED_COUNT:
            raise NotCompiled("a large cardinality in a nested shape")
        vs = [self.var() for _ in range(n)]
        conditions = [f"!sameTerm({a}, {b})" for a, b in itertools.combinations(vs, 2)]
        conditions += [each(v) for v in vs] if each else []
        return chain([f"{x} {path} {v}" for v in vs], f"FILTER ({' && '.join(conditions)})" if conditions else "")

    def qualified_bounds(self, shape) -> tuple[int | None, int | None]:
        low = self.count(shape, SH.qualifiedMinCount) if self.one(shape, SH.qualifiedMinCount) is not None else None
        high = self.count(shape, SH.qualifiedMaxCount) if self.one(shape, SH.qualifiedMaxCount) is not None else None
        if low is None and high is None:
            raise NotCompiled("sh:qualifiedValueShape without sh:qualifiedMinCount or sh:qualifiedMaxCount")
        disjoint = self.one(shape, SH.qualifiedValueShapesDisjoint)
        if isinstance(disjoint, Literal) and disjoint.value is True:
            raise NotCompiledWhole("sh:qualifiedValueShapesDisjoint is not compiled")
        if self.one(shape, SH.qualifiedValueShape) is None:
            raise NotCompiled("sh:qualifiedMinCount without sh:qualifiedValueShape")
        return low, high

    def nested_qualified(self, shape, x, path, sources, stack) -> list[str]:
        if path is None:
            return []  # pySHACL ignores sh:qualifiedValueShape on a node shape
        low, high = self.qualified_bounds(shape)
        groups = []
        for q in self.objs(shape, SH.qualifiedValueShape):
            def conforms(v, q=q):
                return f"NOT EXISTS {{ {self.nonconf(q, v, sources, stack)} }}"
            if low is not None and low > 0:
                groups.append(f"FILTER NOT EXISTS {{ {self.distinct_values(x, path, low, conforms)} }}")
            if high is not None:
                groups.append(self.distinct_values(x, path, high + 1, conforms))
        return groups

    # ---- components with their own query form

    def closed_pattern(self, shape, v: str, p: str, o: str) -> str:
        """Statements of ``v`` whose predicate is neither a property path of ``shape`` nor ignored."""
        allowed = {self.one(s, SH.path) for s in self.objs(shape, SH.property)}
        for lst in self.objs(shape, SH.ignoredProperties):
            allowed |= set(self.items(lst))
        names = sorted(sparql_term(a) for a in allowed if isinstance(a, URIRef))
        keep = f"FILTER (!({p} IN ({', '.join(names)})))" if names else ""
        return f"{v} {p} {o} . {keep} FILTER (!({p} = <{RDF.type}> && sameTerm({o}, <{RDFS.Resource}>)))"

    def closed_checks(self, shape, focus: Focus, stack) -> list[Check]:
        flag = self.one(shape, SH.closed)
        if flag is None:
            raise NotCompiled("sh:ignoredProperties without sh:closed")
        if not (isinstance(flag, Literal) and flag.value is True):
            return []
        extra = self.closed_pattern(shape, "?node", "?path", "?value")
        if self.is_property_shape(shape):
            q = f"SELECT DISTINCT ?this ?path ?value WHERE {{ {self.values(shape, focus, f'LATERAL {{ {extra} }}', '?node')} }}"
        else:
            q = f"SELECT DISTINCT ?this ?path ?value WHERE {{ {self.per_focus(focus, extra.replace('?node', '?this'))} }}"
        return [self.check(shape, SH.ClosedConstraintComponent, q)]

    def qualified_checks(self, shape, focus: Focus, stack) -> list[Check]:
        if not self.is_property_shape(shape):
            return []  # pySHACL ignores sh:qualifiedValueShape on a node shape
        low, high = self.qualified_bounds(shape)
        path = self.path_of(shape)
        sources = self.value_sources(shape, focus)
        checks = []
        for q in self.objs(shape, SH.qualifiedValueShape):
            conforms = f"FILTER NOT EXISTS {{ {self.nonconf(q, '?v', sources, stack + (shape,))} }}"
            if low is not None and low > 0 and self.direct(shape):
                # an anti-join with the nodes that have enough conforming values, all found at once
                enough = (f"?this {path} ?v {conforms}" if low == 1 else
                          f"{{ SELECT ?this WHERE {{ ?this {path} ?v {conforms} }} "
                          f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) >= {low}) }}")
                text = f"SELECT DISTINCT ?this WHERE {{ {focus('?this')} MINUS {{ {enough} }} }}"
                checks.append(self.check(shape, SH.QualifiedMinCountConstraintComponent, text))
            elif low is not None and low > 0:
                text = (f"SELECT ?this WHERE {{ {self.per_focus(focus, f'OPTIONAL {{ ?this {path} ?v {conforms} }}')} }} "
                        f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {low})")
                checks.append(self.check(shape, SH.QualifiedMinCountConstraintComponent, text))
            if high is not None:
                text = (f"SELECT ?this WHERE {{ {self.per_focus(focus, f'?this {path} ?v {conforms}')} }} "
                        f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {high})")
                checks.append(self.check(shape, SH.QualifiedMaxCountConstraintComponent, text))
        return checks

    def sparql_checks(self, shape, focus: Focus, stack) -> list[Check]:
        """SHACL-SPARQL constraints, ``$this`` bound by LATERAL (SEP-0006) to every focus node at once."""
        if self.is_property_shape(shape):
            raise NotCompiled("sh:sparql on a property shape")
        checks = []
        for constraint in self.objs(shape, SH.sparql):
            if self.deactivated(constraint):
                continue
            select = self.one(constraint, SH.select)
            if not isinstance(select, Literal):
                raise NotCompiled("a SPARQL constraint without sh:select")
            text = str(select)
            if re.search(r"[$?](currentShape|shapesGraph|PATH)\b", text):
                raise NotCompiled("a SPARQL constraint using $currentShape, $shapesGraph or $PATH")
            parts = split_prologue(text)
            if parts is None:
                raise NotCompiled("a SPARQL constraint that is not a SELECT")
            prologue, body = parts
            query = (self.prefixes(constraint) + prologue
                     + f"SELECT * WHERE {{ {focus('?this')} LATERAL {{ {project_this(body)} }} }}")
            try:  # what Oxigraph cannot parse, pySHACL reads (or reports) itself
                ox.Store().query(query)
            except SyntaxError as e:
                raise NotCompiled(f"Oxigraph cannot read a SPARQL constraint: {e}") from None
            checks.append(self.check(shape, SH.SPARQLConstraintComponent, query, sparql=True,
                                     message=self.message(constraint) or self.message(shape)))
        return checks

    def prefixes(self, constraint) -> str:
        declared = declared_prefixes(self.g, constraint)
        return "".join(f"PREFIX {prefix}: <{namespace}>\n" for prefix, namespace in declared.items()) + "\n"


_COMPONENTS = {SH["class"]: SH.ClassConstraintComponent, SH.datatype: SH.DatatypeConstraintComponent,
               SH.nodeKind: SH.NodeKindConstraintComponent, SH["in"]: SH.InConstraintComponent,
               SH.languageIn: SH.LanguageInConstraintComponent, SH.minLength: SH.MinLengthConstraintComponent,
               SH.maxLength: SH.MaxLengthConstraintComponent, SH["not"]: SH.NotConstraintComponent,
               SH["and"]: SH.AndConstraintComponent, SH["or"]: SH.OrConstraintComponent,
               SH.xone: SH.XoneConstraintComponent, SH.node: SH.NodeConstraintComponent}


def _typed(term):
    """A plain literal as the xsd:string it is (RDF 1.1), so that it equals the data's strings."""
    if isinstance(term, Literal) and term.datatype is None and not term.language:
        return Literal(str(term), datatype=XSD.string)
    return term


def hint(g: rdflib.Graph, shape, component: URIRef) -> str:
    """What a result of ``component`` on ``shape`` asks for, when the shape has no sh:message."""
    from szsemi.graph.terms import compact

    def show(term) -> str:
        return compact(term.n3()) if isinstance(term, URIRef) else term.n3()

    def shown(p) -> str:
        return ", ".join(show(o) for o in g.objects(shape, p))

    def listed(p) -> str:
        return ", ".join(show(o) for lst in g.objects(shape, p) for o in g.items(lst))

    path = g.value(shape, SH.path)
    prop = show(path) if isinstance(path, URIRef) else "this path" if path is not None else "it"
    name = component.rsplit("#", 1)[-1].removesuffix("ConstraintComponent")
    texts = {
        "Class": lambda: f"the value must be an instance of {shown(SH['class'])} (rdf:type, or a subclass of it)",
        "Datatype": lambda: f"the value must be a literal of datatype {shown(SH.datatype)}",
        "NodeKind": lambda: f"the value must be of node kind {shown(SH.nodeKind)}",
        "MinCount": lambda: f"give {prop} at least {shown(SH.minCount)} value(s)",
        "MaxCount": lambda: f"give {prop} at most {shown(SH.maxCount)} value(s)",
        "In": lambda: f"the value must be one of: {listed(SH['in'])}",
        "HasValue": lambda: f"{prop} must include {shown(SH.hasValue)}",
        "Pattern": lambda: f"the value must match the pattern {shown(SH.pattern)}",
        "LanguageIn": lambda: f"the value must be a string tagged with a language among: {listed(SH.languageIn)}",
        "UniqueLang": lambda: f"give {prop} at most one value per language",
        "MinInclusive": lambda: f"the value must be at least {shown(SH.minInclusive)}",
        "MinExclusive": lambda: f"the value must be more than {shown(SH.minExclusive)}",
        "MaxInclusive": lambda: f"the value must be at most {shown(SH.maxInclusive)}",
        "MaxExclusive": lambda: f"the value must be less than {shown(SH.maxExclusive)}",
        "MinLength": lambda: f"the value must be at least {shown(SH.minLength)} characters long",
        "MaxLength": lambda: f"the value must be at most {shown(SH.maxLength)} characters long",
        "Closed": lambda: "this property is not allowed here: remove it, or correct a misspelt name",
        "Node": lambda: f"the value must conform to {shown(SH.node)} (see the findings on the value itself)",
        "Not": lambda: f"the value must not conform to {shown(SH['not'])}",
        "And": lambda: "the value must conform to every shape of the sh:and list",
        "Or": lambda: "the value must conform to at least one shape of the sh:or list",
        "Xone": lambda: "the value must conform to exactly one shape of the sh:xone list",
        "QualifiedMinCount": lambda: f"give {prop} at least {shown(SH.qualifiedMinCount)} value(s) that conform to "
                             f"{shown(SH.qualifiedValueShape)}",
        "QualifiedMaxCount": lambda: f"give {prop} at most {shown(SH.qualifiedMaxCount)} value(s) that conform to "
                             f"{shown(SH.qualifiedValueShape)}",
    }
    text = texts.get(name)
    return text() if text else "SPARQL constraint not met"


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
