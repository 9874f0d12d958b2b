"""What an entity page shows, gathered in a worker: names, types, links both ways, citations.

A statement's citation comes from the entity's ``prov:qualifiedDerivation`` nodes whose
``szo:forProperty`` names the statement's property; a property no derivation names falls back
on the entity's ``prov:wasDerivedFrom`` passages (marked as such). The IRI is bound through
pyoxigraph's ``substitutions``, never spliced into the text.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from szsemi.graph.namespaces import PREFIXES as P

if TYPE_CHECKING:
    from szsemi.serve.jobs import State

THIS = ox.Variable("this")
NAME_PROPERTIES = (
    P["skos"] + "prefLabel",
    P["skos"] + "altLabel",
    P["skos"] + "hiddenLabel",
    P["szo"] + "reportedName",
    P["rdfs"] + "label",
)
INCOMING_CAP = 300


_CITE_BLANK = (
    f"SELECT ?this ?x ?passage ?doc ?title ?number ?gist WHERE {{ ?this ?q ?x FILTER(isBlank(?x)) "
    f"?x <{P['prov']}wasDerivedFrom> ?passage . "
    f"OPTIONAL {{ ?passage <{P['szo']}inDocument> ?doc "
    f"OPTIONAL {{ ?doc <{P['dcterms']}title>|<{P['skos']}prefLabel> ?title }} }} "
    f"OPTIONAL {{ ?passage <{P['szo']}passageNumber> ?number }} "
    f"OPTIONAL {{ ?passage <{P['szo']}gist>|<{P['rdfs']}comment>|<{P['dcterms']}description> ?gist }} }}"
)


def _query(state: State, text: str, iri: str) -> Any:
    return state.store.query(text, substitutions={THIS: ox.NamedNode(iri)}, use_default_graph_as_union=True)


def _select(state: State, text: str) -> ox.QuerySolutions:
    from szsemi.serve.jobs import select

    return select(state.store, text)


def exists(state: State, iri: str) -> bool:
    return bool(_query(state, "ASK { { ?this ?p ?o } UNION { ?s ?p ?this } }", iri))


def entity(state: State, iri: str) -> dict[str, Any] | None:
    """The page's data for ``iri``, or None when the graph does not mention it."""
    from szsemi.serve.jobs import citations, cite_rows, labels

    if not exists(state, iri):
        return None
    out: list[dict[str, Any]] = []
    nested: dict[str, list[tuple[Any, Any]]] = {}
    for row in _query(state, "SELECT ?this ?p ?o WHERE { ?this ?p ?o }", iri):
        out.append({"p": row["p"], "o": row["o"]})
    # n-ary details (stated counts, durations, derivations) sit on blank nodes: one level inline
    for row in _query(state, "SELECT ?this ?b ?p ?o WHERE { ?this ?q ?b FILTER(isBlank(?b)) ?b ?p ?o }", iri):
        nested.setdefault(str(row["b"]), []).append((row["p"], row["o"]))
    incoming = [
        {"s": row["s"], "p": row["p"]}
        for row in _query(
            state,
            f"SELECT ?this ?s ?p WHERE {{ ?s ?p ?this FILTER(isIRI(?s)) }} ORDER BY ?p ?s LIMIT {INCOMING_CAP + 1}",
            iri,
        )
    ]
    by_property: dict[str, list[str]] = {}
    for row in _query(
        state,
        f"SELECT ?this ?prop ?passage WHERE {{ ?this <{P['prov']}qualifiedDerivation> ?d . "
        f"?d <{P['prov']}entity> ?passage ; <{P['szo']}forProperty> ?prop }}",
        iri,
    ):
        by_property.setdefault(row["prop"].value, []).append(row["passage"].value)
    general, passages = citations(state, [ox.NamedNode(iri)])
    # blank nodes cannot be written in VALUES: their citations are reached from the entity
    blank_sources, blank_passages = cite_rows(_query(state, _CITE_BLANK, iri))
    passages.update(blank_passages)
    named = (
        {t["p"] for t in out}
        | {t["o"] for t in out}
        | {t["s"] for t in incoming}
        | {t["p"] for t in incoming}
        | {p for pairs in nested.values() for p, _ in pairs}
        | {o for pairs in nested.values() for _, o in pairs}
        | {ox.NamedNode(iri)}
    )
    extra = [ox.NamedNode(p) for ps in by_property.values() for p in ps if p not in passages]
    if extra:
        passages.update(
            cite_rows(
                _select(
                    state,
                    "SELECT ?x ?passage ?doc ?title ?number ?gist WHERE "
                    f"{{ VALUES ?passage {{ {' '.join(map(str, extra))} }} "
                    f"BIND(?passage AS ?x) OPTIONAL {{ ?passage <{P['szo']}inDocument> ?doc "
                    f"OPTIONAL {{ ?doc <{P['dcterms']}title>|<{P['skos']}prefLabel> ?title }} }} "
                    f"OPTIONAL {{ ?passage <{P['szo']}passageNumber> ?number }} "
                    f"OPTIONAL {{ ?passage <{P['szo']}gist>|<{P['rdfs']}comment>|<{P['dcterms']}description> ?gist }} "
                    "}",
                )
            )[1]
        )
    return {
        "iri": iri,
        "out": out,
        "nested": nested,
        "incoming": incoming[:INCOMING_CAP],
        "incoming_capped": len(incoming) > INCOMING_CAP,
        "by_property": by_property,
        "general": general.get(iri, []),
        "blank_sources": blank_sources,
        "passages": passages,
        "labels": labels(state, [n for n in named if isinstance(n, ox.NamedNode)]),
    }


def describe(state: State, iri: str, media: str) -> bytes | None:
    """``iri``'s triples, those of the blank nodes below it (two levels), and the links to it."""
    from szsemi.serve.results import write_triples

    if not exists(state, iri):
        return None
    triples = list(
        _query(
            state,
            """CONSTRUCT { ?this ?p ?o . ?o ?p2 ?o2 . ?o2 ?p3 ?o3 . ?s ?q ?this }
        WHERE { { ?this ?p ?o OPTIONAL { FILTER(isBlank(?o)) ?o ?p2 ?o2
                   OPTIONAL { FILTER(isBlank(?o2)) ?o2 ?p3 ?o3 } } }
                UNION { ?s ?q ?this } }""",
            iri,
        )
    )
    return write_triples(triples, media)


JOBS: dict[str, Callable[..., Any]] = {"entity": entity, "describe": describe}
