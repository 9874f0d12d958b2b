"""Queries: the stored-query catalogue, typed parameters and their binding, the engines (embedded or a
remote endpoint), running a query and rendering its answer.

May import ``szsemi.graph`` and the bottom modules; never validate, export, cli or serve.
"""
