"""The subcommands that send the graph out: ``export`` (to a file or the terminal), ``push`` (into
a running triple store) and ``serve`` (on the web), each one call into the library.
"""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING, TextIO

from szsemi.errors import EXIT_INTERRUPTED, EXIT_OK

if TYPE_CHECKING:
    from szsemi.graph.load import Source


def _graph_files(args: argparse.Namespace) -> list[Source] | None:
    """The files export and push read: ``--data``, else the files of ``--store`` (or $SZSEMI_STORE),
    else None (the shipped files for ``--content``)."""
    from szsemi.export.inputs import graph_files

    store = args.store
    if not store and not args.data and args.content in ("data", "all"):  # as the queries read it
        store = os.environ.get("SZSEMI_STORE") or None
    return graph_files(args.content, data=args.data, store=store)


def export(args: argparse.Namespace, out: TextIO) -> int:
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


def push(args: argparse.Namespace, out: TextIO) -> int:
    from szsemi.export.push import Endpoint, push_content
    from szsemi.export.push import push as push_graph

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

    result = push_graph(graph, endpoint, args.graph, args.mode, args.chunk_size, args.dry_run, progress)
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


def serve(args: argparse.Namespace, out: TextIO) -> int:
    from szsemi.serve.server import Options
    from szsemi.serve.server import serve as run_server

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
        run_server(options, out)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    return EXIT_OK
