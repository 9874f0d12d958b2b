"""The ``szsemi`` command: a thin shell over the library. Exit codes are mapped here, once.

0 ok; 1 the data does not conform or a check found rows; 2 usage or input error; 3 runtime or
endpoint failure.
"""

from __future__ import annotations

import argparse
import json
import sys
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

    v = sub.add_parser("validate", help="validate data against the ontology and shapes")
    v.add_argument("paths", nargs="*", help="data files (default: the shipped data)")
    v.add_argument("--ontology", action="append", help="ontology file (default: the shipped one)")
    v.add_argument("--shapes", action="append", help="SHACL shapes file (default: the shipped ones)")
    v.add_argument("--no-owl", action="store_true", help="skip the OWL consistency check (HermiT)")
    v.add_argument("--format", choices=("text", "json"), default="text")
    v.set_defaults(run=_validate)

    f = sub.add_parser("format", help="rewrite Turtle data files in their canonical, diff-friendly form")
    f.add_argument("paths", nargs="+", help="Turtle files to format in place")
    f.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file is not formatted")
    f.set_defaults(run=_format)

    i = sub.add_parser("info", help="counts per class, sources and version")
    i.add_argument("--format", choices=("text", "json"), default="text")
    i.set_defaults(run=_info)
    return parser


def _validate(args, out: TextIO) -> int:
    from szsemi.report_render import render_json, render_text
    from szsemi.validate import validate

    report = validate(args.paths, ontology=args.ontology, shapes=args.shapes, owl=not args.no_owl)
    out.write(render_json(report) if args.format == "json" else render_text(report))
    return EXIT_OK if report.conforms else EXIT_FINDINGS


def _format(args, out: TextIO) -> int:
    from szsemi.store import read_bytes
    from szsemi.turtle_format import format_turtle
    from szsemi.atomic import write_text

    unformatted = []
    for path in args.paths:
        text = read_bytes(path).decode("utf-8")
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
    from szsemi.info import graph_info
    from szsemi.resources import ontology_file
    from szsemi.store import load, shipped_data
    from szsemi.terms import compact

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


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run the command line ``argv`` and return its exit code (nothing else exits)."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        args = _parser().parse_args(argv)
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


if __name__ == "__main__":
    sys.exit(main())
