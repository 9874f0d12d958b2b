"""Load RDF files into the embedded Oxigraph store, and give rdflib a view of it.

Every file is parsed by Oxigraph (fast, and its errors carry line and column); a syntax error becomes
an ``InputError`` naming the file, line and column. Nothing is copied: the rdflib view reads the store.

>>> store = load([resources.ontology_file()])
>>> len(store) > 500
True
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

import pyoxigraph as ox

from szsemi.errors import InputError
from szsemi.graph import guards, resources

if TYPE_CHECKING:
    import rdflib

Source: TypeAlias = str | os.PathLike[str] | Traversable


def shipped_data() -> list[Traversable]:
    """The shipped instance files, in name order."""
    return resources.data_files()


def load_shipped() -> ox.Store:
    """The embedded graph: the shipped ontology and data (the stored queries read both)."""
    return load([resources.ontology_file(), *shipped_data()])


def display_name(source: Source) -> str:
    """How a file is named in messages: a shipped file as ``data/x.ttl``, any other as given."""
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    return f"{Path(str(source)).parent.name}/{source.name}"


_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdf": ox.RdfFormat.RDF_XML,
    "owl": ox.RdfFormat.RDF_XML,
    "xml": ox.RdfFormat.RDF_XML,
}


def rdf_format(source: Source) -> ox.RdfFormat:
    name = Path(source).name if isinstance(source, (str, os.PathLike)) else source.name
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in _FORMATS:
        raise InputError(
            f"unknown RDF file extension {extension!r}: use one of " + ", ".join("." + e for e in _FORMATS),
            path=display_name(source),
        )
    return _FORMATS[extension]


def read_bytes(source: Source) -> bytes:
    try:
        if isinstance(source, (str, os.PathLike)):
            return Path(source).read_bytes()
        return source.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", path=display_name(source)) from None
    except IsADirectoryError:
        raise InputError("is a folder, not an RDF file", path=display_name(source)) from None
    except OSError as e:
        raise InputError(f"cannot read: {e.strerror}", path=display_name(source)) from None


def _check_file(path: str) -> None:
    """``InputError`` unless ``path`` is a file this process can read."""
    if not os.path.exists(path):
        raise InputError("no such file", path=os.fspath(path))
    if os.path.isdir(path):
        raise InputError("is a folder, not an RDF file", path=os.fspath(path))
    if not os.access(path, os.R_OK):
        raise InputError("cannot read: permission denied", path=os.fspath(path))


def read_text(source: Source) -> str:
    """The file's text as UTF-8 (an editor's byte-order mark dropped); ``InputError`` at the line of
    the first byte that is not."""
    return decode_text(read_bytes(source), display_name(source))


def decode_text(data: bytes, name: str) -> str:
    """``data`` decoded as UTF-8 (a byte-order mark dropped); else ``InputError`` naming ``name``,
    the line and column, and the byte offset of the first byte that is not UTF-8.

    >>> decode_text(b"ok\\n\\xe9t\\xe9", "q.rq")
    Traceback (most recent call last):
    ...
    szsemi.errors.InputError: q.rq:2:1: not UTF-8 text: byte 0xe9 at byte offset 3: save the file as UTF-8
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        column = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        raise InputError(
            f"not UTF-8 text: byte 0x{data[e.start]:02x} at byte offset {e.start}: save the file as UTF-8",
            path=name,
            line=line,
            column=column,
        ) from None


_SMALL_FILE = 4 << 20  # bytes


def load(sources: Iterable[Source], store: ox.Store | None = None, merge_graphs: bool = False) -> ox.Store:
    """Parse every source into ``store`` (a new in-memory store by default), triples in the default graph.

    A TriG or N-Quads file keeps its named graphs (queries read them through the union default
    graph), unless ``merge_graphs``: then they go to the default graph too, as validation wants,
    since SHACL and the rdflib view read the default graph only. Hostile files are refused first
    (see :mod:`szsemi.graph.guards`); a byte-order mark is dropped.
    """
    store = ox.Store() if store is None else store
    for source in sources:
        load_file(store, source, merge_graphs)
    return store


def load_file(store: ox.Store, source: Source, merge_graphs: bool = False) -> None:
    """Parse one file into ``store``'s default graph (see :func:`load`); ``InputError`` names its place."""
    fmt = rdf_format(source)
    name = display_name(source)
    base = base_iri(source)
    path = os.fspath(source) if isinstance(source, (str, os.PathLike)) else None  # None: a shipped resource
    if path is not None:
        _check_file(path)
    data = None if path is not None and fmt not in (ox.RdfFormat.JSON_LD,) and not merge_graphs else read_bytes(source)
    if fmt == ox.RdfFormat.RDF_XML:
        guards.check_rdfxml(path if data is None else None, data, name)
    elif fmt == ox.RdfFormat.JSON_LD and data is not None:
        guards.check_jsonld(data, name)
    if data is not None and data.startswith(guards.BOM):
        data = data[len(guards.BOM) :]
    # bytes go in as a stream: the same parser (and the same limits) as for a file read from disk
    stream = None if data is None else io.BytesIO(data)
    try:
        if merge_graphs and fmt.supports_datasets:  # fresh blank nodes per file, as bulk_load gives
            store.bulk_extend(
                ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
                for q in ox.parse(stream, format=fmt, base_iri=base, rename_blank_nodes=True)
            )
        elif stream is not None:
            store.bulk_load(stream, format=fmt, base_iri=base, to_graph=ox.DefaultGraph())
        elif path is not None:  # (always, when there are no bytes) streamed from disk: no copy in memory
            with open(path, "rb") as f:
                if f.read(3) == guards.BOM:
                    store.bulk_load(input=f, format=fmt, base_iri=base, to_graph=ox.DefaultGraph())
                else:
                    f.close()
                    # A small file (the shipped ones) loads in one transaction, in half a bulk load's
                    # set-up time; a large one through the bulk loader, which needs far less memory.
                    small = os.path.getsize(path) < _SMALL_FILE
                    (store.load if small else store.bulk_load)(
                        path=path,
                        format=fmt,
                        base_iri=base,
                        to_graph=ox.DefaultGraph(),
                    )
    except SyntaxError as e:
        raise parse_error(e, name) from None
    except MemoryError as e:
        raise (guards.too_big(e, name) or e) from None


def parse_error(error: SyntaxError, name: str) -> InputError:
    """Oxigraph's syntax error as an ``InputError`` at the file, line and column it names."""
    return InputError(syntax_error_reason(error), path=name, line=error.lineno, column=error.offset)


def base_iri(source: Source) -> str | None:
    """The IRI relative IRIs of a file resolve against: the file's own location, as in any RDF parser."""
    if isinstance(source, (str, os.PathLike)):
        return Path(source).absolute().as_uri()
    return None


def syntax_error_reason(error: SyntaxError) -> str:
    """What an Oxigraph parser error says, without its place (the caller names file, line, column)."""
    # Oxigraph writes "Parser error between line L column C and ...: what (file, line L)".
    text = str(error.msg if error.msg else error)
    if ": " in text and text.startswith("Parser error"):
        text = text.split(": ", 1)[1]
    return text.rsplit(" (", 1)[0] if text.endswith(")") else text


def rdflib_view(store: ox.Store) -> rdflib.Graph:
    """An ``rdflib.Graph`` over the store's default graph (no copy)."""
    import rdflib
    from oxrdflib import OxigraphStore
    from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

    return rdflib.Graph(store=OxigraphStore(store=store), identifier=DATASET_DEFAULT_GRAPH_ID)
