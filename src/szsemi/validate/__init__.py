"""Validation: syntax, SHACL (compiled to SPARQL, pySHACL as the reference), OWL consistency, the
``*-violation.rq`` rule checks and the prefix lint, gathered into one located report.

May import ``szsemi.query`` (the rule checks are stored queries) and ``szsemi.graph``; never export,
cli or serve.
"""

import sys

from szsemi import VerbModule

sys.modules[__name__].__class__ = VerbModule  # `szsemi.validate(...)` is the API verb
