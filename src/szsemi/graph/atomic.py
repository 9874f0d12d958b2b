"""Write files atomically: a temporary file in the same folder, then a rename over the target.

An interrupted write leaves the old file as it was, never a half-written one. The target keeps
what it is: through a symlink, the file it points to is replaced and the link stays; a FIFO, a
character device or ``/dev/stdout`` is written through (renaming over it would replace the device
by a regular file); a folder is refused.
"""

from __future__ import annotations

import os
import stat
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path

from szsemi.errors import InputError

_lock = threading.Lock()
_staged: set[str] = set()  # temporary files not yet renamed into place, for discard_staged()


def write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    write_files({path: data})


def write_text(path: str | os.PathLike[str], text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def write_files(files: Mapping[str | os.PathLike[str], bytes]) -> None:
    """Write several files that belong together (an export and its description): every one is
    written in full to a temporary file first, and only then are they renamed into place, so a
    failure while writing leaves all the old files as they were. The renames themselves are one
    after the other, not one step: a rename failing in between (within one folder, rare) would
    leave the earlier files new and the later ones old. A target that is not a regular file (a
    FIFO, a device) is written through, after the others are staged."""
    staged: list[tuple[str, Path]] = []
    through: list[tuple[str, bytes]] = []
    try:
        for path, data in files.items():
            kind, target = _target(os.fspath(path))
            if kind == "special":
                through.append((target, data))
            else:
                staged.append((_stage(Path(target), data), Path(target)))
        for target, data in through:
            with open(target, "wb") as f:  # opened by the name given: /dev/stdout reaches our stdout
                f.write(data)
        for tmp, final in staged:
            with _lock:
                if tmp not in _staged:  # discarded on Ctrl-C while we wrote: the targets stay as they were
                    raise KeyboardInterrupt
                os.replace(tmp, final)
                _staged.discard(tmp)
    except BaseException:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
            with _lock:
                _staged.discard(tmp)
        raise


def discard_staged() -> None:
    """Delete every temporary file still being written, and rename none of them into place (Ctrl-C)."""
    with _lock:
        for tmp in list(_staged):
            Path(tmp).unlink(missing_ok=True)
        _staged.clear()


def _target(path: str) -> tuple[str, str]:
    """("special", path) to write through, or ("file", the path a rename must replace)."""
    try:
        mode = os.stat(path).st_mode  # follows symlinks: what the name leads to
    except FileNotFoundError:
        mode = None
    except OSError as e:
        raise InputError(f"cannot write the file: {e.strerror}", path=path) from None
    if mode is not None and stat.S_ISDIR(mode):
        raise InputError("is a folder: give the name of a file to write", path=path)
    if mode is not None and not stat.S_ISREG(mode):
        return "special", path
    # a symlink (also a dangling one) is kept: the file it points to is the one replaced
    return "file", os.path.realpath(path) if os.path.islink(path) else path


def _stage(target: Path, data: bytes) -> str:
    """A temporary file beside ``target`` holding ``data``, on disk, with the mode ``target`` will need."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
    except OSError as e:  # the folder is missing or not writable: name the file the user gave
        raise InputError(f"cannot write the file: {e.strerror}", path=str(target)) from None
    with _lock:
        _staged.add(tmp)
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
        with _lock:
            _staged.discard(tmp)
        raise
    return tmp
