"""The subcommands over files and the graph itself: ``validate``, ``format``, ``info`` and
``store build|info``, each one call into the library, with its answer written for the terminal.
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Any, TextIO

from szsemi.errors import EXIT_FINDINGS, EXIT_OK, EXIT_RUNTIME, InputError, UsageError


def validate(args: argparse.Namespace, out: TextIO) -> int:
    from szsemi.graph.atomic import write_text
    from szsemi.validate.baseline import apply_baseline, load_baseline, render_baseline
    from szsemi.validate.render import render, render_shacl_turtle, summary_line
    from szsemi.validate.stages import validate as run_validation

    entries = load_baseline(args.baseline) if args.baseline else []
    paths, model, origin = _validate_inputs(args)
    report = run_validation(
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


def _validate_inputs(args: argparse.Namespace) -> tuple[list[str] | None, dict[str, Any], str | None]:
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


def format_files(args: argparse.Namespace, out: TextIO) -> int:
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


def info(args: argparse.Namespace, out: TextIO) -> int:
    from szsemi.graph.info import graph_info
    from szsemi.graph.load import load, shipped_data
    from szsemi.graph.resources import ontology_file
    from szsemi.graph.terms import compact

    facts = graph_info(load([ontology_file(), *shipped_data()]))
    if args.format == "json":
        out.write(json.dumps(facts, ensure_ascii=False, indent=2) + "\n")
        return EXIT_OK
    out.write(f"szsemi {facts['version']} (ontology {facts['ontology_version']}): {facts['triples']} triples\n")
    out.write("\ninstances per class:\n")
    for cls, n in facts["classes"].items():
        out.write(f"  {n:5d}  {compact('<' + cls + '>')}\n")
    out.write("\nsources:\n")
    for s in facts["sources"]:
        out.write(
            f"  {compact('<' + s['iri'] + '>')}: {s['title']} ({s['passages']} passages, cited {s['citing']} times)\n"
        )
    return EXIT_OK


def _store_path(args: argparse.Namespace) -> str:
    path = args.store or os.environ.get("SZSEMI_STORE")
    if not path:
        raise UsageError("give the store folder with --store PATH (or set SZSEMI_STORE)")
    return path


def store_build(args: argparse.Namespace, out: TextIO) -> int:
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


def store_info(args: argparse.Namespace, out: TextIO) -> int:
    from szsemi.graph.store import info as store_state

    state = store_state(_store_path(args))
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
