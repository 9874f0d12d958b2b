"""Check a built sdist and wheel: each carries every file of ``ontology/``, ``data/`` and
``queries/`` byte for byte, and the version and pinned dependencies of ``pyproject.toml``.

Used by ``tests/packaging/test_release.py`` and by ``.ci/run``:
``python tests/distcheck.py DIST_FOLDER`` prints one line per problem and exits 1 if there is one.
"""

from __future__ import annotations

import sys
import tarfile
import tomllib
import zipfile
from email.parser import Parser
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FOLDERS = ("ontology", "data", "queries")


def shipped_files() -> dict[str, bytes]:
    """Every file of the shipped folders, by path relative to the repository (``data/x.ttl``)."""
    return {
        p.relative_to(REPO).as_posix(): p.read_bytes()
        for folder in FOLDERS
        for p in sorted((REPO / folder).rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


def package_files() -> dict[str, bytes]:
    """Every module of the package, by its path inside the wheel (``szsemi/api.py``)."""
    src = REPO / "src"
    return {p.relative_to(src).as_posix(): p.read_bytes() for p in sorted((src / "szsemi").rglob("*.py"))}


def version() -> str:
    from szsemi import __version__

    return __version__


def dependencies() -> list[str]:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]


def _requirement(text: str) -> tuple[str, str, str]:
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    r = Requirement(text)
    return canonicalize_name(r.name), str(r.specifier), str(r.marker or "")


def _compare(found: dict[str, bytes], wanted: dict[str, bytes], where: str) -> list[str]:
    problems = []
    for name, content in wanted.items():
        if name not in found:
            problems.append(f"{where}: {name} is missing")
        elif found[name] != content:
            problems.append(f"{where}: {name} differs from the checkout's copy")
    return problems


def check_wheel(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as z:
        found = {n: z.read(n) for n in z.namelist() if not n.endswith("/")}
    wanted = {f"szsemi/{name}": content for name, content in shipped_files().items()}
    problems = _compare(found, wanted | package_files(), wheel.name)
    metadata_name = next((n for n in found if n.endswith(".dist-info/METADATA")), None)
    if metadata_name is None:
        return [*problems, f"{wheel.name}: no METADATA"]
    metadata = Parser().parsestr(found[metadata_name].decode("utf-8"))
    if metadata["Version"] != version():
        problems.append(f"{wheel.name}: version {metadata['Version']}, the package says {version()}")
    requires = {_requirement(r) for r in metadata.get_all("Requires-Dist") or []}
    problems += [
        f"{wheel.name}: dependency {d!r} is not declared as pyproject.toml says"
        for d in dependencies()
        if _requirement(d) not in requires
    ]
    return problems


def check_sdist(sdist: Path) -> list[str]:
    prefix = f"szsemi-{version()}/"
    with tarfile.open(sdist) as t:
        found = {
            m.name[len(prefix) :]: t.extractfile(m).read()
            for m in t.getmembers()
            if m.isfile() and m.name.startswith(prefix)
        }
        links = [m.name for m in t.getmembers() if m.issym() or m.islnk()]
    problems = _compare(found, shipped_files(), sdist.name)
    problems += _compare(found, {f"src/{n}": c for n, c in package_files().items()}, sdist.name)
    problems += [f"{sdist.name}: {name} is a link (a checkout without links could not build it)" for name in links]
    return problems


def check_dist(folder: Path) -> list[str]:
    wheels = sorted(folder.glob(f"szsemi-{version()}-*.whl"))
    sdists = sorted(folder.glob(f"szsemi-{version()}.tar.gz"))
    if len(wheels) != 1 or len(sdists) != 1:
        return [
            (
                f"{folder}: expected one wheel and one sdist of szsemi {version()}, "
                f"found {[p.name for p in [*wheels, *sdists]]}"
            )
        ]
    return check_sdist(sdists[0]) + check_wheel(wheels[0])


if __name__ == "__main__":
    problems = check_dist(Path(sys.argv[1]))
    for problem in problems:
        print(problem)
    print(
        f"{len(problems)} problems in the built sdist and wheel"
        if problems
        else "the sdist and the wheel carry the ontology, the data, the queries and the package"
    )
    sys.exit(1 if problems else 0)
