"""Hostile parameter values never change what a stored query does (property-based, hypothesis).

For string, langstring, iri, integer, decimal and date parameters of real stored queries (and of
the user queries in tests/data/queries/typed for the types the catalogue does not use), every
generated value is either refused with a ParameterError/UsageError (exit 2 from the CLI), or:

* the bound query text is the stored text with only VALUES blocks inserted, and it parses;
* the inserted blocks hold exactly one term per parameter, equal to the value given;
* the rows equal those of the stored text run by pyoxigraph with the same terms given as
  ``substitutions=`` (SEP-0007), which never goes through text at all.

The server part runs the same bound text on a real Oxigraph server and wants the same rows.
"""

from __future__ import annotations

import io
import json
import os

import pyoxigraph as ox
import pytest
from conftest import TEST_DATA
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from szsemi.errors import ParameterError, UsageError
from szsemi.graph.namespaces import expand
from szsemi.query.binding import bind
from szsemi.query.catalogue import load_catalogue
from szsemi.query.engines import LocalEngine
from szsemi.query.execute import check_classes, resolve, run_text
from szsemi.sparql_syntax import tokens as _tokens

XSD = "http://www.w3.org/2001/XMLSchema#"
EXAMPLES = int(os.environ.get("SZSEMI_HYPOTHESIS_EXAMPLES", "120"))

# --------------------------------------------------------------------------------------------
# Hostile values
# --------------------------------------------------------------------------------------------

FRAGMENTS = [
    '"',
    "'",
    '"""',
    "'''",
    "}",
    "{",
    "#",
    "\n",
    "\r",
    "\r\n",
    "\t",
    ">",
    "<",
    "\\",
    "\\\\",
    "\\u",
    "\\u0022",
    "\\u007D",
    "\\U0001F600",
    "\\U0000007d",
    "\\n",
    "\\t",
    "\\'",
    '\\"',
    "\x00",
    "\x7f",
    "\u2028",
    "\u0085",
    "\ufeff",
    "😀",
    "𠀋",
    "坪山区",
    "Ω",
    "\u0301",
    "@en",
    "@zh-Hans",
    "^^",
    "^^xsd:string",
    "^^<http://www.w3.org/2001/XMLSchema#integer>",
    " . ",
    ";",
    ",",
    "?name",
    "$x",
    "?s ?p ?o",
    "} UNION { ?s ?p ?o }",
    "} } SELECT * WHERE { ?s ?p ?o } #",
    "DROP ALL",
    "INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }",
    "VALUES ?x { 1 }",
    "SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o }",
    "BIND(1 AS ?minutes)",
    "FILTER(true)",
    "sz:",
    "szo:",
    "sz:org/byd",
    "szo:IdentityConfirmed",
    "rdf:type",
    "_:b0",
    "<http://e/x>",
    "http://",
    "https://w3id.org/szsemi/id/",
    "urn:x",
    "%3E",
    "%22",
    "10",
    "-1",
    "1e3",
    "2022-11-02",
    "true",
    " ",
    "",
]
PREFIXED_LOOKALIKES = [
    "sz:org/byd",
    "sz:org/byd>",
    "<sz:org/byd>",
    "sz:org/byd x",
    "SZ:org/byd",
    "sz :org/byd",
    "sz:org/byd#frag",
    "sz:org/byd?q=1",
    "sz:",
    "szo:Company",
    "szo:",
    "foo:bar",
    "rdf:type",
    "sz:park/colorful-silicon-valley",
    "sz:park/colorful-silicon-valley>",
    " sz:park/colorful-silicon-valley ",
    "sz:park/colorful-silicon-valley\n",
    "sz:park/../org/byd",
    "sz:park/%20",
    "sz://x",
    "https://w3id.org/szsemi/id/park/colorful-silicon-valley",
    "http://e/a b",
    "http://e/{a}",
    "http://e/a\\u0020b",
    "http://e/\u00e9",
    "http://[::1]/x",
    "mailto:x@y",
    "_:b0",
    "park/x",
    "",
]
NUMBER_LOOKALIKES = [
    "10",
    "+10",
    "-3",
    "0",
    "10 ",
    " 10",
    "10\n",
    "1e3",
    "10.0",
    "0x10",
    "1_0",
    "１０",
    "٣",
    "10#",
    "10 } FILTER(true) {",
    "10\u00a0",
    "9" * 400,
    "-" + "9" * 400,
    "NaN",
    "INF",
    ".5",
    "5.",
    "2.50",
]
DATE_LOOKALIKES = [
    "2022-11-02",
    "2022-11-02 ",
    "2022-11-02\n",
    "2022-11-02Z",
    "2022-11-02T00:00:00",
    "2022-02-30",
    "2022-13-01",
    "0000-01-01",
    "9999-12-31",
    "２０２２-11-02",
    '2022-11-02" } #',
    "2022/11/02",
    "2022-1-2",
    "-2022-11-02",
    "+2022-11-02",
]

unicode_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=8)  # no lone surrogates
pieces = st.lists(st.one_of(st.sampled_from(FRAGMENTS), unicode_text), max_size=10).map("".join)
long_text = st.builds(lambda n, p: "x" * n + p + "y" * n, st.integers(500, 12000), pieces)
hostile = st.one_of(
    pieces, pieces, long_text, st.sampled_from(FRAGMENTS), st.just("\ud800"), st.just("a\udfffb")
)  # lone surrogates must be refused
hostile_iri = st.one_of(
    st.sampled_from(PREFIXED_LOOKALIKES), st.builds(str.__add__, st.sampled_from(PREFIXED_LOOKALIKES), pieces), hostile
)
hostile_number = st.one_of(
    st.sampled_from(NUMBER_LOOKALIKES),
    st.integers().map(str),
    st.builds(str.__add__, st.sampled_from(NUMBER_LOOKALIKES), pieces),
    hostile,
)
hostile_date = st.one_of(
    st.sampled_from(DATE_LOOKALIKES),
    st.dates().map(str),
    st.builds(str.__add__, st.sampled_from(DATE_LOOKALIKES), pieces),
    hostile,
)
hostile_lang = st.one_of(
    st.builds(
        lambda body, tag: f"{body}@{tag}",
        hostile,
        st.one_of(
            st.sampled_from(
                [
                    "en",
                    "zh-Hans",
                    "zh-Latn-pinyin",
                    "EN",
                    "x-private",
                    "en-",
                    "en US",
                    "de-DE-1996",
                    "123",
                    "a" * 9,
                    "en}",
                    'en"',
                    "",
                ]
            ),
            unicode_text,
        ),
    ),
    hostile,
)

# (query, parameter, values, user folder needed)
CASES = {
    "string": ("get-entity-by-name", "name", hostile),
    "string-enum": (
        "get-unlisted-firms",
        "basis",
        st.one_of(
            st.sampled_from(["stated not listed", "no listing recorded", "stated not listed ", "Stated not listed"]),
            hostile,
        ),
    ),
    "iri": ("get-provenance", "entity", hostile_iri),
    "iri-with-class": ("get-park-location", "park", hostile_iri),
    "integer": ("get-within-travel-time", "minutes", hostile_number),
    "decimal": ("get-figures-at-least", "least", hostile_number),
    "langstring": ("get-labels-in-language", "label", hostile_lang),
    "date": ("get-milestones-on-day", "day", hostile_date),
}


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue((str(TEST_DATA / "queries" / "typed"),))


@pytest.fixture(scope="module")
def local(shipped_store):
    return LocalEngine(shipped_store)


# --------------------------------------------------------------------------------------------
# The property
# --------------------------------------------------------------------------------------------


def expected_term(kind: str, value: str):
    """The term a value must be bound as, worked out here from the specification of each type."""
    if kind == "iri":
        return ox.NamedNode(expand(value.strip()))
    if kind == "langstring":
        body, _, tag = value.rpartition("@")
        return ox.Literal(body, language=tag)
    if kind == "integer":
        return ox.Literal(str(int(value.strip())), datatype=ox.NamedNode(XSD + "integer"))
    if kind == "decimal":
        from decimal import Decimal

        return Decimal(value.strip())  # compared by value: the lexical form is canonicalised
    if kind == "date":
        return ox.Literal(value.strip(), datatype=ox.NamedNode(XSD + "date"))
    return ox.Literal(value)


def same_value(term, expected) -> bool:
    from decimal import Decimal

    if isinstance(expected, Decimal):
        return (
            isinstance(term, ox.Literal) and term.datatype.value == XSD + "decimal" and Decimal(term.value) == expected
        )
    return term == expected


def by_value(term):
    """Oxigraph canonicalises numbers ("10.0"^^xsd:decimal reads back as "10"): compare by value."""
    from decimal import Decimal

    if isinstance(term, ox.Literal) and term.datatype.value in (XSD + "decimal", XSD + "integer"):
        return term.datatype.value, Decimal(term.value)
    return term


def inserted_text(original: str, bound: str) -> str:
    """What bind() added: the bound text must be the original with one contiguous insertion."""
    start = 0
    while start < len(original) and original[start] == bound[start]:
        start += 1
    end = 0
    while end < len(original) - start and original[-1 - end] == bound[-1 - end]:
        end += 1
    assert bound[:start] + bound[len(bound) - end :] == original, "bind changed the query text"
    return bound[start : len(bound) - end]


def with_projection(text: str, names: list[str]) -> str:
    """The query with ``?name`` added to its top-level projection (SEP-0007 substitutes only
    projected variables); the rows are compared without those columns."""
    select = next(t for t in _tokens(text) if t.word() == "SELECT")
    after = next(t for t in _tokens(text) if t.start >= select.end)
    at = after.end if after.word() in ("DISTINCT", "REDUCED") else select.end
    return text[:at] + "".join(f" ?{n}" for n in names) + text[at:]


def reference_rows(store: ox.Store, query, bound: dict, variables: list[str]) -> list[dict]:
    """The stored text run with the terms as substitutions, without any query text of ours."""
    projected = set(variables)
    extra = [n for n in bound if n not in projected]
    text = with_projection(query.text, extra) if extra else query.text
    solutions = store.query(
        text, use_default_graph_as_union=True, substitutions={ox.Variable(n): t[0] for n, t in bound.items()}
    )
    names = [v.value for v in solutions.variables]
    return [{n: s[n] for n in names if s[n] is not None and n in projected} for s in solutions]


def check_value(case: str, value: str, catalogue, engine: LocalEngine, store: ox.Store) -> tuple[str, list] | None:
    """Refused (None), or the bound text and its rows after every check of the module docstring."""
    name, param, _ = CASES[case]
    query = catalogue[name]
    kind = query.params[param].type
    try:
        bound = resolve(query, {param: value})
        check_classes(query, bound, engine)
        text = bind(query.text, bound)
    except (ParameterError, UsageError) as refused:
        assert (
            isinstance(refused, ParameterError)
            or "parameter" in str(refused)
            or "IRI" in str(refused)
            or "literal" in str(refused)
            or "language tag" in str(refused)
        )
        return None
    # the exact value is bound, as one term
    assert len(bound[param]) == 1 and same_value(bound[param][0], expected_term(kind, value))
    # only VALUES blocks were added, one per bound parameter, each holding exactly that term
    block = inserted_text(query.text, text)
    lines = [line.strip() for line in block.split("\n") if line.strip()]
    assert len(lines) == len(bound) and all(line.startswith("VALUES ?") for line in lines)
    solutions = list(ox.Store().query("SELECT * WHERE {" + block + "}"))
    assert len(solutions) == 1
    assert {n: by_value(solutions[0][n]) for n in bound} == {n: by_value(t[0]) for n, t in bound.items()}
    # the query does what the stored query does with that value
    result = run_text(text, engine)
    assert result.rows == reference_rows(store, query, bound, result.variables)
    return text, result.rows


@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_values_are_refused_or_bound_exactly_on_the_local_engine(case, catalogue, local, shipped_store):
    seen = {"refused": 0, "bound": 0}

    def prop(value):
        outcome = check_value(case, value, catalogue, local, shipped_store)
        seen["refused" if outcome is None else "bound"] += 1

    for value in ALWAYS_TRIED[case]:  # one value that must be accepted, one that must be refused
        prop = example(value)(prop)
    settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example],
    )(given(CASES[case][2])(prop))()
    assert seen["bound"] > 0 and seen["refused"] > 0, seen


ALWAYS_TRIED = {
    "string": ['x" } ?s ?p ?o #', "\ud800"],
    "string-enum": ["no listing recorded", 'no listing recorded" } #'],
    "iri": ["sz:org/smic", "sz:org/smic> } #"],
    "iri-with-class": ["sz:park/colorful-silicon-valley", "sz:org/byd"],
    "integer": ["+10", "10 } #"],
    "decimal": ["2999999999.99", "2.9e9"],
    "langstring": ["坪山区@zh-Hans", '坪山区@zh-Hans" } #'],
    "date": ["2022-11-02", '2022-11-02" } #'],
}


# Known values that must be accepted and give rows, so that the property is not vacuous.
@pytest.mark.parametrize(
    "case,value,rows",
    [
        ("string", "坪山区", 1),
        ("string", "GLORY intelligent-manufacturing", 1),
        ("string", 'x" } UNION { ?entity ?labelProperty ?matchedLabel } #', 0),
        ("string-enum", "stated not listed", 3),
        ("iri", "sz:org/smic", 7),
        ("iri", "sz:org/smic>", None),
        ("iri-with-class", "sz:org/byd", None),
        ("integer", "9", 0),
        ("integer", "10", 3),
        ("integer", " +10 ", 3),
        ("integer", "10 } #", None),
        ("decimal", "2.9e9", None),
        ("decimal", "2999999999.99", 22),
        ("langstring", "坪山区@zh-Hans", 1),
        ("langstring", "坪山区@zh-hans", 1),
        ("langstring", "坪山区", None),
        ("langstring", 'x"@en } ?entity ?p ?label . #@en', 0),
        ("date", "2022-11-02", 1),
        ("date", "2022-11-2", None),
        ("date", '2022-11-02" } #', None),
    ],
)
def test_known_values(case, value, rows, catalogue, local, shipped_store):
    outcome = check_value(case, value, catalogue, local, shipped_store)
    if rows is None:
        assert outcome is None
    else:
        assert outcome is not None and len(outcome[1]) == rows


def test_escaped_values_survive_limit_and_offset(catalogue, local):
    from szsemi.query.execute import run_stored

    query = catalogue["get-entity-by-name"]
    for value in ("\\u0022", "a\\U0001F600b", "\\\\u", "坪山区"):
        rows = run_stored(query, local, {"name": value, "partial": "true"}).rows
        assert run_stored(query, local, {"name": value, "partial": "true"}, limit=1, offset=0).rows == rows[:1]


# --------------------------------------------------------------------------------------------
# The CLI: exit 2 for a refused value, exit 0 and the same rows for a bound one
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cli_on_local(local):
    """main(argv) with the embedded graph loaded once for all examples."""
    import szsemi.api
    from szsemi.cli.main import main

    patch = pytest.MonkeyPatch()
    patch.setattr(szsemi.api, "engine_for", lambda *a, **k: local)

    def run(*argv):
        out, err = io.StringIO(), io.StringIO()
        return main(list(argv), out=out, err=err), out.getvalue(), err.getvalue()

    yield run
    patch.undo()


@pytest.mark.parametrize("case", ["string", "iri-with-class", "integer", "langstring", "date"])
def test_hostile_values_on_the_command_line_exit_0_or_2(case, catalogue, local, shipped_store, cli_on_local):
    name, param, values = CASES[case]

    @settings(
        max_examples=max(20, EXAMPLES // 4),
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example],
    )
    @given(values)
    def prop(value):
        code, out, err = cli_on_local(
            "query",
            "run",
            name,
            "--query-dir",
            str(TEST_DATA / "queries" / "typed"),
            "-p",
            f"{param}={value}",
            "--format",
            "srj",
        )
        outcome = check_value(case, value, catalogue, local, shipped_store)
        if outcome is None:
            assert (code, out) == (2, "") and err.startswith("szsemi: error: "), err
        else:
            assert (code, err) == (0, ""), err
            parsed = ox.parse_query_results(out.encode("utf-8"), format=ox.QueryResultsFormat.JSON)
            names = [v.value for v in parsed.variables]
            assert [{n: s[n] for n in names if s[n] is not None} for s in parsed] == outcome[1]
            assert json.loads(out)["head"]["vars"] == names

    prop()


# --------------------------------------------------------------------------------------------
# The same on a real Oxigraph server
# --------------------------------------------------------------------------------------------


@pytest.fixture
def loaded_server(oxigraph_server):
    """A fresh server (tests/servers.py) with the shipped files in a named graph, queried with it."""
    from test_stored_queries import load_into

    graph = "urn:szsemi:test:injection"
    load_into(oxigraph_server, graph)
    return oxigraph_server, graph


@pytest.mark.server
@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_values_give_the_same_rows_on_an_oxigraph_server(case, catalogue, local, shipped_store, loaded_server):
    from szsemi.query.engines import RemoteEngine

    server, graph = loaded_server
    remote = RemoteEngine(server.query_url, graph=graph, retries=0, timeout=30)
    name, param, values = CASES[case]

    @settings(
        max_examples=max(10, EXAMPLES // 6),
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example],
    )
    @given(values)
    def prop(value):
        outcome = check_value(case, value, catalogue, local, shipped_store)
        if outcome is None:
            # refused before any engine is asked: the class check on the server refuses the same
            query = catalogue[name]
            try:
                bound = resolve(query, {param: value})
                bind(query.text, bound)
            except (ParameterError, UsageError):
                return
            with pytest.raises(ParameterError):
                check_classes(query, bound, remote)
            return
        text, rows = outcome
        assert run_text(text, remote).rows == rows

    prop()
