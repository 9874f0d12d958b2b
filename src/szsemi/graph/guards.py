"""Checks that keep a hostile RDF file from exhausting the machine, run before a parser sees it.

* RDF/XML entity expansion (the "billion laughs"): the internal DTD subset's entities are sized
  (nested references included) and their uses counted; more than :data:`XML_EXPANSION_LIMIT`
  bytes (or 4x the file's size, if larger) of expanded text is refused. Oxigraph's parser would
  expand them all in memory (8.9 GB for a 1 kB file).
* Nesting: pyoxigraph's JSON-LD parser needs memory quadratic in the depth (0.8 GB at 2,000
  levels), so JSON-LD deeper than :data:`JSONLD_MAX_DEPTH` is refused; :func:`nesting_depth`
  also serves ``szsemi format``, whose rdflib path recurses per level.
* A byte-order mark is dropped (:func:`skip_bom`), as text editors write one.
* A single token over the parser's 16 MB buffer (a huge literal) is named by :func:`too_big`.

Each refusal is an :class:`InputError` naming the file and the limit (exit 2).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import BinaryIO

from szsemi.errors import InputError

XML_EXPANSION_LIMIT = 64 * 1024 * 1024
JSONLD_MAX_DEPTH = 500
_HEAD = 1024 * 1024  # the XML prolog (where a DTD must stand) is looked for in the first MiB
BOM = b"\xef\xbb\xbf"

# The patterns are compiled when first used (re keeps them): every load imports this module, and
# compiling them all costs a stored query about a millisecond it does not need.
_DOCTYPE = rb"<!DOCTYPE\b"
_ENTITY = rb"<!ENTITY\s+(%\s+)?([^\s%&;<>\"']+)\s+(\"[^\"]*\"|'[^']*'|(?:SYSTEM|PUBLIC)\b[^>]*)\s*>"
_REFERENCE = rb"&([A-Za-z_:][\w.:-]*);"
_PREDEFINED = {b"lt", b"gt", b"amp", b"apos", b"quot"}


def skip_bom(stream: BinaryIO) -> BinaryIO:
    """``stream`` positioned after a UTF-8 byte-order mark, or at its start when it has none."""
    if stream.read(3) != BOM:
        stream.seek(0)
    return stream


def too_big(error: MemoryError, name: str) -> InputError | None:
    """The input error for Oxigraph's "buffer maximal size" (a token over 16 MB), else None."""
    if "buffer maximal size" not in str(error):
        return None
    return InputError(
        "a single literal or IRI is longer than the parser accepts (16 MB); split the "
        "text or keep it outside the graph and link to it",
        path=name,
    )


def check_rdfxml(path: str | os.PathLike[str] | None, data: bytes | None, name: str) -> None:
    """Refuse an RDF/XML file (a ``path``, or its bytes as ``data``) whose entities expand too far."""
    if data is None:
        assert path is not None
        with open(path, "rb") as f:
            head = f.read(_HEAD)
        size = os.path.getsize(path)
    else:
        head, size = data[:_HEAD], len(data)
    doctype = re.search(_DOCTYPE, head)
    if doctype is None or b"<!ENTITY" not in head:
        return
    subset_end = head.find(b"]>", doctype.end())
    subset = head[doctype.end() : subset_end if subset_end >= 0 else len(head)]
    values: dict[bytes, bytes] = {}
    for m in re.finditer(_ENTITY, subset):
        if m.group(1):
            raise InputError(
                "the DTD declares a parameter entity (<!ENTITY % ...>); szsemi refuses them, "
                "as they allow unbounded entity expansion",
                path=name,
            )
        value = m.group(3)
        values[m.group(2)] = value[1:-1] if value[:1] in (b'"', b"'") else b""  # external: not fetched
    if not values:
        return
    sizes: dict[bytes, int] = {}
    limit = max(XML_EXPANSION_LIMIT, 4 * size)

    def expanded(entity: bytes, seen: tuple[bytes, ...]) -> int:
        if entity in sizes:
            return sizes[entity]
        if entity in seen:
            raise InputError(
                f"entity expansion: the entity &{entity.decode(errors='replace')}; refers to itself", path=name
            )
        value = values.get(entity, b"")
        total = len(re.sub(_REFERENCE, b"", value))
        for ref in re.finditer(_REFERENCE, value):
            total += expanded(ref.group(1), (*seen, entity)) if ref.group(1) not in _PREDEFINED else 1
            if total > limit:
                break  # no need to size it further: it is refused
        sizes[entity] = total
        return total

    for entity in values:
        expanded(entity, ())
    total = 0
    for ref in _references(path, data, subset_end):
        total += sizes.get(ref, 0)
        if total > limit:
            raise InputError(
                f"entity expansion: the DTD's entities would expand to more than "
                f"{limit // (1024 * 1024)} MB of text (the limit, against billion-laughs "
                "attacks); expand them in the file or remove the DOCTYPE",
                path=name,
            )


def _references(path: str | os.PathLike[str] | None, data: bytes | None, start: int) -> Iterator[bytes]:
    """The entity names referenced after the DTD (``start``), read from the file in chunks."""
    if data is not None:
        yield from (m.group(1) for m in re.compile(_REFERENCE).finditer(data, max(start, 0)))
        return
    assert path is not None
    reference = re.compile(_REFERENCE)
    with open(path, "rb") as f:
        f.seek(max(start, 0))
        carry = b""
        while chunk := f.read(1 << 20):
            block = carry + chunk
            cut = max(len(block) - 256, 0)  # a reference cut by the chunk's end is read with the next
            yield from (m.group(1) for m in reference.finditer(block) if m.start() < cut)
            carry = block[cut:]
        yield from (m.group(1) for m in reference.finditer(carry))


_JSON_TOKEN = rb'"(?:[^"\\]|\\.)*"|[\[\]{}]'
_TURTLE_TOKEN = (
    rb'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    rb'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^>\s]*>|#[^\n]*|[\[\]()]'
)


def nesting_depth(data: bytes, turtle: bool = False) -> tuple[int, int]:
    """(deepest nesting of brackets, the byte offset where it is reached) in JSON, or in Turtle
    (``[ ]`` and ``( )``) with ``turtle``; brackets in strings, IRIs and comments do not count."""
    depth = deepest = where = 0
    for m in re.finditer(_TURTLE_TOKEN if turtle else _JSON_TOKEN, data, re.DOTALL):
        c = m.group()[:1]
        if c in b"[{(":
            depth += 1
            if depth > deepest:
                deepest, where = depth, m.start()
        elif c in b"]})":
            depth -= 1
    return deepest, where


def check_jsonld(data: bytes, name: str) -> None:
    """Refuse JSON-LD nested deeper than :data:`JSONLD_MAX_DEPTH` (the parser's memory grows with
    the square of the depth)."""
    depth, where = nesting_depth(data)
    if depth > JSONLD_MAX_DEPTH:
        line = data.count(b"\n", 0, where) + 1
        raise InputError(
            f"nested {depth} levels deep; szsemi reads JSON-LD nested at most "
            f"{JSONLD_MAX_DEPTH} levels (deeper input makes the parser's memory explode)",
            path=name,
            line=line,
        )
