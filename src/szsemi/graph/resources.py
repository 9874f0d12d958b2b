"""Where the shipped ontology, data and stored queries are, found with ``importlib.resources``.

An installed wheel carries them inside the package (``szsemi/ontology``, ``szsemi/data``,
``szsemi/queries``: the build copies the top-level folders there). A source checkout keeps them
only at the top level, beside ``src/``; an editable install or ``PYTHONPATH=src`` finds them there,
so no symbolic link is needed (a checkout on a file system without links works the same).

>>> "places.ttl" in [p.name for p in data_files()]
True
"""

from __future__ import annotations

from importlib.resources import as_file, files
from importlib.resources.abc import Traversable
from pathlib import Path

from szsemi.errors import EngineError

FOLDERS = ("ontology", "data", "queries")


def _folder(name: str) -> Traversable:
    packaged = files("szsemi") / name
    if packaged.is_dir():
        return packaged
    checkout = source_checkout()
    if checkout is not None:
        return checkout / name
    raise EngineError(
        f"the installed szsemi package has no {name}/ folder: the installation is "
        "incomplete; reinstall szsemi from a wheel or a source checkout"
    )


def source_checkout() -> Path | None:
    """The project checkout this package is imported from (``src/szsemi`` in it), or None when
    the package is installed from a wheel."""
    package = files("szsemi")
    if not isinstance(package, Path):  # a zip import: never a checkout
        return None
    root = package.parent.parent
    if (
        package.parent.name == "src"
        and (root / "pyproject.toml").is_file()
        and all((root / name).is_dir() for name in FOLDERS)
    ):
        return root
    return None


def checkout_at(folder: Path) -> Path | None:
    """The szsemi project checkout that ``folder`` is in (its top folder), or None.

    A checkout is a folder with ``ontology/``, ``data/``, ``queries/`` and a ``pyproject.toml`` that
    names the project szsemi; ``folder`` may be any folder below it.
    """
    for candidate in (folder, *folder.parents):
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file() and all((candidate / name).is_dir() for name in FOLDERS):
            try:
                text = pyproject.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            if any(line.replace(" ", "") == 'name="szsemi"' for line in text.splitlines()):
                return candidate
    return None


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


def data_folder() -> Traversable:
    return _folder("data")


def queries_folder() -> Traversable:
    return _folder("queries")


def local_path(resource: Traversable) -> Path:
    """A real file-system path for a resource (installed packages are plain folders)."""
    with as_file(resource) as path:
        return Path(path)
