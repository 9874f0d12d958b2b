"""A persistent on-disk Oxigraph store that knows which files it was built from.

A store folder holds generations; ``CURRENT`` names the live one::

    PATH/CURRENT               "gen-000002"
    PATH/gen-000002/manifest.json
    PATH/gen-000002/oxigraph/  the RocksDB files

The manifest records each source file's path, size, modification time and SHA-256. Opening the
store checks the sources cheaply (size and mtime; the hash only when the mtime moved but the size
did not) and, when one changed, bulk-loads every source into a fresh generation and swaps
``CURRENT`` atomically, so a reader never sees a half-built store. Queries open the live generation
read-only, so several processes can query at once. Only pyoxigraph is imported on this path.

>>> import tempfile
>>> folder = tempfile.mkdtemp()
>>> store = open_store(folder)  # built from the shipped ontology and data on first use
>>> len(store) > 1000 and info(folder)["state"]
'up to date'
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import time
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox

from szsemi import __version__
from szsemi.graph import resources
from szsemi.graph.atomic import write_text
from szsemi.errors import EngineError, InputError
from szsemi.graph.load import Source, rdf_format, shipped_data

FORMAT = "szsemi-store/1"
CURRENT = "CURRENT"
MANIFEST = "manifest.json"
LOCK = ".lock"


def default_sources() -> list[Source]:
    """What the embedded graph is made of: the shipped ontology and data."""
    return [resources.ontology_file(), *shipped_data()]


def open_store(path: str | os.PathLike, sources: Sequence[Source] | None = None) -> ox.Store:
    """The store at ``path``, read-only, rebuilt first if its sources changed.

    ``sources`` are the files the store must hold; ``None`` means the files it was built from (or,
    for a new store, the shipped ontology and data).
    """
    root = Path(path)
    manifest = _manifest(root)
    wanted = _wanted(sources, manifest)
    if manifest is None or _stale(manifest, wanted):
        with _locked(root):
            manifest = _manifest(root)  # another process may have rebuilt it meanwhile
            if manifest is None or _stale(manifest, wanted):
                manifest = _build(root, wanted)
    elif any("seen_mtime_ns" in recorded for recorded in manifest["sources"]):
        _remember_mtimes(root, manifest)
    try:
        return ox.Store.read_only(str(root / manifest["generation"] / "oxigraph"))
    except OSError as e:
        raise EngineError(f"cannot open the store at {root}: {e}") from None


def build(path: str | os.PathLike, sources: Sequence[Source] | None = None) -> dict:
    """Bulk-load ``sources`` (default: the shipped ontology and data) into a new generation at ``path``."""
    root = Path(path)
    with _locked(root):
        return _build(root, _wanted(sources, None))


def info(path: str | os.PathLike) -> dict:
    """The manifest of the store at ``path``, each source's state, and whether a rebuild is due."""
    root = Path(path)
    manifest = _manifest(root)
    if manifest is None:
        raise InputError("no szsemi store here yet; build one with `szsemi store build --store PATH`",
                         path=str(root))
    states = [_state(recorded) for recorded in manifest["sources"]]
    result = dict(manifest)
    result["sources"] = [{**{k: v for k, v in recorded.items() if k != "seen_mtime_ns"}, "state": state}
                         for recorded, state in zip(manifest["sources"], states)]
    result["path"] = str(root)
    result["state"] = "up to date" if all(s == "unchanged" for s in states) else "stale"
    return result


# ------------------------------------------------------------------------------------------------

def _local(source: Source) -> Path:
    if isinstance(source, (str, os.PathLike)):
        return Path(source).resolve()
    return resources.local_path(source).resolve()


def _wanted(sources: Sequence[Source] | None, manifest: dict | None) -> list[Path]:
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


def _state(recorded: dict) -> str:
    """``unchanged``, ``changed`` or ``missing``: size and mtime first, the hash only if they disagree.

    A file whose mtime moved but whose bytes did not gets ``seen_mtime_ns`` (the mtime before it
    was hashed), so that the new mtime can be remembered.
    """
    path = Path(recorded["path"])
    try:
        stat = path.stat()
    except OSError:
        return "missing"
    if stat.st_size != recorded["size"]:
        return "changed"
    if stat.st_mtime_ns == recorded["mtime_ns"]:
        return "unchanged"
    if _sha256(path) != recorded["sha256"]:
        return "changed"
    recorded["seen_mtime_ns"] = stat.st_mtime_ns
    return "unchanged"


def _stale(manifest: dict, wanted: list[Path]) -> bool:
    if manifest.get("format") != FORMAT or manifest.get("pyoxigraph") != ox.__version__:
        return True
    if [Path(s["path"]) for s in manifest["sources"]] != wanted:
        return True
    return any(_state(recorded) != "unchanged" for recorded in manifest["sources"])


def _remember_mtimes(root: Path, manifest: dict) -> None:
    """Record the new mtimes of files whose bytes are unchanged, so the next check needs no hashing."""
    with _locked(root):
        for recorded in manifest["sources"]:
            recorded["mtime_ns"] = recorded.pop("seen_mtime_ns", recorded["mtime_ns"])
        write_text(root / manifest["generation"] / MANIFEST, json.dumps(manifest, indent=2) + "\n")


def _manifest(root: Path) -> dict | None:
    """The live generation's manifest, or None for a new (absent or empty) folder."""
    if root.exists() and not root.is_dir():
        raise InputError("is a file, not a store folder", path=str(root))
    pointer = root / CURRENT
    if not pointer.exists():
        if root.exists() and any(p.name != LOCK and not p.name.startswith("gen-") for p in root.iterdir()):
            raise InputError("this folder exists and is not an szsemi store; give a new or empty folder",
                             path=str(root))
        return None
    generation = pointer.read_text(encoding="utf-8").strip()
    try:
        return json.loads((root / generation / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise InputError(f"the store's manifest cannot be read ({e}); rebuild it with `szsemi store build`",
                         path=str(root / generation / MANIFEST)) from None


@contextmanager
def _locked(root: Path):
    """One builder at a time (an exclusive lock on ``PATH/.lock``)."""
    import fcntl

    root.mkdir(parents=True, exist_ok=True)
    with open(root / LOCK, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _next_generation(root: Path) -> str:
    numbers = [int(p.name[4:]) for p in root.glob("gen-*") if p.name[4:].isdigit()]
    return f"gen-{max(numbers, default=0) + 1:06d}"


def _build(root: Path, sources: list[Path]) -> dict:
    """Load ``sources`` into a fresh generation, then point CURRENT at it and drop old generations."""
    started = time.perf_counter()
    recorded = []
    for path in sources:
        rdf_format(path)  # an unknown extension fails before any work
        try:
            stat = path.stat()
        except FileNotFoundError:
            raise InputError("no such file (a source of the store)", path=str(path)) from None
        recorded.append({"path": str(path), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns,
                         "sha256": _sha256(path)})
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
    manifest = {"format": FORMAT, "generation": generation, "szsemi": __version__,
                "pyoxigraph": ox.__version__,
                "built": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                "build_seconds": round(time.perf_counter() - started, 3), "triples": triples,
                "sources": recorded}
    write_text(folder / MANIFEST, json.dumps(manifest, indent=2) + "\n")
    previous = (root / CURRENT).read_text(encoding="utf-8").strip() if (root / CURRENT).exists() else None
    write_text(root / CURRENT, generation + "\n")
    for old in root.glob("gen-*"):  # keep the previous generation for readers that still have it open
        if old.name not in (generation, previous):
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
