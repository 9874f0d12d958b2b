"""Top-level SHACL checks: one SELECT per constraint component of a shape, over all its focus nodes.

Each check binds ``?this`` (and ``?value`` / ``?path`` where the results have them); :mod:`szsemi.validate.shacl`
runs them on the store and turns rows into findings.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pyoxigraph as ox
import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from szsemi.validate.shacl_conditions import Conditions
from szsemi.validate.shacl_shapes import RANGES, SH, TYPE_OF, Check, Focus, Sources, Stack, chain
from szsemi.validate.shacl_sparql import declared_prefixes, pre_bound_unsupported, project_this, split_prologue
from szsemi.validate.shacl_values import (
    Keep,
    NotCompiled,
    pattern_keep,
    range_keep,
    regex_prefilter,
    sparql_term,
    to_rdflib,
)


class CheckBuilder(Conditions):
    """The checks of one component of one shape."""

    def check(
        self,
        shape: Node,
        component: URIRef,
        query: str,
        *,
        keep: Keep | None = None,
        sparql: bool = False,
        message: Literal | None = None,
    ) -> Check:
        """A check of ``shape``; its message is ``message``, else the shape's own."""
        return Check(
            shape=shape,
            component=component,
            query=query,
            severity=self.severity(shape),
            path=self.one(shape, SH.path),
            message=message if message is not None else self.message(shape),
            keep=keep,
            sparql=sparql,
            hint=lambda: hint(self.g, shape, component),
        )

    def values(self, shape: Node, focus: Focus, tail: str = "", value: str = "?value") -> str:
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

    def direct(self, shape: Node) -> bool:
        """The shape's path is one predicate, or its inverse."""
        path = self.one(shape, SH.path)
        return isinstance(path, URIRef) or (
            isinstance(path, BNode) and isinstance(self.one(path, SH.inversePath), URIRef)
        )

    def per_focus(self, focus: Focus, pattern: str) -> str:
        """``pattern`` evaluated once for each focus node ?this."""
        return f"{focus('?this')} LATERAL {{ {pattern} }}"

    def value_sources(self, shape: Node, focus: Focus) -> Sources:
        if self.is_property_shape(shape):
            return self.sources_after(self.one(shape, SH.path), focus.sources)
        return focus.sources

    def value_checks(self, shape: Node, focus: Focus, p: URIRef, stack: Stack) -> list[Check]:
        this = focus.distinct("?this")
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
                    q = f"SELECT DISTINCT {this} WHERE {{ {focus('?this')} {absent} {{ ?this {path} ?v }} }}"
                else:
                    q = (
                        f"SELECT {this} WHERE {{ {self.per_focus(focus, f'OPTIONAL {{ ?this {path} ?v }}')} }} "
                        f"GROUP BY {this} HAVING (COUNT(DISTINCT ?v) < {n})"
                    )
                return [self.check(shape, SH.MinCountConstraintComponent, q)]
            q = (
                f"SELECT {this} WHERE {{ {self.values(shape, focus, value='?v')} }} "
                f"GROUP BY {this} HAVING (COUNT(DISTINCT ?v) > {n})"
            )
            return [self.check(shape, SH.MaxCountConstraintComponent, q)]
        if p == SH.hasValue:
            checks = []
            for value in self.objs(shape, SH.hasValue):
                term = self.constant(value)
                missing = (
                    f"FILTER NOT EXISTS {{ ?this {path} {term} }}" if prop else f"FILTER (!sameTerm(?this, {term}))"
                )
                checks.append(
                    self.check(
                        shape,
                        SH.HasValueConstraintComponent,
                        f"SELECT DISTINCT {this} WHERE {{ {focus('?this')} {missing} }}",
                    )
                )
            return checks
        if p == SH.uniqueLang:
            if not self.unique_lang(shape) or not prop:
                return []
            pairs = chain(
                [f"?this {path} ?a", f"?this {path} ?b"],
                'FILTER (!sameTerm(?a, ?b) && LANG(?a) != "" && LCASE(LANG(?a)) = LCASE(LANG(?b))) '
                "BIND (LCASE(LANG(?a)) AS ?lang)",
            )
            # one result per language used more than once, as the standard counts them
            q = f"SELECT DISTINCT {this} ?lang WHERE {{ {self.per_focus(focus, pairs)} }}"
            return [self.check(shape, SH.UniqueLangConstraintComponent, q)]

        def select(condition: str | None) -> str:
            test = f"FILTER ({condition})" if condition else ""
            return f"SELECT DISTINCT {this} ?value WHERE {{ {self.values(shape, focus, test)} }}"

        if p == SH.pattern:
            patterns = [x for x in self.objs(shape, SH.pattern) if isinstance(x, Literal)]
            flags = next(iter(self.objs(shape, SH.flags)), None)
            if len(patterns) != len(self.objs(shape, SH.pattern)) or not isinstance(flags, Literal | None):
                raise NotCompiled("sh:pattern or sh:flags is not a literal")
            return [
                self.check(
                    shape, SH.PatternConstraintComponent, select(regex_prefilter(x, flags)), keep=pattern_keep(x, flags)
                )
                for x in patterns
            ]
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
                    sure = (
                        f"isNumeric(?value) && datatype(?value) IN (<{exact[0]}>, <{exact[1]}>) "
                        f"&& ?value {op} {sparql_term(bound)}"
                    )
                elif bound.datatype in (XSD.double, XSD.float):
                    sure = (
                        f"isNumeric(?value) && datatype(?value) = <{bound.datatype}> "
                        f"&& ?value {op} {sparql_term(bound)}"
                    )
                checks.append(
                    self.check(shape, component, select(f"!COALESCE({sure}, false)"), keep=range_keep(op, bound))
                )
            return checks
        found = _COMPONENTS.get(p)
        if found is None:
            raise NotCompiled(f"{p.n3()} is not compiled")
        component = found
        sources = self.value_sources(shape, focus)
        condition = self.value_condition(shape, p, "?value", sources, stack)
        if condition is None:
            return []
        if p == SH["class"] and (self.direct(shape) or not prop):
            # an anti-join with every instance of the class, one check per class as pySHACL reports
            checks = []
            for cls in self.objs(shape, SH["class"]):
                instances = f"MINUS {{ ?value {TYPE_OF} {sparql_term(cls)} }}"
                pattern = self.values(shape, focus) if prop else f"{focus('?this')} BIND (?this AS ?value)"
                q = f"SELECT DISTINCT {this} ?value WHERE {{ {pattern} {instances} }}"
                checks.append(self.check(shape, component, q))
            return checks
        if p == SH["in"]:  # a literal Oxigraph keeps as written may still equal a member for rdflib
            members = {_typed(m) for m in self.items(self.one(shape, SH["in"]))}
            return [
                self.check(
                    shape,
                    component,
                    select(condition),
                    keep=lambda term: not isinstance(term, ox.Literal) or to_rdflib(term) not in members,
                )
            ]
        return [self.check(shape, component, select(condition))]

    def closed_checks(self, shape: Node, focus: Focus, stack: Stack) -> list[Check]:
        flag = self.one(shape, SH.closed)
        if flag is None:
            raise NotCompiled("sh:ignoredProperties without sh:closed")
        if not (isinstance(flag, Literal) and flag.value is True):
            return []
        extra = self.closed_pattern(shape, "?node", "?path", "?value")
        this = focus.distinct("?this")
        if self.is_property_shape(shape):
            pattern = self.values(shape, focus, f"LATERAL {{ {extra} }}", "?node")
        else:
            pattern = self.per_focus(focus, extra.replace("?node", "?this"))
        q = f"SELECT DISTINCT {this} ?path ?value WHERE {{ {pattern} }}"
        return [self.check(shape, SH.ClosedConstraintComponent, q)]

    def qualified_checks(self, shape: Node, focus: Focus, stack: Stack) -> list[Check]:
        if not self.is_property_shape(shape):
            return []  # pySHACL ignores sh:qualifiedValueShape on a node shape
        low, high = self.qualified_bounds(shape)
        path = self.path_of(shape)
        sources = self.value_sources(shape, focus)
        this = focus.distinct("?this")
        checks = []
        for q in self.objs(shape, SH.qualifiedValueShape):
            conforms = f"FILTER NOT EXISTS {{ {self.nonconf(q, '?v', sources, stack + (shape,))} }}"
            if low is not None and low > 0 and self.direct(shape):
                # an anti-join with the nodes that have enough conforming values, all found at once
                enough = (
                    f"?this {path} ?v {conforms}"
                    if low == 1
                    else f"{{ SELECT ?this WHERE {{ ?this {path} ?v {conforms} }} "
                    f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) >= {low}) }}"
                )
                text = f"SELECT DISTINCT {this} WHERE {{ {focus('?this')} MINUS {{ {enough} }} }}"
                checks.append(self.check(shape, SH.QualifiedMinCountConstraintComponent, text))
            elif low is not None and low > 0:
                text = (
                    f"SELECT {this} WHERE {{ {self.per_focus(focus, f'OPTIONAL {{ ?this {path} ?v {conforms} }}')} }} "
                    f"GROUP BY {this} HAVING (COUNT(DISTINCT ?v) < {low})"
                )
                checks.append(self.check(shape, SH.QualifiedMinCountConstraintComponent, text))
            if high is not None:
                text = (
                    f"SELECT {this} WHERE {{ {self.per_focus(focus, f'?this {path} ?v {conforms}')} }} "
                    f"GROUP BY {this} HAVING (COUNT(DISTINCT ?v) > {high})"
                )
                checks.append(self.check(shape, SH.QualifiedMaxCountConstraintComponent, text))
        return checks

    def sparql_checks(self, shape: Node, focus: Focus, stack: Stack) -> list[Check]:
        """SHACL-SPARQL constraints, ``$this`` bound by LATERAL (SEP-0006) to every focus node at once."""
        if self.is_property_shape(shape):
            raise NotCompiled("sh:sparql on a property shape")
        this = focus.distinct("?this")
        checks = []
        for constraint in self.objs(shape, SH.sparql):
            if self.deactivated(constraint):
                continue
            select = self.one(constraint, SH.select)
            if not isinstance(select, Literal):
                raise NotCompiled("a SPARQL constraint without sh:select")
            text = str(select)
            if pre_bound_unsupported(text):
                raise NotCompiled("a SPARQL constraint using $currentShape, $shapesGraph or $PATH")
            parts = split_prologue(text)
            if parts is None:
                raise NotCompiled("a SPARQL constraint that is not a SELECT")
            prologue, body = parts
            query = (
                self.prefixes(constraint)
                + prologue
                # each focus node once (targets may reach it twice), then every solution of the query
                + f"SELECT * WHERE {{ {{ SELECT DISTINCT {this} WHERE {{ {focus('?this')} }} }} "
                f"LATERAL {{ {project_this(body)} }} }}"
            )
            try:  # what Oxigraph cannot parse, pySHACL reads (or reports) itself
                ox.Store().query(query)
            except SyntaxError as e:
                raise NotCompiled(f"Oxigraph cannot read a SPARQL constraint: {e}") from None
            checks.append(
                self.check(
                    shape,
                    SH.SPARQLConstraintComponent,
                    query,
                    sparql=True,
                    message=self.message(constraint) or self.message(shape),
                )
            )
        return checks

    def prefixes(self, constraint: Node) -> str:
        declared = declared_prefixes(self.g, constraint)
        return "".join(f"PREFIX {prefix}: <{namespace}>\n" for prefix, namespace in declared.items()) + "\n"


# the constraint component of each parameter whose check is one condition on each value node
_COMPONENTS: dict[URIRef, URIRef] = {
    SH["class"]: SH.ClassConstraintComponent,
    SH.datatype: SH.DatatypeConstraintComponent,
    SH.nodeKind: SH.NodeKindConstraintComponent,
    SH["in"]: SH.InConstraintComponent,
    SH.languageIn: SH.LanguageInConstraintComponent,
    SH.minLength: SH.MinLengthConstraintComponent,
    SH.maxLength: SH.MaxLengthConstraintComponent,
    SH["not"]: SH.NotConstraintComponent,
    SH["and"]: SH.AndConstraintComponent,
    SH["or"]: SH.OrConstraintComponent,
    SH.xone: SH.XoneConstraintComponent,
    SH.node: SH.NodeConstraintComponent,
}


def _typed(term: Node) -> Node:
    """A plain literal as the xsd:string it is (RDF 1.1), so that it equals the data's strings."""
    if isinstance(term, Literal) and term.datatype is None and not term.language:
        return Literal(str(term), datatype=XSD.string)
    return term


def hint(g: rdflib.Graph, shape: Node, component: URIRef) -> str:
    """What a result of ``component`` on ``shape`` asks for, when the shape has no sh:message."""
    from szsemi.graph.terms import compact

    def show(term: Node) -> str:
        return compact(term.n3()) if isinstance(term, URIRef) else term.n3()

    def shown(p: URIRef) -> str:
        return ", ".join(show(o) for o in g.objects(shape, p))

    def listed(p: URIRef) -> str:
        return ", ".join(show(o) for lst in g.objects(shape, p) for o in g.items(lst))

    path = g.value(shape, SH.path)
    prop = show(path) if isinstance(path, URIRef) else "this path" if path is not None else "it"
    name = component.rsplit("#", 1)[-1].removesuffix("ConstraintComponent")
    texts: dict[str, Callable[[], str]] = {
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
        "QualifiedMinCount": lambda: (
            f"give {prop} at least {shown(SH.qualifiedMinCount)} value(s) that conform to "
            f"{shown(SH.qualifiedValueShape)}"
        ),
        "QualifiedMaxCount": lambda: (
            f"give {prop} at most {shown(SH.qualifiedMaxCount)} value(s) that conform to "
            f"{shown(SH.qualifiedValueShape)}"
        ),
    }
    text = texts.get(name)
    return text() if text else "SPARQL constraint not met"
