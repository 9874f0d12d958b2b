"""``szsemi query list|show|run`` and ``szsemi sparql``: in-process through main(argv), every output
format checked against its specification, the exit codes, a fake endpoint that fails on purpose,
and once the installed command from another folder."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pyoxigraph as ox
import pytest
import rdflib
from conftest import TEST_DATA
from rdflib.compare import isomorphic

import szsemi
from szsemi.cli.main import main

QUERIES = TEST_DATA / "queries"
SZ = "https://w3id.org/szsemi/id/"
XSD = "http://www.w3.org/2001/XMLSchema#"


def cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def api_rows():
    """Rows of a stored query through the Python API, the reference for every CLI format."""
    cache = {}

    def rows(name, **params):
        key = (name, tuple(sorted(params.items())))
        if key not in cache:
            cache[key] = szsemi.run_query(name, params)
        return cache[key]

    return rows


# --------------------------------------------------------------------------------------------
# list and show
# --------------------------------------------------------------------------------------------


def test_list_shows_every_query_with_kind_and_summary():
    from szsemi.query.catalogue import load_catalogue

    code, out, err = cli("query", "list")
    assert code == 0 and err == ""
    lines = out.splitlines()
    catalogue = load_catalogue()
    assert len(lines) == len(catalogue)
    for line, q in zip(lines, catalogue.values(), strict=True):
        assert line.split()[:2] == [q.name, q.kind] and line.endswith(q.summary)


def test_list_json_with_a_user_folder():
    code, out, _ = cli("query", "list", "--format", "json", "--query-dir", str(QUERIES / "typed"))
    listing = {q["name"]: q for q in json.loads(out)}
    assert code == 0
    assert listing["get-milestones-on-day"] == {
        "name": "get-milestones-on-day",
        "kind": "report",
        "form": "SELECT",
        "summary": "Milestones dated to the given day (test fixture).",
        "tags": ["test-fixture"],
        "params": ["day"],
    }
    assert listing["get-within-travel-time"]["params"] == ["minutes", "origin"]


def test_show_prints_header_parameters_and_the_query_without_its_header():
    code, out, _ = cli("query", "show", "get-within-travel-time")
    assert code == 0
    assert out.startswith("get-within-travel-time (report, SELECT) from queries/get-within-travel-time.rq\n")
    assert "  minutes (integer; default 10)\n      allowed: an integer, e.g. 10, >= 1\n" in out
    assert f"  origin (iri; default {SZ}park/colorful-silicon-valley)" in out
    assert "#+" not in out and "\nPREFIX rdf: " in out and "ORDER BY ?originLabel" in out


def test_show_a_violation_check_prints_its_rule():
    code, out, _ = cli("query", "show", "number-without-bound-violation")
    assert code == 0 and "\nrule number-without-bound, severity Violation: " in out
    assert "parameters: none" in out


def test_show_required_and_multi_parameters_of_a_user_query():
    code, out, _ = cli("query", "show", "get-labels-in-language", "--query-dir", str(QUERIES / "typed"))
    assert code == 0 and "label (langstring, several allowed; default 坪山区, BYD Company Limited)" in out
    code, out, _ = cli("query", "show", "get-milestones-on-day", "--query-dir", str(QUERIES / "typed"))
    assert code == 0 and "  day (date; required)\n      allowed: a date YYYY-MM-DD\n" in out


def test_show_unknown_query_exits_2():
    code, out, err = cli("query", "show", "get-nothing")
    assert (code, out) == (2, "")
    assert err == "szsemi: error: no stored query named 'get-nothing'; `szsemi query list` shows them\n"


# --------------------------------------------------------------------------------------------
# run: every format, read back by its specification
# --------------------------------------------------------------------------------------------


def test_srj_parses_back_to_the_api_rows(api_rows):
    code, out, _ = cli("query", "run", "get-within-travel-time", "--format", "srj")
    assert code == 0
    parsed = ox.parse_query_results(out.encode("utf-8"), format=ox.QueryResultsFormat.JSON)
    names = [v.value for v in parsed.variables]
    rows = [{n: s[n] for n in names if s[n] is not None} for s in parsed]
    assert rows == api_rows("get-within-travel-time") and len(rows) == 3
    assert names[:3] == ["origin", "originLabel", "relation"]


def test_srj_of_an_empty_answer_keeps_the_variables():
    code, out, _ = cli("query", "run", "get-within-travel-time", "-p", "minutes=5", "--format", "srj")
    document = json.loads(out)
    assert code == 0 and document["results"]["bindings"] == []
    assert document["head"]["vars"][-1] == "asOf"


def csv_value(term) -> str:
    """W3C SPARQL 1.1 CSV: IRIs and literals as their plain text, blank nodes as _:label."""
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else term.value


def test_csv_follows_the_w3c_rules(shipped_store):
    from szsemi.query.catalogue import load_catalogue
    from szsemi.query.engines import LocalEngine
    from szsemi.query.execute import run_stored

    catalogue = load_catalogue()
    # get-park-operators has unbound cells; get-within-travel-time a literal with a comma
    for name in ("get-park-operators", "get-within-travel-time", "get-claims"):
        result = run_stored(catalogue[name], LocalEngine(shipped_store))
        code, out, _ = cli("query", "run", name, "--format", "csv")
        assert code == 0
        assert out.endswith("\r\n") and "\n" not in out.replace("\r\n", "")  # CRLF line ends
        records = list(csv.reader(io.StringIO(out, newline="")))
        assert records[0] == result.variables  # the header: variable names without '?'
        assert records[1:] == [[csv_value(r[v]) if v in r else "" for v in result.variables] for r in result.rows]
    assert (
        ',"well-known listed enterprises, as the report calls them",'
        in cli("query", "run", "get-within-travel-time", "--format", "csv")[1]
    )


def test_csv_quotes_fields_with_quotes_commas_and_line_breaks():
    text = 'SELECT ?a ?b ?c ?d WHERE { VALUES (?a ?b ?c ?d) { ("say \\"hi\\"" "x,y" "two\\nlines" "cr\\rhere") } }'
    code, out, _ = cli("sparql", text, "--format", "csv")
    assert code == 0
    assert out == 'a,b,c,d\r\n"say ""hi""","x,y","two\nlines","cr\rhere"\r\n'
    assert list(csv.reader(io.StringIO(out, newline="")))[1] == ['say "hi"', "x,y", "two\nlines", "cr\rhere"]


def tsv_term(field: str):
    """A TSV field back to a term: it is in SPARQL/Turtle term syntax (N-Triples form here)."""
    if field == "":
        return None
    quad = next(iter(ox.parse(f"<http://s> <http://p> {field} .", format=ox.RdfFormat.N_TRIPLES)))
    return quad.object


def test_tsv_follows_the_w3c_rules(api_rows):
    for name in ("get-park-operators", "get-within-travel-time", "get-entity-by-name"):
        code, out, _ = cli("query", "run", name, "--format", "tsv")
        assert code == 0
        lines = out.split("\n")
        assert lines[-1] == ""  # every line ends with \n, no \r
        header = lines[0].split("\t")
        assert all(h.startswith("?") for h in header)  # variables with their '?'
        rows = [[tsv_term(f) for f in line.split("\t")] for line in lines[1:-1]]
        assert all(len(r) == len(header) for r in rows)
        assert [{h[1:]: t for h, t in zip(header, r, strict=True) if t is not None} for r in rows] == api_rows(name)


def test_tsv_escapes_tabs_and_line_breaks_inside_literals():
    code, out, _ = cli("sparql", 'SELECT ?a ?b WHERE { VALUES (?a ?b) { ("t\\tab" "n\\nl") } }', "--format", "tsv")
    assert code == 0 and out == '?a\t?b\n"t\\tab"\t"n\\nl"\n'
    assert [tsv_term(f) for f in out.split("\n")[1].split("\t")] == [ox.Literal("t\tab"), ox.Literal("n\nl")]


def test_json_is_plain_values(api_rows):
    code, out, _ = cli("query", "run", "get-production-lines", "--format", "json")
    rows = json.loads(out)
    assert code == 0 and len(rows) == len(api_rows("get-production-lines")) == 4
    lines = {row["line"].rsplit("/", 1)[1]: row for row in rows if "line" in row}
    line = lines["smic-shenzhen-300mm"]
    assert line["waferSizeInches"] == 12 and line["waferDiameterMm"] == 300  # numbers as numbers
    assert "operatingSince" not in line  # launched in 2016; when it began operating no source says
    assert lines["smic-shenzhen-200mm"]["operatingSince"] == "2014-12"
    assert len(lines) == 2  # the 2021 project has no line: its row leaves "line" out


def test_json_writes_non_finite_doubles_as_text():
    text = (
        "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> "
        'SELECT ?x WHERE { VALUES ?x { "INF"^^xsd:double "NaN"^^xsd:double 1.5e3 true } }'
    )
    code, out, _ = cli("sparql", text, "--format", "json")
    assert code == 0 and "Infinity" not in out
    assert json.loads(out) == [{"x": "INF"}, {"x": "NaN"}, {"x": 1500.0}, {"x": True}]


def test_json_keeps_every_digit_of_a_decimal():
    text = "SELECT ?x WHERE { VALUES ?x { 20000000000.0 0.1 12345678901234567890.123456789 } }"
    code, out, _ = cli("sparql", text, "--format", "json")
    # the first two are exact as JSON numbers; the third is not, and stays text
    assert code == 0 and json.loads(out) == [{"x": 20000000000.0}, {"x": 0.1}, {"x": "12345678901234567890.123456789"}]


def test_table_is_readable_and_aligned_with_chinese_text(monkeypatch):
    from szsemi.query.render import _width

    monkeypatch.setenv("COLUMNS", "250")
    code, out, _ = cli("query", "run", "get-park-industry-circles", "--format", "table")
    lines = out.splitlines()
    assert code == 0 and lines[-1] == "(4 rows)"
    assert lines[0].split() == [
        "park",
        "parkLabel",
        "industry",
        "industryLabel",
        "industryLabelZh",
        "broaderLabel",
    ] and set(lines[1]) <= {"-", " "}
    assert lines[2].split()[:2] == ["sz:park/colorful-silicon-valley", "Colorful"]
    # the last column starts at the same terminal column in the header and after 第三代半导体@zh-hans
    last = lines[5]
    assert "第三代半导体@zh-hans" in last and last.endswith("Semiconductors@en")
    assert _width(last[: last.index("Semiconductors@en")]) == lines[0].index("broaderLabel")
    monkeypatch.setenv("COLUMNS", "60")  # too narrow: one block per row instead
    code, out, _ = cli("query", "run", "get-plan-layout")
    assert code == 0 and out.startswith("-- row 1 --\nplan ") and out.endswith("(3 rows)\n")
    assert "\nzoneLabelZh    东部@zh-hans\n" in out


def test_construct_as_turtle_and_ntriples_is_the_same_graph():
    graphs = []
    for fmt in ("ttl", "nt"):
        code, out, _ = cli("query", "run", "get-entity-description", "-p", "entity=sz:org/honor", "--format", fmt)
        assert code == 0
        graphs.append(rdflib.Graph().parse(data=out, format="turtle" if fmt == "ttl" else "nt"))
    triples = szsemi.run_query("get-entity-description", {"entity": "sz:org/honor"})
    expected = rdflib.Graph().parse(data="".join(f"{t} .\n" for t in triples), format="nt")
    assert len(expected) > 15
    assert isomorphic(graphs[0], expected) and isomorphic(graphs[1], expected)


def test_formats_that_do_not_fit_the_query_form_exit_2():
    code, _, err = cli("query", "run", "get-entity-description", "--format", "srj")
    assert code == 2 and "a CONSTRUCT query gives triples" in err
    code, _, err = cli("query", "run", "get-park-operators", "--format", "ttl")
    assert code == 2 and "--format ttl and nt are for CONSTRUCT and DESCRIBE queries" in err


def test_ask_in_srj_and_text():
    code, out, _ = cli("sparql", "ASK { ?s a <https://w3id.org/szsemi/ontology#IndustrialPark> }", "--format", "srj")
    assert code == 0 and json.loads(out) == {"head": {}, "boolean": True}
    code, out, _ = cli("sparql", "ASK { ?s a <http://example.org/Nothing> }")
    assert (code, out) == (0, "false\n")


# --------------------------------------------------------------------------------------------
# run: parameters, --limit/--offset, folders, data, config
# --------------------------------------------------------------------------------------------


def srj_rows(out: str) -> list[dict]:
    parsed = ox.parse_query_results(out.encode("utf-8"), format=ox.QueryResultsFormat.JSON)
    names = [v.value for v in parsed.variables]
    return [{n: s[n] for n in names if s[n] is not None} for s in parsed]


def test_parameters_from_the_command_line(api_rows):
    code, out, _ = cli("query", "run", "get-entity-by-name", "--param", "name=坪山区", "--format", "srj")
    rows = srj_rows(out)
    assert code == 0 and [r["entity"].value for r in rows] == [SZ + "place/pingshan-district"]
    code, out, _ = cli(
        "query", "run", "get-plan-district-roles", "-p", "district=sz:place/pingshan-district", "--format", "srj"
    )
    assert code == 0 and srj_rows(out) == api_rows("get-plan-district-roles", district="sz:place/pingshan-district")
    code, out, _ = cli("query", "run", "get-entity-by-name", "-p", "name=a=b", "--format", "srj")
    assert code == 0 and srj_rows(out) == []  # only the first '=' splits key from value


def test_a_multi_parameter_repeats_its_key():
    code, out, _ = cli(
        "query",
        "run",
        "get-labels-in-language",
        "--query-dir",
        str(QUERIES / "typed"),
        "-p",
        "label=Honor@en",
        "-p",
        "label=深圳市@zh-Hans",
        "--format",
        "srj",
    )
    assert code == 0
    assert [r["entity"].value for r in srj_rows(out)] == [SZ + "org/honor", SZ + "place/shenzhen"]
    code, _, err = cli("query", "run", "get-within-travel-time", "-p", "minutes=5", "-p", "minutes=6")
    assert code == 2 and "parameter 'minutes'" in err and "a single value" in err


def test_limit_and_offset(api_rows):
    everything = api_rows("get-identity-status")
    assert len(everything) > 10
    for limit, offset in ((5, None), (None, 20), (4, 3), (0, None), (3, 100)):
        argv = ["query", "run", "get-identity-status", "--format", "srj"]
        argv += ["--limit", str(limit)] if limit is not None else []
        argv += ["--offset", str(offset)] if offset is not None else []
        code, out, _ = cli(*argv)
        start = offset or 0
        assert code == 0 and srj_rows(out) == everything[start : None if limit is None else start + limit]


def test_limit_and_offset_on_a_query_with_its_own_limit():
    text = "SELECT ?s WHERE { ?s a <https://w3id.org/szsemi/ontology#District> } ORDER BY ?s LIMIT 4"
    _, full, _ = cli("sparql", text, "--format", "srj")
    code, out, _ = cli("sparql", text, "--format", "srj", "--offset", "1", "--limit", "2")
    assert code == 0 and srj_rows(out) == srj_rows(full)[1:3] and len(srj_rows(full)) == 4


def test_negative_limit_exits_2():
    code, _, err = cli("query", "run", "get-claims", "--limit", "-1")
    assert code == 2 and "--limit must be a whole number >= 0, not -1" in err


def test_a_user_folder_query_runs_with_its_parameters():
    folder = str(QUERIES / "typed")
    code, out, _ = cli(
        "query", "run", "get-milestones-on-day", "--query-dir", folder, "-p", "day=2022-11-02", "--format", "csv"
    )
    assert code == 0
    assert out == f"milestone,day\r\n{SZ}milestone/colorful-silicon-valley-main-structure-topped-out,2022-11-02\r\n"
    code, out, _ = cli(
        "query",
        "run",
        "get-figures-at-least",
        "--query-dir",
        folder,
        "-p",
        "least=2999999999.99",
        "-p",
        "estimate=false",
        "-p",
        "measure=Total investment",
        "--format",
        "csv",
    )
    assert code == 0 and out.splitlines()[1].startswith(
        f"{SZ}figure/colorful-silicon-valley-total-investment,3000000000"
    )


def test_a_user_folder_that_reuses_a_shipped_name_exits_2():
    code, out, err = cli("query", "run", "get-park-location", "--query-dir", str(QUERIES / "clash"))
    assert (code, out) == (2, "")
    assert (
        "clash/get-park-location.rq: a query named 'get-park-location' is already defined in "
        "queries/get-park-location.rq" in err
    )


@pytest.mark.parametrize(
    "name,where,reason",
    [
        ("get-unknown-key.rq", ":3: ", "unknown header key(s) colour"),
        ("get-invalid-yaml.rq", ":5:8: ", "invalid YAML in the header"),
        ("get-unknown-param-key.rq", ":5: ", "parameter 's': unknown key(s) colour"),
    ],
)
def test_a_bad_header_in_a_user_folder_exits_2_with_file_and_line(name, where, reason, tmp_path):
    shutil.copy(QUERIES / "bad" / name, tmp_path / name)
    for argv in (("query", "list"), ("query", "run", "get-claims")):
        code, out, err = cli(*argv, "--query-dir", str(tmp_path))
        assert (code, out) == (2, "")
        assert err.startswith(f"szsemi: error: {tmp_path / name}{where}") and reason in err


def test_a_stored_query_with_a_syntax_error_exits_2_naming_its_file_and_line():
    folder = QUERIES / "syntax-error"
    for argv in (("query", "list"), ("query", "run", "get-unbalanced")):
        code, _, err = cli(*argv, "--query-dir", str(folder))
        # the file's three lines end without the closing brace: the parser stops at line 4, column 1
        assert code == 2 and err.startswith(
            f"szsemi: error: {folder / 'get-unbalanced.rq'}:4:1: the query does not parse: expected one of"
        ), err


def test_data_queries_the_given_files_instead_of_the_shipped_data():
    code, out, _ = cli(
        "query",
        "run",
        "get-class-members",
        "-p",
        "class=szo:IndustrialPark",
        "--data",
        str(QUERIES / "data" / "extra-park.ttl"),
        "--format",
        "csv",
    )
    assert code == 0
    assert [line.split(",")[1] for line in out.splitlines()[1:]] == [SZ + "park/test-park"]
    code, _, err = cli("query", "run", "get-claims", "--data", str(QUERIES / "data" / "broken.ttl"))
    assert code == 2 and f"{QUERIES / 'data' / 'broken.ttl'}:5:" in err
    code, _, err = cli(
        "query",
        "run",
        "get-claims",
        "--data",
        str(QUERIES / "data" / "extra-park.ttl"),
        "--endpoint",
        "http://127.0.0.1:9/query",
    )
    assert code == 2 and "--data is for the embedded graph" in err


# --------------------------------------------------------------------------------------------
# exit codes and messages
# --------------------------------------------------------------------------------------------


def test_unknown_query_exits_2():
    code, out, err = cli("query", "run", "get-nothing")
    assert (code, out) == (2, "") and "no stored query named 'get-nothing'" in err


def test_missing_required_parameter_exits_2():
    code, out, err = cli("query", "run", "get-milestones-on-day", "--query-dir", str(QUERIES / "typed"))
    assert (code, out) == (2, "")
    assert err == ("szsemi: error: parameter 'day': got None; allowed: a value is required (a date YYYY-MM-DD)\n")


@pytest.mark.parametrize(
    "argv,message",
    [
        (
            ("get-within-travel-time", "-p", "minutes=ten"),
            "parameter 'minutes': got 'ten'; allowed: an integer, e.g. 10, >= 1",
        ),
        (
            ("get-within-travel-time", "-p", "minutes=0"),
            "parameter 'minutes': got '0'; allowed: an integer, e.g. 10, >= 1",
        ),
        (
            ("get-within-travel-time", "-p", "origin=park/colorful-silicon-valley"),
            "parameter 'origin': got 'park/colorful-silicon-valley'; allowed: an absolute IRI",
        ),
        (("get-entity-by-name", "-p", "partial=yes"), "parameter 'partial': got 'yes'; allowed: true or false"),
        (
            ("get-unlisted-firms", "-p", "basis=listed"),
            "parameter 'basis': got 'listed'; allowed: one of stated not listed, no listing recorded",
        ),
        (
            ("get-identity-status", "-p", "status=szo:IdentityMaybe"),
            "parameter 'status': got 'szo:IdentityMaybe'; "
            "allowed: one of <https://w3id.org/szsemi/ontology#IdentityConfirmed>, ",
        ),
        (
            ("get-park-location", "-p", "park=sz:org/byd"),
            "parameter 'park': got 'https://w3id.org/szsemi/id/org/byd'; allowed: an absolute IRI or a "
            "prefixed name of the project map (sz:, szo:, ...), an instance of "
            "<https://w3id.org/szsemi/ontology#IndustrialPark>",
        ),
        (
            ("get-milestones-on-day", "--query-dir", str(QUERIES / "typed"), "-p", "day=2022-02-30"),
            "parameter 'day': got '2022-02-30'; allowed: a date YYYY-MM-DD",
        ),
        (
            ("get-within-travel-time", "-p", "minute=5"),
            "get-within-travel-time has no parameter 'minute'; its parameters: minutes, origin",
        ),
        (("get-within-travel-time", "-p", "minutes"), "--param takes KEY=VALUE, not 'minutes'"),
    ],
)
def test_a_bad_parameter_exits_2_naming_it_the_value_and_what_is_allowed(argv, message):
    code, out, err = cli("query", "run", *argv)
    assert (code, out) == (2, "") and err.startswith(f"szsemi: error: {message}"), err


def test_sparql_needs_exactly_one_query_source(tmp_path):
    code, _, err = cli("sparql")
    assert code == 2 and "give the query text or --file FILE" in err
    query = tmp_path / "q.rq"
    query.write_text("ASK { ?s ?p ?o }")
    code, _, _ = cli("sparql", "ASK {}", "--file", str(query))
    assert code == 2
    code, out, _ = cli("sparql", "--file", str(query))
    assert (code, out) == (0, "true\n")
    code, _, err = cli("sparql", "--file", str(tmp_path / "missing.rq"))
    assert code == 2 and "missing.rq: cannot read the query" in err


def test_sparql_syntax_errors_exit_2():
    code, _, err = cli("sparql", "SELECT * WHERE { ?s ?p ?o ")
    assert code == 2 and "the query does not parse" in err
    code, _, err = cli("sparql", "SELECT * WHERE { ?s undeclared:p ?o }")
    assert code == 2 and "the query does not parse" in err
    code, _, err = cli("sparql", "DELETE WHERE { ?s ?p ?o }")
    assert code == 2 and "expected SELECT, ASK, CONSTRUCT or DESCRIBE" in err


@pytest.mark.hostile(
    what="a query to an endpoint where nothing listens", result="exit 3 naming the URL and the attempts", kind="fault"
)
def test_unreachable_endpoint_exits_3():
    code, out, err = cli("query", "run", "get-claims", "--endpoint", "http://127.0.0.1:9/query", "--retries", "0")
    assert (code, out) == (3, "")
    assert err.startswith("szsemi: failed: cannot reach http://127.0.0.1:9/query after 1 attempts: ")


# --------------------------------------------------------------------------------------------
# A fake endpoint on 127.0.0.1 that answers what each test asks for, and counts requests
# --------------------------------------------------------------------------------------------


class FakeEndpoint:
    def __init__(self):
        self.requests: list[dict] = []
        self.answers: list[tuple[int, str, bytes]] = []  # (status, content type, body), last repeats
        self.delay = 0.0
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep the test output clean
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode("utf-8")
                endpoint.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "form": urllib.parse.parse_qs(body)}
                )
                status, kind, payload = endpoint.answers[min(len(endpoint.requests), len(endpoint.answers)) - 1]
                if endpoint.delay:
                    threading.Event().wait(endpoint.delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_POST

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        # a short poll: shutdown() waits for the loop to notice, half a second by default
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake():
    endpoint = FakeEndpoint()
    yield endpoint
    endpoint.close()


def srj_one_row(*names: str) -> bytes:
    """A SPARQL JSON answer with the variables ``names`` and one row binding the first to 7."""
    return json.dumps(
        {
            "head": {"vars": list(names)},
            "results": {"bindings": [{names[0]: {"type": "literal", "value": "7", "datatype": XSD + "integer"}}]},
        }
    ).encode()


def srj_for(name: str) -> bytes:
    """An answer that fits the stored query ``name`` (its variables; an answer must fit its query)."""
    from szsemi.query.binding import select_variables
    from szsemi.query.catalogue import load_catalogue

    return srj_one_row(*select_variables(load_catalogue()[name].text))


SRJ_ONE_ROW = srj_one_row("x")


@pytest.fixture
def no_sleep(monkeypatch):
    """Record the backoff delays instead of waiting them out."""
    import szsemi.http

    delays: list[float] = []
    monkeypatch.setattr(szsemi.http.time, "sleep", delays.append)
    return delays


def test_a_stored_query_goes_to_the_endpoint_as_a_query_with_its_graph(fake):
    name = "derivation-passage-not-cited-violation"
    fake.answers = [(200, "application/sparql-results+json", srj_for(name))]
    # derivation-passage-not-cited-violation's header says "add": SPARQLWrapper took it for an update
    code, out, err = cli(
        "query", "run", name, "--endpoint", fake.url, "--graph", "https://example.org/g", "--format", "csv"
    )
    # a violation check that finds a row exits 1
    assert (code, err) == (1, "") and out.splitlines()[1].startswith("7,")
    form = fake.requests[0]["form"]
    assert "update" not in form and form["query"][0].startswith("#+ summary: A qualified derivation")
    assert form["default-graph-uri"] == ["https://example.org/g"]
    assert fake.requests[0]["headers"]["Content-Type"] == "application/x-www-form-urlencoded"


def test_parameters_reach_the_endpoint_as_a_values_block(fake):
    fake.answers = [(200, "application/sparql-results+json", srj_for("get-entity-by-name"))]
    code, _, _ = cli("query", "run", "get-entity-by-name", "-p", 'name=x" } DROP ALL #', "--endpoint", fake.url)
    assert code == 0
    sent = fake.requests[0]["form"]["query"][0]
    assert '\n  VALUES ?name { "x\\" } DROP ALL #" }\n' in sent
    assert '  VALUES ?partial { "false"^^<http://www.w3.org/2001/XMLSchema#boolean> }' in sent


def test_basic_auth_and_the_config_file(fake, tmp_path, monkeypatch):
    fake.answers = [(200, "application/sparql-results+json", SRJ_ONE_ROW)]
    config = tmp_path / "szsemi.toml"
    config.write_text(
        f'[endpoint]\nurl = "{fake.url}"\ngraph = "https://example.org/data"\n'
        'user = "analyst"\npassword_env = "TEST_SZSEMI_PW"\ntimeout = 5\nretries = 0\n'
    )
    monkeypatch.setenv("TEST_SZSEMI_PW", "s3cret")
    code, out, _ = cli("sparql", "SELECT ?x WHERE { ?x ?p ?o }", "--config", str(config), "--format", "csv")
    assert (code, out) == (0, "x\r\n7\r\n")
    request = fake.requests[0]
    assert request["headers"]["Authorization"] == "Basic YW5hbHlzdDpzM2NyZXQ="  # analyst:s3cret
    assert request["form"]["default-graph-uri"] == ["https://example.org/data"]


def test_a_bad_config_file_exits_2(tmp_path):
    config = tmp_path / "szsemi.toml"
    config.write_text('[endpoint]\nurl = "http://127.0.0.1:9/q"\npasword = "x"\n')
    code, _, err = cli("query", "run", "get-claims", "--config", str(config))
    assert code == 2 and f"{config}: unknown key 'pasword' in [endpoint]" in err
    config.write_text('[endpoint]\nurl = "http://127.0.0.1:9/q"\nupdate_url = "http://127.0.0.1:9/u"\n')
    code, _, err = cli("query", "run", "get-claims", "--config", str(config))  # push does not read it
    assert code == 2 and f"{config}: unknown key 'update_url' in [endpoint]" in err
    config.write_text("[endpoint\nurl = 1\n")
    code, _, err = cli("query", "run", "get-claims", "--config", str(config))
    assert code == 2 and f"{config}:1:10: invalid TOML: Expected ']' at the end of a table declaration\n" in err
    code, _, err = cli("query", "run", "get-claims", "--config", str(tmp_path / "none.toml"))
    assert code == 2 and "none.toml: no such config file" in err


def test_a_config_without_url_uses_the_embedded_graph(tmp_path):
    config = tmp_path / "szsemi.toml"
    config.write_text("[endpoint]\ntimeout = 5\n")
    code, out, _ = cli("query", "run", "get-plan-layout", "--config", str(config), "--format", "csv")
    assert code == 0 and len(out.splitlines()) == 4


@pytest.mark.hostile(
    what="an endpoint that answers 500 or 503 every time",
    result="retried with backoff, then exit 3 with the endpoint's message",
    kind="fault",
)
@pytest.mark.parametrize("status", [500, 503])
def test_a_5xx_answer_is_retried_with_backoff_then_exits_3_with_the_message(fake, no_sleep, status):
    fake.answers = [(status, "text/plain", b"the store is rebuilding its index")]
    code, out, err = cli("query", "run", "get-claims", "--endpoint", fake.url, "--retries", "2")
    assert (code, out) == (3, "")
    assert len(fake.requests) == 3 and no_sleep == [0.5, 1.0]
    assert err.startswith(f"szsemi: failed: {fake.url} ") and "the store is rebuilding its index" in err


def test_a_5xx_then_success_gives_the_rows(fake, no_sleep):
    fake.answers = [(503, "text/plain", b"busy"), (200, "application/sparql-results+json", SRJ_ONE_ROW)]
    code, out, _ = cli("sparql", "SELECT ?x WHERE { ?x ?p ?o }", "--endpoint", fake.url, "--format", "csv")
    assert (code, out) == (0, "x\r\n7\r\n") and len(fake.requests) == 2 and no_sleep == [0.5]


@pytest.mark.hostile(
    what="an endpoint that refuses the query (HTTP 400)", result="exit 3 with its message, no retry", kind="fault"
)
def test_a_400_for_a_bad_query_exits_3_with_the_message_without_retrying(fake, no_sleep):
    fake.answers = [(400, "text/plain", b"error at 1:27: expected one of '.', '}'")]
    code, out, err = cli("sparql", "SELECT * WHERE { ?s ?p ?o . FILTER(?x = ) }", "--endpoint", fake.url)
    assert (code, out) == (3, "") and len(fake.requests) == 1 and no_sleep == []
    assert "refused the query" in err and "error at 1:27: expected one of '.', '}'" in err


@pytest.mark.hostile(
    what="an endpoint that sends HTML where SPARQL JSON results were asked for",
    result="exit 3 naming the endpoint",
    kind="input",
)
def test_an_answer_that_does_not_parse_exits_3(fake):
    fake.answers = [(200, "application/sparql-results+json", b"<html>not json</html>")]
    code, _, err = cli("sparql", "SELECT ?x WHERE { ?x ?p ?o }", "--endpoint", fake.url)
    assert code == 3 and "sent an answer that does not parse" in err


@pytest.mark.hostile(
    what="an endpoint slower than --timeout 0.3",
    result="exit 3 naming the timeout; no retry starts after the deadline",
    kind="fault",
)
def test_a_slow_endpoint_times_out_with_a_fraction_of_a_second(fake, no_sleep):
    fake.answers = [(200, "application/sparql-results+json", SRJ_ONE_ROW)]
    fake.delay = 3.0  # without the timeout the answer would arrive, and the command exit 0
    code, _, err = cli(
        "sparql", "SELECT ?x WHERE { ?x ?p ?o }", "--endpoint", fake.url, "--timeout", "0.3", "--retries", "1"
    )
    # One deadline for the whole command: the retry would start after it, so none is tried.
    assert code == 3 and "did not answer within the timeout of 0.3 s" in err and no_sleep == []
    assert len(fake.requests) == 1


# --------------------------------------------------------------------------------------------
# The installed command
# --------------------------------------------------------------------------------------------


def test_installed_command_runs_a_stored_query_from_any_folder(tmp_path):
    command = shutil.which("szsemi")
    assert command, "the szsemi command is not installed (pip install '.[test]')"
    done = subprocess.run(
        [command, "query", "run", "get-within-travel-time", "-p", "minutes=15", "--format", "csv"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("origin,originLabel,relation,") and len(lines) == 4
    assert {line.split(",")[8] for line in lines[1:]} == {SZ + "org/byd", SZ + "org/honor", SZ + "org/smic"}
    done = subprocess.run(
        [command, "query", "run", "get-nothing"], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2 and "no stored query named 'get-nothing'" in done.stderr


def test_the_api_takes_a_parameter_called_name():
    rows = szsemi.run_query("get-entity-by-name", {"name": "坪山区"})
    assert [r["entity"].value for r in rows] == [SZ + "place/pingshan-district"]
    assert szsemi.run_query("get-entity-by-name", {"name": "Biyadi"}, limit=1)[0]["entity"].value == SZ + "org/byd"


def test_data_in_named_graphs_keeps_its_graphs_for_queries(tmp_path):
    trig = tmp_path / "extra.trig"
    trig.write_text(
        '<https://example.org/g1> { <https://example.org/a> <https://example.org/p> "1" . }\n'
        '<https://example.org/g2> { <https://example.org/b> <https://example.org/p> "2" . }\n',
        encoding="utf-8",
    )
    code, out, _ = cli(
        "sparql",
        "SELECT ?g ?s WHERE { GRAPH ?g { ?s <https://example.org/p> ?o } } ORDER BY ?g",
        "--data",
        str(trig),
        "--format",
        "csv",
    )
    assert code == 0 and out.splitlines()[1:] == [
        "https://example.org/g1,https://example.org/a",
        "https://example.org/g2,https://example.org/b",
    ]
