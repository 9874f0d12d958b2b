"""The ``szsemi`` command: a thin shell over the library. Exit codes are mapped here, once.

0 ok; 1 the data does not conform or a check found rows; 2 usage or input error; 3 runtime or
endpoint failure.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections.abc import Sequence
from typing import TextIO

from szsemi import __version__
from szsemi.errors import (EXIT_FINDINGS, EXIT_INPUT, EXIT_OK, EXIT_RUNTIME, EngineError, InputError,
                           UsageError)


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so ``main`` keeps every exit code in one place."""

    def error(self, message: str):
        raise UsageError(f"{self.prog}: {message}")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="szsemi", description="The Shenzhen semiconductor knowledge graph.")
    parser.add_argument("--version", action="version", version=f"szsemi {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    v = sub.add_parser("validate", help="validate data: syntax, SHACL, OWL, rule queries, prefix lint")
    v.add_argument("paths", nargs="*", help="data files or folders of .ttl files (default: the shipped data)")
    v.add_argument("--ontology", action="append", help="an ontology file that extends the shipped one")
    v.add_argument("--shapes", action="append", help="a SHACL shapes file to use beside the shipped ones")
    v.add_argument("--queries", action="append", default=[], metavar="DIR",
                   help="a folder of extra *-violation.rq checks")
    v.add_argument("--without-shipped-model", action="store_true",
                   help="use only the given --ontology/--shapes, not the shipped ones")
    v.add_argument("--with-shipped-data", action="store_true",
                   help="load the shipped data beside PATHS (for data that refers to it)")
    v.add_argument("--no-owl", action="store_true", help="skip the OWL consistency check (HermiT)")
    v.add_argument("--no-rules", action="store_true", help="skip the *-violation.rq checks")
    v.add_argument("--no-lint", action="store_true", help="skip the prefix lint")
    v.add_argument("--format", choices=("text", "json", "junit", "github"), default="text")
    v.add_argument("--output", metavar="FILE", help="write the report here; the summary still goes to the terminal")
    v.add_argument("--shacl-report", metavar="FILE", help="also write the SHACL validation report as Turtle")
    v.add_argument("--fail-on", type=str.capitalize, choices=("Violation", "Warning", "Info"),
                   default="Violation", help="the least severe level that fails the run (default: Violation)")
    v.add_argument("--baseline", metavar="FILE", help="accepted findings (YAML or JSON), each with a reason")
    v.add_argument("--write-baseline", metavar="FILE", help="write every current finding to FILE as a baseline")
    v.set_defaults(run=_validate)

    f = sub.add_parser("format", help="rewrite Turtle data files in their canonical, diff-friendly form")
    f.add_argument("paths", nargs="+", help="Turtle files to format in place")
    f.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file is not formatted")
    f.set_defaults(run=_format)

    engine = _Parser(add_help=False)
    e = engine.add_argument_group("engine (default: the embedded graph)")
    e.add_argument("--endpoint", help="URL of a SPARQL 1.1 query endpoint to ask instead")
    e.add_argument("--graph", help="the named graph holding the data on the endpoint")
    e.add_argument("--config", help="TOML file with an [endpoint] table (url, graph, user, ...)")
    e.add_argument("--user", help="user name for the endpoint")
    e.add_argument("--password-env", help="environment variable holding the password "
                   "(default SZSEMI_PASSWORD)")
    e.add_argument("--auth", choices=("basic", "digest"), help="HTTP authentication scheme (basic)")
    e.add_argument("--timeout", type=float, help="seconds to wait for the endpoint (60)")
    e.add_argument("--retries", type=int, help="retries on connection errors and 5xx answers (3)")
    e.add_argument("--data", action="append", default=[], metavar="FILE",
                   help="query these RDF files (with the shipped ontology) instead of the shipped data")
    e.add_argument("--store", metavar="PATH",
                   help="keep the embedded graph in an on-disk store at PATH, rebuilt only when its files "
                   "change (default: $SZSEMI_STORE; none: parse the files each time)")
    e.add_argument("--format", choices=("table", "csv", "tsv", "json", "srj", "ttl", "nt"),
                   default="table", help="output format (table)")
    e.add_argument("--limit", type=int, help="at most this many rows")
    e.add_argument("--offset", type=int, help="skip this many rows first")

    q = sub.add_parser("query", help="list, show and run the stored queries")
    qsub = q.add_subparsers(dest="action", required=True, parser_class=_Parser)
    ql = qsub.add_parser("list", help="the catalogue: name, kind and summary of each query")
    ql.add_argument("--query-dir", action="append", default=[], help="also read the .rq files here")
    ql.add_argument("--format", choices=("table", "json"), default="table")
    ql.set_defaults(run=_query_list)
    qs = qsub.add_parser("show", help="a query's header, parameters and text")
    qs.add_argument("name")
    qs.add_argument("--query-dir", action="append", default=[], help="also read the .rq files here")
    qs.set_defaults(run=_query_show)
    qr = qsub.add_parser("run", parents=[engine], help="run a stored query")
    qr.add_argument("name")
    qr.add_argument("--param", "-p", action="append", default=[], metavar="KEY=VALUE",
                    help="a parameter value; repeat the key for several values of a multi parameter")
    qr.add_argument("--query-dir", action="append", default=[], help="also read the .rq files here")
    qr.set_defaults(run=_query_run)

    s = sub.add_parser("sparql", parents=[engine], help="run your own SPARQL query")
    s.add_argument("query", nargs="?", help="the query text")
    s.add_argument("--file", "-f", help="read the query from this file")
    s.set_defaults(run=_sparql)

    i = sub.add_parser("info", help="counts per class, sources and version")
    i.add_argument("--format", choices=("text", "json"), default="text")
    i.set_defaults(run=_info)

    st = sub.add_parser("store", help="build or inspect a persistent on-disk store")
    stsub = st.add_subparsers(dest="action", required=True, parser_class=_Parser)
    sb = stsub.add_parser("build", help="bulk-load the ontology and FILES (default: the shipped data) into PATH")
    sb.add_argument("files", nargs="*", help="RDF files to load beside the shipped ontology")
    sb.add_argument("--store", metavar="PATH", help="the store folder (default: $SZSEMI_STORE)")
    sb.set_defaults(run=_store_build)
    si = stsub.add_parser("info", help="what the store at PATH was built from, and whether it is up to date")
    si.add_argument("--store", metavar="PATH", help="the store folder (default: $SZSEMI_STORE)")
    si.add_argument("--format", choices=("text", "json"), default="text")
    si.set_defaults(run=_store_info)

    e = sub.add_parser("export", help="write the graph as ttl, nt, nq, trig, jsonld or xml, with a VoID/DCAT description")
    e.add_argument("--content", choices=("data", "ontology", "shapes", "all"), default="data")
    e.add_argument("--format", choices=("ttl", "nt", "nq", "trig", "jsonld", "xml"), default="ttl")
    e.add_argument("--profile", choices=("native", "schema", "wikidata-like"), default="native",
                   help="vocabulary: ours, schema.org, or Wikidata's direct properties (ontology/alignments.ttl)")
    e.add_argument("--graph-per-source", action="store_true",
                   help="each source document's facts in its own named graph (nq, trig, jsonld)")
    e.add_argument("--output", "-o", metavar="FILE",
                   help="write FILE atomically, and its description to FILE.void.ttl (default: stdout, no description)")
    e.add_argument("--describe", action="store_true", help="write only the VoID/DCAT description (Turtle)")
    e.add_argument("--endpoint", metavar="URL", help="a SPARQL endpoint serving the data, for the description")
    e.set_defaults(run=_export)

    p = sub.add_parser("push", help="load the graph into a named graph of a running triple store, atomically")
    p.add_argument("--endpoint", required=True, metavar="URL", help="the SPARQL query endpoint")
    p.add_argument("--graph", required=True, metavar="IRI", help="the named graph to replace or merge into")
    p.add_argument("--mode", choices=("replace", "merge"), default="replace")
    p.add_argument("--update-endpoint", metavar="URL", help="the SPARQL Update endpoint (default: --endpoint)")
    p.add_argument("--store-endpoint", metavar="URL",
                   help="a Graph Store Protocol endpoint; without it the data goes by SPARQL Update")
    p.add_argument("--graph-param", default="graph", help="the store endpoint's graph parameter (Virtuoso: graph-uri)")
    p.add_argument("--content", choices=("data", "ontology", "shapes", "all"), default="data")
    p.add_argument("--profile", choices=("native", "schema", "wikidata-like"), default="native")
    p.add_argument("--user", help="user name for HTTP authentication")
    p.add_argument("--password-env", default="SZSEMI_PASSWORD", metavar="NAME",
                   help="environment variable holding the password (SZSEMI_PASSWORD); never on the command line")
    p.add_argument("--auth", choices=("basic", "digest"), default="basic")
    p.add_argument("--chunk-size", type=int, metavar="N", help="triples per request (default 10000 by the "
                   "Graph Store Protocol, 500 by SPARQL Update)")
    p.add_argument("--timeout", type=float, default=120.0, metavar="SECONDS", help="per request")
    p.add_argument("--dry-run", action="store_true", help="read the target's count and say what would be done")
    p.set_defaults(run=_push)
    return parser


def _validate(args, out: TextIO) -> int:
    from szsemi.graph.atomic import write_text
    from szsemi.validate.baseline import apply_baseline, load_baseline, render_baseline
    from szsemi.validate.render import render, render_shacl_turtle, summary_line
    from szsemi.validate.stages import validate

    entries = load_baseline(args.baseline) if args.baseline else []
    report = validate(args.paths, ontology=args.ontology, shapes=args.shapes, queries=args.queries,
                      owl=not args.no_owl, rules=not args.no_rules, lint=not args.no_lint,
                      shipped_model=not args.without_shipped_model, with_shipped_data=args.with_shipped_data)
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
    from szsemi.graph.resources import ontology_file
    from szsemi.graph.load import load, shipped_data
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
        out.write(f"  {compact('<' + s['iri'] + '>')}: {s['title']} "
                  f"({s['passages']} passages, cited {s['citing']} times)\n")
    return EXIT_OK


def _engine(args):
    import os

    from szsemi.api import engine_for
    from szsemi.query.config import read_config

    settings = read_config(args.config) if args.config else {}
    endpoint = args.endpoint or settings.get("url")
    if not endpoint:
        return engine_for(data=args.data, store=args.store or os.environ.get("SZSEMI_STORE") or None)
    if args.store:
        raise UsageError("--store is for the embedded graph; it cannot be combined with an endpoint")
    if args.data:
        raise UsageError("--data is for the embedded graph; it cannot be combined with an endpoint")
    user = args.user or settings.get("user")
    variable = args.password_env or settings.get("password_env") or "SZSEMI_PASSWORD"
    options = {"user": user, "password": os.environ.get(variable) if user else None,
               "auth": args.auth or settings.get("auth", "basic"),
               "timeout": args.timeout or settings.get("timeout", 60),
               "retries": settings.get("retries", 3) if args.retries is None else args.retries}
    return engine_for(endpoint, graph=args.graph or settings.get("graph"), **options)


def _store_path(args) -> str:
    import os

    path = args.store or os.environ.get("SZSEMI_STORE")
    if not path:
        raise UsageError("give the store folder with --store PATH (or set SZSEMI_STORE)")
    return path


def _store_build(args, out: TextIO) -> int:
    from szsemi.graph.store import build, default_sources
    from szsemi.graph.resources import ontology_file

    sources = [ontology_file(), *args.files] if args.files else default_sources()
    path = _store_path(args)
    manifest = build(path, sources)
    out.write(f"built {manifest['generation']} of {path}: {manifest['triples']} triples "
              f"from {len(manifest['sources'])} files in {manifest['build_seconds']:.1f} s\n")
    return EXIT_OK


def _store_info(args, out: TextIO) -> int:
    from szsemi.graph.store import info

    state = info(_store_path(args))
    if args.format == "json":
        out.write(json.dumps(state, indent=2) + "\n")
        return EXIT_OK
    out.write(f"store {state['path']}: {state['state']}\n"
              f"  generation {state['generation']}, built {state['built']} in {state['build_seconds']:.1f} s "
              f"(szsemi {state['szsemi']}, pyoxigraph {state['pyoxigraph']})\n"
              f"  {state['triples']} triples from {len(state['sources'])} files:\n")
    for source in state["sources"]:
        out.write(f"    {source['state']:9}  {source['path']} ({source['size']} bytes, sha256 {source['sha256'][:12]}...)\n")
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
    catalogue = _catalogue(args)
    if args.name not in catalogue:
        raise UsageError(f"no stored query named {args.name!r}; `szsemi query list` shows them")
    return catalogue[args.name]


def _query_list(args, out: TextIO) -> int:
    catalogue = _catalogue(args)
    if args.format == "json":
        listing = [{"name": q.name, "kind": q.kind, "form": q.form, "summary": q.summary,
                    "tags": list(q.tags), "params": sorted(q.params)} for q in catalogue.values()]
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
        out.write(f"  {p.name} ({p.type}{', several allowed' if p.multi else ''}; {state})\n"
                  f"      allowed: {p.allowed()}\n")
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
    result = run_stored(query, _engine(args), values, limit=args.limit, offset=args.offset)
    return _emit(result, args, out)


def _sparql(args, out: TextIO) -> int:
    from szsemi.query.execute import run_text
    from szsemi.graph.load import read_text

    if (args.query is None) == (args.file is None):
        raise UsageError("give the query text or --file FILE (one of them)")
    if args.file:
        try:
            text = read_text(args.file) if args.file != "-" else sys.stdin.read()
        except InputError as e:
            raise InputError(f"cannot read the query: {e.reason}", path=e.path, line=e.line) from None
    else:
        text = args.query
    result = run_text(text, _engine(args), limit=args.limit, offset=args.offset)
    return _emit(result, args, out)


def _export(args, out: TextIO) -> int:
    from szsemi.graph.atomic import write_files
    from szsemi.export.describe import describe_turtle
    from szsemi.export.serialise import build, check_format, serialize

    check_format(args.format, args.graph_per_source)
    exp = build(args.content, args.profile, args.graph_per_source)
    description = describe_turtle(exp, None if args.describe else args.format, args.endpoint)
    data = description if args.describe else serialize(exp, args.format)
    if args.output:  # the file and its description land together, or neither does
        write_files({args.output: data} if args.describe else
                    {args.output: data, args.output + ".void.ttl": description})
    elif hasattr(out, "buffer"):
        out.flush()
        out.buffer.write(data)
        out.buffer.flush()
    else:
        out.write(data.decode("utf-8"))
    return EXIT_OK


def _push(args, out: TextIO) -> int:
    import os

    from szsemi.export.serialise import build
    from szsemi.export.push import Endpoint, push

    err = args.err
    endpoint = Endpoint(args.endpoint, args.update_endpoint, args.store_endpoint, args.graph_param,
                        args.user, os.environ.get(args.password_env) if args.user else None,
                        args.auth, args.timeout)
    graph = build(args.content, args.profile).union()

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
    out.write(f"{result.mode}: <{result.graph}> now holds {result.after} triples (was {result.before}); "
              f"sent {result.triples} in {result.chunks} chunk(s) by "
              f"{'the Graph Store Protocol' if result.protocol == 'gsp' else 'SPARQL Update'}, count verified\n")
    return EXIT_OK


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run the command line ``argv`` and return its exit code (nothing else exits)."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        args = _parser().parse_args(argv)
        args.err = err
        return args.run(args, out)
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
            traceback.print_exc(file=err)
        else:
            err.write("szsemi: set SZSEMI_DEBUG=1 to see where, and please report it\n")
        return EXIT_RUNTIME


if __name__ == "__main__":
    sys.exit(main())
