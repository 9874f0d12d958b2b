"""Which files an export or a push reads: the same graph inputs the query commands take.

``--data FILE...`` replaces the shipped data (with the shipped ontology beside it, as for queries);
``--store PATH`` means the files that store was built from (what a query on it answers from, once it
is up to date); neither means the shipped files.

>>> graph_files("data") is None
True
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from importlib.resources.abc import Traversable

from szsemi.errors import UsageError
from szsemi.graph import resources

Source = str | os.PathLike[str] | Traversable
CONTENTS = ("data", "ontology", "shapes", "all")


def graph_files(
    content: str = "data", *, data: Sequence[Source] = (), store: str | os.PathLike[str] | None = None
) -> list[Source] | None:
    """The files an export or a push of ``content`` reads, or None for the shipped files.

    ``data`` replaces the shipped data; ``store`` (a folder) gives the files it was built from, less
    the shipped ontology, so that ``content`` keeps its meaning (``all`` adds the shipped ontology and
    shapes). ``content`` ontology or shapes holds no data, so it takes neither.
    """
    if content not in CONTENTS:
        raise UsageError(f"unknown content {content!r}: use one of {', '.join(CONTENTS)}")
    if not data and not store:
        return None
    if content not in ("data", "all"):
        raise UsageError(
            f"--data and --store give data files; --content {content} holds no data: use --content data or all"
        )
    files: list[Source] = list(data)
    if not data and store:
        from szsemi.graph.store import source_files

        ontology = resources.local_path(resources.ontology_file()).resolve()
        files = [f for f in source_files(store) if f != ontology]
    if content == "all":
        return [resources.ontology_file(), resources.shapes_file(), *files]
    return files
