"""The house keeps its plan (docs/architecture.md): imports point one way, down the stages; few
top-level modules; small modules; no module reaches into another's private names.

The imports are read with ``ast`` from the source, lazy imports inside functions included: a lazy
import is still an arrow.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import szsemi

PACKAGE = Path(szsemi.__file__).resolve().parent

# Who may import whom: a module may import its own subpackage and any lower layer, nothing level or
# higher. validate and export are peers that do not know each other.
LAYERS: dict[str, int] = {
    "errors": 0,  # the exception types and exit codes, which everything raises
    "sparql_syntax": 1,
    "http": 1,  # shared plumbing of every stage
    "graph": 2,
    "query": 3,
    "validate": 4,
    "export": 4,
    "api": 5,
    "serve": 6,
    "cli": 7,  # the command line starts the server too (szsemi serve)
    "__main__": 8,
}
TOP_LEVEL_MODULES_AT_MOST = 8  # besides __init__ and __main__
LINES_AT_MOST = 500
# Known and being fixed elsewhere; remove an entry when its fix lands.
PRIVATE_FOR_NOW: set[tuple[str, str]] = set()  # none left


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts and not p.is_symlink())


def _name(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return ".".join(("szsemi", *parts)).removesuffix(".__init__")


def _imports(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, imported module, names taken from it) for every szsemi import in the file."""
    found = []
    package = _name(path) if path.name == "__init__.py" else _name(path).rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name, []) for a in node.names if a.name.split(".")[0] == "szsemi"]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:  # relative: resolve against the importing package
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, module] if module else base)
            if module.split(".")[0] == "szsemi":
                found.append((node.lineno, module, [a.name for a in node.names]))
    return found


def _group(module: str) -> str | None:
    """The layer key of ``szsemi.x...`` (``x``); ``None`` for the package root."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def test_imports_point_down_the_stages():
    wrong = []
    for path in _modules():
        me = _name(path)
        mine = _group(me)
        if mine is None:  # the package root is the facade: it names the API lazily
            continue
        assert mine in LAYERS, (
            f"{me}: a new top-level module or subpackage; give it a layer here and in docs/architecture.md"
        )
        for line, module, names in _imports(path):
            targets = [module] if names == [] else [module] + [f"{module}.{n}" for n in names]
            other = _group(targets[-1]) if module == "szsemi" else _group(module)
            if other is None or other == mine:  # the root (__version__, VerbModule), or my own stage
                continue
            if other not in LAYERS:
                continue  # a name from the root such as __version__
            if LAYERS[other] >= LAYERS[mine]:
                wrong.append(f"{path.relative_to(PACKAGE)}:{line}: {mine} imports {other} ({module})")
    assert not wrong, "imports that point up or sideways:\n" + "\n".join(wrong)


def test_no_module_imports_private_names_of_another():
    wrong = []
    for path in _modules():
        me = _name(path)
        for line, module, names in _imports(path):
            for n in names:
                if n.startswith("_") and not n.startswith("__") and (me, f"{module}.{n}") not in PRIVATE_FOR_NOW:
                    wrong.append(f"{path.relative_to(PACKAGE)}:{line}: from {module} import {n}")
    assert not wrong, "private names imported from another module:\n" + "\n".join(wrong)


def test_few_top_level_modules():
    top = sorted(p.name for p in PACKAGE.glob("*.py") if p.name not in ("__init__.py", "__main__.py"))
    assert len(top) <= TOP_LEVEL_MODULES_AT_MOST, top


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_modules_are_small_and_say_their_job(path):
    text = path.read_text(encoding="utf-8")
    assert ast.get_docstring(ast.parse(text)) or path.name == "__main__.py", "no module docstring"
    assert text.count("\n") <= LINES_AT_MOST


def test_the_checks_see_a_wrong_arrow(tmp_path, monkeypatch):
    """The import check fails on an upward import (so a pass above means something)."""
    fake = tmp_path / "szsemi"
    (fake / "graph").mkdir(parents=True)
    (fake / "__init__.py").write_text('"""x"""\n')
    (fake / "graph" / "__init__.py").write_text('"""x"""\n')
    (fake / "graph" / "bad.py").write_text('"""x"""\ndef f():\n    from szsemi.query.catalogue import find_query\n')
    (fake / "graph" / "worse.py").write_text('"""x"""\nfrom ..query import _secret\n')
    monkeypatch.setattr(__import__(__name__), "PACKAGE", fake)
    with pytest.raises(AssertionError, match=r"graph/bad.py:3: graph imports query"):
        test_imports_point_down_the_stages()
    with pytest.raises(AssertionError, match=r"graph/worse.py:2: from szsemi.query import _secret"):
        test_no_module_imports_private_names_of_another()
