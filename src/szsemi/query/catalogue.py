"""The catalogue of stored queries: ``queries/*.rq`` files with a YAML header in ``#+`` lines.

The header format is documented in ``queries/README.md``. An unknown key, invalid YAML, a bad
parameter spec or a parameter the query text never uses is a :class:`QueryDefinitionError`
naming the file and line.

>>> catalogue = load_catalogue()
>>> q = catalogue["get-within-travel-time"]
>>> q.kind, q.form, sorted(q.params)
('report', 'SELECT', ['minutes', 'origin'])
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import NamedTuple, Protocol

import pyoxigraph as ox

from szsemi.errors import InputError, ParameterError, QueryDefinitionError, UsageError
from szsemi.graph import resources
from szsemi.graph.load import decode_text
from szsemi.graph.namespaces import expand
from szsemi.query.binding import form_span, query_form, query_variables
from szsemi.query.params import TYPES, Param, coerce

HEADER_KEYS = {"summary", "description", "tags", "params", "id", "severity", "message"}
RULE_KEYS = {"id", "severity", "message"}
PARAM_KEYS = {"type", "description", "default", "required", "multi", "values", "min", "max", "class", "lang"}
SEVERITIES = ("Violation", "Warning", "Info")
_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_PARAM_NAME = r"[A-Za-z_][A-Za-z0-9_]*"  # compiled on first use, as _PLACE


# NamedTuples, not dataclasses: see sparql_syntax.Token.
class Rule(NamedTuple):
    """What a row of a ``*-violation.rq`` check means."""

    id: str
    severity: str
    message: str  # ``{name}`` stands for the row's value of ``?name``


class StoredQuery(NamedTuple):
    """One ``.rq`` file of the catalogue."""

    name: str
    path: str  # for messages: folder/file.rq
    summary: str
    text: str  # the whole file, header included: it is valid SPARQL
    form: str  # SELECT | ASK | CONSTRUCT | DESCRIBE
    kind: str  # report | violation | construct | query
    header_lines: int
    description: str = ""
    tags: tuple[str, ...] = ()
    params: dict[str, Param] = {}  # never changed in place: a query is a value
    rule: Rule | None = None


def catalogue_files(
    extra_dirs: Sequence[str | os.PathLike[str]] = (),
) -> dict[str, tuple[Traversable | Path, str | None]]:
    """Every stored query file, by name, unread: ``(file, shown)`` where ``shown`` is how messages
    name a user's file (``None`` for a shipped one). The shipped catalogue first, then each of
    ``extra_dirs``.

    A query in an extra folder may not reuse a shipped name (that would silently change what a
    known query does); two extra folders may not share a name either. Only names are compared, so
    running one query reads one file.
    """
    found: dict[str, tuple[Traversable | Path, str | None]] = {}
    folders: list[Traversable | Path] = [resources.queries_folder(), *map(Path, extra_dirs)]
    for number, folder in enumerate(folders):
        if not folder.is_dir():
            raise UsageError(f"query folder {folder} does not exist")
        for item in sorted(folder.iterdir(), key=lambda p: p.name):
            if not item.name.endswith(".rq"):
                continue
            # a user's file is named as the user can find it; a shipped one as queries/NAME.rq
            shown = str(item) if number else None
            name = item.name[: -len(".rq")]
            if name in found:
                first, first_shown = found[name]
                raise QueryDefinitionError(
                    f"a query named {name!r} is already defined in {first_shown or _shown(first)}",
                    path=shown or _shown(item),
                )
            found[name] = (item, shown)
    return found


def find_query(name: str, extra_dirs: Sequence[str | os.PathLike[str]] = (), check: bool = True) -> StoredQuery:
    """The stored query ``name``; ``UsageError`` if no query has that name.

    Of the shipped catalogue only that one file is read and parsed. Every file of the user's
    ``extra_dirs`` is read and checked, so a mistake in a folder being written shows at once,
    whichever query runs.
    """
    files = catalogue_files(extra_dirs)
    for other, (item, shown) in files.items():
        if shown is not None and other != name:
            read_query(item, shown=shown, check=check)
    if name not in files:
        raise UsageError(f"no stored query named {name!r}; `szsemi query list` shows them")
    item, shown = files[name]
    return read_query(item, shown=shown, check=check)


def load_catalogue(extra_dirs: Sequence[str | os.PathLike[str]] = (), check: bool = True) -> dict[str, StoredQuery]:
    """Every stored query, by name, each file read and checked (see :func:`catalogue_files`).
    ``check=False`` leaves the SPARQL unparsed (``szsemi validate`` reports a query that does not
    parse as a lint finding instead of stopping).
    """
    return {
        name: read_query(item, shown=shown, check=check) for name, (item, shown) in catalogue_files(extra_dirs).items()
    }


def _shown(source: Traversable | Path) -> str:
    return f"{Path(str(source)).parent.name}/{source.name}"


_PLACE = r"error at (\d+):(\d+): "
_ASK_PROBE = "SELECT (1 AS ?szsemiAskProbe)"


def check_syntax(text: str) -> None:
    """``QueryDefinitionError`` at the line and column where Oxigraph's SPARQL parser stops.

    The query is parsed against an empty store and its answer never read, so nothing is evaluated:
    Oxigraph evaluates SELECT, CONSTRUCT and DESCRIBE lazily, but answers an ASK at once (SERVICE
    calls included), so an ASK is parsed as the SELECT of the same pattern. Lines count from the top
    of the file, header included.

    >>> check_syntax("SELECT ?s WHERE { ?s ?p ?o")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    szsemi.errors.QueryDefinitionError: 1:27: the query does not parse: expected one of ...
    """
    if text in _PARSED:
        return
    probe, shift = text, None
    if query_form(text) == "ASK":
        start, end = form_span(text)
        probe = text[:start] + _ASK_PROBE + text[end:]
        shift = (text.count("\n", 0, start) + 1, start - text.rfind("\n", 0, start), len(_ASK_PROBE) - (end - start))
    try:
        ox.Store().query(probe)
    except SyntaxError as e:
        message = str(e.msg or e)
        place = re.match(_PLACE, message)
        line, column = (int(place.group(1)), int(place.group(2))) if place else (None, None)
        if shift and line == shift[0] and column is not None and column > shift[1]:
            column -= shift[2]  # the place in the text as written, not in the probe
        reason = message[place.end() :] if place else message
        raise QueryDefinitionError(f"the query does not parse: {reason}", line=line, column=column) from None
    if len(text) <= _KEPT_TEXT:
        if len(_PARSED) >= 256:
            _PARSED.clear()
        _PARSED.add(text)


# Texts Oxigraph parsed (a pure fact about the text, so an edited file is a new one): the catalogue
# and the lint ask again in every validate run. A text that does not parse is never kept (its error
# is raised again, with its place), nor one longer than _KEPT_TEXT characters (memory).
_PARSED: set[str] = set()
_KEPT_TEXT = 64 * 1024


def read_query(source: Traversable | Path, shown: str | None = None, check: bool = True) -> StoredQuery:
    """Parse one ``.rq`` file; ``shown`` is how messages name it (default: folder/file.rq);
    ``check`` parses its SPARQL too."""
    path = shown or _shown(source)
    name = source.name[: -len(".rq")]
    try:
        data = source.read_bytes()
    except OSError as e:
        raise QueryDefinitionError(f"cannot read the query file: {e}", path=path) from None
    try:
        text = decode_text(data, path)  # an editor's byte-order mark is not SPARQL
    except InputError as e:
        raise QueryDefinitionError(
            f"cannot read the query file: {e.reason}", path=path, line=e.line, column=e.column
        ) from None
    if not _NAME.fullmatch(name):
        raise QueryDefinitionError("a query file name is lower-case words joined by hyphens", path=path)
    header, count = _header(text, path)
    try:
        form = query_form(text)
        variables = query_variables(text)
        if check:
            check_syntax(text)
    except QueryDefinitionError as e:
        raise QueryDefinitionError(e.reason, path=path, line=e.line, column=e.column) from None
    kind = (
        "violation"
        if name.endswith("-violation")
        else "construct"
        if name.endswith("-construct")
        else "report"
        if name.startswith("get-")
        else "query"
    )

    def fail(message: str, key: object = None, after: int = 1) -> QueryDefinitionError:
        return QueryDefinitionError(message, path=path, line=_key_line(text, count, key, after))

    unknown = sorted(set(header) - HEADER_KEYS, key=str)
    if unknown:
        raise fail(
            f"unknown header key(s) {', '.join(map(str, unknown))}; allowed: {', '.join(sorted(HEADER_KEYS))}",
            unknown[0],
        )
    summary = header.get("summary")
    if not isinstance(summary, str) or not summary.strip() or "\n" in summary.strip():
        raise fail("the header needs 'summary:', one line saying what the query answers")
    description = header.get("description", "")
    tags = header.get("tags", [])
    if not isinstance(description, str):
        raise fail("'description' must be text")
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise fail("'tags' must be a list of words")
    rule = _rule(header, kind, fail)
    if kind == "violation" and form != "SELECT":
        raise fail(f"a violation check must be a SELECT query, not {form}")
    if kind == "construct" and form != "CONSTRUCT":
        raise fail(f"a *-construct query must be a CONSTRUCT query, not {form}")
    raw_params = header.get("params", {}) or {}
    if not isinstance(raw_params, dict):
        raise fail("'params' must map each parameter name to its spec")
    params: dict[str, Param] = {}

    def param_line(pname: object) -> int:  # errors point at the parameter's line (found only for an error)
        return _key_line(text, count, pname, _key_line(text, count, "params"))

    for pname, spec in raw_params.items():
        param = _param(str(pname), spec, lambda message, key=None, p=pname: fail(message, key, param_line(p)))
        if pname not in variables:
            raise fail(
                f"parameter {pname!r} is not a variable of the query (?{pname} never occurs)", after=param_line(pname)
            )
        params[param.name] = param
    return StoredQuery(
        name=name,
        path=path,
        summary=summary.strip(),
        text=text,
        form=form,
        kind=kind,
        header_lines=count,
        description=description.strip(),
        tags=tuple(tags),
        params=params,
        rule=rule,
    )


def _header(text: str, path: str) -> tuple[dict[object, object], int]:
    lines = _header_lines(text, path)
    header: object = known_header("\n".join(lines))
    if header is None:
        header = _parse_yaml("\n".join(lines), path, lines)
    if not isinstance(header, dict):
        raise QueryDefinitionError("the header must be a YAML mapping (key: value lines)", path=path, line=1)
    return header, len(lines)


def _header_lines(text: str, path: str) -> list[str]:
    """The YAML lines of the ``#+`` header, without their ``#+ ``."""
    lines: list[str] = []
    for line in text.splitlines():
        if not line.startswith("#+"):
            break
        body = line[2:]
        if body and not body.startswith(" "):
            raise QueryDefinitionError(
                "a header line is '#+ ' (hash, plus, space) then YAML", path=path, line=len(lines) + 1
            )
        lines.append(body[1:])
    if not lines:
        raise QueryDefinitionError("the file has no '#+' header (at least '#+ summary: ...')", path=path, line=1)
    return lines


def _parse_yaml(text: str, path: str, lines: list[str]) -> object:
    import yaml  # 15 ms to import: only for a header the shipped index does not hold

    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        problem = getattr(e, "problem", None) or str(e)
        line, column = len(lines), None  # YAML saw the end of the header
        if mark is not None and mark.line < len(lines):
            line, column = mark.line + 1, mark.column + 4
        raise QueryDefinitionError(
            f"invalid YAML in the header: {problem}", path=path, line=line, column=column
        ) from None


# The shipped headers, parsed: YAML's answer for each header text, kept in a Python module beside
# this one, so that a query imports and runs neither a YAML parser nor json (its import alone costs
# a stored query about 1.5 ms; the module's compiled form loads in a tenth of that). It is keyed by
# the header's exact text, so a header that changed is simply not found and is parsed as YAML:
# never a stale answer. Its values are JSON-shaped (dates tagged, see _to_json).
HEADER_INDEX = "shipped_headers.py"
_known: dict[str, object] | None = None


def known_header(text: str) -> dict[object, object] | None:
    """The parsed header for ``text`` if the shipped index holds it (a fresh copy), else ``None``."""
    global _known
    if _known is None:
        try:
            from szsemi.query.shipped_headers import HEADERS
        except (ImportError, SyntaxError):
            HEADERS = {}
        _known = HEADERS
    value = _known.get(text)
    header = _from_json(value) if isinstance(value, dict) else None
    return header if isinstance(header, dict) else None


def header_index(folder: Traversable | Path | None = None) -> str:
    """The text of the header index module for the ``.rq`` files of ``folder`` (the shipped ones),
    one line per header, keys sorted. ``tests/query/test_catalogue.py`` checks that the module
    beside this one equals it."""
    import yaml

    index = {}
    for item in sorted((folder or resources.queries_folder()).iterdir(), key=lambda p: p.name):
        if item.name.endswith(".rq"):
            try:
                text = "\n".join(_header_lines(item.read_text(encoding="utf-8-sig"), item.name))
                value = _to_json(yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
            except (QueryDefinitionError, yaml.YAMLError, TypeError):
                continue  # not indexable: read as YAML when run
            index[text] = value
    lines = [
        '"""The shipped stored queries\' headers, parsed: written by szsemi.query.catalogue.header_index(),',
        'never by hand (see known_header there)."""',
        "",
        "# fmt: off",
        "# ruff: noqa: E501",
        "HEADERS: dict[str, object] = {",
        *(f"    {text!r}: {_sorted(index[text])!r}," for text in sorted(index)),
        "}",
    ]
    return "\n".join(lines) + "\n"


def _sorted(value: object) -> object:
    """``value`` with every mapping's keys in order, so the index is written the same every time
    (and gives a query's parameters in name order, as it always has)."""
    if isinstance(value, dict):
        return {k: _sorted(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [_sorted(v) for v in value]
    return value


def _to_json(value: object) -> object:
    """YAML's value as JSON, dates tagged; ``TypeError`` for anything JSON could not give back."""
    import datetime

    if isinstance(value, dict):
        if set(value) in ({"$date"}, {"$datetime"}) or not all(isinstance(k, str) for k in value):
            raise TypeError("not indexable")
        return {k: _to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_json(v) for v in value]
    if isinstance(value, datetime.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"$date": value.isoformat()}
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    raise TypeError("not indexable")


def _from_json(value: object) -> object:
    if isinstance(value, dict):
        if set(value) == {"$date"} or set(value) == {"$datetime"}:
            import datetime

            kind, text = next(iter(value.items()))
            return (datetime.date if kind == "$date" else datetime.datetime).fromisoformat(text)
        return {k: _from_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_json(v) for v in value]
    return value


def _key_line(text: str, count: int, key: object, after: int = 1) -> int:
    """The header line (from ``after``) where ``key:`` is written; ``after`` when not found."""
    if key is None:
        return after
    pattern = re.compile(r"(?:^#\+\s*|[{,]\s*)['\"]?" + re.escape(str(key)) + r"['\"]?\s*:")
    for number, line in enumerate(text.splitlines()[:count], 1):
        if number >= after and pattern.search(line):
            return number
    return after


class _Fail(Protocol):
    """Makes the error for a header mistake, at the line of ``key`` when given."""

    def __call__(self, message: str, key: object = None) -> QueryDefinitionError: ...


def _rule(header: dict[object, object], kind: str, fail: _Fail) -> Rule | None:
    given = RULE_KEYS & set(header)
    if kind != "violation":
        if given:
            raise fail(
                f"header key(s) {', '.join(sorted(given))} only belong in a *-violation.rq check", sorted(given)[0]
            )
        return None
    missing = RULE_KEYS - given
    if missing:
        raise fail(f"a violation check needs {', '.join(sorted(missing))} in its header")
    rule_id, severity, message = header["id"], header["severity"], header["message"]
    if not isinstance(rule_id, str) or not _NAME.fullmatch(rule_id):
        raise fail("'id' must be kebab-case, e.g. number-without-bound", "id")
    if severity not in SEVERITIES:
        raise fail(f"'severity' must be one of {', '.join(SEVERITIES)}, not {severity!r}", "severity")
    if not isinstance(message, str) or not message.strip():
        raise fail("'message' must say what a finding means and how to fix it", "message")
    return Rule(rule_id, severity, " ".join(message.split()))


def _param(name: str, spec: object, fail: _Fail) -> Param:
    if not re.fullmatch(_PARAM_NAME, name):
        raise fail(f"parameter name {name!r} is not a SPARQL variable name")
    if not isinstance(spec, dict):
        raise fail(f"parameter {name!r}: the spec must be a mapping with at least 'type'")
    unknown = sorted(set(spec) - PARAM_KEYS, key=str)
    if unknown:
        raise fail(
            f"parameter {name!r}: unknown key(s) {', '.join(map(str, unknown))}; "
            f"allowed: {', '.join(sorted(PARAM_KEYS))}",
            unknown[0],
        )
    kind = spec.get("type")
    if kind not in TYPES:
        raise fail(f"parameter {name!r}: 'type' must be one of {', '.join(TYPES)}, not {kind!r}")
    for flag in ("required", "multi"):
        if not isinstance(spec.get(flag, False), bool):
            raise fail(f"parameter {name!r}: {flag!r} must be true or false")
    if "class" in spec and kind != "iri":
        raise fail(f"parameter {name!r}: 'class' is only for iri parameters")
    if "lang" in spec and kind != "langstring":
        raise fail(f"parameter {name!r}: 'lang' is only for langstring parameters")
    bounds = {}
    for key in ("min", "max"):
        if key in spec:
            from decimal import Decimal, InvalidOperation  # here: most queries have no bounds

            if kind not in ("integer", "decimal") or isinstance(spec[key], bool):
                raise fail(f"parameter {name!r}: {key!r} is only for integer and decimal parameters")
            try:
                bounds[key] = Decimal(str(spec[key]))
            except InvalidOperation:
                raise fail(f"parameter {name!r}: {key!r} must be a number") from None
    base = Param(
        name,
        kind,
        description=str(spec.get("description", "")).strip(),
        required=spec.get("required", False),
        multi=spec.get("multi", False),
        minimum=bounds.get("min"),
        maximum=bounds.get("max"),
        cls=expand(spec["class"]) if "class" in spec else None,
        lang=spec.get("lang"),
    )
    try:
        values = tuple(t for v in (spec.get("values") or []) for t in coerce(base, _yaml_value(v)))
        with_values = base._replace(values=values)
        default = spec.get("default")
        terms = tuple(coerce(with_values, _yaml_value(default))) if default is not None else ()
    except ParameterError as e:
        raise fail(f"parameter {name!r}: the header's own value {e.given!r} is not allowed ({e.allowed})") from None
    if terms and with_values.required:
        raise fail(f"parameter {name!r}: a required parameter has no default")
    return with_values._replace(default=terms)


def _yaml_value(value: object) -> object:
    """YAML reads ``2022-11-01`` as a date and ``true`` as a bool; params.coerce takes both."""
    if isinstance(value, list):
        return [_yaml_value(v) for v in value]
    if isinstance(value, float):
        return str(value)
    return value
