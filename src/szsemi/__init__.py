"""szsemi: a knowledge graph of Shenzhen's semiconductor and integrated-circuit industry.

The package is a thin library over the graph; the `szsemi` command is a shell over it.
Heavy dependencies (pySHACL, owlready2, SPARQLWrapper) are imported only by the verbs that need them.
"""

__version__ = "0.1.0"
