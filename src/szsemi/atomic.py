"""Write files atomically: a temporary file in the same folder, then a rename over the target.

An interrupted write leaves the old file as it was, never a half-written one.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from szsemi.errors import InputError


def write_bytes(path: str | os.PathLike, data: bytes) -> None:
    target = Path(path)
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
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text(path: str | os.PathLike, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))
