"""The ``szsemi`` command: a thin shell over the library. ``main(argv) -> int`` parses the command
line (``parser``), runs the chosen subcommand (``query_commands``, ``graph_commands``,
``export_commands``) and maps what it raises to an exit code (``exits``), once.

0 ok; 1 the data does not conform or a check found rows; 2 usage or input error; 3 runtime or
endpoint failure; 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TextIO

from szsemi.cli.exits import exit_code
from szsemi.cli.parser import parser_for

# Commands that never import rdflib, pySHACL or owlready2 (tests/cli/test_light_query_path.py), so
# they need not import logging to quiet them either: a stored query starts as fast as it can.
LIGHT = frozenset({"query", "sparql"})


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run the command line ``argv`` and return its exit code (nothing else exits)."""
    stdout = out or sys.stdout
    stderr = err or sys.stderr
    return exit_code(lambda: _run(argv, stdout, stderr), stderr)


def _run(argv: Sequence[str] | None, out: TextIO, err: TextIO) -> int:
    words = sys.argv[1:] if argv is None else list(argv)
    # only the parsers of the command that runs are built (see parser_for)
    args = parser_for([str(w) for w in words]).parse_args(words)
    args.err = err
    if args.command not in LIGHT:
        _quiet_libraries()
    if args.command == "serve":  # the server handles its own signals
        return int(args.run(args, out))
    # In a worker thread, so that Ctrl-C ends the command at once even while pyoxigraph computes
    # (the main thread runs no signal handler while it is inside a query or a load).
    from szsemi.query.deadline import run_abandonable

    return int(run_abandonable(lambda: args.run(args, out), None, what=f"szsemi {args.command}"))


def _quiet_libraries() -> None:
    """rdflib and pySHACL log warnings (to stderr, with no handler set) that our messages already
    give in the user's terms: keep them off the terminal."""
    import logging

    for name in ("rdflib", "pyshacl", "owlready2"):
        logger = logging.getLogger(name)
        if not logger.handlers:
            logger.addHandler(logging.NullHandler())
            logger.propagate = False


if __name__ == "__main__":
    sys.exit(main())
