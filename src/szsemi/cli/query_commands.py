"""The query subcommands: ``query list``, ``query show``, ``query run`` and ``sparql``, each one call
into the query stage, with the result written in the asked format.

This is the light path (issue 13): its library imports are made inside the functions, and none of
them reaches rdflib, pySHACL or owlready2 unless the graph's files need it.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING, Any, TextIO

from szsemi.errors import EXIT_FINDINGS, EXIT_OK, InputError, UsageError

if TYPE_CHECKING:
    from szsemi.api import Engine
    from szsemi.query.catalogue import StoredQuery
    from szsemi.query.engines import Result


def engine(args: argparse.Namespace) -> Engine:
    """The engine the options name: an endpoint (from the options or ``--config``), else the
    embedded graph of ``--data``, ``--store`` ($SZSEMI_STORE) or the shipped files."""
    from szsemi.api import engine_for

    settings: dict[str, Any] = {}
    if args.config:  # tomllib is not imported by a query that has no config file
        from szsemi.query.config import read_config

        settings = read_config(args.config)
    endpoint = args.endpoint or settings.get("url")
    if not endpoint:
        return engine_for(
            data=args.data,
            store=args.store or os.environ.get("SZSEMI_STORE") or None,
            timeout=args.timeout,
            allow_service=args.allow_service,
        )
    if args.store:
        raise UsageError("--store is for the embedded graph; it cannot be combined with an endpoint")
    if args.data:
        raise UsageError("--data is for the embedded graph; it cannot be combined with an endpoint")
    user = args.user or settings.get("user")
    variable = args.password_env or settings.get("password_env") or "SZSEMI_PASSWORD"
    options = {
        "user": user,
        "password": os.environ.get(variable) if user else None,
        "auth": args.auth or settings.get("auth", "basic"),
        "timeout": args.timeout or settings.get("timeout", 60),
        "retries": settings.get("retries", 3) if args.retries is None else args.retries,
        "max_rows": args.max_rows or settings.get("max_rows", 1_000_000),
        "max_bytes": args.max_bytes or settings.get("max_bytes", 100_000_000),
    }
    return engine_for(endpoint, graph=args.graph or settings.get("graph"), **options)


def _emit(result: Result, args: argparse.Namespace, out: TextIO) -> int:
    import shutil

    from szsemi.query.render import render

    out.write(render(result, args.format, width=shutil.get_terminal_size((120, 24)).columns))
    return EXIT_OK


def _stored(args: argparse.Namespace) -> StoredQuery:
    from szsemi.query.catalogue import find_query

    return find_query(args.name, tuple(args.query_dir))  # reads that one file only


def query_list(args: argparse.Namespace, out: TextIO) -> int:
    from szsemi.query.catalogue import load_catalogue

    catalogue = load_catalogue(tuple(args.query_dir))
    if args.format == "json":
        import json  # not at the top: a stored query's table needs no json

        listing = [
            {
                "name": q.name,
                "kind": q.kind,
                "form": q.form,
                "summary": q.summary,
                "tags": list(q.tags),
                "params": sorted(q.params),
            }
            for q in catalogue.values()
        ]
        out.write(json.dumps(listing, ensure_ascii=False, indent=2) + "\n")
        return EXIT_OK
    width = max(len(name) for name in catalogue)
    for q in catalogue.values():
        out.write(f"{q.name.ljust(width)}  {q.kind:9}  {q.summary}\n")
    return EXIT_OK


def query_show(args: argparse.Namespace, out: TextIO) -> int:
    query = _stored(args)
    out.write(f"{query.name} ({query.kind}, {query.form}) from {query.path}\n{query.summary}\n")
    if query.description:
        out.write(f"\n{query.description}\n")
    if query.rule:
        out.write(f"\nrule {query.rule.id}, severity {query.rule.severity}: {query.rule.message}\n")
    out.write("\nparameters:\n" if query.params else "\nparameters: none\n")
    for p in query.params.values():
        default = ", ".join(t.value for t in p.default)
        state = "required" if p.required else f"default {default}" if default else "optional, unbound if not given"
        out.write(
            f"  {p.name} ({p.type}{', several allowed' if p.multi else ''}; {state})\n      allowed: {p.allowed()}\n"
        )
        if p.description:
            out.write(f"      {p.description}\n")
    body = query.text.split("\n", query.header_lines)[-1]
    out.write("\n" + body.strip() + "\n")
    return EXIT_OK


def query_run(args: argparse.Namespace, out: TextIO) -> int:
    from szsemi.query.execute import run_stored

    query = _stored(args)
    given: dict[str, list[str]] = {}
    for item in args.param:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"--param takes KEY=VALUE, not {item!r}")
        given.setdefault(key.strip(), []).append(value)
    values = {k: v if len(v) > 1 else v[0] for k, v in given.items()}
    result = run_stored(query, engine(args), values, limit=args.limit, offset=args.offset, cite=args.cite)
    _emit(result, args, out)
    # A *-violation check is a test of the data: rows mean the data breaks the rule (as in validate).
    if query.kind == "violation" and result.form == "SELECT" and result.rows:
        return EXIT_FINDINGS
    return EXIT_OK


def sparql(args: argparse.Namespace, out: TextIO) -> int:
    from szsemi.graph.load import decode_text, read_text
    from szsemi.query.execute import run_text

    if args.query is None and args.file is None and args.data and not os.path.exists(args.data[-1]):
        raise UsageError(
            f"--data takes every word after it as a file, and {args.data[-1]!r} is none: "
            "put the query text before --data (szsemi sparql 'SELECT ...' --data FILE...)"
        )
    if (args.query is None) == (args.file is None):
        raise UsageError("give the query text or --file FILE (one of them)")
    if args.file:
        try:
            text = read_text(args.file) if args.file != "-" else decode_text(sys.stdin.buffer.read(), "<stdin>")
        except InputError as e:
            raise InputError(f"cannot read the query: {e.reason}", path=e.path, line=e.line, column=e.column) from None
    else:
        text = args.query
    result = run_text(text, engine(args), limit=args.limit, offset=args.offset)
    return _emit(result, args, out)
