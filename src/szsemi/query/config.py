"""Endpoint settings from a TOML file, so that URLs and credentials stay out of scripts.

The file has one ``[endpoint]`` table; the password is never stored in it, only the name of the
environment variable that holds it::

    [endpoint]
    url = "http://127.0.0.1:7878/query"
    graph = "https://w3id.org/szsemi/graph/main"
    user = "analyst"
    password_env = "SZSEMI_PASSWORD"
    auth = "basic"        # or "digest"
    timeout = 60          # seconds, one deadline for the whole command
    retries = 3
    max_rows = 1000000    # the caps on one answer
    max_bytes = 100000000
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from szsemi.errors import InputError, UsageError

# Only what the query commands read: a key nothing reads is refused, not silently ignored.
KEYS: dict[str, type | tuple[type, ...]] = {
    "url": str,
    "graph": str,
    "user": str,
    "password_env": str,
    "auth": str,
    "timeout": (int, float),
    "retries": int,
    "max_rows": int,
    "max_bytes": int,
}


def read_config(path: str) -> dict[str, Any]:
    """The ``[endpoint]`` settings of the TOML file at ``path``, checked."""
    try:
        document = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("no such config file", path=path) from None
    except tomllib.TOMLDecodeError as e:
        # Python 3.11 keeps the place only in the message: "... (at line 3, column 7)"
        where = re.search(r" \(at line (\d+), column (\d+)\)$", str(e))
        reason = str(e)[: where.start()] if where else str(e)
        raise InputError(
            f"invalid TOML: {reason}",
            path=path,
            line=int(where[1]) if where else None,
            column=int(where[2]) if where else None,
        ) from None
    unknown_tables = sorted(set(document) - {"endpoint"})
    if unknown_tables:
        raise InputError(f"unknown table(s) {', '.join(unknown_tables)}; only [endpoint] is read", path=path)
    endpoint = document.get("endpoint", {})
    for key, value in endpoint.items():
        if key not in KEYS:
            raise InputError(f"unknown key {key!r} in [endpoint]; allowed: {', '.join(sorted(KEYS))}", path=path)
        if isinstance(value, bool) or not isinstance(value, KEYS[key]):
            raise InputError(f"[endpoint] {key} has the wrong type ({type(value).__name__})", path=path)
    if "url" in endpoint:
        from szsemi.http import check_url

        try:
            check_url(endpoint["url"], "[endpoint] url")
        except UsageError as e:
            raise InputError(str(e), path=path) from None
    if endpoint.get("auth", "basic") not in ("basic", "digest"):
        raise InputError('[endpoint] auth must be "basic" or "digest"', path=path)
    return dict(endpoint)
