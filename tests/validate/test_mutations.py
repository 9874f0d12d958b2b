"""Mutation corpus: break the real data in many ways and check that validation catches every break.

Mutations are generated from the shapes and the data, not listed by hand: for every targeted
shape and every constraint of its property shapes, one focus node that the constraint applies to
is picked from the shipped data (the first in a stable order) and broken the way that constraint
forbids:

=====================  =====================================================================
constraint             mutation (expected component)
=====================  =====================================================================
sh:minCount            drop every value: a missing required property, a fact without source
sh:maxCount            add a second value taken from another node (second value)
sh:datatype            a literal of another datatype; a langString without its tag
sh:class               the object replaced by a node of another class (wrong class), and by
                       an IRI that nothing describes (dangling reference)
sh:nodeKind            an IRI replaced by a literal
sh:in                  a value outside the list
sh:pattern             a value that does not match
sh:minInclusive        the minimum minus one
sh:uniqueLang          a second value in the same language
sh:qualifiedMinCount   the qualifying values re-tagged (languageIn) or of another class
sh:node                a concept of another scheme, or a node that is not a concept
sh:or (datatypes)      a plain string
inverse paths          drop the incoming link / add a second one
sh:closed              an undeclared property on the node
sh:xone                a value for a second alternative
=====================  =====================================================================

SHACL-SPARQL constraints and the rule queries (``queries/*-violation.rq``) cannot be inverted
from their text, so each has one mutator that finds its focus by querying the data (period end
before start, passage number reused, estimate without condition, ...).

Each mutant is validated with the SHACL and rule stages (no OWL: its checks are not what these
mutations break, and HermiT would add minutes) and must yield a finding on the mutated focus
node with the expected component (or rule id) and, where there is one, path. The mutation
score is printed for each of the four parts the corpus is checked in; it must be 100 %.

A mutant is first validated with only the compiled checks that can see its change (see
:func:`reach`): those whose query names a predicate of a changed statement (SHACL-SPARQL ones
through their prefixes) or reads any predicate. A finding of some checks is a finding of all of them, so a mutant
caught there is caught by the whole validation; one that is not is validated again with every
check, and that run decides. The verdict is the whole validation's; the shortcut only saves
running the ~330 checks that cannot tell a mutant from the clean data.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache

import pyoxigraph as ox
import pytest
import rdflib
from once import compiled_once
from rdflib.collection import Collection
from rdflib.namespace import SH

from szsemi.graph import resources
from szsemi.graph.load import load, shipped_data
from szsemi.query.catalogue import load_catalogue
from szsemi.sparql_syntax import tokens
from szsemi.validate.shacl_compile import Plan
from szsemi.validate.shacl_shapes import Check
from szsemi.validate.stages import check_store, shapes_graph_of

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
SZO = "https://w3id.org/szsemi/ontology#"
SZ = "https://w3id.org/szsemi/id/"
TIME = "http://www.w3.org/2006/time#"
TYPE = ox.NamedNode(RDF_NS + "type")
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


def sh(name: str) -> str:
    return str(SH[name + "ConstraintComponent"])


def iri(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


@dataclass
class Mutation:
    name: str
    focus: ox.NamedNode | ox.BlankNode
    component: str  # a SHACL component IRI or a rule id
    path: str | None = None
    remove: list[ox.Triple] = field(default_factory=list)
    add: list[ox.Triple] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# The data and the shapes
# --------------------------------------------------------------------------------------------


@cache
def base() -> ox.Store:
    return load([resources.ontology_file(), *shipped_data()])


@cache
def shapes() -> rdflib.Graph:
    return shapes_graph_of([resources.shapes_file()])


@cache
def checks() -> dict:
    return load_catalogue()


def ox_term(term):
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or XSD + "string")))
    raise TypeError(term)


def objects(node, predicate: str) -> list:
    return sorted((q.object for q in base().quads_for_pattern(node, iri(predicate), None)), key=stable)


def subjects(predicate: str, node) -> list:
    return sorted((q.subject for q in base().quads_for_pattern(None, iri(predicate), node)), key=stable)


@cache
def _stable_key(term) -> str:
    """A key that does not depend on the random labels blank nodes get at each load."""
    if not isinstance(term, ox.BlankNode):
        return "0" + str(term)
    parent = next(iter(base().quads_for_pattern(None, None, term)), None)
    inner = sorted(
        f"{q.predicate} {q.object}"
        for q in base().quads_for_pattern(term, None, None)
        if not isinstance(q.object, ox.BlankNode)
    )
    owner = _stable_key(parent.subject) + " " + str(parent.predicate) if parent else ""
    return "1" + owner + " " + " ".join(inner)


def stable(term) -> str:
    return _stable_key(term)


def instances(cls: str) -> list:
    rows = base().query(
        f"SELECT DISTINCT ?x WHERE {{ ?x a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{cls}> }}"
    )
    return sorted((r["x"] for r in rows), key=stable)


def is_instance(node, cls: str) -> bool:
    ask = f"ASK {{ ?x a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* <{cls}> }}"
    return bool(base().query(ask, substitutions={ox.Variable("x"): node}))


def focus_nodes(shape) -> list:
    g = shapes()
    found = []
    for cls in g.objects(shape, SH.targetClass):
        found += instances(str(cls))
    for p in g.objects(shape, SH.targetSubjectsOf):
        found += [q.subject for q in base().quads_for_pattern(None, iri(str(p)), None)]
    for p in g.objects(shape, SH.targetObjectsOf):
        found += [q.object for q in base().quads_for_pattern(None, iri(str(p)), None)]
    found += [ox_term(n) for n in g.objects(shape, SH.targetNode)]
    return sorted(set(found), key=stable)


@cache
def typed_iris() -> list[ox.NamedNode]:
    """Every IRI the data types, in a stable order: the pool that replacement objects come from."""
    return sorted(
        {
            q.subject
            for q in base().quads_for_pattern(None, TYPE, None)
            if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(SZ)
        },
        key=stable,
    )


def other_class_node(cls: str, avoid) -> ox.NamedNode:
    return next(n for n in typed_iris() if n != avoid and not is_instance(n, cls))


def literal_like(value: ox.Literal, lexical: str) -> ox.Literal:
    if value.language:
        return ox.Literal(lexical, language=value.language)
    return ox.Literal(lexical, datatype=value.datatype)


# --------------------------------------------------------------------------------------------
# Mutations generated from the core constraints
# --------------------------------------------------------------------------------------------


def _first(nodes: list, path: str, want: Callable = lambda v: True):
    """The first focus node with a value of ``path`` that ``want`` accepts, and that value."""
    for node in nodes:
        for value in objects(node, path):
            if want(value):
                return node, value
    return None, None


def property_mutations(shape_name: str, nodes: list, prop) -> Iterator[Mutation]:
    g = shapes()
    path = g.value(prop, SH.path)
    if isinstance(path, rdflib.BNode):
        yield from inverse_mutations(shape_name, nodes, prop)
        return
    p = str(path)
    label = f"{shape_name} {p.rsplit('#', 1)[-1].rsplit('/', 1)[-1]}"

    def one(kind, focus, component, remove=(), add=()):
        return Mutation(
            f"{label}: {kind}", focus, sh(component), p, [ox.Triple(*t) for t in remove], [ox.Triple(*t) for t in add]
        )

    if g.value(prop, SH.minCount) is not None and int(g.value(prop, SH.minCount)) >= 1:
        focus, _ = _first(nodes, p)
        if focus is not None:
            kind = "fact without source" if p == PROV + "wasDerivedFrom" else "drop required property"
            yield one(kind, focus, "MinCount", remove=[(focus, iri(p), v) for v in objects(focus, p)])
    if g.value(prop, SH.maxCount) is not None:
        focus, value = _first(nodes, p)
        if focus is not None:
            donors = [q.object for q in base().quads_for_pattern(None, iri(p), None) if q.object != value]
            if isinstance(value, ox.Literal):
                donors = [d for d in donors if isinstance(d, ox.Literal) and d.datatype == value.datatype]
            donors = sorted(donors, key=stable)
            if donors:
                extra = donors[0]
            elif isinstance(value, ox.Literal) and value.datatype.value == XSD + "boolean":
                extra = literal_like(value, "false" if value.value in ("true", "1") else "true")
            elif isinstance(value, ox.Literal):
                extra = literal_like(value, value.value + "0")
            else:  # another node of the value's class
                cls = objects(value, RDF_NS + "type")
                extra = next(n for n in [*(instances(cls[0].value) if cls else []), *typed_iris()] if n != value)
            yield one("second value", focus, "MaxCount", add=[(focus, iri(p), extra)])
    datatype = g.value(prop, SH.datatype)
    if datatype is not None:
        focus, value = _first(nodes, p, lambda v: isinstance(v, ox.Literal))
        if focus is not None:
            if str(datatype) == RDF_NS + "langString":
                wrong, kind = ox.Literal(value.value), "missing language tag"
            elif str(datatype) == XSD + "string":
                wrong, kind = ox.Literal("42", datatype=iri(XSD + "integer")), "wrong datatype"
            else:
                wrong, kind = ox.Literal(value.value), "wrong datatype"
            yield one(kind, focus, "Datatype", remove=[(focus, iri(p), value)], add=[(focus, iri(p), wrong)])
    cls = g.value(prop, SH["class"])
    if cls is not None:
        focus, value = _first(nodes, p, lambda v: not isinstance(v, ox.Literal))
        if focus is not None:
            wrong = other_class_node(str(cls), value)
            yield one(
                "wrong class of object", focus, "Class", remove=[(focus, iri(p), value)], add=[(focus, iri(p), wrong)]
            )
            dangling = iri(SZ + "nothing-describes/this-node")
            yield one(
                "dangling reference", focus, "Class", remove=[(focus, iri(p), value)], add=[(focus, iri(p), dangling)]
            )
    if g.value(prop, SH.nodeKind) == SH.IRI:
        focus, value = _first(nodes, p)
        if focus is not None:
            yield one(
                "literal for an IRI",
                focus,
                "NodeKind",
                remove=[(focus, iri(p), value)],
                add=[(focus, iri(p), ox.Literal("not an IRI"))],
            )
    if g.value(prop, SH["in"]) is not None:
        focus, value = _first(nodes, p)
        if focus is not None:
            yield one(
                "value outside the list",
                focus,
                "In",
                remove=[(focus, iri(p), value)],
                add=[(focus, iri(p), iri(SZO + "NotInTheList"))],
            )
    if g.value(prop, SH.pattern) is not None:
        focus, value = _first(nodes, p, lambda v: isinstance(v, ox.Literal))
        if focus is not None:
            yield one(
                "value against the pattern",
                focus,
                "Pattern",
                remove=[(focus, iri(p), value)],
                add=[(focus, iri(p), literal_like(value, "not matching!"))],
            )
    minimum = g.value(prop, SH.minInclusive)
    if minimum is not None:
        focus, value = _first(nodes, p, lambda v: isinstance(v, ox.Literal))
        if focus is not None:
            below = ox.Literal(str(int(minimum) - 1), datatype=value.datatype)
            yield one(
                "below the minimum",
                focus,
                "MinInclusive",
                remove=[(focus, iri(p), value)],
                add=[(focus, iri(p), below)],
            )
    if g.value(prop, SH.uniqueLang) == rdflib.Literal(True):
        focus, value = _first(nodes, p, lambda v: isinstance(v, ox.Literal) and v.language)
        if focus is not None:
            yield one(
                "second value in one language",
                focus,
                "UniqueLang",
                add=[(focus, iri(p), ox.Literal(value.value + " (variant)", language=value.language))],
            )
    qualified = g.value(prop, SH.qualifiedValueShape)
    if qualified is not None and g.value(prop, SH.qualifiedMinCount) is not None:
        languages = g.value(qualified, SH.languageIn)
        qcls = g.value(qualified, SH["class"])
        if languages is not None:
            wanted = [str(x).lower() for x in Collection(g, languages)]
            focus, _ = _first(nodes, p, lambda v: isinstance(v, ox.Literal) and (v.language or "").lower() in wanted)
            if focus is not None:
                hits = [
                    v for v in objects(focus, p) if isinstance(v, ox.Literal) and (v.language or "").lower() in wanted
                ]
                yield one(
                    "required language missing",
                    focus,
                    "QualifiedMinCount",
                    remove=[(focus, iri(p), v) for v in hits],
                    add=[(focus, iri(p), ox.Literal(v.value, language="de")) for v in hits],
                )
        elif qcls is not None:
            focus, _ = _first(nodes, p, lambda v: is_instance(v, str(qcls)))
            if focus is not None:
                hits = [v for v in objects(focus, p) if is_instance(v, str(qcls))]
                wrong = other_class_node(str(qcls), None)
                yield one(
                    "qualified value of another class",
                    focus,
                    "QualifiedMinCount",
                    remove=[(focus, iri(p), v) for v in hits],
                    add=[(focus, iri(p), wrong)],
                )
    node_shape = g.value(prop, SH.node)
    if node_shape is not None:
        focus, value = _first(nodes, p)
        if focus is not None:
            scheme = next(
                (
                    g.value(q, SH.hasValue)
                    for q in g.objects(node_shape, SH.property)
                    if g.value(q, SH.path) == rdflib.URIRef(SKOS + "inScheme")
                ),
                None,
            )
            wrong = next(
                c
                for c in instances(SKOS + "Concept")
                if scheme is not None and iri(str(scheme)) not in objects(c, SKOS + "inScheme")
            )
            yield one(
                "concept of another scheme",
                focus,
                "Node",
                remove=[(focus, iri(p), value)],
                add=[(focus, iri(p), wrong)],
            )
            not_concept = other_class_node(SKOS + "Concept", value)
            yield one(
                "object that is not a concept",
                focus,
                "Node",
                remove=[(focus, iri(p), value)],
                add=[(focus, iri(p), not_concept)],
            )
    if g.value(prop, SH["or"]) is not None:
        focus, value = _first(nodes, p, lambda v: isinstance(v, ox.Literal))
        if focus is not None:
            yield one(
                "value fitting no alternative",
                focus,
                "Or",
                remove=[(focus, iri(p), value)],
                add=[(focus, iri(p), ox.Literal("some time"))],
            )


def inverse_mutations(shape_name: str, nodes: list, prop) -> Iterator[Mutation]:
    g = shapes()
    inverse = g.value(g.value(prop, SH.path), SH.inversePath)
    if inverse is None:
        return
    p = iri(str(inverse))
    label = f"{shape_name} ^{str(inverse).rsplit('#', 1)[-1]}"
    for node in nodes:
        owners = subjects(str(inverse), node)
        if not owners:
            continue
        if g.value(prop, SH.minCount) is not None:
            yield Mutation(
                f"{label}: drop the incoming link",
                node,
                sh("MinCount"),
                f"^<{inverse}>",
                remove=[ox.Triple(o, p, node) for o in owners],
            )
        if g.value(prop, SH.maxCount) is not None:
            cls = objects(owners[0], RDF_NS + "type")
            pool = instances(cls[0].value) if cls else []
            other = next(s for s in [*pool, *typed_iris()] if s not in owners)
            yield Mutation(
                f"{label}: a second incoming link",
                node,
                sh("MaxCount"),
                f"^<{inverse}>",
                add=[ox.Triple(other, p, node)],
            )
        return


def closed_mutations(shape_name: str, nodes: list, shape) -> Iterator[Mutation]:
    if shapes().value(shape, SH.closed) == rdflib.Literal(True) and nodes:
        focus = nodes[0]
        yield Mutation(
            f"{shape_name}: undeclared (misspelt) property",
            focus,
            sh("Closed"),
            SZO + "locatedln",
            add=[ox.Triple(focus, iri(SZO + "locatedln"), iri(SZ + "place/shenzhen"))],
        )


def xone_mutations(shape_name: str, nodes: list, shape) -> Iterator[Mutation]:
    g = shapes()
    alternatives = g.value(shape, SH.xone)
    if alternatives is None:
        return
    paths = [str(g.value(q, SH.path)) for alt in Collection(g, alternatives) for q in g.objects(alt, SH.property)]
    for focus in nodes:
        present = [p for p in paths if objects(focus, p)]
        missing = [p for p in paths if p not in present]
        donors = [(p, q.object) for p in missing for q in base().quads_for_pattern(None, iri(p), None)]
        if present and donors:
            p, value = donors[0]
            yield Mutation(
                f"{shape_name}: a second alternative ({p.rsplit('#', 1)[-1]})",
                focus,
                sh("Xone"),
                add=[ox.Triple(focus, iri(p), value)],
            )
            return


def core_mutations() -> list[Mutation]:
    g = shapes()
    found = []
    targeted = sorted({s for t in TARGETS for s in g.subjects(t, None)}, key=str)
    for shape in targeted:
        nodes = focus_nodes(shape)
        name = shape.n3(g.namespace_manager)
        for prop in sorted(g.objects(shape, SH.property), key=lambda p: str(g.value(p, SH.path))):
            found += property_mutations(name, nodes, prop)
        found += closed_mutations(name, nodes, shape)
        found += xone_mutations(name, nodes, shape)
    return found


# --------------------------------------------------------------------------------------------
# SHACL-SPARQL constraints and rule queries: one mutator each, its focus found by a query
# --------------------------------------------------------------------------------------------


def one_row(query: str) -> dict | None:
    prologue = (
        f"PREFIX szo: <{SZO}> PREFIX skos: <{SKOS}> PREFIX prov: <{PROV}> PREFIX time: <{TIME}> "
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX org: <http://www.w3.org/ns/org#> "
    )
    solutions = base().query(prologue + query)
    names = [v.value for v in solutions.variables]
    rows = [{n: r[n] for n in names} for r in solutions]
    return min(rows, key=lambda r: [stable(r[n]) for n in names]) if rows else None


def T(s, p: str, o) -> ox.Triple:
    return ox.Triple(s, iri(p), o)


def sparql_mutations() -> list[Mutation]:
    sparql = sh("SPARQL")
    out: list[Mutation] = []

    r = one_row(
        "SELECT ?e ?d ?p WHERE { ?e prov:wasDerivedFrom ?a, ?b . FILTER(?a != ?b) "
        "?e prov:qualifiedDerivation ?d . ?d szo:forProperty ?p . ?e ?p ?v . "
        "FILTER NOT EXISTS { ?e a skos:Concept } }"
    )
    out.append(
        Mutation(
            "EntityShape coverage: a property no derivation names",
            r["e"],
            sparql,
            r["p"].value,
            remove=[T(r["d"], SZO + "forProperty", r["p"])],
        )
    )

    r = one_row("SELECT ?e ?s WHERE { ?e szo:reportedName ?n ; szo:identityStatus ?s }")
    out.append(
        Mutation(
            "reported name without identity status",
            r["e"],
            sparql,
            SZO + "identityStatus",
            remove=[T(r["e"], SZO + "identityStatus", r["s"])],
        )
    )

    r = one_row(
        "SELECT ?e WHERE { ?e szo:identityStatus szo:IdentityConfirmed ; "
        "a/rdfs:subClassOf* org:FormalOrganization ; skos:prefLabel ?l . "
        "FILTER(langMatches(lang(?l), 'zh-Hans')) }"
    )
    zh = [v for v in objects(r["e"], SKOS + "prefLabel") if (v.language or "").lower().startswith("zh")]
    out.append(
        Mutation(
            "confirmed firm without Chinese name",
            r["e"],
            sparql,
            SKOS + "prefLabel",
            remove=[T(r["e"], SKOS + "prefLabel", v) for v in zh],
        )
    )

    r = one_row(
        "SELECT ?e WHERE { ?e szo:identityStatus ?s . FILTER(?s IN (szo:IdentityLikely, szo:IdentityUnresolved)) }"
    )
    label = T(r["e"], SKOS + "prefLabel", ox.Literal("某公司", language="zh-Hans"))
    out.append(Mutation("unconfirmed identity with a Chinese name", r["e"], sparql, SKOS + "prefLabel", add=[label]))
    match = T(r["e"], SKOS + "exactMatch", iri("http://www.wikidata.org/entity/Q42"))
    out.append(
        Mutation(
            "rule: unconfirmed identity with an identifier",
            r["e"],
            "unconfirmed-identity-identifier",
            SKOS + "exactMatch",
            add=[match],
        )
    )
    notes = objects(r["e"], SZO + "identityNote")
    out.append(
        Mutation(
            "unconfirmed identity without a note (sh:or)",
            r["e"],
            sh("Or"),
            remove=[T(r["e"], SZO + "identityNote", v) for v in notes],
        )
    )

    r = one_row(
        "SELECT ?p ?n ?other WHERE { ?p szo:inDocument ?d ; szo:passageNumber ?n . "
        "?q szo:inDocument ?d ; szo:passageNumber ?other . FILTER(?other != ?n) }"
    )
    out.append(
        Mutation(
            "passage number reused",
            r["p"],
            sparql,
            SZO + "passageNumber",
            remove=[T(r["p"], SZO + "passageNumber", r["n"])],
            add=[T(r["p"], SZO + "passageNumber", r["other"])],
        )
    )

    r = one_row("SELECT ?o ?l ?year WHERE { ?o szo:notListedAsOf ?year ; szo:hasListing ?l }")
    as_of = objects(r["l"], SZO + "asOf")
    out.append(
        Mutation(
            "unlisted firm with a listing valid then",
            r["o"],
            sparql,
            SZO + "notListedAsOf",
            remove=[T(r["l"], SZO + "asOf", v) for v in as_of],
            add=[T(r["l"], SZO + "asOf", r["year"])],
        )
    )

    r = one_row(
        "SELECT ?l ?x ?other WHERE { ?l szo:onBoard ?b ; szo:onExchange ?x . "
        "?other a szo:StockExchange . FILTER(?other != ?x) FILTER NOT EXISTS { ?b szo:boardOf ?other } }"
    )
    out.append(
        Mutation(
            "listing board of another exchange",
            r["l"],
            sparql,
            SZO + "onBoard",
            remove=[T(r["l"], SZO + "onExchange", r["x"])],
            add=[T(r["l"], SZO + "onExchange", r["other"])],
        )
    )

    r = one_row("SELECT ?i ?b ?e WHERE { ?i time:hasBeginning ?b ; time:hasEnd ?e }")
    out.append(
        Mutation(
            "period ends before it begins",
            r["i"],
            sparql,
            TIME + "hasEnd",
            remove=[T(r["i"], TIME + "hasBeginning", r["b"]), T(r["i"], TIME + "hasEnd", r["e"])],
            add=[T(r["i"], TIME + "hasBeginning", r["e"]), T(r["i"], TIME + "hasEnd", r["b"])],
        )
    )

    r = one_row("SELECT ?f ?w WHERE { ?f a szo:MonetaryFigure ; szo:isEstimate true ; szo:expectedWhen ?w }")
    out.append(
        Mutation(
            "estimate without condition",
            r["f"],
            sparql,
            SZO + "expectedWhen",
            remove=[T(r["f"], SZO + "expectedWhen", r["w"])],
        )
    )

    r = one_row(
        "SELECT ?r WHERE { ?r a szo:ProximityRelation ; szo:origin ?o ; szo:destination ?d ; szo:travelTime ?t }"
    )
    for p in ("origin", "destination", "travelTime"):
        out.append(
            Mutation(
                f"proximity relation without {p}",
                r["r"],
                sparql,
                SZO + p,
                remove=[T(r["r"], SZO + p, v) for v in objects(r["r"], SZO + p)],
            )
        )

    r = one_row("SELECT ?n ?b WHERE { ?o szo:statedFirmCount ?n . ?n szo:bound ?b ; szo:countValue ?v }")
    owner = subjects(SZO + "statedFirmCount", r["n"])[0]
    out.append(
        Mutation(
            "rule: a count without bound",
            owner,
            "number-without-bound",
            SZO + "countValue",
            remove=[T(r["n"], SZO + "bound", r["b"])],
        )
    )
    r = one_row("SELECT ?f ?b WHERE { ?f szo:bound ?b ; szo:amount ?v }")
    out.append(
        Mutation(
            "rule: a money amount without bound",
            r["f"],
            "number-without-bound",
            SZO + "amount",
            remove=[T(r["f"], SZO + "bound", r["b"])],
        )
    )

    r = one_row(
        "SELECT ?s ?c ?b ?v WHERE { ?s szo:statedFirmCount ?c ; szo:destination|szo:representativeFirm ?x . "
        "?c szo:bound ?b ; szo:countValue ?v }"
    )
    out.append(
        Mutation(
            "rule: more firms named than an exact count allows",
            r["s"],
            "named-exceeds-stated-count",
            remove=[T(r["c"], SZO + "bound", r["b"]), T(r["c"], SZO + "countValue", r["v"])],
            add=[
                T(r["c"], SZO + "bound", iri(SZO + "Exactly")),
                T(r["c"], SZO + "countValue", ox.Literal("0", datatype=iri(XSD + "integer"))),
            ],
        )
    )

    r = one_row("SELECT ?e ?doc WHERE { ?e prov:wasDerivedFrom ?p . ?p szo:inDocument ?doc }")
    out.append(
        Mutation(
            "a source document cited instead of a passage",
            r["e"],
            sh("Class"),
            PROV + "wasDerivedFrom",
            add=[T(r["e"], PROV + "wasDerivedFrom", r["doc"])],
        )
    )

    r = one_row("SELECT ?e ?p WHERE { ?e prov:qualifiedDerivation/prov:entity ?p ; prov:wasDerivedFrom ?p }")
    out.append(
        Mutation(
            "rule: a qualified derivation from a passage not cited",
            r["e"],
            "derivation-passage-not-cited",
            remove=[T(r["e"], PROV + "wasDerivedFrom", r["p"])],
        )
    )

    r = one_row(
        "SELECT ?e ?p WHERE { ?e prov:qualifiedDerivation/szo:forProperty ?p . ?e ?p ?v . FILTER(?p = skos:altLabel) }"
    )
    out.append(
        Mutation(
            "rule: a derivation names a property the entity lacks",
            r["e"],
            "derivation-property-unused",
            remove=[T(r["e"], r["p"].value, v) for v in objects(r["e"], r["p"].value)],
        )
    )
    return out


# --------------------------------------------------------------------------------------------
# The test
# --------------------------------------------------------------------------------------------


@contextmanager
def mutant(m: Mutation) -> Iterator[ox.Store]:
    """The shipped data with ``m`` applied, for the time of the ``with``: the one store is changed in
    place and restored after, which costs a few quads instead of a copy of the whole graph."""
    store = base()
    removed = [q for q in (ox.Quad(*t, ox.DefaultGraph()) for t in m.remove) if q in store]
    added = [q for q in (ox.Quad(*t, ox.DefaultGraph()) for t in m.add) if q not in store]
    assert removed or added, f"{m.name}: the mutation changes nothing"
    for q in removed:
        store.remove(q)
    for q in added:
        store.add(q)
    try:
        yield store
    finally:
        for q in added:
            store.remove(q)
        for q in removed:
            store.add(q)


def caught(m: Mutation, findings) -> bool:
    return any(
        f.focus == str(m.focus)
        and f.component == m.component
        and (m.path is None or f.path == (m.path if m.path.startswith("^") else f"<{m.path}>"))
        for f in findings
    )


@pytest.fixture(scope="module")
def corpus() -> list[Mutation]:
    return core_mutations() + sparql_mutations()


def test_the_corpus_is_generated_and_changes_the_data(corpus):
    assert len(corpus) >= 150
    components = {m.component for m in corpus}
    for name in (
        "MinCount",
        "MaxCount",
        "Datatype",
        "Class",
        "NodeKind",
        "In",
        "Pattern",
        "MinInclusive",
        "UniqueLang",
        "QualifiedMinCount",
        "Node",
        "Or",
        "Xone",
        "Closed",
        "SPARQL",
    ):
        assert sh(name) in components, name
    assert {q.rule.id for q in checks().values() if q.rule} <= components  # every rule is mutated
    for m in corpus:
        before = {(t.subject, t.predicate, t.object) for t in m.remove}
        assert m.add or before, m.name
        assert all(ox.Quad(*t, ox.DefaultGraph()) in base() for t in before), m.name


PARTS = 4  # the corpus is checked in four parts, which the workers of a parallel run share

_PROJECTION = re.compile(r"SELECT [^{]*? WHERE")  # a projection lists variables side by side
_ANY_PREDICATE = re.compile(r"[?$]\w+ [?$]\w+ [?$]\w+")  # a triple pattern with a variable predicate


def reach(plan: Plan, m: Mutation) -> list[Check]:
    """The checks of ``plan`` whose answer can differ on ``m``'s mutant from the clean data's.

    A query reads only statements its patterns can match: a check whose patterns all have a fixed
    predicate, none of them one that ``m`` adds or removes, answers on the mutant as on the clean
    data (nothing). A pattern missed here only costs a second run (see the module docstring)."""
    changed = {t[1].value for t in [*m.add, *m.remove]}
    return [c for c in plan.checks if _any_predicate(c.query) or changed & _named(c.query)]


@cache
def _any_predicate(query: str) -> bool:
    return bool(_ANY_PREDICATE.search(_PROJECTION.sub("", query)))


@cache
def _named(query: str) -> frozenset[str]:
    """The IRIs ``query`` names: written out, as prefixed names (SHACL-SPARQL declares its prefixes),
    or as the keyword ``a`` (rdf:type)."""
    toks = tokens(query)
    prefixes = {
        name.text[:-1]: iri.text[1:-1]
        for keyword, name, iri in zip(toks, toks[1:], toks[2:], strict=False)
        if keyword.word() == "PREFIX" and iri.kind == "iri"
    }
    found = {t.text[1:-1] for t in toks if t.kind == "iri"}
    for t in toks:
        if t.kind == "name" and t.text == "a":
            found.add(RDF_NS + "type")
        elif t.kind == "name" and t.text.partition(":")[0] in prefixes:
            prefix, _, local = t.text.partition(":")
            found.add(prefixes[prefix] + local)
    return frozenset(found)


@contextmanager
def only(plan: Plan, checks: list[Check]) -> Iterator[None]:
    """Within the ``with``, validating with ``plan`` runs ``checks`` alone."""
    every, plan.checks = plan.checks, checks
    try:
        yield
    finally:
        plan.checks = every


@pytest.mark.slow
@pytest.mark.parametrize("part", range(PARTS), ids=lambda i: f"part-{i + 1}-of-{PARTS}")
def test_every_mutation_is_caught_with_its_component(corpus, part, capsys):
    mine = corpus[part::PARTS]
    rules = {n: q for n, q in checks().items() if q.kind == "violation"}
    unmutated = set(base())
    started = time.perf_counter()
    missed = []
    again = 0  # mutants the checks within reach did not catch, validated again with every check
    # the shapes are compiled once, not once per mutant (half of this test's time): tests/once.py
    with compiled_once(shapes()) as plan:
        assert plan.fallback is None  # every shape compiled: a check left out is a query not run
        assert check_store(base(), shapes(), catalogue=rules).findings == []  # the unmutated data is clean
        for m in mine:
            with mutant(m) as store:
                with only(plan, reach(plan, m)):
                    findings = check_store(store, shapes(), catalogue=rules).findings
                if not caught(m, findings):
                    again += 1
                    findings = check_store(store, shapes(), catalogue=rules).findings
            if not caught(m, findings):
                got = sorted({(f.focus, f.component.rsplit("#", 1)[-1], f.path) for f in findings})
                missed.append(f"{m.name}: want {m.focus} {m.component} {m.path}; got {got}")
    assert set(base()) == unmutated  # every mutant was undone
    score = 100 * (len(mine) - len(missed)) / len(mine)
    with capsys.disabled():
        print(
            f"\nmutation score, part {part + 1} of {PARTS}: {len(mine) - len(missed)}/{len(mine)} = {score:.1f} % "
            f"({time.perf_counter() - started:.0f} s; {again} validated again with every check)"
        )
    assert not missed, "\n".join(missed)
