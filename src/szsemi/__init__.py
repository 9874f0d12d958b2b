"""szsemi: a knowledge graph of Shenzhen's semiconductor and integrated-circuit industry.

The package is a thin library over the graph; the `szsemi` command is a shell over it. The API
(``docs/api.md``): ``open`` a graph once and query it many times, or call ``run_query``, ``sparql``,
``validate`` and ``export`` directly. Heavy dependencies (rdflib, pySHACL, owlready2) are imported
only by the verbs that need them, so ``import szsemi`` and a query stay cheap.
"""

from __future__ import annotations

import types as _types
from typing import Any as _Any

__version__ = "0.1.0"

# `open` is left out of __all__ so that `from szsemi import *` does not hide the built-in open.
__all__ = ["Graph", "__version__", "export", "run_query", "sparql", "validate"]
_FROM_API = ("Graph", "open", "run_query", "sparql")
_VERBS = ("validate", "export")  # stage subpackages that are called like functions


class VerbModule(_types.ModuleType):
    """A stage subpackage that is also the verb of its name: ``szsemi.validate(...)`` calls
    :func:`szsemi.api.validate`, while ``szsemi.validate.stages`` stays the module. The subpackage
    sets its own class to this one, so the call works however it was first imported."""

    def __call__(self, *args: _Any, **kwargs: _Any) -> _Any:
        from szsemi import api

        return getattr(api, self.__name__.rpartition(".")[2])(*args, **kwargs)


def __getattr__(name: str) -> _Any:
    # Lazy, so that `import szsemi` stays cheap for the commands that do not query.
    if name in _FROM_API:
        from szsemi import api

        return getattr(api, name)
    if name in _VERBS:
        import importlib

        return importlib.import_module(f"szsemi.{name}")
    raise AttributeError(f"module 'szsemi' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The API, not the helpers this module imports."""
    return sorted({*__all__, *_FROM_API, *(n for n in globals() if n.startswith("__"))})
