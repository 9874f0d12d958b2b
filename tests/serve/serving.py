"""Fixtures and settings for the server's tests (imported by each test module: a conftest.py here
would shadow tests/conftest.py, since the test folders are not packages): an in-process client
(Starlette's TestClient) and a real ``szsemi serve`` on 127.0.0.1 with a free port, stopped by its PID."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from servers import Server

with warnings.catch_warnings():  # starlette's notice about a future httpx is not about our code
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

# The settings every server test uses: a small row cap so that capping shows on the shipped data,
# and a short deadline for the runaway query.
TIMEOUT = 2
MAX_ROWS = 50
# About 2322^3 solutions on the shipped data: it runs far past any deadline.
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


class SzsemiServer(Server):
    """``python -m szsemi serve`` on a free port of 127.0.0.1."""

    name = "szsemi serve"
    ready_path = "/sparql"

    def __init__(self, location: Path, *options: str):
        super().__init__(location)
        self.options = options

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "szsemi",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--timeout",
            str(TIMEOUT),
            "--max-rows",
            str(MAX_ROWS),
            *self.options,
        ]


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    from szsemi.serve.app import create_app
    from szsemi.serve.server import Options

    app = create_app(Options(timeout=TIMEOUT, max_rows=MAX_ROWS, workers=2))
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SzsemiServer]:
    server = SzsemiServer(tmp_path_factory.mktemp("szsemi-serve"))
    server.start()
    try:
        yield server
    finally:
        server.stop()
