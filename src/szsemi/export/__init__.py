"""Export and push: the graph written in every RDF format, its VoID/DCAT description, the alignment
profiles, and verified loads into a remote triple store.

May import ``szsemi.query`` and ``szsemi.graph``; never validate, cli or serve.
"""

import sys

from szsemi import VerbModule

sys.modules[__name__].__class__ = VerbModule  # `szsemi.export(...)` is the API verb
