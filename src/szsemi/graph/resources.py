"""Where the shipped ontology, data and stored queries are, found with ``importlib.resources``.

>>> "places.ttl" in [p.name for p in data_files()]
True
"""

from __future__ import annotations

from importlib.resources import as_file, files
from importlib.resources.abc import Traversable
from pathlib import Path


def _folder(name: str) -> Traversable:
    return files("szsemi") / name


def _ttl(name: str) -> list[Traversable]:
    return sorted((p for p in _folder(name).iterdir() if p.name.endswith(".ttl")), key=lambda p: p.name)


def ontology_file() -> Traversable:
    return _folder("ontology") / "szsemi.ttl"


def shapes_file() -> Traversable:
    return _folder("ontology") / "shapes.ttl"


def alignments_file() -> Traversable:
    return _folder("ontology") / "alignments.ttl"


def data_files() -> list[Traversable]:
    return _ttl("data")


def queries_folder() -> Traversable:
    return _folder("queries")


def local_path(resource: Traversable) -> Path:
    """A real file-system path for a resource (installed packages are plain folders)."""
    with as_file(resource) as path:
        return Path(path)
