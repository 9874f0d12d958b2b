"""The one place where exceptions become exit codes: 0 ok; 1 the data does not conform or a check
found rows (returned by the commands, never raised); 2 usage or input error; 3 runtime or endpoint
failure; 130 interrupted (Ctrl-C). Each failure is told on ``err`` in one line.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TextIO

from szsemi.errors import (
    EXIT_INPUT,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_RUNTIME,
    EngineError,
    InputError,
    UsageError,
)


def exit_code(run: Callable[[], int], err: TextIO) -> int:
    """Call ``run`` and return its exit code, or the code of the exception it raised."""
    try:
        return run()
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
