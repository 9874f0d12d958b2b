"""szsemi: a knowledge graph of Shenzhen's semiconductor and integrated-circuit industry.

The package is a thin library over the graph; the `szsemi` command is a shell over it.
Heavy dependencies (pySHACL, owlready2) are imported only by the verbs that need them.
"""

__version__ = "0.1.0"

__all__ = ["run_query", "sparql", "__version__"]


def __getattr__(name: str):
    # Lazy, so that `import szsemi` stays cheap for the commands that do not query.
    if name in ("run_query", "sparql"):
        from szsemi import api

        return getattr(api, name)
    raise AttributeError(f"module 'szsemi' has no attribute {name!r}")
