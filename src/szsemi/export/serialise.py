"""Export the graph as a file other tools read: Turtle, N-Triples, N-Quads, TriG, JSON-LD or RDF/XML.

The work is pyoxigraph's: the files are parsed into an ``ox.Dataset``, split into one named graph per
source (``graph_per_source``) or re-expressed in another vocabulary (``profile``) when asked, and
their blank nodes renamed by RDFC-1.0 (``Dataset.canonicalize``), the W3C's canonical labelling,
so that the same graph always gets the same labels (``_:c14n0`` ...).
Where RDFC-1.0's work would explode (blank nodes nested thousands deep), ``szsemi.graph.canonical``
labels those nodes by a tree hash instead (``_:t0`` ...), or refuses a structure that is no tree.

Every format is byte-identical from run to run. Oxigraph's own iteration order changes with each
process, so the canonical N-Quads lines are sorted as bytes, and every other format is written
from those sorted lines:

- N-Triples and N-Quads: the sorted lines (code-point order: subject, predicate, object, graph).
- Turtle and TriG: Oxigraph's writers fed the sorted statements, with the project's prefixes; one
  subject block per subject in sorted order, one value per line, blank nodes as ``_:c14nN``
  labels (never nested ``[ ]``, so a node's lines do not move when its parent changes). TriG writes
  the default graph first, then each named graph in IRI order. Literals are always one-line
  escaped strings, so no line of the file is taken apart afterwards.
- JSON-LD and RDF/XML: written by ``szsemi.export.writers`` from the same sorted statements.

Oxigraph lowercases language tags; the writers give them back BCP 47's recommended case
(``zh-Hans``, ``en-GB``), as the project's files write them.

The data files in ``data/`` are rdflib ``longturtle`` (``szsemi format``), which is for hand-edited
files; an export is written by Oxigraph, about 15x faster at 1M triples.

>>> b"zh-Hans" in export("data", "nt")
True
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from itertools import chain
from typing import TYPE_CHECKING

import pyoxigraph as ox

from szsemi.errors import InputError, UsageError
from szsemi.export.profiles import PROFILES, re_express
from szsemi.export.sources import source_graphs
from szsemi.graph import resources
from szsemi.graph.canonical import canonicalize
from szsemi.graph.namespaces import PREFIXES

if TYPE_CHECKING:
    import rdflib

Source = str | os.PathLike[str] | Traversable
GraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph

CONTENTS = ("data", "ontology", "shapes", "all")
MEDIA_TYPES = {
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "nq": "application/n-quads",
    "trig": "application/trig",
    "jsonld": "application/ld+json",
    "xml": "application/rdf+xml",
}
FORMATS = tuple(MEDIA_TYPES)
QUAD_FORMATS = ("nq", "trig", "jsonld")

SZO = PREFIXES["szo"]
RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
IN_DOCUMENT = ox.NamedNode(SZO + "inDocument")
SOURCE_DOCUMENT = ox.NamedNode(SZO + "SourceDocument")
TITLE = ox.NamedNode(PREFIXES["skos"] + "prefLabel")
GRAPH_BASE = PREFIXES["sz"] + "graph/"
DEFAULT = ox.DefaultGraph()


@dataclass
class Export:
    """What an export holds: one dataset (canonical blank nodes) and the source documents it cites."""

    content: str
    profile: str
    dataset: ox.Dataset
    sources: dict[ox.NamedNode, str] = field(default_factory=dict)  # source document -> title
    graph_source: dict[ox.NamedNode, ox.NamedNode] = field(default_factory=dict)  # graph -> document
    graph_names: list[ox.NamedNode] = field(default_factory=list)  # the named graphs, in IRI order

    def union(self) -> rdflib.Graph:
        """Every statement in one rdflib graph (for ``szsemi push``, which sends rdflib graphs)."""
        import rdflib

        from szsemi.export.writers import to_rdflib

        graph = rdflib.Graph()
        for q in self.dataset:
            graph.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
        return graph


def content_files(content: str) -> list[Traversable]:
    """The shipped files an export of ``content`` reads."""
    if content not in CONTENTS:
        raise UsageError(f"unknown content {content!r}: use one of {', '.join(CONTENTS)}")
    parts = {
        "ontology": [resources.ontology_file()],
        "shapes": [resources.shapes_file()],
        "data": resources.data_files(),
    }
    if content == "all":
        return parts["ontology"] + parts["shapes"] + parts["data"]
    return parts[content]


def _parse(source: Source, rename: bool) -> Iterator[ox.Quad]:
    """The statements of one file, each in the default graph (an export is of the graph's union).

    The same guards as every other reader (entity expansion, JSON-LD depth, a byte-order mark) and
    relative IRIs resolved against the file, so an export reads exactly what a query reads.
    """
    from szsemi.graph import guards
    from szsemi.graph.load import base_iri, display_name, rdf_format, read_bytes

    fmt = rdf_format(source)
    name, base = display_name(source), base_iri(source)
    quads: Iterator[ox.Quad]
    if isinstance(source, (str, os.PathLike)) and fmt != ox.RdfFormat.JSON_LD:
        path = os.fspath(source)
        if not os.path.isfile(path):  # ox.parse would say less
            read_bytes(path)  # raises the project's message (no such file, is a folder)
        if not os.access(path, os.R_OK):
            raise InputError("cannot read: permission denied", path=path)
        if fmt == ox.RdfFormat.RDF_XML:
            guards.check_rdfxml(path, None, name)
        quads = _parse_file(path, fmt, base, rename)
    else:
        data = read_bytes(source).removeprefix(guards.BOM)
        if fmt == ox.RdfFormat.RDF_XML:
            guards.check_rdfxml(None, data, name)
        elif fmt == ox.RdfFormat.JSON_LD:
            guards.check_jsonld(data, name)
        quads = ox.parse(data, format=fmt, base_iri=base, rename_blank_nodes=rename)
    if fmt.supports_datasets:
        quads = (ox.Quad(q.subject, q.predicate, q.object) for q in quads)
    return _named_errors(quads, name)


def _named_errors(quads: Iterator[ox.Quad], name: str) -> Iterator[ox.Quad]:
    """``quads``, with Oxigraph's "buffer maximal size" (a literal over 16 MB) as the input error every
    reader gives, naming the file (the parser stops there, before the literal is held in memory)."""
    from szsemi.graph import guards

    try:
        yield from quads
    except MemoryError as e:
        raise (guards.too_big(e, name) or e) from None


def _parse_file(path: str, fmt: ox.RdfFormat, base: str | None, rename: bool) -> Iterator[ox.Quad]:
    """A file's statements, streamed from disk (no copy in memory), after any byte-order mark."""
    from szsemi.graph import guards

    with open(path, "rb") as f:
        yield from ox.parse(guards.skip_bom(f), format=fmt, base_iri=base, rename_blank_nodes=rename)


def read_dataset(files: Sequence[Source]) -> ox.Dataset:
    """The files' statements in one dataset's default graph, lexical forms kept as written.

    Blank nodes of different files stay apart (each file's are renamed when there are several).
    A syntax error is an ``InputError`` naming the file, line and column.
    """
    rename = len(files) > 1
    try:
        if len(files) == 1:
            return ox.Dataset(_parse(files[0], rename))
        return ox.Dataset(chain.from_iterable(_parse(source, rename) for source in files))
    except SyntaxError:
        from szsemi.graph.load import display_name, load

        for source in files:  # find the file at fault; Oxigraph's store loader says where
            load([source])
        raise InputError("does not parse", path=", ".join(display_name(s) for s in files)) from None


def graph_name(document: ox.NamedNode) -> ox.NamedNode:
    """The named graph of a source document: ``sz:graph/`` + the last segment of its IRI."""
    return ox.NamedNode(GRAPH_BASE + document.value.rstrip("/").rsplit("/", 1)[-1])


def _sources(dataset: ox.Dataset) -> dict[ox.NamedNode, str]:
    docs: set[object] = {q.subject for q in dataset.quads_for_object(SOURCE_DOCUMENT) if q.predicate == RDF_TYPE}
    docs |= {q.object for q in dataset.quads_for_predicate(IN_DOCUMENT)}
    result = {}
    for doc in sorted((d for d in docs if isinstance(d, ox.NamedNode)), key=lambda d: d.value):
        titles = sorted(
            q.object.value
            for q in dataset.quads_for_subject(doc)
            if q.predicate == TITLE and isinstance(q.object, ox.Literal)
        )
        result[doc] = titles[0] if titles else ""
    return result


def build(
    content: str = "data",
    profile: str = "native",
    graph_per_source: bool = False,
    files: Sequence[Source] | None = None,
) -> Export:
    """The export's dataset. ``files`` (any RDF files) overrides the shipped files chosen by ``content``."""
    if profile not in PROFILES:
        raise UsageError(f"unknown profile {profile!r}: use one of {', '.join(PROFILES)}")
    sources_read = content_files(content) if files is None else list(files)
    dataset = read_dataset(sources_read)
    sources = _sources(dataset)
    graph_source: dict[ox.NamedNode, ox.NamedNode] = {}
    named: list[ox.NamedNode] = []
    if graph_per_source or profile != "native":
        triples = [q.triple for q in dataset]
        parts: dict[GraphName, list[ox.Triple]] = {}
        if graph_per_source:
            for triple, docs in source_graphs(triples).items():
                names: list[GraphName] = [graph_name(d) for d in sorted(docs, key=lambda d: d.value)]
                for name in names or [DEFAULT]:
                    parts.setdefault(name, []).append(triple)
            graph_source = {graph_name(d): d for d in sources}
        else:
            parts = {DEFAULT: triples}
        if profile != "native":
            mappings = [q.triple for q in read_dataset([resources.alignments_file(), resources.ontology_file()])]
            parts = {name: re_express(part, profile, mappings) for name, part in parts.items()}
        dataset = ox.Dataset(
            ox.Quad(t.subject, t.predicate, t.object, name) for name, part in parts.items() for t in part
        )
        present = {q.graph_name for q in dataset}
        graph_source = {g: d for g, d in graph_source.items() if g in present}
        named = sorted((n for n in present if isinstance(n, ox.NamedNode)), key=lambda n: n.value)
    from szsemi.graph.load import display_name

    dataset = canonicalize(dataset, ", ".join(display_name(s) for s in sources_read))
    return Export(content, profile, dataset, sources, graph_source, named)


def export(
    content: str = "data",
    fmt: str = "ttl",
    graph_per_source: bool = False,
    profile: str = "native",
    files: Sequence[Source] | None = None,
    *,
    data: Sequence[Source] = (),
    store: str | None = None,
) -> bytes:
    """The graph (``content``: data, ontology, shapes or all) as ``fmt`` bytes: ``files`` if given,
    else the ``data`` files instead of the shipped data, or the files of the ``store`` folder, else
    the shipped files."""
    check_format(fmt, graph_per_source)
    if files is None:
        from szsemi.export.inputs import graph_files

        files = graph_files(content, data=data, store=store)
    return serialize(build(content, profile, graph_per_source, files), fmt)


def check_format(fmt: str, graph_per_source: bool = False) -> None:
    """``UsageError`` for an unknown format, or for named graphs in a format without them."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    if graph_per_source and fmt not in QUAD_FORMATS:
        raise UsageError(f"--graph-per-source needs a format with named graphs ({', '.join(QUAD_FORMATS)}), not {fmt}")


def serialize(exp: Export, fmt: str) -> bytes:
    """``exp`` as ``fmt`` bytes: the same bytes for the same graph, in any process."""
    named = bool(exp.graph_names)
    check_format(fmt, named)
    lines = sorted_lines(exp.dataset)
    if fmt in ("nt", "nq"):  # with the default graph only, N-Quads lines are N-Triples lines
        return fix_tags(b"".join(lines))
    if fmt == "ttl" or (fmt == "trig" and not named):
        return _turtle(sorted_statements(lines), _OX[fmt])
    from szsemi.export import writers

    statements: Iterable[ox.Quad] = sorted_statements(lines)
    del lines
    if named:  # the default graph first, then each named graph in IRI order (stable: sorted within)
        statements = sorted(statements, key=_graph_key)
    if fmt == "trig":
        return _turtle(statements, ox.RdfFormat.TRIG)
    if fmt == "jsonld":
        return writers.jsonld(statements, exp.graph_names)
    return writers.rdfxml(statements)


def _graph_key(quad: ox.Quad) -> str:
    return "" if isinstance(quad.graph_name, ox.DefaultGraph) else str(quad.graph_name)


_OX = {"ttl": ox.RdfFormat.TURTLE, "trig": ox.RdfFormat.TRIG}


def _turtle(statements: Iterable[ox.Quad], fmt: ox.RdfFormat) -> bytes:
    """Turtle or TriG with the project's prefixes, their declarations in name order."""
    data = _one_object_per_line(fix_tags(ox.serialize(statements, format=fmt, prefixes=PREFIXES) or b""))
    # Oxigraph writes one @prefix line per prefix first; no statement line starts with "@prefix ".
    end = 0
    while data.startswith(b"@prefix ", end):
        end = data.index(b"\n", end) + 1
    return b"".join(sorted(data[:end].splitlines(keepends=True))) + data[end:]


# Oxigraph writes the objects of one predicate on one line, "p o1 , o2 , o3"; a ", " is a separator
# exactly when it stands outside every string, i.e. after an even number of unescaped quotation marks
# on its line (strings are one-line and escaped; IRIs and prefixed names hold no quotation mark).
_SEPARATOR = re.compile(rb" , ")


def _one_object_per_line(data: bytes) -> bytes:
    """Each object of a predicate on its own line, indented under it, so that a diff shows one value."""

    def split(match: re.Match[bytes]) -> bytes:
        start = data.rfind(b"\n", 0, match.start()) + 1
        quotes, i = 0, start
        while (i := data.find(b'"', i, match.start())) != -1:
            slashes = 0
            while i - slashes > 0 and data[i - slashes - 1] == 0x5C:
                slashes += 1
            quotes += slashes % 2 == 0
            i += 1
        if quotes % 2:
            return match.group(0)
        tabs = len(data[start : match.start()]) - len(data[start : match.start()].lstrip(b"\t"))
        subject_line = tabs in (0, 1) and _is_subject_line(data, start)
        return b" ,\n" + b"\t" * (tabs + (2 if subject_line else 1))

    return _SEPARATOR.sub(split, data)


def _is_subject_line(data: bytes, start: int) -> bool:
    """Whether the line at ``start`` opens a subject block (the line before it ended one, with " ." or "{")."""
    if start == 0:
        return True
    before = data.rfind(b"\n", 0, start - 1) + 1
    previous = data[before : start - 1]
    return previous.endswith((b" .", b"{")) or previous.startswith(b"@prefix ")


def sorted_lines(dataset: ox.Dataset) -> list[bytes]:
    """The dataset's canonical N-Quads lines (each ending in a newline), sorted as bytes."""
    data = ox.serialize(dataset, format=ox.RdfFormat.N_QUADS) or b""
    lines = data.splitlines(keepends=True)
    del data
    lines.sort()
    return lines


def sorted_statements(lines: list[bytes]) -> Iterable[ox.Quad]:
    """The statements of sorted N-Quads lines, in that order."""
    return ox.parse(b"".join(lines), format=ox.RdfFormat.N_QUADS)


def bcp47(tag: str) -> str:
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


# The end of a language-tagged literal in N-Triples, N-Quads, Turtle or TriG as Oxigraph writes them:
# a quotation mark then @tag. Inside a literal a quotation mark is always escaped (\"), so the match is
# a literal's end exactly when an even number of backslashes stands before it.
_TAG = re.compile(rb'"@([a-z]+(?:-[a-z0-9]+)+)')


def fix_tags(data: bytes) -> bytes:
    """Oxigraph's lowercase language tags (with subtags) in BCP 47 case, in text written by Oxigraph."""

    def fixed(match: re.Match[bytes]) -> bytes:
        start, slashes = match.start(), 0
        while start - slashes > 0 and data[start - slashes - 1] == 0x5C:
            slashes += 1
        if slashes % 2:
            return match.group(0)
        return b'"@' + bcp47(match.group(1).decode("ascii")).encode("ascii")

    return _TAG.sub(fixed, data)
