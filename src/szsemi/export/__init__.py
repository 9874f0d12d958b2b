"""Export and push: the graph written in every RDF format, its VoID/DCAT description, the alignment
profiles, and verified loads into a remote triple store.

``serialise`` reads the files into a pyoxigraph Dataset, splits it by source (``sources``) or
re-expresses it (``profiles``), gives the blank nodes RDFC-1.0 labels and writes each format from
sorted N-Quads lines (``writers`` for JSON-LD and RDF/XML); ``describe`` writes the VoID/DCAT
description; ``push`` loads a store.

May import ``szsemi.query`` and ``szsemi.graph``; never validate, cli or serve.
"""

import sys

from szsemi import VerbModule

sys.modules[__name__].__class__ = VerbModule  # `szsemi.export(...)` is the API verb
