"""Where a subject's description is written in a Turtle file, so findings can point at a line.

The project's Turtle files (and rdflib's longturtle output) start each subject block at column 0;
this module reads them as text and maps each subject IRI to the line that starts its block.

>>> text = '@base <http://e/> .\\n@prefix p: <http://p/> .\\n<a> p:x 1 .\\np:b p:x 2 .\\n'
>>> sorted(subject_lines(text).items())
[('http://e/a', 3), ('http://p/b', 4)]
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

_PREFIX = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.IGNORECASE)
_BASE = re.compile(r"^\s*(?:@base|BASE)\s+<([^>]*)>", re.IGNORECASE)
_IRI_SUBJECT = re.compile(r"^<([^>\s]*)>")
_PNAME_SUBJECT = re.compile(r"^([A-Za-z][\w.-]*)?:((?:[^\s;,\\]|\\.)*)")


def subject_lines(text: str) -> dict[str, int]:
    """IRI -> the first line (1-based) where a block about it starts at column 0."""
    prefixes: dict[str, str] = {}
    base = ""
    found: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if m := _BASE.match(line):
            base = urljoin(base, m.group(1))
        elif m := _PREFIX.match(line):
            prefixes[m.group(1) or ""] = urljoin(base, m.group(2))
        elif m := _IRI_SUBJECT.match(line):
            found.setdefault(urljoin(base, m.group(1)), number)
        elif (m := _PNAME_SUBJECT.match(line)) and (m.group(1) or "") in prefixes:
            local = re.sub(r"\\(.)", r"\1", m.group(2))
            found.setdefault(prefixes[m.group(1) or ""] + local, number)
    return found
