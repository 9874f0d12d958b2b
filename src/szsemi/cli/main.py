"""The ``szsemi`` command: a thin shell over the library. Exit codes are mapped here, once.

0 ok; 1 the data does not conform or a check found rows; 2 usage or input error; 3 runtime or
endpoint failure; 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from szsemi import __version__
from szsemi.errors import (
    EXIT_FINDINGS,
    EXIT_INPUT,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_RUNTIME,
    EngineError,
    InputError,
    UsageError,
)


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so ``main`` keeps every exit code in one place."""

    def error(self, message: str):
        raise UsageError(f"{self.prog}: {message}")


def _http_url(text: str) -> str:
    """An argparse type: an absolute http(s) URL (a file: or ftp: endpoint would read local files)."""
    from szsemi.http import check_url

    try:
        return check_url(text, "")
    except UsageError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _seconds(text: str) -> float:
    """An argparse type: a number of seconds > 0 (0 or less is refused, never replaced)."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not allowed; give a number of seconds > 0, e.g. 30")
    return value


def _count(least: int, what: str) -> Callable[[str], int]:
    """An argparse type: a whole number >= ``least``."""

    def parse(text: str) -> int:
        try:
            return _at_least(int(text), least)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not allowed; give {what}") from None

    return parse


def _at_least(value: int, least: int) -> int:
    if value < least:
        raise ValueError(value)
    return value


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="szsemi", description="The Shenzhen semiconductor knowledge graph.")
    parser.add_argument("--version", action="version", version=f"szsemi {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    v = sub.add_parser("validate", help="validate data: syntax, SHACL, OWL, rule queries, prefix lint")
    v.add_argument("paths", nargs="*", help="data files or folders of .ttl files (default: the shipped data)")
    v.add_argument("--ontology", action="append", help="an ontology file that extends the shipped one")
    v.add_argument("--shapes", action="append", help="a SHACL shapes file to use beside the shipped ones")
    v.add_argument(
        "--queries", action="append", default=[], metavar="DIR", help="a folder of extra *-violation.rq checks"
    )
    v.add_argument(
        "--without-shipped-model",
        action="store_true",
        help="use only the given --ontology/--shapes, not the shipped ones",
    )
    v.add_argument(
        "--with-shipped-data",
        action="store_true",
        help="load the shipped data beside PATHS (for data that refers to it)",
    )
    v.add_argument("--no-owl", action="store_true", help="skip the OWL consistency check (HermiT)")
    v.add_argument("--no-rules", action="store_true", help="skip the *-violation.rq checks")
    v.add_argument("--no-lint", action="store_true", help="skip the prefix lint")
    v.add_argument(
        "--allow-service",
        action="store_true",
        help="let the *-violation.rq checks call other endpoints with SERVICE (refused by default; "
        "SHACL-SPARQL constraints may never use it)",
    )
    v.add_argument(
        "--format",
        choices=("text", "json", "junit", "github"),
        default="text",
        help="text (default); json (docs/validation-report.md); junit XML; github workflow commands",
    )
    v.add_argument("--output", metavar="FILE", help="write the report here; the summary still goes to the terminal")
    v.add_argument("--shacl-report", metavar="FILE", help="also write the SHACL validation report as Turtle")
    v.add_argument(
        "--fail-on",
        type=str.capitalize,
        choices=("Violation", "Warning", "Info"),
        default="Violation",
        help="the least severe level that fails the run (default: Violation)",
    )
    v.add_argument("--baseline", metavar="FILE", help="accepted findings (YAML or JSON), each with a reason")
    v.add_argument("--write-baseline", metavar="FILE", help="write every current finding to FILE as a baseline")
    v.set_defaults(run=_validate)

    f = sub.add_parser("format", help="rewrite Turtle data files in their canonical, diff-friendly form")
    f.add_argument("paths", nargs="+", help="Turtle files to format in place")
    f.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file is not formatted")
    f.set_defaults(run=_format)

    inputs = _Parser(add_help=False)
    g = inputs.add_argument_group("graph inputs (default: the shipped ontology and data)")
    g.add_argument(
        "--data",
        action="extend",
        nargs="+",
        default=[],
        metavar="FILE",
        help="use these RDF files (with the shipped ontology) instead of the shipped data; "
        "several files after one --data, or --data repeated",
    )
    g.add_argument(
        "--store",
        metavar="PATH",
        help="the on-disk store at PATH: the files it was built from, rebuilt only when one "
        "changes (default: $SZSEMI_STORE; none: parse the files each time)",
    )

    engine = _Parser(add_help=False)
    e = engine.add_argument_group("engine (default: the embedded graph)")
    e.add_argument(
        "--endpoint",
        type=_http_url,
        metavar="URL",
        help="URL (http or https) of a SPARQL 1.1 query endpoint to ask instead",
    )
    e.add_argument("--graph", help="the named graph holding the data on the endpoint")
    e.add_argument("--config", help="TOML file with an [endpoint] table (url, graph, user, ...)")
    e.add_argument("--user", help="user name for the endpoint")
    e.add_argument("--password-env", help="environment variable holding the password (default SZSEMI_PASSWORD)")
    e.add_argument("--auth", choices=("basic", "digest"), help="HTTP authentication scheme (basic)")
    e.add_argument(
        "--timeout",
        type=_seconds,
        metavar="SECONDS",
        help="one deadline for the whole command, retries included (60); on the embedded graph, "
        "for each query (default: none), past which it is abandoned (exit 3)",
    )
    e.add_argument(
        "--allow-service",
        action="store_true",
        help="let a query's SERVICE clause make the embedded graph call other endpoints (refused by default)",
    )
    e.add_argument(
        "--retries",
        type=_count(0, "a whole number >= 0 (0: no retry)"),
        metavar="N",
        help="retries on connection errors, answers cut short and 5xx answers (3; 0: none)",
    )
    e.add_argument(
        "--max-rows",
        type=_count(1, "a whole number >= 1"),
        metavar="N",
        help="refuse an endpoint's answer with more rows or triples than this (1000000)",
    )
    e.add_argument(
        "--max-bytes",
        type=_count(1, "a whole number of bytes >= 1"),
        metavar="N",
        help="refuse an endpoint's answer larger than this many bytes (100000000)",
    )
    e.add_argument(
        "--format",
        choices=("table", "csv", "tsv", "json", "srj", "ttl", "nt"),
        default="table",
        help="table (default); csv, tsv: W3C SPARQL results CSV/TSV; json: an "
        "array of plain JSON objects, one per row; srj: W3C SPARQL 1.1 Query Results JSON; "
        "ttl, nt: the triples of a CONSTRUCT or DESCRIBE",
    )
    e.add_argument("--limit", type=int, help="at most this many rows")
    e.add_argument("--offset", type=int, help="skip this many rows first")

    q = sub.add_parser("query", help="list, show and run the stored queries")
    qsub = q.add_subparsers(dest="action", required=True, parser_class=_Parser)
    ql = qsub.add_parser("list", help="the catalogue: name, kind and summary of each query")
    ql.add_argument("--query-dir", action="append", default=[], help="also read the .rq files here")
    ql.add_argument(
        "--format",
        choices=("table", "json"),
        default="table",
        help="table (default) or json: an array of {name, kind, form, summary, tags, params}",
    )
    ql.set_defaults(run=_query_list)
    qs = qsub.add_parser("show", help="a query's header, parameters and text")
    qs.add_argument("name", help="the stored query's name")
    qs.add_argument("--query-dir", action="append", default=[], help="also read the .rq files here")
    qs.set_defaults(run=_query_show)
    qr = qsub.add_parser(
        "run", parents=[inputs, engine], help="run a stored query (a *-violation check exits 1 when it finds rows)"
    )
    qr.add_argument("name", help="the stored query's name (`szsemi query list` shows them)")
    qr.add_argument(
        "--param",
        "-p",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a parameter value; repeat the key for several values of a multi parameter",
    )
    qr.add_argument("--query-dir", action="append", default=[], help="also read the .rq files here")
    qr.add_argument(
        "--cite",
        action="store_true",
        help="add a citations column: per row, the source title and date, passage number and address",
    )
    qr.set_defaults(run=_query_run)

    s = sub.add_parser("sparql", parents=[inputs, engine], help="run your own SPARQL query")
    s.add_argument("query", nargs="?", help="the query text (before --data, which takes every file after it)")
    s.add_argument("--file", "-f", help="read the query from this file")
    s.set_defaults(run=_sparql)

    i = sub.add_parser("info", help="counts per class, sources and version")
    i.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or json")
    i.set_defaults(run=_info)

    st = sub.add_parser("store", help="build or inspect a persistent on-disk store")
    stsub = st.add_subparsers(dest="action", required=True, parser_class=_Parser)
    sb = stsub.add_parser(
        "build", help="bulk-load the ontology and FILEs (default: the shipped data) into the store at --store PATH"
    )
    sb.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help="RDF files to load beside the shipped ontology (default: the shipped data)",
    )
    sb.add_argument("--store", metavar="PATH", help="the store folder (default: $SZSEMI_STORE)")
    sb.set_defaults(run=_store_build)
    si = stsub.add_parser("info", help="what the store at --store PATH was built from, and whether it is up to date")
    si.add_argument("--store", metavar="PATH", help="the store folder (default: $SZSEMI_STORE)")
    si.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text (default) or json: the manifest and each source's state",
    )
    si.set_defaults(run=_store_info)

    e = sub.add_parser(
        "export",
        parents=[inputs],
        help="write the graph as ttl, nt, nq, trig, jsonld or xml, with a VoID/DCAT description",
    )
    e.add_argument(
        "--content",
        choices=("data", "ontology", "shapes", "all"),
        default="data",
        help="what to write: the data (default), the ontology, the SHACL shapes, or all three",
    )
    e.add_argument(
        "--format",
        choices=("ttl", "nt", "nq", "trig", "jsonld", "xml"),
        default="ttl",
        help="RDF syntax: Turtle (default), N-Triples, N-Quads, TriG, JSON-LD or RDF/XML",
    )
    e.add_argument(
        "--profile",
        choices=("native", "schema", "wikidata-like"),
        default="native",
        help="vocabulary: ours, schema.org, or Wikidata's direct properties (ontology/alignments.ttl)",
    )
    e.add_argument(
        "--graph-per-source",
        action="store_true",
        help="each source document's facts in its own named graph (nq, trig, jsonld)",
    )
    e.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        help="write FILE atomically, and its description to FILE.void.ttl (default: stdout, no description)",
    )
    e.add_argument("--describe", action="store_true", help="write only the VoID/DCAT description (Turtle)")
    e.add_argument("--endpoint", metavar="URL", help="a SPARQL endpoint serving the data, for the description")
    e.set_defaults(run=_export)

    sv = sub.add_parser(
        "serve",
        parents=[inputs],
        help="the graph on the web: SPARQL endpoint, stored-query API, entity and query pages",
    )
    sv.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    sv.add_argument("--port", type=int, default=8000, help="port to listen on (8000; 0 picks a free one)")
    sv.add_argument("--query-dir", action="append", default=[], help="also serve the .rq files here")
    sv.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="each query's time limit; past it the query is stopped and answered 503 (30)",
    )
    sv.add_argument(
        "--max-rows",
        type=int,
        default=10_000,
        metavar="N",
        help="at most N rows or triples per answer, the cut always announced (10000)",
    )
    sv.add_argument("--workers", type=int, default=2, metavar="N", help="query worker processes (2)")
    sv.set_defaults(run=_serve)

    p = sub.add_parser(
        "push", parents=[inputs], help="load the graph into a named graph of a running triple store, atomically"
    )
    p.add_argument(
        "--endpoint", required=True, type=_http_url, metavar="URL", help="the SPARQL query endpoint (http or https)"
    )
    p.add_argument("--graph", required=True, metavar="IRI", help="the named graph to replace or merge into")
    p.add_argument(
        "--mode",
        choices=("replace", "merge"),
        default="replace",
        help="replace the named graph (default) or merge into it",
    )
    p.add_argument(
        "--update-endpoint", type=_http_url, metavar="URL", help="the SPARQL Update endpoint (default: --endpoint)"
    )
    p.add_argument(
        "--store-endpoint",
        type=_http_url,
        metavar="URL",
        help="a Graph Store Protocol endpoint; without it the data goes by SPARQL Update",
    )
    p.add_argument("--graph-param", default="graph", help="the store endpoint's graph parameter (Virtuoso: graph-uri)")
    p.add_argument(
        "--content",
        choices=("data", "ontology", "shapes", "all"),
        default="data",
        help="what to push (data: the instances, in the native profile with the ontology unless "
        "--without-ontology, so the stored queries answer as on the embedded graph)",
    )
    p.add_argument(
        "--without-ontology",
        action="store_true",
        help="push the data alone; the stored queries then answer differently from the "
        "embedded graph (subclass paths, labels of terms)",
    )
    p.add_argument(
        "--profile",
        choices=("native", "schema", "wikidata-like"),
        default="native",
        help="vocabulary: ours (default), schema.org, or Wikidata's direct properties",
    )
    p.add_argument("--user", help="user name for HTTP authentication")
    p.add_argument(
        "--password-env",
        default="SZSEMI_PASSWORD",
        metavar="NAME",
        help="environment variable holding the password (SZSEMI_PASSWORD); never on the command line",
    )
    p.add_argument("--auth", choices=("basic", "digest"), default="basic", help="HTTP authentication scheme (basic)")
    p.add_argument(
        "--chunk-size",
        type=_count(1, "a whole number of triples >= 1"),
        metavar="N",
        help="triples per request (default 10000 by the Graph Store Protocol, 500 by SPARQL Update)",
    )
    p.add_argument(
        "--timeout",
        type=_seconds,
        default=600.0,
        metavar="SECONDS",
        help="one deadline for the whole push, every request included (600)",
    )
    p.add_argument("--dry-run", action="store_true", help="read the target's count and say what would be done")
    p.set_defaults(run=_push)
    return parser


def _validate(args, out: TextIO) -> int:
    from szsemi.graph.atomic import write_text
    from szsemi.validate.baseline import apply_baseline, load_baseline, render_baseline
    from szsemi.validate.render import render, render_shacl_turtle, summary_line
    from szsemi.validate.stages import validate

    entries = load_baseline(args.baseline) if args.baseline else []
    paths, model, origin = _validate_inputs(args)
    report = validate(
        paths,
        queries=args.queries,
        owl=not args.no_owl,
        rules=not args.no_rules,
        lint=not args.no_lint,
        with_shipped_data=args.with_shipped_data,
        allow_service=args.allow_service,
        **model,
    )
    if origin:  # a bare `szsemi validate`: say which data that was
        names = ", ".join(os.path.basename(f) for f in report.files)
        where = out if args.format == "text" or args.output else args.err
        where.write(f"validating {origin}: {len(report.files)} files ({names})\n")
    report.fail_on = args.fail_on
    if args.baseline:
        apply_baseline(report, entries, args.baseline)
    if args.write_baseline:
        write_text(args.write_baseline, render_baseline(report, entries))
    if args.shacl_report:
        write_text(args.shacl_report, render_shacl_turtle(report))
    text = render(report, args.format)
    if args.output:
        write_text(args.output, text)
        out.write(summary_line(report) + "\n")
    else:
        out.write(text)
    if report.failures:  # reported and written above; 3 outranks 1: the verdict is incomplete
        for failure in report.failures:
            args.err.write(f"szsemi: failed: {failure}\n")
        return EXIT_RUNTIME
    return EXIT_FINDINGS if report.failed else EXIT_OK


def _validate_inputs(args) -> tuple[list[str] | None, dict, str | None]:
    """What a validate run reads: the PATHS given; else, inside a project checkout, the checkout's
    data/ with its ontology and shapes (not the installed copy); else the installed package's data.
    Returns the paths, the model options and, for a bare run, where the data comes from."""
    from pathlib import Path

    from szsemi.graph import resources

    model = {"ontology": args.ontology, "shapes": args.shapes, "shipped_model": not args.without_shipped_model}
    if args.paths:
        return args.paths, model, None
    checkout = resources.checkout_at(Path.cwd())
    if checkout is None or checkout == resources.source_checkout():
        data = resources.data_folder()
        kind = "the checkout's" if resources.source_checkout() is not None else "the installed package's"
        return None, model, f"{kind} data in {data}"
    if not args.without_shipped_model:  # the checkout's own model, not the installed copy
        model = {
            "ontology": [str(checkout / "ontology" / "szsemi.ttl"), *(args.ontology or [])],
            "shapes": [str(checkout / "ontology" / "shapes.ttl"), *(args.shapes or [])],
            "shipped_model": False,
        }
    return [str(checkout / "data")], model, f"the checkout's data in {checkout / 'data'}"


def _format(args, out: TextIO) -> int:
    from szsemi.graph.atomic import write_text
    from szsemi.graph.load import read_text
    from szsemi.graph.turtle_format import format_turtle

    for path in args.paths:  # all refused before any is rewritten
        if not path.lower().endswith(".ttl"):
            raise InputError("szsemi format rewrites Turtle (.ttl) files only", path=path)
    unformatted = []
    for path in args.paths:
        text = read_text(path)
        formatted = format_turtle(text, path)
        if formatted != text:
            unformatted.append(path)
            if not args.check:
                write_text(path, formatted)
    verb = "would reformat" if args.check else "reformatted"
    for path in unformatted:
        out.write(f"{verb} {path}\n")
    return EXIT_FINDINGS if args.check and unformatted else EXIT_OK


def _info(args, out: TextIO) -> int:
    from szsemi.graph.info import graph_info
    from szsemi.graph.load import load, shipped_data
    from szsemi.graph.resources import ontology_file
    from szsemi.graph.terms import compact

    info = graph_info(load([ontology_file(), *shipped_data()]))
    if args.format == "json":
        out.write(json.dumps(info, ensure_ascii=False, indent=2) + "\n")
        return EXIT_OK
    out.write(f"szsemi {info['version']} (ontology {info['ontology_version']}): {info['triples']} triples\n")
    out.write("\ninstances per class:\n")
    for cls, n in info["classes"].items():
        out.write(f"  {n:5d}  {compact('<' + cls + '>')}\n")
    out.write("\nsources:\n")
    for s in info["sources"]:
        out.write(
            f"  {compact('<' + s['iri'] + '>')}: {s['title']} ({s['passages']} passages, cited {s['citing']} times)\n"
        )
    return EXIT_OK


def _engine(args):
    import os

    from szsemi.api import engine_for

    settings = {}
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


def _graph_files(args) -> list | None:
    """The files export and push read: ``--data``, else the files of ``--store`` (or $SZSEMI_STORE),
    else None (the shipped files for ``--content``)."""
    from szsemi.export.inputs import graph_files

    store = args.store
    if not store and not args.data and args.content in ("data", "all"):  # as the queries read it
        store = os.environ.get("SZSEMI_STORE") or None
    return graph_files(args.content, data=args.data, store=store)


def _store_path(args) -> str:
    import os

    path = args.store or os.environ.get("SZSEMI_STORE")
    if not path:
        raise UsageError("give the store folder with --store PATH (or set SZSEMI_STORE)")
    return path


def _store_build(args, out: TextIO) -> int:
    from szsemi.graph.resources import ontology_file
    from szsemi.graph.store import build, default_sources

    sources = [ontology_file(), *args.files] if args.files else default_sources()
    path = _store_path(args)
    manifest = build(path, sources)
    out.write(
        f"built {manifest['generation']} of {path}: {manifest['triples']} triples "
        f"from {len(manifest['sources'])} files in {manifest['build_seconds']:.1f} s\n"
    )
    return EXIT_OK


def _store_info(args, out: TextIO) -> int:
    from szsemi.graph.store import info

    state = info(_store_path(args))
    if args.format == "json":
        out.write(json.dumps(state, indent=2) + "\n")
        return EXIT_OK
    out.write(
        f"store {state['path']}: {state['state']}\n"
        f"  generation {state['generation']}, built {state['built']} in {state['build_seconds']:.1f} s "
        f"(szsemi {state['szsemi']}, pyoxigraph {state['pyoxigraph']})\n"
        f"  {state['triples']} triples from {len(state['sources'])} files:\n"
    )
    for source in state["sources"]:
        out.write(
            f"    {source['state']:9}  {source['path']} ({source['size']} bytes, sha256 {source['sha256'][:12]}...)\n"
        )
    if state["state"] != "up to date":
        out.write("  the next query rebuilds it (or run `szsemi store build`)\n")
    return EXIT_OK


def _emit(result, args, out: TextIO) -> int:
    import shutil

    from szsemi.query.render import render

    out.write(render(result, args.format, width=shutil.get_terminal_size((120, 24)).columns))
    return EXIT_OK


def _catalogue(args):
    from szsemi.query.catalogue import load_catalogue

    return load_catalogue(tuple(args.query_dir))


def _stored(args):
    from szsemi.query.catalogue import find_query

    return find_query(args.name, tuple(args.query_dir))  # reads that one file only


def _query_list(args, out: TextIO) -> int:
    catalogue = _catalogue(args)
    if args.format == "json":
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


def _query_show(args, out: TextIO) -> int:
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


def _query_run(args, out: TextIO) -> int:
    from szsemi.query.execute import run_stored

    query = _stored(args)
    given: dict[str, list[str]] = {}
    for item in args.param:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"--param takes KEY=VALUE, not {item!r}")
        given.setdefault(key.strip(), []).append(value)
    values = {k: v if len(v) > 1 else v[0] for k, v in given.items()}
    result = run_stored(query, _engine(args), values, limit=args.limit, offset=args.offset, cite=args.cite)
    _emit(result, args, out)
    # A *-violation check is a test of the data: rows mean the data breaks the rule (as in validate).
    if query.kind == "violation" and result.form == "SELECT" and result.rows:
        return EXIT_FINDINGS
    return EXIT_OK


def _sparql(args, out: TextIO) -> int:
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
    result = run_text(text, _engine(args), limit=args.limit, offset=args.offset)
    return _emit(result, args, out)


def _export(args, out: TextIO) -> int:
    from szsemi.export.describe import describe_turtle
    from szsemi.export.serialise import build, check_format, serialize
    from szsemi.graph.atomic import write_files

    check_format(args.format, args.graph_per_source)
    exp = build(args.content, args.profile, args.graph_per_source, files=_graph_files(args))
    description = describe_turtle(exp, None if args.describe else args.format, args.endpoint)
    data = description if args.describe else serialize(exp, args.format)
    if args.output:  # the file and its description land together, or neither does
        write_files(
            {args.output: data} if args.describe else {args.output: data, args.output + ".void.ttl": description}
        )
    elif hasattr(out, "buffer"):
        out.flush()
        out.buffer.write(data)
        out.buffer.flush()
    else:
        out.write(data.decode("utf-8"))
    return EXIT_OK


def _push(args, out: TextIO) -> int:
    import os

    from szsemi.export.push import Endpoint, push, push_content

    err = args.err
    endpoint = Endpoint(
        args.endpoint,
        args.update_endpoint,
        args.store_endpoint,
        args.graph_param,
        args.user,
        os.environ.get(args.password_env) if args.user else None,
        args.auth,
        args.timeout,
    )
    graph = push_content(args.content, args.profile, ontology=not args.without_ontology, files=_graph_files(args))

    def progress(sent: int, total: int) -> None:
        tty = err.isatty()
        start, end = ("\r" if tty else ""), ("" if tty and sent < total else "\n")
        err.write(f"{start}sent {sent}/{total} triples ({100 * sent // max(total, 1)}%){end}")
        err.flush()

    result = push(graph, endpoint, args.graph, args.mode, args.chunk_size, args.dry_run, progress)
    if result.dry_run:
        out.write(f"dry run: would {result.mode} <{result.graph}> at {args.endpoint}:\n")
        out.writelines(f"  {i}. {step}\n" for i, step in enumerate(result.steps, 1))
        return EXIT_OK
    out.write(
        f"{result.mode}: <{result.graph}> now holds {result.after} triples (was {result.before}); "
        f"sent {result.triples} in {result.chunks} chunk(s) by "
        f"{'the Graph Store Protocol' if result.protocol == 'gsp' else 'SPARQL Update'}, count verified\n"
    )
    return EXIT_OK


def _quiet_libraries() -> None:
    """rdflib and pySHACL log warnings (to stderr, with no handler set) that our messages already
    give in the user's terms: keep them off the terminal."""
    import logging

    for name in ("rdflib", "pyshacl", "owlready2"):
        logger = logging.getLogger(name)
        if not logger.handlers:
            logger.addHandler(logging.NullHandler())
            logger.propagate = False


def _serve(args, out: TextIO) -> int:
    from szsemi.serve.server import Options, serve

    options = Options(
        host=args.host,
        port=args.port,
        data=args.data,
        query_dirs=args.query_dir,
        store=args.store or os.environ.get("SZSEMI_STORE") or None,
        timeout=args.timeout,
        max_rows=args.max_rows,
        workers=args.workers,
    )
    try:
        serve(options, out)
    except KeyboardInterrupt:
        return 130
    return EXIT_OK


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run the command line ``argv`` and return its exit code (nothing else exits)."""
    out = out or sys.stdout
    err = err or sys.stderr
    _quiet_libraries()
    try:
        args = _parser().parse_args(argv)
        args.err = err
        if getattr(args, "command", None) == "serve":  # the server handles its own signals
            return int(args.run(args, out))
        # In a worker thread, so that Ctrl-C ends the command at once even while pyoxigraph computes
        # (the main thread runs no signal handler while it is inside a query or a load).
        from szsemi.query.deadline import run_abandonable

        return int(run_abandonable(lambda: args.run(args, out), None, what=f"szsemi {args.command}"))
    except KeyboardInterrupt:
        from szsemi.graph.atomic import discard_staged

        discard_staged()  # files half-written to temporary names; the targets were never touched
        err.write("szsemi: interrupted\n")
        return EXIT_INTERRUPTED
    except SystemExit as e:  # --help and --version print and stop: that is success
        return EXIT_OK if e.code in (0, None) else EXIT_INPUT
    except (UsageError, InputError) as e:
        err.write(f"szsemi: error: {e}\n")
        return EXIT_INPUT
    except EngineError as e:
        err.write(f"szsemi: failed: {e}\n")
        return EXIT_RUNTIME
    except BrokenPipeError:
        return EXIT_OK
    except OSError as e:  # a file or folder the user named cannot be read or written
        where = f"{e.filename}: " if e.filename else ""
        err.write(f"szsemi: error: {where}{e.strerror or e}\n")
        return EXIT_INPUT if e.filename else EXIT_RUNTIME
    except Exception as e:  # noqa: BLE001 - a bug must not exit 1, which CI reads as "does not conform"
        err.write(f"szsemi: internal error: {type(e).__name__}: {e}\n")
        if os.environ.get("SZSEMI_DEBUG"):
            import traceback

            traceback.print_exc(file=err)
        else:
            err.write("szsemi: set SZSEMI_DEBUG=1 to see where, and please report it\n")
        return EXIT_RUNTIME


if __name__ == "__main__":
    sys.exit(main())
