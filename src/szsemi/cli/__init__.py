"""The ``szsemi`` command: argument parsing and the one place where exceptions become exit codes.

Top stage: may import every stage; nothing imports it.
"""
