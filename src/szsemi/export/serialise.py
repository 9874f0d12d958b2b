"""Export the graph as a file other tools read: Turtle, N-Triples, N-Quads, TriG, JSON-LD or RDF/XML.

Every format is byte-identical from run to run: blank nodes get content-derived labels
(``szsemi.export.bnodes``), N-Triples and N-Quads lines are sorted, Turtle is rdflib's ``longturtle`` (sorted),
TriG is built from one longturtle block per graph, JSON-LD is written with sorted keys and sorted
arrays (never inside ``@list``) and a compact ``@context`` of the project's prefixes, and RDF/XML is
written here, one sorted ``rdf:Description`` per subject. Language tags are written in BCP 47 case
(``zh-Hans``).

``graph_per_source`` (quad formats: nq, trig, jsonld) puts each source document's facts in a named
graph ``sz:graph/<source slug>``; see ``source_graphs`` for the rule.

>>> len(export("data", "nt").splitlines()) > 1000
True
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

import rdflib
from rdflib import RDF, BNode, Literal, URIRef

from szsemi.graph import resources
from szsemi.export.bnodes import stable
from szsemi.errors import InputError, UsageError
from szsemi.graph.namespaces import PREFIXES
from szsemi.graph.terms import compact_iri, split_iri
from szsemi.export.profiles import PROFILES, re_express

CONTENTS = ("data", "ontology", "shapes", "all")
MEDIA_TYPES = {
    "ttl": "text/turtle", "nt": "application/n-triples", "nq": "application/n-quads",
    "trig": "application/trig", "jsonld": "application/ld+json", "xml": "application/rdf+xml",
}
FORMATS = tuple(MEDIA_TYPES)
QUAD_FORMATS = ("nq", "trig", "jsonld")

SZO = PREFIXES["szo"]
PROV = PREFIXES["prov"]
IN_DOCUMENT = URIRef(SZO + "inDocument")
SOURCE_DOCUMENT = URIRef(SZO + "SourceDocument")
FOR_PROPERTY = URIRef(SZO + "forProperty")
WAS_DERIVED_FROM = URIRef(PROV + "wasDerivedFrom")
QUALIFIED_DERIVATION = URIRef(PROV + "qualifiedDerivation")
PROV_ENTITY = URIRef(PROV + "entity")
TITLE = URIRef(PREFIXES["skos"] + "prefLabel")
GRAPH_BASE = PREFIXES["sz"] + "graph/"


@dataclass
class Export:
    """What an export holds: its graphs (``None`` is the default graph) and the sources they cite."""

    content: str
    profile: str
    graphs: dict[URIRef | None, rdflib.Graph]
    sources: dict[URIRef, str] = field(default_factory=dict)        # source document -> title
    graph_source: dict[URIRef, URIRef] = field(default_factory=dict)  # named graph -> source document

    def union(self) -> rdflib.Graph:
        result = rdflib.Graph()
        for graph in self.graphs.values():
            result += graph
        return result


def content_files(content: str) -> list:
    if content not in CONTENTS:
        raise UsageError(f"unknown content {content!r}: use one of {', '.join(CONTENTS)}")
    parts = {"ontology": [resources.ontology_file()], "shapes": [resources.shapes_file()],
             "data": resources.data_files()}
    if content == "all":
        return parts["ontology"] + parts["shapes"] + parts["data"]
    return parts[content]


def load_graph(files) -> rdflib.Graph:
    """The files' triples, parsed as written (lexical forms and tag case kept), with stable blank nodes."""
    from szsemi.graph.load import display_name, load, read_bytes, rdf_format

    graph = rdflib.Graph()
    for source in files:
        fmt = {"ttl": "turtle", "nt": "nt", "nq": "nquads", "trig": "trig", "jsonld": "json-ld"}.get(
            display_name(source).rsplit(".", 1)[-1].lower(), "xml")
        rdf_format(source)  # rejects an unknown extension with a clear message
        try:
            graph.parse(data=read_bytes(source), format=fmt)
        except InputError:
            raise
        except Exception as e:  # rdflib's parsers raise many types; Oxigraph says where
            load([source])
            raise InputError(f"does not parse: {e}", path=display_name(source)) from None
    return stable(graph)


def source_graphs(graph: rdflib.Graph) -> dict[tuple, set[URIRef]]:
    """The source documents each triple belongs to (an empty set: no source, the default graph).

    The rule: a passage and its document belong to that document. A derivation node, and the link to
    it, belong to the document of its ``prov:entity`` passage; a ``prov:wasDerivedFrom`` link to the
    document of its passage. Any other statement of an entity belongs to the documents of the
    derivations whose ``szo:forProperty`` names its predicate; failing that (``rdf:type``, or an entity
    without qualified derivations), to every document the entity cites: the data cannot tell which
    one states it, and each does speak of the entity. A blank node belongs with the IRI it hangs from,
    under the predicate that links it there. So an entity citing two sources appears in both graphs,
    with each property in the graph of the source that gives it, and the union of all graphs is
    exactly the graph.
    """
    doc_of = {p: d for p, d in graph.subject_objects(IN_DOCUMENT)}
    docs = set(graph.subjects(RDF.type, SOURCE_DOCUMENT)) | set(doc_of.values())
    parents: dict[BNode, list[tuple]] = {}
    for s, p, o in graph:
        if isinstance(o, BNode):
            parents.setdefault(o, []).append((s, p))

    def roots(node, via=None, seen=frozenset()):
        """(IRI, top predicate) pairs a node hangs from."""
        if not isinstance(node, BNode):
            return {(node, via)}
        if node in seen or node not in parents:
            return set()
        found = set()
        for parent, p in parents[node]:
            found |= roots(parent, p, seen | {node})
        return found

    def docs_of_passages(passages) -> set:
        return {doc_of[p] for p in passages if p in doc_of} | {p for p in passages if p in docs}

    derivation_docs = {d: docs_of_passages(graph.objects(d, PROV_ENTITY))
                       for d in set(graph.subjects(PROV_ENTITY, None))}
    cited: dict = {}
    by_property: dict = {}
    for entity, d in graph.subject_objects(QUALIFIED_DERIVATION):
        for prop in graph.objects(d, FOR_PROPERTY):
            by_property.setdefault((entity, prop), set()).update(derivation_docs.get(d, ()))
        cited.setdefault(entity, set()).update(derivation_docs.get(d, ()))
    for entity, passage in graph.subject_objects(WAS_DERIVED_FROM):
        cited.setdefault(entity, set()).update(docs_of_passages([passage]))

    result = {}
    for triple in graph:
        s, p, o = triple
        if s in derivation_docs:
            found = derivation_docs[s]
        elif p == QUALIFIED_DERIVATION and o in derivation_docs:
            found = derivation_docs[o]
        elif p == WAS_DERIVED_FROM and docs_of_passages([o]):
            found = docs_of_passages([o])
        else:
            found = set()
            for root, top in (roots(s) if isinstance(s, BNode) else {(s, p)}):
                if root in docs:
                    found.add(root)
                elif root in doc_of:
                    found.add(doc_of[root])
                elif (root, top) in by_property:
                    found |= by_property[(root, top)]
                else:
                    found |= cited.get(root, set())
        result[triple] = found
    return result


def graph_name(document: URIRef) -> URIRef:
    """The named graph of a source document: ``sz:graph/`` + the last segment of its IRI."""
    return URIRef(GRAPH_BASE + str(document).rstrip("/").rsplit("/", 1)[-1])


def build(content: str = "data", profile: str = "native", graph_per_source: bool = False,
          files=None) -> Export:
    """The export's graphs. ``files`` overrides the shipped files chosen by ``content``."""
    if profile not in PROFILES:
        raise UsageError(f"unknown profile {profile!r}: use one of {', '.join(PROFILES)}")
    native = load_graph(content_files(content) if files is None else files)
    sources = {d: str(next(iter(sorted(native.objects(d, TITLE))), "")) for d in
               sorted(set(native.subjects(RDF.type, SOURCE_DOCUMENT)) | set(native.objects(None, IN_DOCUMENT)))}
    if graph_per_source:
        parts: dict = {}
        for triple, docs in source_graphs(native).items():
            for name in sorted(graph_name(d) for d in docs) or [None]:
                parts.setdefault(name, rdflib.Graph()).add(triple)
        graph_source = {graph_name(d): d for d in sources}
    else:
        parts, graph_source = {None: native}, {}
    if profile != "native":
        mappings = load_graph([resources.alignments_file(), resources.ontology_file()])
        parts = {name: re_express(g, profile, mappings) for name, g in parts.items()}
    parts = {name: g for name, g in parts.items() if len(g) or name is None}
    return Export(content, profile, parts, sources,
                  {g: d for g, d in graph_source.items() if g in parts})


def export(content: str = "data", fmt: str = "ttl", graph_per_source: bool = False,
           profile: str = "native", *, data=(), store=None) -> bytes:
    """The graph (``content``: data, ontology, shapes or all) as ``fmt`` bytes: the shipped files,
    or ``data`` files instead of the shipped data, or the files of the ``store`` folder."""
    from szsemi.export.inputs import graph_files

    check_format(fmt, graph_per_source)
    return serialize(build(content, profile, graph_per_source, graph_files(content, data=data, store=store)), fmt)


def check_format(fmt: str, graph_per_source: bool = False) -> None:
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    if graph_per_source and fmt not in QUAD_FORMATS:
        raise UsageError(f"--graph-per-source needs a format with named graphs ({', '.join(QUAD_FORMATS)}), "
                         f"not {fmt}")


def serialize(exp: Export, fmt: str) -> bytes:
    check_format(fmt, any(name is not None for name in exp.graphs))
    graphs = sorted(exp.graphs.items(), key=lambda kv: "" if kv[0] is None else str(kv[0]))
    if fmt == "nt":
        return "".join(_nt_lines(exp.union())).encode("utf-8")
    if fmt == "nq":
        lines = []
        for name, graph in graphs:
            suffix = " ." if name is None else f" {name.n3()} ."
            lines += [line[: -len(" .\n")] + suffix + "\n" for line in _nt_lines(graph)]
        return "".join(sorted(lines)).encode("utf-8")
    if fmt == "ttl":
        return longturtle(exp.union()).encode("utf-8")
    if fmt == "trig":
        return _trig(graphs).encode("utf-8")
    if fmt == "jsonld":
        return _jsonld(graphs).encode("utf-8")
    return _rdfxml(exp.union()).encode("utf-8")


def _bcp47(tag: str) -> str:
    """``zh-hans`` -> ``zh-Hans``, ``en-gb`` -> ``en-GB`` (BCP 47's recommended case)."""
    parts, out, private = tag.split("-"), [], False
    for i, part in enumerate(parts):
        if i == 0 or private or len(part) == 1:
            private = private or (i > 0 and len(part) == 1)
            out.append(part.lower())
        elif len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif len(part) == 2 and part.isalpha():
            out.append(part.upper())
        else:
            out.append(part.lower())
    return "-".join(out)


def _term(term):
    if isinstance(term, Literal) and term.language:
        return Literal(str(term), lang=_bcp47(term.language))
    return term


def _fresh(graph: rdflib.Graph) -> rdflib.Graph:
    """A copy with the project's prefixes bound and tags in BCP 47 case, built in sorted order."""
    result = rdflib.Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        result.bind(prefix, namespace, override=True, replace=True)
    for s, p, o in sorted(graph, key=_key):
        result.add((s, p, _term(o)))
    return result


def _key(triple) -> tuple:
    return tuple(term.n3() for term in triple)


def _nt_lines(graph: rdflib.Graph) -> list[str]:
    """The sorted N-Triples lines, each written by rdflib's own N-Triples row writer: no copy of the
    graph (``_fresh``) is needed for a format without prefixes, and the lines are sorted anyway."""
    from rdflib.plugins.serializers.nt import _nt_row

    return sorted(_nt_row((s, p, _term(o))) for s, p, o in graph)


def longturtle(graph: rdflib.Graph) -> str:
    """``graph`` as sorted longturtle text with the project's prefixes."""
    return _fresh(graph).serialize(format="longturtle").strip() + "\n"


def _trig(graphs) -> str:
    prefixes, blocks = set(), []
    for name, graph in graphs:
        body = []
        for line in longturtle(graph).splitlines():
            if line.startswith("PREFIX "):
                prefixes.add(line)
            elif body or line.strip():
                body.append(line)
        if name is None:
            blocks.append("\n".join(body).strip() + "\n")
        else:
            inner = "\n".join("    " + line if line else "" for line in body).rstrip()
            blocks.append(f"GRAPH {name.n3()} {{\n{inner}\n}}\n")
    header = "\n".join(sorted(prefixes)) + "\n"
    return header + "".join("\n" + b for b in blocks if b.strip())


def _jsonld(graphs) -> str:
    if len(graphs) == 1 and graphs[0][0] is None:
        data = _fresh(graphs[0][1])
    else:
        data = rdflib.Dataset()
        for prefix, namespace in PREFIXES.items():
            data.bind(prefix, namespace, override=True, replace=True)
        for name, graph in graphs:
            target = data.default_graph if name is None else data.graph(name)
            for s, p, o in sorted(graph, key=_key):
                target.add((s, p, _term(o)))
    text = data.serialize(format="json-ld", context=dict(PREFIXES), auto_compact=True)
    return json.dumps(_sorted_json(json.loads(text)), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _compact_iri(iri: str) -> str:
    """``sz:passage/x`` for a node IRI rdflib left whole (it will not compact a suffix with a slash)."""
    return compact_iri(iri) or iri


def _sorted_json(value, in_list: bool = False):
    if isinstance(value, dict):
        return {k: (_compact_iri(v) if k == "@id" and isinstance(v, str) else _sorted_json(v, k == "@list"))
                for k, v in value.items()}
    if isinstance(value, list):
        items = [_sorted_json(v) for v in value]
        if in_list:
            return items
        return sorted(items, key=lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True))
    return value


_XML_ESCAPES = {"\r": "&#13;"}


def _qname(iri: str) -> tuple[str, str, str]:
    """(prefix, local name, namespace) for an RDF/XML element; unknown namespaces get ``ns1``."""
    split = split_iri(iri, lambda local: bool(local) and _ncname(local))
    if split:
        return split[0], split[2], split[1]
    cut = max(iri.rfind("#"), iri.rfind("/")) + 1
    while cut < len(iri) and not _ncname(iri[cut:]):
        cut += 1
    if cut >= len(iri):
        raise UsageError(f"RDF/XML cannot write the predicate <{iri}>: use another format")
    return "ns1", iri[cut:], iri[:cut]


def _ncname(text: str) -> bool:
    return (text[0].isalpha() or text[0] == "_") and all(c.isalnum() or c in "-._" for c in text)


def _rdfxml(graph: rdflib.Graph) -> str:
    graph = _fresh(graph)
    used = {"rdf": PREFIXES["rdf"]}
    lines = []
    subjects = sorted(set(graph.subjects()), key=lambda s: (isinstance(s, BNode), str(s)))
    for s in subjects:
        about = f"rdf:nodeID={quoteattr(str(s))}" if isinstance(s, BNode) else f"rdf:about={quoteattr(str(s))}"
        lines.append(f"  <rdf:Description {about}>")
        for p, o in sorted(graph.predicate_objects(s), key=_key):
            prefix, local, namespace = _qname(str(p))
            declare = ""
            if prefix == "ns1":
                declare = f" xmlns:ns1={quoteattr(namespace)}"
            else:
                used[prefix] = namespace
            tag = f"{prefix}:{local}"
            if isinstance(o, BNode):
                lines.append(f"    <{tag}{declare} rdf:nodeID={quoteattr(str(o))}/>")
            elif isinstance(o, URIRef):
                lines.append(f"    <{tag}{declare} rdf:resource={quoteattr(str(o))}/>")
            else:
                attrs = (f" xml:lang={quoteattr(o.language)}" if o.language else
                         f" rdf:datatype={quoteattr(str(o.datatype))}" if o.datatype else "")
                lines.append(f"    <{tag}{declare}{attrs}>{escape(str(o), _XML_ESCAPES)}</{tag}>")
        lines.append("  </rdf:Description>")
    namespaces = "".join(f"\n    xmlns:{p}={quoteattr(n)}" for p, n in sorted(used.items()))
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            f"<rdf:RDF{namespaces}>\n" + "\n".join(lines) + "\n</rdf:RDF>\n")
