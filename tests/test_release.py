"""The release: the sdist and the wheel carry the ontology, the data and the queries; a checkout
without symbolic links works; one version; dependencies pinned to the releases the tests ran with."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from importlib.metadata import version as installed_version
from pathlib import Path

import distcheck
import pytest
from conftest import REPO

from szsemi import __version__
from szsemi.cli.main import main

PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_package_source_holds_no_symbolic_links():
    # A link is dropped by the build and cannot be checked out where links are not supported.
    links = [str(p.relative_to(REPO)) for p in (REPO / "src").rglob("*") if p.is_symlink()]
    assert links == []


def test_a_checkout_copied_without_links_finds_the_ontology_data_and_queries(tmp_path):
    checkout = tmp_path / "checkout"
    for name in ("src", "ontology", "data", "queries"):
        shutil.copytree(
            REPO / name,
            checkout / name,
            symlinks=True,
            ignore=lambda folder, names: [n for n in names if (Path(folder) / n).is_symlink() or n == "__pycache__"],
        )
    shutil.copy(REPO / "pyproject.toml", checkout / "pyproject.toml")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(checkout / "src")}
    code = (
        "import sys; from szsemi.cli.main import main; "
        "sys.exit(main(['query', 'run', 'get-within-travel-time', '--format', 'tsv']))"
    )
    done = subprocess.run(
        [sys.executable, "-I", "-c", f"import sys; sys.path.insert(0, {str(checkout / 'src')!r}); " + code],
        cwd=elsewhere,
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "sz:" in done.stdout or "https://w3id.org/szsemi/id/" in done.stdout


def test_the_version_lives_in_one_place(capsys):
    assert PYPROJECT["project"]["dynamic"] == ["version"] and "version" not in PYPROJECT["project"]
    assert PYPROJECT["tool"]["hatch"]["version"]["path"] == "src/szsemi/__init__.py"
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"szsemi {__version__}"
    others = [
        str(p.relative_to(REPO))
        for p in (REPO / "src").rglob("*.py")
        if p.name != "__init__.py" and f'"{__version__}"' in p.read_text(encoding="utf-8")
    ]
    assert others == []


@pytest.mark.parametrize("name", ["rdflib", "pyoxigraph", "oxrdflib", "pyshacl"])
def test_core_dependencies_are_pinned_to_a_range_holding_the_installed_release(name):
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    pins = {canonicalize_name(r.name): r.specifier for r in map(Requirement, PYPROJECT["project"]["dependencies"])}
    spec = pins[canonicalize_name(name)]
    operators = {s.operator for s in spec}
    assert {">=", "<"} <= operators, f"{name} needs a lower and an upper bound, not {spec}"
    assert installed_version(name) in spec, (
        f"{name} {installed_version(name)} is installed but pyproject.toml pins {spec}: run the whole "
        "suite (and the SHACL cross-check against pySHACL) on it, then move the pin"
    )


def test_distcheck_sees_a_wheel_without_the_data(tmp_path):
    import zipfile

    wheel = tmp_path / f"szsemi-{__version__}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as z:
        z.writestr("szsemi/__init__.py", (REPO / "src/szsemi/__init__.py").read_bytes())
    problems = distcheck.check_wheel(wheel)
    assert f"{wheel.name}: szsemi/data/places.ttl is missing" in problems
    assert f"{wheel.name}: szsemi/queries/get-within-travel-time.rq is missing" in problems
    assert f"{wheel.name}: szsemi/ontology/shapes.ttl is missing" in problems


@pytest.mark.slow
def test_the_built_sdist_and_wheel_carry_every_shipped_file(tmp_path):
    """Builds with ``python -m build`` (sdist, then the wheel from the sdist), unless ``.ci/run``
    already built them into ``$SZSEMI_DIST``. The build backend comes with the test extra, so the
    build runs without making and filling an isolated environment first (half of its time)."""
    dist = os.environ.get("SZSEMI_DIST")
    if not dist:
        dist = str(tmp_path / "dist")
        done = subprocess.run(
            [sys.executable, "-m", "build", "--no-isolation", "--outdir", dist, str(REPO)],
            check=False,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert distcheck.check_dist(Path(dist)) == []
