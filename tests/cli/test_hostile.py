"""Hostile inputs and faults through the command line, each in a child process with a memory cap and a
timeout (tests/bounded.py), so that a regression fails the test instead of hanging CI or eating memory."""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from bounded import limited, szsemi, write

hostile = pytest.mark.hostile

CROSS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
TTL = "@prefix e: <http://example.org/> .\n"


def _no_internal_error(err: str) -> None:
    assert "internal error" not in err and "Traceback" not in err, err
    assert err.count("szsemi: error:") + err.count("szsemi: failed:") <= 1, err


@pytest.fixture
def listener():
    """A socket on 127.0.0.1 that counts the connections made to it (an endpoint nobody should call)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.2)
    calls: list[int] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            calls.append(1)
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/sparql", calls
    stop.set()
    thread.join(2)
    server.close()


# ------------------------------------------------------------------------------ SERVICE


@hostile(
    what="a query with SERVICE <http://127.0.0.1:PORT/> on the embedded graph",
    result="exit 2, 'refused unless you give --allow-service'; no connection is made",
    kind="input",
)
def test_service_is_refused_without_the_flag(listener):
    url, calls = listener
    done = szsemi("sparql", f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}")
    assert done.code == 2 and "--allow-service" in done.err and f"SERVICE <{url}>" in done.err
    _no_internal_error(done.err)
    assert calls == []


@hostile(
    what="SERVICE ?unbound (a variable as the endpoint), with or without --allow-service",
    result="exit 2, 'the embedded engine needs the endpoint as an IRI'",
    kind="input",
)
@pytest.mark.parametrize("flag", [[], ["--allow-service"]])
def test_service_with_a_variable_is_a_usage_error(flag):
    done = szsemi("sparql", *flag, "SELECT * WHERE { SERVICE ?unbound { ?s ?p ?o } }")
    assert done.code == 2 and "SERVICE ?unbound" in done.err and "not a variable" in done.err
    _no_internal_error(done.err)


@hostile(
    what="a SHACL-SPARQL constraint (sh:select) with a SERVICE clause, during validate",
    result="exit 2 naming the shape and SERVICE, which SHACL-SPARQL forbids; no connection is made",
    kind="input",
)
def test_service_in_a_shacl_constraint_is_refused(tmp_path, listener):
    url, calls = listener
    shapes = write(
        tmp_path / "shapes.ttl",
        f"""@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix e: <http://example.org/> .
e:Shape a sh:NodeShape ; sh:targetClass e:Thing ;
  sh:sparql [ sh:select "SELECT $this WHERE {{ SERVICE <{url}> {{ $this ?p ?o }} }}" ] .
""",
    )
    data = write(tmp_path / "data.ttl", TTL + "e:x a e:Thing .\n")
    done = szsemi("validate", "--no-owl", "--no-lint", "--no-rules", "--shapes", shapes, data)
    assert done.code == 2 and "<http://example.org/Shape>" in done.err
    assert "SERVICE" in done.err and "forbi" in done.err  # the SHACL specification forbids it outright
    _no_internal_error(done.err)
    assert calls == []


# ------------------------------------------------------------------------------ deadline, Ctrl-C


@hostile(
    what="--timeout 2 on an embedded four-way cross product (runs for ever)",
    result="exit 3 within seconds, naming '--timeout 2'",
    kind="fault",
)
def test_timeout_bounds_an_embedded_query():
    done = szsemi("sparql", "--timeout", "2", CROSS, timeout=60)
    assert done.code == 3 and "--timeout 2" in done.err, done.err
    _no_internal_error(done.err)


@hostile(
    what="--timeout 0 or -1 on the embedded graph", result="exit 2 naming --timeout and what is allowed", kind="input"
)
@pytest.mark.parametrize("value", ["0", "-1"])
def test_a_timeout_that_is_not_positive_is_refused(value):
    done = szsemi("sparql", "--timeout", value, "ASK {}")
    assert done.code == 2 and "--timeout" in done.err and "> 0" in done.err
    _no_internal_error(done.err)


def _interruptible() -> None:
    """``limited``, and SIGINT at its default: a child inherits an ignored SIGINT (a shell's background
    job ignores it), and Python then installs no Ctrl-C handler at all."""
    limited()
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _wait_until_running(child: subprocess.Popen[bytes], cpu: float = 1.0) -> None:
    """Return once ``child`` runs its command in a worker thread and has used ``cpu`` seconds of CPU:
    start-up and loading the shipped graph take about half a second, so the query is then running.
    CPU time, not wall time, so that a busy machine does not make the signal come too early."""
    tick = os.sysconf("SC_CLK_TCK")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert child.poll() is None, "the query ended before it could be interrupted"
        threads = len(os.listdir(f"/proc/{child.pid}/task"))
        fields = Path(f"/proc/{child.pid}/stat").read_text().rsplit(")", 1)[1].split()
        used = (int(fields[11]) + int(fields[12])) / tick  # utime and stime, fields 14 and 15 of stat
        if threads > 1 and used >= cpu:
            return
        time.sleep(0.05)
    raise AssertionError("the query did not start within 60 s")


@hostile(
    what="Ctrl-C (SIGINT) during an embedded COUNT or ORDER BY that runs for ever",
    result="exit 130 at once, 'szsemi: interrupted', no traceback",
    kind="fault",
)
@pytest.mark.parametrize(
    "query",
    [  # both run for ever in little memory (aggregates, not sorted rows)
        CROSS,
        "SELECT ?a (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } GROUP BY ?a ORDER BY ?n",
    ],
)
def test_ctrl_c_ends_a_running_query_at_once(query):
    child = subprocess.Popen(
        [sys.executable, "-m", "szsemi", "sparql", query],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=_interruptible,
    )
    try:
        _wait_until_running(child)
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    assert child.returncode == 130, err
    assert b"interrupted" in err and b"Traceback" not in err


# ------------------------------------------------------------------------------ hostile files


def _laughs(levels: int = 9) -> str:
    entities = "".join(f'<!ENTITY l{i + 1} "' + f"&l{i};" * 10 + '">\n' for i in range(levels))
    return f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
<!ENTITY l0 "ha ha ha ha ha ha ha ha ha ha">
{entities}]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="http://example.org/s"><rdf:value>&l{levels};</rdf:value></rdf:Description>
</rdf:RDF>
"""


def _commands(path: Path, tmp_path: Path) -> dict[str, list[str | Path]]:
    return {
        "validate": ["validate", "--no-owl", path],
        "query --data": ["sparql", "ASK { ?s ?p ?o }", "--data", path],
        "store build": ["store", "build", "--store", tmp_path / "store", path],
    }


def _with_export(path: Path, tmp_path: Path) -> dict[str, list[str | Path]]:
    return {
        **_commands(path, tmp_path),
        "export --data": ["export", "--format", "nt", "-o", tmp_path / "out.nt", "--data", path],
    }


@hostile(
    what="RDF/XML entity expansion (billion laughs, 10^10 bytes from a 1 kB file) in validate, "
    "query --data, store build and export --data",
    result="exit 2 within seconds, under 500 MB, 'entity expansion'",
    kind="input",
)
def test_billion_laughs_is_refused_in_every_command(tmp_path):
    path = write(tmp_path / "laughs.rdf", _laughs())
    for name, args in _with_export(path, tmp_path).items():
        done = szsemi(*args, memory=2 << 30, timeout=60)
        assert done.code == 2 and "entity expansion" in done.err, (name, done.err[-500:])
        assert done.peak < 500 << 20, (name, done.peak)
        _no_internal_error(done.err)


def test_rdfxml_with_a_few_plain_entities_still_loads(tmp_path):
    """What ontology editors write (an entity per namespace) is not entity expansion."""
    path = write(
        tmp_path / "plain.rdf",
        """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY ex "http://example.org/" > ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="&ex;s"><rdf:value rdf:resource="&ex;o"/></rdf:Description>
</rdf:RDF>
""",
    )
    done = szsemi("sparql", "SELECT ?o WHERE { <http://example.org/s> ?p ?o }", "--format", "tsv", "--data", path)
    assert done.code == 0 and "<http://example.org/o>" in done.out, done.err


@hostile(
    what="JSON-LD nested 10,000 levels deep in validate, query --data and store build",
    result="exit 2, 'nested 10001 levels deep; ... at most 500 levels'",
    kind="input",
)
def test_deep_jsonld_is_refused_in_every_command(tmp_path):
    leaf = '{"@id": "http://example.org/leaf", "http://example.org/p": "x"}'
    text = '{"http://example.org/p": ' * 10_000 + leaf + "}" * 10_000
    path = write(tmp_path / "deep.jsonld", text)
    for name, args in _commands(path, tmp_path).items():
        done = szsemi(*args, memory=2 << 30, timeout=60)
        assert done.code == 2 and "levels deep" in done.err and "500" in done.err, (name, done.err[-500:])
        _no_internal_error(done.err)


DEEP = [  # opening, closing, the statements the nesting makes
    pytest.param("[ e:p ", " ]", 10_001, id="blank-nodes"),
    pytest.param("( ", " )", 20_001, id="lists"),
]


def _deep_turtle(tmp_path: Path, opening: str, closing: str) -> Path:
    return write(tmp_path / "deep.ttl", TTL + "e:s e:p " + opening * 10_000 + "e:o" + closing * 10_000 + " .\n")


@hostile(
    what="Turtle nested 10,000 levels deep ([ ... ] and ( ... )) in validate, query --data, store build "
    "and export --data",
    result="read (exit 0) by every command, under 500 MB, every level kept",
    kind="input",
)
@pytest.mark.parametrize("opening,closing,statements", DEEP)
def test_deep_turtle_is_read_everywhere(tmp_path, opening, closing, statements):
    path = _deep_turtle(tmp_path, opening, closing)
    for name, args in _with_export(path, tmp_path).items():
        done = szsemi(*args, memory=2 << 30, timeout=120)
        assert done.code in (0, 1) and "error" not in done.err, (name, done.err[-500:])
        assert done.peak < 500 << 20, (name, done.peak)
    assert (tmp_path / "out.nt").read_text(encoding="utf-8").count("\n") == statements


@hostile(
    what="Turtle nested 10,000 levels deep ([ ... ] and ( ... )) in format and format --check",
    result="rewritten (exit 0) under 500 MB, and the result stays put; past 100 levels, [ ] is cut into "
    "labelled blank nodes, which keeps the file about 12 MB",
    kind="input",
)
@pytest.mark.parametrize("opening,closing,statements", DEEP)
def test_deep_turtle_is_formatted_and_stays_put(tmp_path, opening, closing, statements):
    path = _deep_turtle(tmp_path, opening, closing)
    done = szsemi("format", path, memory=2 << 30, timeout=120)
    assert done.code == 0 and done.peak < 500 << 20, (done.err[-500:], done.peak)
    assert path.stat().st_size < 50 << 20  # not longturtle's 1.2 GB staircase
    assert len(ox.Dataset(ox.parse(path.read_bytes(), format=ox.RdfFormat.TURTLE))) == statements
    assert szsemi("format", "--check", path, memory=2 << 30, timeout=120).code == 0  # stable


@hostile(
    what="a 50 MB literal in validate, query --data, store build, export --data and format",
    result="exit 2 within seconds, under 500 MB, 'longer than the parser accepts (16 MB)'",
    kind="input",
)
def test_a_50_mb_literal_gets_the_same_answer_everywhere(tmp_path):
    path = write(tmp_path / "big.ttl", TTL + 'e:s e:p "' + "a" * 50_000_000 + '" .\n')
    commands = {**_with_export(path, tmp_path), "format": ["format", "--check", path]}
    for name, args in commands.items():
        done = szsemi(*args, memory=2 << 30, timeout=120)
        assert done.code == 2 and "16 MB" in done.err and str(path) in done.err, (name, done.err[-500:])
        assert done.peak < 500 << 20, (name, done.peak)
        _no_internal_error(done.err)


@hostile(
    what="a Turtle file that starts with a byte-order mark, in validate, query --data, store build, "
    "export --data and format",
    result="read as if it had none (exit 0); format rewrites it without the mark",
    kind="input",
)
def test_a_byte_order_mark_is_read_everywhere(tmp_path):
    path = write(tmp_path / "bom.ttl", b"\xef\xbb\xbf" + (TTL + "e:s e:p e:o .\n").encode())
    for name, args in _with_export(path, tmp_path).items():
        done = szsemi(*args)
        assert done.code in (0, 1) and "error" not in done.err, (name, done.err[-500:])
    done = szsemi("format", path)
    assert done.code == 0 and not path.read_bytes().startswith(b"\xef\xbb\xbf"), done.err


@hostile(
    what="a query file (and a query on stdin) that is not UTF-8 (Latin-1 é)",
    result="exit 2 naming the file, line, column and byte offset",
    kind="input",
)
def test_a_query_that_is_not_utf8_names_the_byte(tmp_path):
    path = write(tmp_path / "latin.rq", b'SELECT * WHERE {\n ?s ?p "caf\xe9" }\n')
    done = szsemi("sparql", "--file", path)
    assert done.code == 2 and f"{path}:2:12:" in done.err and "byte offset 28" in done.err, done.err
    _no_internal_error(done.err)
    child = subprocess.run(
        [sys.executable, "-m", "szsemi", "sparql", "--file", "-"],
        input=path.read_bytes(),
        capture_output=True,
        timeout=60,
        preexec_fn=limited,
    )
    err = child.stderr.decode()
    assert child.returncode == 2 and "<stdin>:2:12:" in err and "byte offset 28" in err, err
    _no_internal_error(err)


# ------------------------------------------------------------------------------ outputs


def _export(target: Path | str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "szsemi", "export", "--format", "nt", "--output", str(target)],
        capture_output=True,
        timeout=120,
        preexec_fn=limited,
    )


@hostile(
    what="export --output through a symlink",
    kind="fault",
    result="the file the link points to is replaced atomically; the link stays a link",
)
def test_output_through_a_symlink_keeps_the_link(tmp_path):
    real = write(tmp_path / "real.nt", "old\n")
    link = tmp_path / "link.nt"
    link.symlink_to(real.name)
    done = _export(link)
    assert done.returncode == 0, done.stderr
    assert link.is_symlink() and os.readlink(link) == real.name
    assert real.read_text().startswith("<") and real.stat().st_size > 1000


@hostile(
    what="export --output to a FIFO",
    kind="fault",
    result="written through: the reader gets the data and the FIFO stays a FIFO",
)
def test_output_to_a_fifo_is_written_through(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    done = _export(fifo)
    reader.join(30)
    if reader.is_alive():  # the export replaced the FIFO instead of writing to it: unblock the reader
        with open(fifo, "wb"):
            pass
        reader.join(5)
    assert done.returncode == 0, done.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert got and got[0].startswith(b"<") and len(got[0]) > 1000


@hostile(
    what="export --output to a character device (a null device made in a temporary folder) and to "
    "a link to /proc/self/fd/1, as /dev/stdout is",
    result="written through: the device stays a device, the link stays a link, the data reaches stdout",
    kind="fault",
)
def test_output_to_a_device_or_stdout_is_written_through(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("making a device node needs root")
    device = tmp_path / "null"
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    done = _export(device)
    assert done.returncode == 0, done.stderr
    assert stat.S_ISCHR(device.lstat().st_mode)
    stdout = tmp_path / "stdout"
    stdout.symlink_to("/proc/self/fd/1")
    done = _export(stdout)
    assert done.returncode == 0, done.stderr
    assert stdout.is_symlink() and done.stdout.startswith(b"<") and len(done.stdout) > 1000


@hostile(what="export --output naming a folder", result="exit 2, 'is a folder'", kind="input")
def test_a_folder_as_output_is_a_usage_error(tmp_path):
    done = _export(tmp_path)
    assert done.returncode == 2 and b"is a folder" in done.stderr, done.stderr
    assert tmp_path.is_dir() and list(tmp_path.iterdir()) == []


@hostile(
    what='an ill-typed literal ("abc"^^xsd:integer) in a file given to format and validate',
    result="no rdflib log line or traceback on stderr; the file is handled as usual",
    kind="input",
)
def test_no_rdflib_traceback_reaches_stderr(tmp_path):
    path = write(tmp_path / "ill.ttl", TTL + 'e:s e:p "abc"^^<http://www.w3.org/2001/XMLSchema#integer> .\n')
    for args in (["format", "--check", path], ["validate", "--no-owl", "--no-rules", path]):
        done = szsemi(*args)
        assert "Traceback" not in done.err and "Failed to convert" not in done.err, done.err[-800:]
        assert done.code in (0, 1), done.err[-800:]
