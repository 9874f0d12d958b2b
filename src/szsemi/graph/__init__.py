"""The graph: reading RDF files into the embedded Oxigraph store, the on-disk store, the shipped files.

Bottom stage. May import only ``szsemi.errors`` and other bottom modules; never the query, validate,
export, cli or serve stages.
"""
