"""Real SPARQL servers for the tests: Oxigraph and Virtuoso on 127.0.0.1, a free port, a temp folder.

Each server is started as a child process and stopped by its PID with SIGTERM. ``conftest.py`` loads
this module as a pytest plugin, so any test can ask for ``oxigraph_server`` (fresh, per test, on-disk)
or ``virtuoso_server`` (one per session: it takes about 2 s and 275 MB to start; tests use their own
graph IRIs). The Virtuoso tests are skipped when ``virtuoso-t`` is not installed
(``apt-get install -y virtuoso-opensource-7-bin``).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

READY_SECONDS = 30.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


class Server:
    """A server process: ``start``, ``stop`` (SIGTERM, by PID), ``restart`` on the same port and folder."""

    name = "server"
    ready_path = "/"

    def __init__(self, location: Path):
        self.location = Path(location)
        self.location.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.log = self.location.parent / f"{self.location.name}.log"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def command(self) -> list[str]:
        raise NotImplementedError

    def start(self) -> Server:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                self.command(), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=self.location
            )
        deadline = time.monotonic() + READY_SECONDS
        ready = self.base_url + self.ready_path + "?" + urllib.parse.urlencode({"query": "ASK {}"})
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode} at start; see {self.log}")
            if _answers(ready):
                return self
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer within {READY_SECONDS:g} s; see {self.log}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.kill(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def restart(self) -> Server:
        self.stop()
        return self.start()


class OxigraphServer(Server):
    """``oxigraph serve`` with an on-disk store: /query, /update and /store (Graph Store Protocol)."""

    name = "oxigraph"
    ready_path = "/query"
    graph_param = "graph"

    @property
    def query_url(self) -> str:
        return self.base_url + "/query"

    @property
    def update_url(self) -> str:
        return self.base_url + "/update"

    @property
    def store_url(self) -> str:
        return self.base_url + "/store"

    def command(self) -> list[str]:
        binary = shutil.which("oxigraph")
        if binary is None:
            raise RuntimeError("the oxigraph command is missing: pip install oxigraph")
        return [binary, "serve", "--bind", f"127.0.0.1:{self.port}", "--location", str(self.location / "db")]


class VirtuosoServer(Server):
    """``virtuoso-t`` in the foreground. Anonymous /sparql reads; updates and the Graph Store Protocol
    need HTTP digest auth (``user``/``password``, dba/dba on a fresh database)."""

    name = "virtuoso"
    ready_path = "/sparql"
    graph_param = "graph-uri"
    user = "dba"
    password = "dba"

    def __init__(self, location: Path):
        super().__init__(location)
        self.sql_port = free_port()

    @property
    def query_url(self) -> str:
        return self.base_url + "/sparql"

    @property
    def update_url(self) -> str:
        return self.base_url + "/sparql-auth"

    @property
    def store_url(self) -> str:
        return self.base_url + "/sparql-graph-crud-auth"

    def command(self) -> list[str]:
        ini = self.location / "virtuoso.ini"
        d = self.location
        ini.write_text(f"""[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{self.sql_port}
DisableUnixSocket = 1
DirsAllowed = ., {d}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
ThreadsPerQuery = 2
MaxQueryMem = 200M

[HTTPServer]
ServerPort = 127.0.0.1:{self.port}
ServerRoot = {d}
ServerThreads = 4

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
DefaultGraph = urn:szsemi:virtuoso-default
""")
        return ["virtuoso-t", "+foreground", "+configfile", str(ini)]


@pytest.fixture
def oxigraph_server(tmp_path):
    """A fresh Oxigraph server with its store on disk under the test's temp folder."""
    if shutil.which("oxigraph") is None:
        pytest.skip("the oxigraph command is missing (pip install oxigraph)")
    server = OxigraphServer(tmp_path / "oxigraph").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory):
    """One Virtuoso server for the session (tests use their own graph IRIs)."""
    if shutil.which("virtuoso-t") is None:
        pytest.skip("virtuoso-t is not installed (apt-get install -y virtuoso-opensource-7-bin)")
    server = VirtuosoServer(tmp_path_factory.mktemp("virtuoso") / "db").start()
    try:
        yield server
    finally:
        server.stop()
