"""Exit 0 when two SPARQL TSV result files hold the same rows (blank-node labels aside)."""

import re
import sys

BNODE = re.compile(r"_:[A-Za-z0-9_.-]+")


def rows(path: str) -> tuple[str, list[str]]:
    with open(path, encoding="utf-8") as f:
        header, *body = f.read().splitlines()
    return header, sorted(BNODE.sub("_:b", line) for line in body)


if __name__ == "__main__":
    left, right = rows(sys.argv[1]), rows(sys.argv[2])
    if left != right:
        print(f"{sys.argv[1]} and {sys.argv[2]} differ", file=sys.stderr)
        sys.exit(1)
