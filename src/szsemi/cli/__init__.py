"""The ``szsemi`` command: ``main`` (the entry point), ``parser`` and ``options`` (the grammar),
``query_commands``, ``graph_commands`` and ``export_commands`` (one library call per subcommand),
and ``exits``, the one place where exceptions become exit codes.

Top stage: may import every stage; nothing imports it.
"""
