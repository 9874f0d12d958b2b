"""A persistent on-disk Oxigraph store that knows which files it was built from.

A store folder holds generations; ``CURRENT`` names the live one::

    PATH/.szsemi-store         the marker: this folder was created by szsemi as a store
    PATH/CURRENT               "gen-000002"
    PATH/gen-000002/manifest.json
    PATH/gen-000002/oxigraph/  the RocksDB files

The manifest records each source file's path, size, modification time and SHA-256. Opening the
store hashes every source (the content decides, so an edit that keeps the size and the
modification time is seen) and, when one changed, bulk-loads every source into a fresh generation
and swaps ``CURRENT`` atomically, so a reader never sees a half-built store. Queries open the live
generation read-only, so several processes can query at once.

The store only ever works in a folder it created: a new or empty folder gets the marker first; a
folder without it is refused, never adopted, and nothing in it is deleted. A store whose folder
cannot be written (read-only mount, no write permission) is still queried when it is up to date;
when it is stale and cannot be rebuilt, its sources are loaded into memory instead, so the answer
is never the old one. Only pyoxigraph is imported on this path.

>>> import tempfile
>>> folder = tempfile.mkdtemp()
>>> store = open_store(folder)  # built from the shipped ontology and data on first use
>>> len(store) > 1000 and info(folder)["state"]
'up to date'
"""

from __future__ import annotations

import datetime
import errno
import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from szsemi import __version__
from szsemi.errors import EngineError, InputError
from szsemi.graph import resources
from szsemi.graph.atomic import write_text
from szsemi.graph.load import Source, rdf_format, shipped_data

Manifest = dict[str, Any]
FORMAT = "szsemi-store/2"
MARKER = ".szsemi-store"
CURRENT = "CURRENT"
MANIFEST = "manifest.json"
LOCK = ".lock"
_GENERATION = re.compile(r"gen-[0-9]{6}")


def default_sources() -> list[Source]:
    """What the embedded graph is made of: the shipped ontology and data."""
    return [resources.ontology_file(), *shipped_data()]


def open_store(path: str | os.PathLike[str], sources: Sequence[Source] | None = None) -> ox.Store:
    """The store at ``path``, read-only, rebuilt first if its sources changed.

    ``sources`` are the files the store must hold; ``None`` means the files it was built from (or,
    for a new store, the shipped ontology and data). A stale store whose folder cannot be written
    gives an in-memory store of the sources instead (the right answer, without the speed).
    """
    root = Path(path)
    manifest = _manifest(root)
    wanted = _wanted(sources, manifest)
    if manifest is None or _stale(manifest, wanted):
        try:
            with _locked(root):
                manifest = _manifest(root)  # another process may have rebuilt it meanwhile
                if manifest is None or _stale(manifest, wanted):
                    manifest = _build(root, wanted)
        except _ReadOnly:
            if manifest is None:
                raise EngineError(f"cannot create a store at {root}: the folder cannot be written") from None
            from szsemi.graph.load import load

            return load(wanted)
    elif any("seen_mtime_ns" in recorded for recorded in manifest["sources"]):
        _remember_mtimes(root, manifest)
    try:
        return ox.Store.read_only(str(root / manifest["generation"] / "oxigraph"))
    except OSError as e:
        raise EngineError(f"cannot open the store at {root}: {e}") from None


def source_files(path: str | os.PathLike[str]) -> list[Path]:
    """The files the store at ``path`` was built from (what it holds once it is up to date)."""
    manifest = _manifest(Path(path))
    if manifest is None:
        raise InputError("no szsemi store here yet; build one with `szsemi store build --store PATH`", path=str(path))
    return [Path(recorded["path"]) for recorded in manifest["sources"]]


def build(path: str | os.PathLike[str], sources: Sequence[Source] | None = None) -> Manifest:
    """Bulk-load ``sources`` (default: the shipped ontology and data) into a new generation at ``path``."""
    root = Path(path)
    try:
        with _locked(root):
            return _build(root, _wanted(sources, None))
    except _ReadOnly:
        raise InputError("cannot build a store here: the folder cannot be written", path=str(root)) from None


def info(path: str | os.PathLike[str]) -> Manifest:
    """The manifest of the store at ``path``, each source's state, and whether a rebuild is due."""
    root = Path(path)
    manifest = _manifest(root)
    if manifest is None:
        raise InputError("no szsemi store here yet; build one with `szsemi store build --store PATH`", path=str(root))
    states = [_state(recorded) for recorded in manifest["sources"]]
    result = dict(manifest)
    result["sources"] = [
        {**{k: v for k, v in recorded.items() if k != "seen_mtime_ns"}, "state": state}
        for recorded, state in zip(manifest["sources"], states, strict=True)
    ]
    result["path"] = str(root)
    result["state"] = "up to date" if all(s == "unchanged" for s in states) else "stale"
    return result


# ------------------------------------------------------------------------------------------------


def _local(source: Source) -> Path:
    if isinstance(source, (str, os.PathLike)):
        return Path(source).resolve()
    return resources.local_path(source).resolve()


def _wanted(sources: Sequence[Source] | None, manifest: Manifest | None) -> list[Path]:
    if sources is not None:
        return [_local(s) for s in sources]
    if manifest is not None:
        return [Path(s["path"]) for s in manifest["sources"]]
    return [_local(s) for s in default_sources()]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _state(recorded: Manifest) -> str:
    """``unchanged``, ``changed`` or ``missing``, decided by the file's SHA-256 (size first, as a shortcut).

    A file whose mtime moved but whose bytes did not gets ``seen_mtime_ns`` (its new mtime), so that
    ``info`` shows the mtime the file has.
    """
    path = Path(recorded["path"])
    try:
        stat = path.stat()
    except OSError:
        return "missing"
    if stat.st_size != recorded["size"]:
        return "changed"
    try:
        digest = _sha256(path)
    except OSError:
        return "missing"
    if digest != recorded["sha256"]:
        return "changed"
    if stat.st_mtime_ns != recorded["mtime_ns"]:
        recorded["seen_mtime_ns"] = stat.st_mtime_ns
    return "unchanged"


def _stale(manifest: Manifest, wanted: list[Path]) -> bool:
    if manifest.get("format") != FORMAT or manifest.get("pyoxigraph") != ox.__version__:
        return True
    if [Path(s["path"]) for s in manifest["sources"]] != wanted:
        return True
    return any(_state(recorded) != "unchanged" for recorded in manifest["sources"])


def _remember_mtimes(root: Path, manifest: Manifest) -> None:
    """Record the new mtimes of files whose bytes are unchanged (best effort: a read-only store keeps
    the old ones, which decide nothing)."""
    try:
        with _locked(root):
            for recorded in manifest["sources"]:
                recorded["mtime_ns"] = recorded.pop("seen_mtime_ns", recorded["mtime_ns"])
            write_text(root / manifest["generation"] / MANIFEST, json.dumps(manifest, indent=2) + "\n")
    except (_ReadOnly, OSError):
        pass


def _manifest(root: Path) -> Manifest | None:
    """The live generation's manifest, or None for a new (absent or empty) folder or a store being
    created; ``InputError`` for a folder that szsemi did not create."""
    if root.exists() and not root.is_dir():
        raise InputError("is a file, not a store folder", path=str(root))
    if not root.exists() or not _entries(root):
        return None
    if not (root / MARKER).is_file():
        raise InputError(
            f"this folder exists and is not an szsemi store (it has no {MARKER} marker); "
            "szsemi neither adopts nor deletes a folder it did not create: give a new or empty "
            "folder",
            path=str(root),
        )
    pointer = root / CURRENT
    if not pointer.exists():
        return None
    generation = pointer.read_text(encoding="utf-8").strip()
    if not _GENERATION.fullmatch(generation):
        raise InputError(
            f"the store's {CURRENT} names {generation!r}, not a generation; rebuild the store in a new folder",
            path=str(pointer),
        )
    try:
        manifest: Manifest = json.loads((root / generation / MANIFEST).read_text(encoding="utf-8"))
        return manifest
    except (OSError, ValueError) as e:
        raise InputError(
            f"the store's manifest cannot be read ({e}); rebuild it with `szsemi store build`",
            path=str(root / generation / MANIFEST),
        ) from None


def _entries(root: Path) -> list[Path]:
    """What the folder holds, less a marker that another process is writing this moment (two
    first uses of a new store at once must both see it as new)."""
    return [p for p in root.iterdir() if not (p.name.startswith(f".{MARKER}.") and p.name.endswith(".tmp"))]


class _ReadOnly(Exception):
    """The store folder cannot be written."""


def _claim(root: Path) -> None:
    """Create the folder (or take an empty one) and write the marker, before anything else is written."""
    with _unwritable_is_read_only():
        root.mkdir(parents=True, exist_ok=True)
        if not (root / MARKER).is_file():
            if _entries(root):
                _manifest(root)  # raises: the folder holds things szsemi did not put there
            write_text(root / MARKER, FORMAT + "\n")


@contextmanager
def _unwritable_is_read_only() -> Iterator[None]:
    """Turn "this folder cannot be written" (no permission, a read-only file system) into ``_ReadOnly``."""
    try:
        yield
    except PermissionError:
        raise _ReadOnly() from None
    except OSError as e:
        if e.errno == errno.EROFS:
            raise _ReadOnly() from None
        raise


@contextmanager
def _locked(root: Path) -> Iterator[None]:
    """One builder at a time (an exclusive lock on ``PATH/.lock``); ``_ReadOnly`` if the folder
    cannot be written."""
    import fcntl

    _claim(root)
    with _unwritable_is_read_only():
        handle = open(root / LOCK, "w")  # noqa: SIM115 - closed by the with block below
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _next_generation(root: Path) -> str:
    numbers = [int(p.name[4:]) for p in root.glob("gen-*") if _GENERATION.fullmatch(p.name)]
    return f"gen-{max(numbers, default=0) + 1:06d}"


def _build(root: Path, sources: list[Path]) -> Manifest:
    """Load ``sources`` into a fresh generation, then point CURRENT at it and drop old generations."""
    started = time.perf_counter()
    recorded = []
    for path in sources:
        rdf_format(path)  # an unknown extension fails before any work
        try:
            stat = path.stat()
        except FileNotFoundError:
            raise InputError("no such file (a source of the store)", path=str(path)) from None
        recorded.append(
            {"path": str(path), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": _sha256(path)}
        )
    generation = _next_generation(root)
    folder = root / generation
    try:
        folder.mkdir()
        store = ox.Store(str(folder / "oxigraph"))
        for path in sources:
            _bulk_load(store, path)
        store.flush()
        triples = len(store)
        del store
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    manifest = {
        "format": FORMAT,
        "generation": generation,
        "szsemi": __version__,
        "pyoxigraph": ox.__version__,
        "built": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "build_seconds": round(time.perf_counter() - started, 3),
        "triples": triples,
        "sources": recorded,
    }
    write_text(folder / MANIFEST, json.dumps(manifest, indent=2) + "\n")
    previous = (root / CURRENT).read_text(encoding="utf-8").strip() if (root / CURRENT).exists() else None
    write_text(root / CURRENT, generation + "\n")
    for old in root.glob("gen-*"):  # keep the previous generation for readers that still have it open
        if _GENERATION.fullmatch(old.name) and old.name not in (generation, previous):
            shutil.rmtree(old, ignore_errors=True)
    return manifest


def _bulk_load(store: ox.Store, path: Path) -> None:
    from szsemi.graph.load import load_file

    try:
        load_file(store, str(path))
    except InputError as e:  # name the file as the store records it
        raise InputError(e.reason, path=str(path), line=e.line, column=e.column) from None
    except OSError as e:
        raise EngineError(f"loading {path} into the store failed: {e}") from None
