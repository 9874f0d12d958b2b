"""Exception types and the exit codes they map to (mapped once, in ``szsemi.cli.main``).

Exit codes: 0 ok; 1 the data does not conform or a check found rows (a result, not an exception);
2 usage or input error; 3 runtime or endpoint failure; 130 interrupted.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_INPUT = 2
EXIT_RUNTIME = 3
EXIT_INTERRUPTED = 130  # Ctrl-C, as shells report a SIGINT


class SzsemiError(Exception):
    """Base of every error the library raises on purpose."""


class UsageError(SzsemiError):
    """The caller asked for something that does not exist or cannot be (bad option, unknown query)."""


class ParameterError(UsageError):
    """A query parameter is missing, unknown or has a value its declaration does not allow."""

    def __init__(self, name: str, given: object, allowed: str):
        self.name, self.given, self.allowed = name, given, allowed
        super().__init__(f"parameter {name!r}: got {given!r}; allowed: {allowed}")


class InputError(SzsemiError):
    """An input file cannot be read or parsed. Carries the place, so the message can point at it."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None, column: int | None = None):
        self.path, self.line, self.column, self.reason = path, line, column, message
        where = ":".join(str(x) for x in (path, line, column) if x is not None)
        super().__init__(f"{where}: {message}" if where else message)


class QueryDefinitionError(InputError):
    """A stored query file is malformed: bad header, unknown header key, invalid SPARQL."""


class EngineError(SzsemiError):
    """The query engine, a reasoner or a remote endpoint failed while running."""


class EndpointError(EngineError):
    """A remote SPARQL endpoint could not be reached or answered with an error."""
