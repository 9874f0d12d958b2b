"""``szsemi serve``: the graph on the web.

``/sparql`` (SPARQL 1.1 Protocol), ``/api/queries`` (the stored queries as a REST API, described
by ``/openapi.json``), entity pages at the IRIs' own paths (``/id/...``, ``/ontology/...``) and
HTML pages for people (``/``, ``/queries/{name}``, ``/query``). Queries run in worker processes
(:mod:`szsemi.serve.pool`), so a query past the deadline is stopped without stopping the server.
"""
