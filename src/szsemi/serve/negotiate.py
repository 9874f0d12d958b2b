"""Content negotiation: an ``Accept`` header with q-values against the media types on offer.

>>> choose("text/csv;q=0.5, application/sparql-results+json", SELECT_TYPES)
'application/sparql-results+json'
>>> choose("text/html", SELECT_TYPES) is None
True
"""

from __future__ import annotations

from collections.abc import Sequence

# The first of each list is the default for a client that accepts anything.
SELECT_TYPES = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "application/json",
    "application/xml",
    "text/xml",
)
GRAPH_TYPES = (
    "text/turtle",
    "application/n-triples",
    "application/ld+json",
    "application/rdf+xml",
    "application/json",
    "text/plain",
    "application/xml",
)
# The ``format`` parameter (a download link cannot set a header) and the entity pages' suffixes.
SHORT_NAMES = {
    "json": ("application/sparql-results+json", "application/ld+json"),
    "srj": ("application/sparql-results+json", None),
    "xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "csv": ("text/csv", None),
    "tsv": ("text/tab-separated-values", None),
    "ttl": (None, "text/turtle"),
    "nt": (None, "application/n-triples"),
    "jsonld": (None, "application/ld+json"),
    "rdf": (None, "application/rdf+xml"),
    # the names other clients send (SPARQLWrapper's format parameter)
    "turtle": (None, "text/turtle"),
    "n-triples": (None, "application/n-triples"),
    "json-ld": (None, "application/ld+json"),
    "rdf+xml": (None, "application/rdf+xml"),
}
# What a synonym is written as.
CANONICAL = {"application/json": None, "application/xml": None, "text/xml": None, "text/plain": None}


def parse_accept(header: str | None) -> list[tuple[str, float, int]]:
    """``(media range, q, position)`` for each entry; a malformed q counts as 0."""
    entries = []
    for position, part in enumerate((header or "*/*").split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for parameter in fields[1:]:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        entries.append((media, q, position))
    return entries


def _quality(media: str, entries: list[tuple[str, float, int]]) -> tuple[float, int, int]:
    """The q the header gives ``media``: the most specific matching range wins."""
    best: tuple[int, float, int] | None = None
    main = media.split("/")[0]
    for pattern, q, position in entries:
        if pattern == media:
            rank = 2
        elif pattern == f"{main}/*":
            rank = 1
        elif pattern == "*/*":
            rank = 0
        else:
            continue
        if best is None or rank > best[0]:
            best = (rank, q, position)
    if best is None:
        return (0.0, 0, 0)
    return (best[1], best[0], -best[2])


def choose(header: str | None, offered: Sequence[str]) -> str | None:
    """The offered type the client prefers most (q, then specificity, then order); None if none."""
    entries = parse_accept(header)
    scored = [(_quality(media, entries), -index, media) for index, media in enumerate(offered)]
    scored = [s for s in scored if s[0][0] > 0]
    if not scored:
        return None
    return max(scored)[2]
