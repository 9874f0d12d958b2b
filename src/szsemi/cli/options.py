"""The pieces the subcommands' parsers share: a parser that raises instead of exiting, the value
types of options (URL, seconds, counts), and the option groups of graph inputs and of the engine.

Imports argparse and, when a URL option is given, the HTTP module's URL check; nothing heavier.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import NoReturn

from szsemi.errors import UsageError


class Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so ``main`` keeps every exit code in one place."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}")


def http_url(text: str) -> str:
    """An argparse type: an absolute http(s) URL (a file: or ftp: endpoint would read local files)."""
    from szsemi.http import check_url

    try:
        return check_url(text, "")
    except UsageError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def seconds(text: str) -> float:
    """An argparse type: a number of seconds > 0 (0 or less is refused, never replaced)."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not allowed; give a number of seconds > 0, e.g. 30")
    return value


def count(least: int, what: str) -> Callable[[str], int]:
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


def graph_inputs() -> Parser:
    """The parent parser of ``--data`` and ``--store``: which graph a command reads."""
    inputs = Parser(add_help=False)
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
    return inputs


def engine_options() -> Parser:
    """The parent parser of the engine options (embedded graph or endpoint) and the result format."""
    engine = Parser(add_help=False)
    e = engine.add_argument_group("engine (default: the embedded graph)")
    e.add_argument(
        "--endpoint",
        type=http_url,
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
        type=seconds,
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
        type=count(0, "a whole number >= 0 (0: no retry)"),
        metavar="N",
        help="retries on connection errors, answers cut short and 5xx answers (3; 0: none)",
    )
    e.add_argument(
        "--max-rows",
        type=count(1, "a whole number >= 1"),
        metavar="N",
        help="refuse an endpoint's answer with more rows or triples than this (1000000)",
    )
    e.add_argument(
        "--max-bytes",
        type=count(1, "a whole number of bytes >= 1"),
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
    return engine
