"""The ``szsemi`` command line's grammar: every subcommand, its arguments and help, and which
function runs it.

The functions live in ``query_commands``, ``graph_commands`` and ``export_commands`` and are
imported only when their subcommand runs, so that a stored query does not pay for the modules
of validate or export.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, TextIO

from szsemi import __version__
from szsemi.cli.options import Parser, count, engine_options, graph_inputs, http_url, seconds

Command = Callable[[argparse.Namespace, TextIO], int]
if TYPE_CHECKING:  # generic for the type checker only
    Subcommands = argparse._SubParsersAction[Parser]


HELP = {
    "validate": "validate data: syntax, SHACL, OWL, rule queries, prefix lint",
    "format": "rewrite Turtle data files in their canonical, diff-friendly form",
    "query": "list, show and run the stored queries",
    "sparql": "run your own SPARQL query",
    "info": "counts per class, sources and version",
    "store": "build or inspect a persistent on-disk store",
    "export": "write the graph as ttl, nt, nq, trig, jsonld or xml, with a VoID/DCAT description",
    "serve": "the graph on the web: SPARQL endpoint, stored-query API, entity and query pages",
    "push": "load the graph into a named graph of a running triple store, atomically",
}
QUERY_HELP = {
    "list": "the catalogue: name, kind and summary of each query",
    "show": "a query's header, parameters and text",
    "run": "run a stored query (a *-violation check exits 1 when it finds rows)",
}


def parser_for(words: Sequence[str]) -> Parser:
    """The parser for the command line ``words``: :func:`build_parser` for its command and action.

    The command and its action are the first two words that are not options (no option before
    them takes a value). The other commands are left out, even by name, unless an option comes
    before the command (or before the action): only there can ``--help`` ask for their list.
    """
    plain = [k for k, w in enumerate(words) if not w.startswith("-")][:2]
    command, action = ([words[k] for k in plain] + [None, None])[:2]
    listed = any(w.startswith("-") for w in words[: plain[1] if len(plain) > 1 else len(words)])
    return build_parser(command, action, others=listed)


def build_parser(command: str | None = None, action: str | None = None, *, others: bool = True) -> Parser:
    """The whole command line; ``args.run(args, out)`` runs the chosen subcommand.

    With ``command`` (the first word of the command line), only that subcommand gets its arguments,
    and with ``action`` (the next word) only that action of ``query``: the others are there by name
    and help, which is all ``--help`` and a wrong name need, and with ``others=False`` not at all
    (for a known ``command``). Building every parser costs a stored query more than its answer does.
    """
    parser = Parser(prog="szsemi", description="The Shenzhen semiconductor knowledge graph.")
    parser.add_argument("--version", action="version", version=f"szsemi {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    parents = _Parents(action, others)
    for name, add in _SUBCOMMANDS.items():
        if command in (None, name) or command not in _SUBCOMMANDS:
            add(sub, parents)
        elif others:
            sub.add_parser(name, help=HELP[name])
    return parser


class _Parents:
    """The option groups several subcommands share, each built once and only when asked for; and
    the action that will run, if known."""

    def __init__(self, action: str | None, others: bool = True) -> None:
        self.action, self.others = action, others

    @cached_property
    def inputs(self) -> Parser:
        return graph_inputs()

    @cached_property
    def engine(self) -> Parser:
        return engine_options()


def _command(module: str, name: str) -> Command:
    """The function ``name`` of ``szsemi.cli.<module>``, imported when the subcommand runs."""

    def run(args: argparse.Namespace, out: TextIO) -> int:
        function: Command = getattr(importlib.import_module(f"szsemi.cli.{module}"), name)
        return function(args, out)

    return run


def _validate(sub: Subcommands, parents: _Parents) -> None:
    v = sub.add_parser("validate", help=HELP["validate"])
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
    v.set_defaults(run=_command("graph_commands", "validate"))


def _format(sub: Subcommands, parents: _Parents) -> None:
    f = sub.add_parser("format", help=HELP["format"])
    f.add_argument("paths", nargs="+", help="Turtle files to format in place")
    f.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file is not formatted")
    f.set_defaults(run=_command("graph_commands", "format_files"))


def _query(sub: Subcommands, parents: _Parents) -> None:
    q = sub.add_parser("query", help=HELP["query"])
    qsub = q.add_subparsers(dest="action", required=True, parser_class=Parser)
    for name, add in _QUERY_ACTIONS.items():  # as for the commands: the chosen action in full
        if parents.action in (None, name) or parents.action not in _QUERY_ACTIONS:
            add(qsub, parents)
        elif parents.others:
            qsub.add_parser(name, help=QUERY_HELP[name])


def _query_list(qsub: Subcommands, parents: _Parents) -> None:
    ql = qsub.add_parser("list", help=QUERY_HELP["list"])
    ql.add_argument("--query-dir", action="append", default=[], help="also read the .rq files here")
    ql.add_argument(
        "--format",
        choices=("table", "json"),
        default="table",
        help="table (default) or json: an array of {name, kind, form, summary, tags, params}",
    )
    ql.set_defaults(run=_command("query_commands", "query_list"))


def _query_show(qsub: Subcommands, parents: _Parents) -> None:
    qs = qsub.add_parser("show", help=QUERY_HELP["show"])
    qs.add_argument("name", help="the stored query's name")
    qs.add_argument("--query-dir", action="append", default=[], help="also read the .rq files here")
    qs.set_defaults(run=_command("query_commands", "query_show"))


def _query_run(qsub: Subcommands, parents: _Parents) -> None:
    qr = qsub.add_parser(
        "run",
        parents=[parents.inputs, parents.engine],
        help=QUERY_HELP["run"],
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
    qr.set_defaults(run=_command("query_commands", "query_run"))


def _sparql(sub: Subcommands, parents: _Parents) -> None:
    s = sub.add_parser("sparql", parents=[parents.inputs, parents.engine], help=HELP["sparql"])
    s.add_argument("query", nargs="?", help="the query text (before --data, which takes every file after it)")
    s.add_argument("--file", "-f", help="read the query from this file")
    s.set_defaults(run=_command("query_commands", "sparql"))


def _info(sub: Subcommands, parents: _Parents) -> None:
    i = sub.add_parser("info", help=HELP["info"])
    i.add_argument("--format", choices=("text", "json"), default="text", help="text (default) or json")
    i.set_defaults(run=_command("graph_commands", "info"))


def _store(sub: Subcommands, parents: _Parents) -> None:
    st = sub.add_parser("store", help=HELP["store"])
    stsub = st.add_subparsers(dest="action", required=True, parser_class=Parser)
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
    sb.set_defaults(run=_command("graph_commands", "store_build"))
    si = stsub.add_parser("info", help="what the store at --store PATH was built from, and whether it is up to date")
    si.add_argument("--store", metavar="PATH", help="the store folder (default: $SZSEMI_STORE)")
    si.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text (default) or json: the manifest and each source's state",
    )
    si.set_defaults(run=_command("graph_commands", "store_info"))


def _export(sub: Subcommands, parents: _Parents) -> None:
    x = sub.add_parser(
        "export",
        parents=[parents.inputs],
        help=HELP["export"],
    )
    x.add_argument(
        "--content",
        choices=("data", "ontology", "shapes", "all"),
        default="data",
        help="what to write: the data (default), the ontology, the SHACL shapes, or all three",
    )
    x.add_argument(
        "--format",
        choices=("ttl", "nt", "nq", "trig", "jsonld", "xml"),
        default="ttl",
        help="RDF syntax: Turtle (default), N-Triples, N-Quads, TriG, JSON-LD or RDF/XML",
    )
    x.add_argument(
        "--profile",
        choices=("native", "schema", "wikidata-like"),
        default="native",
        help="vocabulary: ours, schema.org, or Wikidata's direct properties (ontology/alignments.ttl)",
    )
    x.add_argument(
        "--graph-per-source",
        action="store_true",
        help="each source document's facts in its own named graph (nq, trig, jsonld)",
    )
    x.add_argument(
        "--output",
        "-o",
        metavar="FILE",
        help="write FILE atomically, and its description to FILE.void.ttl (default: stdout, no description)",
    )
    x.add_argument("--describe", action="store_true", help="write only the VoID/DCAT description (Turtle)")
    x.add_argument("--endpoint", metavar="URL", help="a SPARQL endpoint serving the data, for the description")
    x.set_defaults(run=_command("export_commands", "export"))


def _serve(sub: Subcommands, parents: _Parents) -> None:
    sv = sub.add_parser(
        "serve",
        parents=[parents.inputs],
        help=HELP["serve"],
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
    sv.set_defaults(run=_command("export_commands", "serve"))


def _push(sub: Subcommands, parents: _Parents) -> None:
    p = sub.add_parser("push", parents=[parents.inputs], help=HELP["push"])
    p.add_argument(
        "--endpoint", required=True, type=http_url, metavar="URL", help="the SPARQL query endpoint (http or https)"
    )
    p.add_argument("--graph", required=True, metavar="IRI", help="the named graph to replace or merge into")
    p.add_argument(
        "--mode",
        choices=("replace", "merge"),
        default="replace",
        help="replace the named graph (default) or merge into it",
    )
    p.add_argument(
        "--update-endpoint", type=http_url, metavar="URL", help="the SPARQL Update endpoint (default: --endpoint)"
    )
    p.add_argument(
        "--store-endpoint",
        type=http_url,
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
        type=count(1, "a whole number of triples >= 1"),
        metavar="N",
        help="triples per request (default 10000 by the Graph Store Protocol, 500 by SPARQL Update)",
    )
    p.add_argument(
        "--timeout",
        type=seconds,
        default=600.0,
        metavar="SECONDS",
        help="one deadline for the whole push, every request included (600)",
    )
    p.add_argument("--dry-run", action="store_true", help="read the target's count and say what would be done")
    p.set_defaults(run=_command("export_commands", "push"))


_SUBCOMMANDS: dict[str, Callable[[Subcommands, _Parents], None]] = {
    "validate": _validate,
    "format": _format,
    "query": _query,
    "sparql": _sparql,
    "info": _info,
    "store": _store,
    "export": _export,
    "serve": _serve,
    "push": _push,
}
_QUERY_ACTIONS: dict[str, Callable[[Subcommands, _Parents], None]] = {
    "list": _query_list,
    "show": _query_show,
    "run": _query_run,
}
