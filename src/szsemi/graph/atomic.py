"""Write files atomically: a temporary file in the same folder, then a rename over the target.

An interrupted write leaves the old file as it was, never a half-written one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from szsemi.errors import InputError


def write_bytes(path: str | os.PathLike, data: bytes) -> None:
    write_files({path: data})


def write_files(files: Mapping[str | os.PathLike, bytes]) -> None:
    """Write several files that belong together (an export and its description): every one is
    written in full to a temporary file first, and only then are they renamed into place, so a
    failure while writing leaves all the old files as they were. The renames themselves are one
    after the other, not one step: a rename failing in between (within one folder, rare) would
    leave the earlier files new and the later ones old."""
    staged: list[tuple[str, Path]] = []
    try:
        for path, data in files.items():
            staged.append((_stage(Path(path), data), Path(path)))
        for tmp, target in staged:
            os.replace(tmp, target)
    except BaseException:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        raise


def _stage(target: Path, data: bytes) -> str:
    """A temporary file beside ``target`` holding ``data``, on disk, with the mode ``target`` will need."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
    except OSError as e:  # the folder is missing or not writable: name the file the user gave
        raise InputError(f"cannot write the file: {e.strerror}", path=str(target)) from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if target.exists():
            os.chmod(tmp, target.stat().st_mode & 0o777)
        else:  # mkstemp makes 0600 files; a new file gets the usual mode, as open() would give it
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def write_text(path: str | os.PathLike, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))
