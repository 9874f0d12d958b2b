"""The JSON-LD and RDF/XML writers of the export, fed statements already in sorted order.

JSON-LD: a compact ``@context`` of the project's prefixes; the default graph's nodes at the top
level of ``@graph`` (so every JSON-LD reader puts them in the default graph), each named graph as a
node with its own ``@graph``; keys, nodes and values sorted, RDF lists as plain ``rdf:first`` /
``rdf:rest`` nodes. RDF/XML: one ``rdf:Description`` per subject, in the given order, only the
namespaces used declared. Oxigraph's own RDF/XML writer is not used: it writes an unreadable element
for a predicate with no XML name (``http://x/1``), where this one refuses with a clear message.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from szsemi.errors import UsageError
from szsemi.graph import terms
from szsemi.graph.namespaces import PREFIXES

if TYPE_CHECKING:
    from rdflib.term import Node as RdflibNode

XSD_STRING = PREFIXES["xsd"] + "string"
LANG_STRING = PREFIXES["rdf"] + "langString"
RDF_TYPE = PREFIXES["rdf"] + "type"

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | ox.DefaultGraph


def _bcp47(tag: str) -> str:
    from szsemi.export.serialise import bcp47

    return bcp47(tag)


# JSON-LD ---------------------------------------------------------------------------------------------


def compact_iri(iri: str) -> str:
    """``sz:passage/x`` where a project prefix fits; else the IRI (refused if a reader would misread it)."""
    compacted = terms.compact_iri(iri)
    if compacted:
        return compacted
    scheme = iri.split(":", 1)[0]
    if scheme in PREFIXES:  # "sz:x" as an absolute IRI would be read as a prefixed name
        raise UsageError(f"JSON-LD cannot write the IRI <{iri}> with this context: use another format")
    return iri


def _node_id(term: Term) -> str:
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.NamedNode):
        return compact_iri(term.value)
    raise UsageError(f"JSON-LD cannot write {term} as a node: use another format")


def _value(term: Term) -> dict[str, str]:
    if isinstance(term, ox.Literal):
        if term.language:
            return {"@language": _bcp47(term.language), "@value": term.value}
        if term.datatype.value == XSD_STRING:
            return {"@value": term.value}
        return {"@type": compact_iri(term.datatype.value), "@value": term.value}
    return {"@id": _node_id(term)}


def _key(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def jsonld(statements: Iterable[ox.Quad], graph_names: Iterable[ox.NamedNode] = ()) -> bytes:
    """A JSON-LD document of the statements, which come sorted by graph (default first) then subject.

    Each node is written as soon as its last statement is read, so the document is held as text,
    not as a tree of every value. ``graph_names`` are the named graphs (their nodes carry ``@graph``).
    """
    names = {_node_id(n) for n in graph_names}
    done: list[tuple[str, str]] = []  # (sort key, indented text) of each top-level node
    held: dict[str, dict[str, Any]] = {}  # graph-name nodes of the default graph, finished at the end
    graphs: dict[str, list[dict[str, Any]]] = {}  # named graph -> its nodes
    graph, subject = "", ""
    node: dict[str, Any] = {}

    def finish() -> None:
        if not node:
            return
        if graph:
            graphs.setdefault(graph, []).append(node)
        elif subject in names:
            held[subject] = node
        else:
            done.append(_entry(node))

    for q in statements:
        g = "" if isinstance(q.graph_name, ox.DefaultGraph) else _node_id(q.graph_name)
        s = _node_id(q.subject)
        if (g, s) != (graph, subject):
            finish()
            graph, subject, node = g, s, {"@id": s}
        if q.predicate.value == RDF_TYPE and isinstance(q.object, ox.NamedNode):
            node.setdefault("@type", []).append(compact_iri(q.object.value))
        else:
            node.setdefault(compact_iri(q.predicate.value), []).append(_value(q.object))
    finish()
    for name, nodes in graphs.items():
        top = held.pop(name, {"@id": name})
        top["@graph"] = [_sorted_values(n) for n in nodes]
        top["@graph"].sort(key=_key)
        done.append(_entry(top))
    done.extend(_entry(n) for n in held.values())
    done.sort(key=lambda entry: entry[0])
    context = json.dumps(dict(PREFIXES), ensure_ascii=False, indent=2, sort_keys=True).replace("\n", "\n  ")
    body = ",\n".join(text for _, text in done)
    done.clear()  # the texts now live in body only
    return (
        '{\n  "@context": ' + context + ',\n  "@graph": [' + ("\n" + body + "\n  " if body else "") + "]\n}\n"
    ).encode("utf-8")


def _sorted_values(node: dict[str, Any]) -> dict[str, Any]:
    return {k: sorted(v, key=_key) if isinstance(v, list) and k != "@graph" else v for k, v in node.items()}


def _entry(node: dict[str, Any]) -> tuple[str, str]:
    """(sort key, text indented for the top-level ``@graph`` list) of a node, its values sorted."""
    node = _sorted_values(node)
    text = json.dumps(node, ensure_ascii=False, indent=2, sort_keys=True)
    return _key(node), "    " + text.replace("\n", "\n    ")


# RDF/XML ---------------------------------------------------------------------------------------------

_XML_ESCAPES = {"\r": "&#13;"}


def _ncname(text: str) -> bool:
    return (text[0].isalpha() or text[0] == "_") and all(c.isalnum() or c in "-._" for c in text)


def _qname(iri: str) -> tuple[str, str, str]:
    """(prefix, local name, namespace) for an RDF/XML element; unknown namespaces get ``ns1``."""
    split = terms.split_iri(iri, lambda local: bool(local) and _ncname(local))
    if split:
        return split[0], split[2], split[1]
    cut = max(iri.rfind("#"), iri.rfind("/")) + 1
    while cut < len(iri) and not _ncname(iri[cut:]):
        cut += 1
    if cut >= len(iri):
        raise UsageError(f"RDF/XML cannot write the predicate <{iri}>: use another format")
    return "ns1", iri[cut:], iri[:cut]


def _about(term: Term) -> str:
    if isinstance(term, ox.BlankNode):
        return f"rdf:nodeID={quoteattr(term.value)}"
    if isinstance(term, ox.NamedNode):
        return f"rdf:about={quoteattr(term.value)}"
    raise UsageError(f"RDF/XML cannot write {term} as a subject: use another format")


def rdfxml(statements: Iterable[ox.Quad]) -> bytes:
    """An RDF/XML document of the statements (default graph only), one description per subject."""
    used = {"rdf": PREFIXES["rdf"]}
    lines: list[str] = []
    subject: Term | None = None
    for q in statements:
        if q.subject != subject:
            if subject is not None:
                lines.append("  </rdf:Description>")
            subject = q.subject
            lines.append(f"  <rdf:Description {_about(subject)}>")
        prefix, local, namespace = _qname(q.predicate.value)
        declare = ""
        if prefix == "ns1":
            declare = f" xmlns:ns1={quoteattr(namespace)}"
        else:
            used[prefix] = namespace
        tag, o = f"{prefix}:{local}", q.object
        if isinstance(o, ox.BlankNode):
            lines.append(f"    <{tag}{declare} rdf:nodeID={quoteattr(o.value)}/>")
        elif isinstance(o, ox.NamedNode):
            lines.append(f"    <{tag}{declare} rdf:resource={quoteattr(o.value)}/>")
        elif isinstance(o, ox.Literal):
            attrs = (
                f" xml:lang={quoteattr(_bcp47(o.language))}"
                if o.language
                else ""
                if o.datatype.value == XSD_STRING
                else f" rdf:datatype={quoteattr(o.datatype.value)}"
            )
            lines.append(f"    <{tag}{declare}{attrs}>{escape(o.value, _XML_ESCAPES)}</{tag}>")
        else:
            raise UsageError("RDF/XML cannot write an RDF 1.2 triple term: use another format")
    if subject is not None:
        lines.append("  </rdf:Description>")
    namespaces = "".join(f"\n    xmlns:{p}={quoteattr(n)}" for p, n in sorted(used.items()))
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f"<rdf:RDF{namespaces}>\n" + "\n".join(lines) + ("\n" if lines else "") + "</rdf:RDF>\n"
    ).encode("utf-8")


# rdflib ----------------------------------------------------------------------------------------------


def to_rdflib(term: Term) -> RdflibNode:
    """The rdflib term for a pyoxigraph term, lexical form kept (no normalisation)."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=_bcp47(term.language))
        if term.datatype.value == XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)
    raise UsageError(f"rdflib cannot hold {term}")
