"""SPARQL conditions on one value node, and nested shapes as groups that have a solution when a node fails.

Used inside the compiled checks (:mod:`szsemi.validate.shacl_checks`) for ``sh:node``, ``sh:not``,
``sh:and``, ``sh:or``, ``sh:xone`` and ``sh:qualifiedValueShape``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node

from szsemi.validate.shacl_shapes import (
    MAX_NESTED_COUNT,
    RANGES,
    SH,
    TYPE_OF,
    NotCompiledWhole,
    ShapesReader,
    Sources,
    Stack,
    chain,
)
from szsemi.validate.shacl_values import (
    NotCompiled,
    canonical_form,
    rdflib_converts,
    sparql_term,
)


class Conditions(ShapesReader):
    """Failure conditions of single components, and of whole nested shapes."""

    # ---- conditions on one value node: a SPARQL expression, true when the value node fails

    def value_condition(self, shape: Node, p: URIRef, v: str, sources: Sources, stack: Stack) -> str | None:
        """The failure condition of component ``p`` of ``shape`` for the value node in ``v``."""
        if p == SH["class"]:
            return " || ".join(
                f"NOT EXISTS {{ {v} {TYPE_OF} {sparql_term(c)} }}" for c in self.objs(shape, SH["class"])
            )
        if p == SH.datatype:
            return f"!({self.datatype_match(self.one(shape, SH.datatype), v, sources)})"
        if p == SH.nodeKind:
            kind = self.one(shape, SH.nodeKind)
            tests = {
                SH.IRI: f"isIRI({v})",
                SH.BlankNode: f"isBlank({v})",
                SH.Literal: f"isLiteral({v})",
                SH.BlankNodeOrIRI: f"!isLiteral({v})",
                SH.BlankNodeOrLiteral: f"!isIRI({v})",
                SH.IRIOrLiteral: f"!isBlank({v})",
            }
            test = tests.get(kind) if isinstance(kind, URIRef) else None
            return f"!({test})" if test else "true"
        if p == SH["in"]:
            terms = [self.constant(m) for m in self.items(self.one(shape, SH["in"]))]
            return "!(" + (" || ".join(f"sameTerm({v}, {t})" for t in terms) or "false") + ")"
        if p == SH.languageIn:
            wanted = set()
            for tag in self.items(self.one(shape, SH.languageIn)):
                if not (isinstance(tag, Literal) and isinstance(tag.value, str)):
                    raise NotCompiled("sh:languageIn takes strings")
                wanted.add(str(tag.value).lower())
            tags = ", ".join(str(ox.Literal(t)) for t in sorted(wanted)) or '""'
            ok = (
                f'LANG({v}) != "" && (LCASE(LANG({v})) IN ({tags}) '
                f'|| LCASE(STRBEFORE(CONCAT(LANG({v}), "-"), "-")) IN ({tags}))'
            )
            if "*" in wanted:
                ok = f'LANG({v}) != ""'
            return f"!(isLiteral({v}) && COALESCE({ok}, false))"
        if p in (SH.minLength, SH.maxLength):
            n = self.count(shape, p)
            if p == SH.minLength:
                return None if n == 0 else f"isBlank({v}) || STRLEN(STR({v})) < {n}"
            return f"isBlank({v}) || STRLEN(STR({v})) > {n}"
        if p == SH.node:
            return " || ".join(f"EXISTS {{ {self.nonconf(n, v, sources, stack)} }}" for n in self.objs(shape, SH.node))
        if p == SH["not"]:
            return " || ".join(
                f"NOT EXISTS {{ {self.nonconf(n, v, sources, stack)} }}" for n in self.objs(shape, SH["not"])
            )
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

    def datatype_match(self, datatype: Node | None, v: str, sources: Sources) -> str:
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

    def nonconf(self, shape: Node, x: str, sources: Sources, stack: Stack) -> str:
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
            if p in (
                SH.ignoredProperties,
                SH.qualifiedMinCount,
                SH.qualifiedMaxCount,
                SH.qualifiedValueShapesDisjoint,
                SH.flags,
            ):
                continue  # read with sh:closed and sh:qualifiedValueShape
            if p == SH.property:
                for sub in self.objs(shape, SH.property):
                    groups.append(f"{vp} FILTER EXISTS {{ {self.nonconf(sub, v, vsources, stack)} }}")
            elif p in (SH.minCount, SH.maxCount):
                if path is None:
                    raise NotCompiled(f"{p.n3()} on a node shape")
                n = self.count(shape, p)
                if p == SH.minCount and n > 0:
                    groups.append(f"FILTER NOT EXISTS {{ {self.distinct_values(x, path, n)} }}")
                elif p == SH.maxCount:
                    groups.append(self.distinct_values(x, path, n + 1))
            elif p == SH.hasValue:
                for value in self.objs(shape, SH.hasValue):
                    term = self.constant(value)
                    groups.append(
                        f"FILTER NOT EXISTS {{ {x} {path} {term} }}" if prop else f"FILTER (!sameTerm({x}, {term}))"
                    )
            elif p == SH.uniqueLang:
                if self.unique_lang(shape) and prop:
                    a, b = self.var(), self.var()
                    groups.append(
                        chain(
                            [f"{x} {path} {a}", f"{x} {path} {b}"],
                            f'FILTER (!sameTerm({a}, {b}) && LANG({a}) != "" && LCASE(LANG({a})) = LCASE(LANG({b})))',
                        )
                    )
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

    def qualified_bounds(self, shape: Node) -> tuple[int | None, int | None]:
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

    def nested_qualified(self, shape: Node, x: str, path: str | None, sources: Sources, stack: Stack) -> list[str]:
        if path is None:
            return []  # pySHACL ignores sh:qualifiedValueShape on a node shape
        low, high = self.qualified_bounds(shape)
        groups = []
        for q in self.objs(shape, SH.qualifiedValueShape):

            def conforms(v: str, q: Node = q) -> str:
                return f"NOT EXISTS {{ {self.nonconf(q, v, sources, stack)} }}"

            if low is not None and low > 0:
                groups.append(f"FILTER NOT EXISTS {{ {self.distinct_values(x, path, low, conforms)} }}")
            if high is not None:
                groups.append(self.distinct_values(x, path, high + 1, conforms))
        return groups

    def unique_lang(self, shape: Node) -> bool:
        flag = self.one(shape, SH.uniqueLang)
        if not (isinstance(flag, Literal) and flag.datatype == XSD.boolean):
            raise NotCompiled("sh:uniqueLang is not a boolean")
        return str(flag) == "true"  # the standard names true only: "1"^^xsd:boolean does not activate it

    # ---- components with their own query form

    def closed_pattern(self, shape: Node, v: str, p: str, o: str) -> str:
        """Statements of ``v`` whose predicate is neither a property path of ``shape`` nor ignored."""
        allowed = {self.one(s, SH.path) for s in self.objs(shape, SH.property)}
        for lst in self.objs(shape, SH.ignoredProperties):
            allowed |= set(self.items(lst))
        names = sorted(sparql_term(a) for a in allowed if isinstance(a, URIRef))
        keep = f"FILTER (!({p} IN ({', '.join(names)})))" if names else ""
        return f"{v} {p} {o} . {keep} FILTER (!({p} = <{RDF.type}> && sameTerm({o}, <{RDFS.Resource}>)))"
