"""szsemi.http, the one HTTP client, against hostile servers on 127.0.0.1: redirects that would
carry credentials to another origin, other URL schemes, servers that trickle, flood, cut or
answer the wrong thing, and bad option values. Through ``main(argv)``, as a user meets them."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import threading
import time

import pytest
from hostile_servers import HostileServer

from szsemi import http
from szsemi.cli.main import main

XSD = "http://www.w3.org/2001/XMLSchema#"
SELECT = "SELECT ?x WHERE { ?x ?p ?o }"
SRJ = json.dumps(
    {
        "head": {"vars": ["x"]},
        "results": {"bindings": [{"x": {"type": "literal", "value": "7", "datatype": XSD + "integer"}}]},
    }
).encode()
JSON = "application/sparql-results+json"


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def servers():
    """Start hostile servers with ``servers(behave)``; all are closed after the test."""
    started: list[HostileServer] = []

    def start(behave):
        server = HostileServer(behave)
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()


def answer(status=200, kind=JSON, body=SRJ, headers=None):
    return lambda h, n: h.send(status, kind, body, headers)


# --------------------------------------------------------------------------------------------
# Credentials stay with their origin
# --------------------------------------------------------------------------------------------

REDIRECTS = [301, 302, 303, 307, 308]


@pytest.mark.hostile(
    what="an endpoint redirects (301/302/303/307/308) to another origin while Basic credentials are set, for a query",
    result="exit 3 naming both URLs; the other origin receives no request and no credentials",
    kind="input",
)
@pytest.mark.parametrize("status", REDIRECTS)
def test_a_redirect_to_another_origin_with_basic_credentials_is_refused(servers, status, monkeypatch):
    other = servers(answer())
    first = servers(answer(status, "text/plain", b"", {"Location": other.url}))
    monkeypatch.setenv("SZSEMI_PASSWORD", "s3cret")
    code, out, err = cli("sparql", SELECT, "--endpoint", first.url, "--user", "analyst")
    assert (code, out) == (3, "")
    assert err.count("szsemi: ") == 1 and first.url in err and other.url in err and "refused" in err
    assert other.requests == []
    assert first.requests[0]["headers"]["Authorization"].startswith("Basic ")


def digest_then(after):
    """A server that asks for Digest first, then does ``after`` for an authorised request."""

    def behave(h, n):
        if "Authorization" not in h.headers:
            h.send(
                401,
                "text/plain",
                b"login",
                {"WWW-Authenticate": 'Digest realm="r", nonce="abc", qop="auth", algorithm=MD5'},
            )
        else:
            after(h, n)

    return behave


@pytest.mark.hostile(
    what="an endpoint redirects to another origin after a Digest login, for a query",
    result="exit 3 naming both URLs; the other origin receives nothing",
    kind="input",
)
@pytest.mark.parametrize("status", REDIRECTS)
def test_a_redirect_to_another_origin_with_digest_credentials_is_refused(servers, status, monkeypatch):
    other = servers(answer())
    first = servers(digest_then(answer(status, "text/plain", b"", {"Location": other.url})))
    monkeypatch.setenv("SZSEMI_PASSWORD", "s3cret")
    code, out, err = cli("sparql", SELECT, "--endpoint", first.url, "--user", "dba", "--auth", "digest")
    assert (code, out) == (3, "") and first.url in err and other.url in err
    assert other.requests == []
    assert first.requests[1]["headers"]["Authorization"].startswith('Digest username="dba"')


@pytest.mark.hostile(
    what="the query endpoint redirects to another origin during a push with Basic or Digest credentials",
    result="exit 3 naming both URLs; nothing is sent to the other origin and the target is untouched",
    kind="input",
)
@pytest.mark.parametrize("auth", ["basic", "digest"])
@pytest.mark.parametrize("status", REDIRECTS)
def test_push_refuses_a_redirect_to_another_origin(servers, status, auth, monkeypatch):
    other = servers(answer())
    redirect = answer(status, "text/plain", b"", {"Location": other.url})
    first = servers(digest_then(redirect) if auth == "digest" else redirect)
    monkeypatch.setenv("SZSEMI_PASSWORD", "s3cret")
    code, out, err = cli(
        "push",
        "--endpoint",
        first.url,
        "--graph",
        "https://example.org/g",
        "--user",
        "dba",
        "--auth",
        auth,
        "--content",
        "ontology",
    )
    assert (code, out) == (3, "") and first.url in err and other.url in err
    assert other.requests == []


def test_a_redirect_within_the_origin_keeps_the_credentials(servers, monkeypatch):
    def behave(h, n):
        if h.path == "/sparql":
            h.send(307, "text/plain", b"", {"Location": "/moved/sparql"})
        else:
            h.send(200, JSON, SRJ)

    server = servers(behave)
    monkeypatch.setenv("SZSEMI_PASSWORD", "s3cret")
    code, out, err = cli("sparql", SELECT, "--endpoint", server.url, "--user", "analyst", "--format", "csv")
    assert (code, out, err) == (0, "x\r\n7\r\n", "")
    assert [r["path"] for r in server.requests] == ["/sparql", "/moved/sparql"]
    assert server.requests[1]["headers"]["Authorization"] == "Basic YW5hbHlzdDpzM2NyZXQ="
    assert server.requests[1]["form"]["query"] == [SELECT]  # the same request, re-sent


def test_without_credentials_a_redirect_to_another_origin_is_followed(servers):
    other = servers(answer())
    first = servers(answer(302, "text/plain", b"", {"Location": other.url}))
    code, out, err = cli("sparql", SELECT, "--endpoint", first.url, "--format", "csv")
    assert (code, out, err) == (0, "x\r\n7\r\n", "")
    assert len(other.requests) == 1 and "Authorization" not in other.requests[0]["headers"]


@pytest.mark.hostile(
    what="an endpoint redirects to a file: URL",
    result="exit 3: the redirect is refused, no local file is read",
    kind="input",
)
def test_a_redirect_to_a_file_url_is_refused(servers):
    first = servers(answer(302, "text/plain", b"", {"Location": "file:///etc/passwd"}))
    code, out, err = cli("sparql", SELECT, "--endpoint", first.url)
    assert (code, out) == (3, "") and "file:///etc/passwd" in err and "not an http(s) URL" in err
    assert "root:" not in err


@pytest.mark.hostile(
    what="an endpoint that redirects to itself for ever", result="exit 3 after 5 redirects", kind="input"
)
def test_a_redirect_loop_ends(servers):
    server = servers(answer(307, "text/plain", b"", {"Location": "/sparql"}))
    code, _, err = cli("sparql", SELECT, "--endpoint", server.url)
    assert code == 3 and "redirected more than 5 times" in err and len(server.requests) == 6


# --------------------------------------------------------------------------------------------
# Only http(s), and option values checked
# --------------------------------------------------------------------------------------------


@pytest.mark.hostile(
    what="--endpoint, --update-endpoint or --store-endpoint with a file:, ftp: or other non-http scheme, or not a URL",
    result="exit 2 naming the option, the value and what is allowed; nothing is read",
    kind="input",
)
@pytest.mark.parametrize(
    "argv",
    [
        ["sparql", SELECT, "--endpoint", "file:///etc/passwd"],
        ["query", "run", "get-claims", "--endpoint", "ftp://127.0.0.1/x"],
        ["sparql", SELECT, "--endpoint", "not-a-url"],
        ["sparql", SELECT, "--endpoint", "http://"],
        ["push", "--endpoint", "file:///etc/passwd", "--graph", "https://example.org/g"],
        [
            "push",
            "--endpoint",
            "http://127.0.0.1:9/q",
            "--store-endpoint",
            "file:///tmp/x",
            "--graph",
            "https://example.org/g",
        ],
        [
            "push",
            "--endpoint",
            "http://127.0.0.1:9/q",
            "--update-endpoint",
            "gopher://x/",
            "--graph",
            "https://example.org/g",
        ],
    ],
    ids=["query-file", "run-ftp", "not-a-url", "no-host", "push-file", "push-store-file", "push-update-gopher"],
)
def test_only_http_endpoints_are_accepted(argv):
    code, out, err = cli(*argv)
    option = next(a for a in argv if a.endswith("endpoint") and argv[argv.index(a) + 1] in err)
    value = argv[argv.index(option) + 1]
    assert (code, out) == (2, "")
    assert err.startswith("szsemi: error: ") and err.count("szsemi: error:") == 1
    assert f"argument {option}" in err and repr(value) in err and "http:// or https://" in err
    assert "root:" not in err and "internal error" not in err


def test_a_config_file_with_a_file_url_exits_2(tmp_path):
    config = tmp_path / "szsemi.toml"
    config.write_text('[endpoint]\nurl = "file:///etc/passwd"\n')
    code, _, err = cli("sparql", SELECT, "--config", str(config))
    assert code == 2 and f"{config}: [endpoint] url: 'file:///etc/passwd' is not an http(s) URL" in err


@pytest.mark.hostile(
    what="zero or negative --timeout, --chunk-size or --retries, and push --timeout -1",
    result="exit 2 naming the option, the value and what is allowed",
    kind="input",
)
@pytest.mark.parametrize(
    "argv,option,allowed",
    [
        (["sparql", SELECT, "--endpoint", "http://127.0.0.1:9/q", "--timeout", "0"], "--timeout", "seconds > 0"),
        (["sparql", SELECT, "--endpoint", "http://127.0.0.1:9/q", "--timeout", "-1"], "--timeout", "seconds > 0"),
        (["sparql", SELECT, "--endpoint", "http://127.0.0.1:9/q", "--timeout", "nan"], "--timeout", "seconds > 0"),
        (["sparql", SELECT, "--endpoint", "http://127.0.0.1:9/q", "--retries", "-1"], "--retries", ">= 0"),
        (["sparql", SELECT, "--endpoint", "http://127.0.0.1:9/q", "--max-rows", "0"], "--max-rows", ">= 1"),
        (
            ["push", "--endpoint", "http://127.0.0.1:9/q", "--graph", "https://example.org/g", "--timeout", "-1"],
            "--timeout",
            "seconds > 0",
        ),
        (
            ["push", "--endpoint", "http://127.0.0.1:9/q", "--graph", "https://example.org/g", "--timeout", "0"],
            "--timeout",
            "seconds > 0",
        ),
        (
            ["push", "--endpoint", "http://127.0.0.1:9/q", "--graph", "https://example.org/g", "--chunk-size", "0"],
            "--chunk-size",
            ">= 1",
        ),
        (
            ["push", "--endpoint", "http://127.0.0.1:9/q", "--graph", "https://example.org/g", "--chunk-size", "-5"],
            "--chunk-size",
            ">= 1",
        ),
    ],
)
def test_bad_option_values_exit_2_naming_option_value_and_what_is_allowed(argv, option, allowed):
    code, out, err = cli(*argv)
    value = argv[argv.index(option) + 1]
    assert (code, out) == (2, "")
    assert err.count("szsemi: error:") == 1 and "internal error" not in err and "Traceback" not in err
    assert f"argument {option}: {value!r} is not allowed" in err and allowed in err


def test_zero_retries_means_one_try(servers):
    server = servers(answer(503, "text/plain", b"busy"))
    code, _, err = cli("sparql", SELECT, "--endpoint", server.url, "--retries", "0")
    assert code == 3 and len(server.requests) == 1 and "after 1 attempts" in err


# --------------------------------------------------------------------------------------------
# One deadline for the whole command
# --------------------------------------------------------------------------------------------


def trickle(headers_too: bool):
    def behave(h, n):
        stop = time.monotonic() + 30
        if headers_too:
            for byte in b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n":
                h.wfile.write(bytes([byte]))
                h.wfile.flush()
                time.sleep(0.2)
                if time.monotonic() > stop:
                    return
            return
        h.send_response(200)
        h.send_header("Content-Type", JSON)
        h.end_headers()
        for byte in SRJ * 100:
            h.wfile.write(bytes([byte]))
            h.wfile.flush()
            time.sleep(0.2)
            if time.monotonic() > stop:
                return

    return behave


@pytest.mark.hostile(
    what="a server that trickles its answer (body or headers) a few bytes a second, with --timeout 1.5 and retries",
    result="exit 3 naming the timeout, within the deadline (retries included)",
    kind="fault",
)
@pytest.mark.parametrize("headers_too", [False, True], ids=["body", "headers"])
def test_a_trickling_server_cannot_hold_the_command_past_its_deadline(servers, headers_too):
    server = servers(trickle(headers_too))
    start = time.monotonic()
    code, out, err = cli("sparql", SELECT, "--endpoint", server.url, "--timeout", "1.5", "--retries", "3")
    took = time.monotonic() - start
    assert (code, out) == (3, "") and "within the timeout of 1.5 s" in err
    assert took < 1.5 + 2.0, f"the command ran {took:.1f} s with --timeout 1.5"  # a bound, not a speed goal


@pytest.mark.hostile(
    what="a server that answers 503 to every try, with --timeout 1 and --retries 10",
    result="exit 3 once the deadline leaves no time for another try",
    kind="fault",
)
def test_retries_stay_within_the_one_deadline(servers):
    server = servers(answer(503, "text/plain", b"busy"))
    start = time.monotonic()
    code, _, err = cli("sparql", SELECT, "--endpoint", server.url, "--timeout", "1", "--retries", "10")
    assert code == 3 and "no time left for another" in err and "HTTP 503" in err
    assert time.monotonic() - start < 1 + 1.0 and len(server.requests) < 11


# --------------------------------------------------------------------------------------------
# Answers capped, checked and retried when cut
# --------------------------------------------------------------------------------------------


def flood(h, n):
    h.send_response(200)
    h.send_header("Content-Type", JSON)
    h.end_headers()
    h.wfile.write(b'{"head": {"vars": ["x"]}, "results": {"bindings": [')
    row = b'{"x": {"type": "literal", "value": "' + b"x" * 1000 + b'"}},'
    block = row * 1000
    for _ in range(3_000):  # 3 GB unless the client stops reading
        h.wfile.write(block)


@pytest.mark.hostile(
    what="an endpoint that streams an endless answer",
    result="exit 3 naming the byte cap (--max-bytes); the answer is abandoned there",
    kind="input",
)
def test_a_flood_stops_at_the_byte_cap(servers):
    server = servers(flood)
    code, out, err = cli("sparql", SELECT, "--endpoint", server.url, "--max-bytes", "5000000")
    assert (code, out) == (3, "") and "more than the cap of 5000000 bytes" in err and "--max-bytes" in err


@pytest.mark.hostile(
    what="a 3 GB answer with the default caps", result="exit 3 naming the cap; peak memory under 1 GB", kind="input"
)
def test_a_3_gb_answer_keeps_memory_bounded(servers):
    server = servers(flood)
    script = (
        "import resource, sys; from szsemi.cli.main import main; "
        f"code = main(['sparql', {SELECT!r}, '--endpoint', {server.url!r}]); "
        "print(code, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stdout)"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False)
    code, peak_kb = map(int, done.stdout.split())
    assert code == 3 and "more than the cap of 100000000 bytes" in done.stderr
    assert peak_kb < 1024 * 1024, f"peak {peak_kb / 1024:.0f} MB"


@pytest.mark.hostile(what="an answer with more rows than --max-rows", result="exit 3 naming the row cap", kind="input")
def test_the_row_cap(servers):
    rows = [{"x": {"type": "literal", "value": str(i)}} for i in range(11)]
    server = servers(answer(body=json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": rows}}).encode()))
    code, _, err = cli("sparql", SELECT, "--endpoint", server.url, "--max-rows", "10")
    assert code == 3 and "more than the cap of 10 rows" in err and "--max-rows" in err
    code, out, _ = cli("sparql", SELECT, "--endpoint", server.url, "--max-rows", "11", "--format", "csv")
    assert code == 0 and len(out.splitlines()) == 12


BOOLEAN = json.dumps({"head": {}, "boolean": True}).encode()
OTHER_VARS = json.dumps({"head": {"vars": ["y"]}, "results": {"bindings": []}}).encode()
NT = b"<http://e/s> <http://e/p> <http://e/o> .\n"
XML = (
    b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>'
    b'<variable name="x"/></head><results><result><binding name="x"><literal>7</literal></binding>'
    b"</result></results></sparql>"
)


@pytest.mark.hostile(
    what="an answer that does not fit the query: ASK for SELECT, rows for ASK, other "
    "variables, RDF for SELECT, SPARQL results for CONSTRUCT, truncated JSON or XML",
    result="exit 3 naming the endpoint",
    kind="input",
)
@pytest.mark.parametrize(
    "query,kind,body,says",
    [
        (SELECT, JSON, BOOLEAN, "answered a SELECT query with a boolean"),
        ("ASK { ?s ?p ?o }", JSON, SRJ, "answered an ASK query with rows"),
        (SELECT, JSON, OTHER_VARS, "answered with the variables y; the query selects x"),
        (SELECT, "application/n-triples", NT, "not SPARQL results"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", JSON, SRJ, "not N-Triples, Turtle or RDF/XML"),
        (SELECT, JSON, SRJ[: len(SRJ) // 2], "does not parse"),
        (SELECT, "application/sparql-results+xml", XML[: len(XML) - 30], "does not parse"),
    ],
    ids=[
        "ask-for-select",
        "rows-for-ask",
        "other-variables",
        "rdf-for-select",
        "results-for-construct",
        "truncated-json",
        "truncated-xml",
    ],
)
def test_an_answer_must_fit_the_query(servers, query, kind, body, says):
    server = servers(answer(kind=kind, body=body))
    code, out, err = cli("sparql", query, "--endpoint", server.url)
    assert (code, out) == (3, "") and server.url in err and says in err


def test_xml_results_are_read(servers):
    server = servers(answer(kind="application/sparql-results+xml", body=XML))
    assert cli("sparql", SELECT, "--endpoint", server.url, "--format", "csv")[:2] == (0, "x\r\n7\r\n")


@pytest.mark.hostile(
    what="the connection is cut mid-answer (IncompleteRead), then the server recovers",
    result="retried like any transient error: exit 0 with the rows",
    kind="fault",
)
def test_a_connection_cut_mid_answer_is_retried(servers, monkeypatch):
    monkeypatch.setattr(http.time, "sleep", lambda s: None)

    def behave(h, n):
        if n == 1:
            h.send_response(200)
            h.send_header("Content-Type", JSON)
            h.send_header("Content-Length", str(len(SRJ)))
            h.end_headers()
            h.wfile.write(SRJ[:20])  # then the connection closes
        else:
            h.send(200, JSON, SRJ)

    server = servers(behave)
    code, out, err = cli("sparql", SELECT, "--endpoint", server.url, "--format", "csv")
    assert (code, out, err) == (0, "x\r\n7\r\n", "") and len(server.requests) == 2


def test_a_connection_cut_every_time_exits_3(servers, monkeypatch):
    monkeypatch.setattr(http.time, "sleep", lambda s: None)

    def behave(h, n):
        h.send_response(200)
        h.send_header("Content-Length", "1000")
        h.end_headers()
        h.wfile.write(b"{")

    server = servers(behave)
    code, _, err = cli("sparql", SELECT, "--endpoint", server.url, "--retries", "2")
    assert code == 3 and "cut mid-answer" in err and "after 3 attempts" in err


# --------------------------------------------------------------------------------------------
# Content negotiation only
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query,kind,body,accept",
    [
        (SELECT, JSON, SRJ, "application/sparql-results+json"),
        ("ASK { ?s ?p ?o }", JSON, BOOLEAN, "application/sparql-results+json"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples", NT, "application/n-triples"),
        ("DESCRIBE <http://e/s>", "text/turtle", NT, "application/n-triples"),
    ],
)
def test_the_protocol_by_content_negotiation_only(servers, query, kind, body, accept):
    server = servers(answer(kind=kind, body=body))
    code, _, err = cli("sparql", query, "--endpoint", server.url, "--graph", "https://example.org/g")
    assert code == 0, err
    request = server.requests[0]
    assert set(request["form"]) == {"query", "default-graph-uri"}  # no format, output or results
    assert request["headers"]["Accept"].startswith(accept)
    assert request["method"] == "POST"


def test_digest_login_answers_the_challenge(servers, monkeypatch):
    server = servers(digest_then(answer()))
    monkeypatch.setenv("SZSEMI_PASSWORD", "s3cret")
    code, out, _ = cli(
        "sparql", SELECT, "--endpoint", server.url, "--user", "dba", "--auth", "digest", "--format", "csv"
    )
    assert (code, out) == (0, "x\r\n7\r\n")
    sent = server.requests[1]["headers"]["Authorization"]
    assert 'uri="/sparql"' in sent and "qop=auth" in sent and 'realm="r"' in sent


def test_the_watchdog_is_gone_after_the_answer(servers):
    server = servers(answer())
    assert cli("sparql", SELECT, "--endpoint", server.url)[0] == 0
    for timer in [t for t in threading.enumerate() if isinstance(t, threading.Timer)]:
        timer.join(2)  # cancelled: it ends at once, without shutting anything
        assert not timer.is_alive()


@pytest.mark.hostile(
    what="a store cuts its answer at its own row limit and says so only in the "
    "X-SPARQL-MaxRows header (Virtuoso's ResultSetMaxRows)",
    result="exit 3: the answer is incomplete, named as such",
    kind="input",
)
def test_an_answer_cut_by_the_stores_own_limit_is_refused(servers):
    server = servers(answer(headers={"X-SPARQL-MaxRows": "1"}))
    code, out, err = cli("sparql", SELECT, "--endpoint", server.url)
    assert (code, out) == (3, "") and "cut its answer at 1 rows" in err and server.url in err


def test_the_digest_answer_is_rfc_2617s_worked_example(monkeypatch):
    monkeypatch.setattr(http.os, "urandom", lambda n: bytes.fromhex("0a4f113b"))
    challenge = http._auth_params(
        'realm="testrealm@host.com", qop="auth,auth-int", '
        'nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", '
        'opaque="5ccc069c403ebaf9f0171e9517f40e41"'
    )
    header = http._digest_header(
        challenge,
        http.Credentials("Mufasa", "Circle Of Life", "digest"),
        "GET",
        "http://www.nowhere.org/dir/index.html",
        1,
    )
    assert 'response="6629fae49393a05397450978507c4ef1"' in header
    assert 'cnonce="0a4f113b"' in header and "nc=00000001" in header
