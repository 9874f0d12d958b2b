"""Tests for szsemi.query.binding: terms written as SPARQL text, VALUES blocks at the top of WHERE.

Every round trip runs on a real engine (pyoxigraph); the string round trip also runs on rdflib's
SPARQL engine, whose parser decodes ``\\u`` escapes anywhere in the query text before parsing.
"""

from __future__ import annotations

import logging

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rdflib.term import BNode, Literal, URIRef, Variable

from szsemi.errors import QueryDefinitionError, UsageError
from szsemi.query.binding import bind, term_to_sparql

# rdflib logs a warning for every URIRef that does not look like an IRI; those are the point here.
logging.getLogger("rdflib.term").setLevel(logging.ERROR)

XSD = "http://www.w3.org/2001/XMLSchema#"
S = ox.NamedNode("http://e/s")
P = ox.NamedNode("http://e/p")
QUERY = "SELECT ?s WHERE { ?s <http://e/p> ?v }"
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"


def ox_term(term):
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if term.language is not None:
        return ox.Literal(str(term), language=term.language)
    if term.datatype is not None:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


def check_round_trip(value, other, position="object"):
    """The store holds one triple with ``value``; binding ``value`` finds it, ``other`` does not."""
    store = ox.Store()
    if position == "object":
        store.add(ox.Quad(S, P, ox_term(value)))
        query, answer = QUERY, "s"
        expected = S
    else:  # subject
        store.add(ox.Quad(ox_term(value), P, ox.Literal("o")))
        query, answer = "SELECT ?o WHERE { ?v <http://e/p> ?o }", "o"
        expected = ox.Literal("o")
    bound = bind(query, {"v": [value]})
    rows = [sol[answer] for sol in store.query(bound)]  # SyntaxError here fails the test
    assert rows == [expected], bound
    if ox_term(other) != ox_term(value):
        assert list(store.query(bind(query, {"v": [other]}))) == []


# --------------------------------------------------------------------------------------------
# term_to_sparql
# --------------------------------------------------------------------------------------------


def test_term_forms():
    assert term_to_sparql(URIRef("http://e/a")) == "<http://e/a>"
    assert term_to_sparql(Literal("x")) == '"x"'
    assert term_to_sparql(Literal("x", lang="en-GB")) == '"x"@en-GB'
    assert term_to_sparql(Literal(5)) == f'"5"^^<{XSD}integer>'
    assert term_to_sparql(Literal('a"b\\c\nd\re\tf')) == r'"a\"b\\c\nd\re\tf"'
    assert term_to_sparql(Literal("\x00\x7f")) == r'"\u0000\u007F"'


def test_pyoxigraph_terms_are_written_like_rdflib_terms():
    assert term_to_sparql(ox.NamedNode("http://e/a")) == term_to_sparql(URIRef("http://e/a"))
    assert term_to_sparql(ox.Literal("chip", language="en")) == '"chip"@en'
    assert term_to_sparql(ox.Literal("x")) == term_to_sparql(Literal("x")) == '"x"'
    assert term_to_sparql(ox.Literal("12", datatype=ox.NamedNode(XSD_INTEGER))) == f'"12"^^<{XSD_INTEGER}>'


def test_codepoint_escapes_in_values_are_not_decoded():
    # The value holds a backslash then "u0022": the "u" is written \u0075 so that no engine,
    # however it handles \uXXXX escapes, sees an escape for '"' there.
    assert term_to_sparql(Literal("\\u0022")) == r'"\\\u0075\u0030022"'
    # An escape we write is never followed by 4 hex digits (rdflib would read 8 digits).
    assert term_to_sparql(Literal("\x00" + "1234z")) == r'"\u0000\u0031234z"'


@pytest.mark.parametrize(
    "term",
    [
        pytest.param(BNode(), id="BNode()"),  # its label is random: a fixed id, the same in every process
        BNode("b1"),
        "http://e/a",
        "plain string",
        5,
        None,
        Variable("v"),
        b"<http://e/a>",
        ox.BlankNode(),
        ox.Variable("v"),
    ],
)
def test_non_terms_are_refused(term):
    with pytest.raises(UsageError):
        term_to_sparql(term)


HOSTILE_IRIS = [
    "http://e/a>",
    "http://e/a> } ; SELECT * WHERE { <http://e/b",
    "http://e/a b",
    "http://e/{x}",
    'http://e/"',
    "http://e/a\nb",
    "http://e/a\rb",
    "http://e/a\tb",
    "http://e/<",
    "http://e/\\",
    "http://e/^",
    "http://e/|",
    "http://e/`",
    "http://e/\x00",
    "http://e/\x7f",
    "http://e/\ud800",
    "relative/path",
    "#frag",
    "",
    "no-colon",
    "1http://e/",
    "http://e/%zz",
    "http://e/%4",
    "http://e/[x]",
    "http://[zz]/",
    "http://e:80x/",
    "http://e/\ue000",
]


@pytest.mark.parametrize("iri", HOSTILE_IRIS)
def test_hostile_iris_are_refused(iri):
    with pytest.raises(UsageError) as info:
        term_to_sparql(URIRef(iri))
    assert repr(iri)[:40] in str(info.value)  # the message names the value
    with pytest.raises(UsageError):
        bind(QUERY, {"v": [URIRef(iri)]})
    with pytest.raises(UsageError):  # also as a datatype
        term_to_sparql(Literal("x", datatype=URIRef(iri)))


def test_bad_literals_are_refused():
    with pytest.raises(UsageError):
        term_to_sparql(Literal("x", lang="abcdefghi"))  # rdflib accepts it, BCP 47 does not
    with pytest.raises(UsageError):
        term_to_sparql(Literal("x", lang="en-a-b"))  # extension subtag too short
    forged = Literal("x", lang="en")
    forged._language = 'en "} #'  # not constructible through rdflib's own checks
    with pytest.raises(UsageError):
        term_to_sparql(forged)
    with pytest.raises(UsageError):
        term_to_sparql(Literal("a\ud800b"))  # lone surrogate: not a Unicode string
    with pytest.raises(UsageError):
        term_to_sparql(Literal("x", datatype=URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#langString")))


# --------------------------------------------------------------------------------------------
# round trips on real engines
# --------------------------------------------------------------------------------------------

HOSTILE_PIECES = list(
    "\"'\\{}#<>?$.;,()[]@^\n\r\t\x00\x0b\x1f\x7f \u2028\ufeff\ufffe\U0001f600uUxX0123456789abcdefABCDEF"
) + [
    "\\u0022",
    "\\U00000022",
    "\\u005C",
    '"""',
    "'''",
    "} ",
    " WHERE { ",
    "# ",
    "\\\\",
    "\\u",
]
hostile_text = st.lists(st.sampled_from(HOSTILE_PIECES), max_size=40).map("".join)
long_text = st.tuples(st.text(min_size=1, max_size=8), st.integers(500, 4000)).map(lambda t: t[0] * t[1])
any_text = st.one_of(st.text(), hostile_text, long_text)

STRING_EXAMPLES = [
    "",
    '"',
    "\\",
    "\\u0022",
    "\\U00000022",
    "\\u00220041",
    "\\\\u0022",
    'x" } ; DROP ALL ; #',
    "'''",
    '"""',
    "a\nb\rc",
    "}\n# comment\n{",
    "<http://e/s>",
    "\x00123456",
    "\\U0001F600",
]


@FAST
@given(any_text, any_text)
def test_string_round_trip_oxigraph(value, other):
    check_round_trip(Literal(value), Literal(other))


for _ex in STRING_EXAMPLES:
    test_string_round_trip_oxigraph = example(_ex, _ex + "x")(test_string_round_trip_oxigraph)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=30), hostile_text))
@example("\\u0022")
@example("\\u00220041")
@example("\\U0001F600")
@example("\x00" + "12345678")
def test_string_round_trip_rdflib(value):
    import rdflib

    graph = rdflib.Graph()
    graph.add((URIRef("http://e/s"), URIRef("http://e/p"), Literal(value)))
    graph.add((URIRef("http://e/t"), URIRef("http://e/p"), Literal(value + "#")))
    rows = [row[0] for row in graph.query(bind(QUERY, {"v": [Literal(value)]}))]
    assert rows == [URIRef("http://e/s")]


def test_naive_backslash_escaping_is_misread_by_rdflib():
    """Why a value's "\\u" is written "\\\\\\u0075": with only "\\\\", rdflib reads a quote."""
    import rdflib

    graph = rdflib.Graph()
    graph.add((URIRef("http://e/s"), URIRef("http://e/p"), Literal("\\u0022")))
    graph.add((URIRef("http://e/q"), URIRef("http://e/p"), Literal('"')))
    naive = 'SELECT ?s WHERE { ?s <http://e/p> "\\\\u0022" }'
    assert [r[0] for r in graph.query(naive)] == [URIRef("http://e/q")]
    ours = bind(QUERY, {"v": [Literal("\\u0022")]})
    assert [r[0] for r in graph.query(ours)] == [URIRef("http://e/s")]


lang_tags = st.one_of(
    st.from_regex(r"[a-zA-Z]{2,3}(-[a-zA-Z]{4})?(-[a-zA-Z]{2}|-[0-9]{3})?(-x-[a-z0-9]{1,8})?", fullmatch=True),
    st.sampled_from(["en", "EN-us", "zh-Hans-CN", "x-private", "i-klingon", "de-CH-1901", "sl-rozaj-biske"]),
)


@FAST
@given(any_text, lang_tags, st.text(max_size=5), lang_tags)
def test_language_literal_round_trip(value, tag, other_value, other_tag):
    check_round_trip(Literal(value, lang=tag), Literal(other_value, lang=other_tag))


@FAST
@given(st.from_regex(r"[a-zA-Z]{1,9}(-[a-zA-Z0-9]{1,9}){0,4}", fullmatch=True))
def test_language_tag_check_matches_pyoxigraph(tag):
    try:
        ox.Literal("x", language=tag)
        oxigraph_ok = True
    except ValueError:
        oxigraph_ok = False
    try:
        term_to_sparql(Literal("x", lang=tag))
        ours_ok = True
    except UsageError:
        ours_ok = False
    assert ours_ok == oxigraph_ok


@FAST
@given(st.integers(), st.integers())
def test_integer_round_trip(a, b):
    check_round_trip(Literal(a), Literal(b))


@FAST
@given(st.dates(), st.dates())
def test_date_round_trip(a, b):
    assert Literal(a).datatype == URIRef(XSD + "date")
    check_round_trip(Literal(a), Literal(b))


@pytest.mark.parametrize("a", [True, False])
def test_boolean_round_trip(a):
    check_round_trip(Literal(a), Literal(not a))
    check_round_trip(Literal(a), Literal(str(a).lower()))  # same lexical form, no datatype


@FAST
@given(any_text, st.sampled_from(["http://e/dt", "urn:x:y", "http://e/d#t?q=\u00e9"]))
def test_custom_datatype_round_trip(value, dt):
    check_round_trip(Literal(value, datatype=URIRef(dt)), Literal(value))


HEX = "0123456789abcdefABCDEF"
iri_piece = st.one_of(
    st.sampled_from(list("AZaz09-._~!$&'()*+,;=:@/") + ["\u00e9", "\u4e2d", "\U00010000", "\u00a0"]),
    st.tuples(st.sampled_from(HEX), st.sampled_from(HEX)).map(lambda t: "%" + t[0] + t[1]),
)
iri_path = st.lists(iri_piece, max_size=20).map("".join)
valid_iris = st.builds(
    lambda scheme, path, query, frag: scheme + path + query + frag,
    st.sampled_from(["http://e/", "https://w3id.org/szsemi/id/", "urn:", "a:", "http://[::1]:8080/", "mailto:x@"]),
    iri_path,
    st.one_of(st.just(""), st.builds(lambda p, x: "?" + p + x, iri_path, st.sampled_from(["", "\ue000", "?/"]))),
    st.one_of(st.just(""), iri_path.map(lambda p: "#" + p)),
)


@FAST
@given(valid_iris, valid_iris)
def test_iri_round_trip(iri, other):
    check_round_trip(URIRef(iri), URIRef(other), position="subject")
    check_round_trip(URIRef(iri), URIRef(other), position="object")


@settings(max_examples=1000, deadline=None)
@given(
    st.sampled_from(["http://e/", "http://", "urn:", "a:", "http://[", "http://u@e:", ""]),
    st.one_of(
        st.text(max_size=10),
        st.text(
            st.sampled_from(list("aZ09%:/?#[]@!$&'()*+,;=-._~ <>\"{}|^`\\\n") + ["\u00e9", "\ue000", "\ufffe"]),
            max_size=10,
        ),
    ),
)
def test_iri_check_matches_pyoxigraph(prefix, rest):
    """An IRI is accepted exactly when pyoxigraph accepts it, so it never breaks local parsing."""
    iri = prefix + rest
    try:
        ox.NamedNode(iri)
        oxigraph_ok = True
    except ValueError:
        oxigraph_ok = False
    try:
        text = term_to_sparql(URIRef(iri))
        ours_ok = True
    except UsageError:
        ours_ok = False
    assert ours_ok == oxigraph_ok
    if ours_ok:
        assert text == f"<{iri}>"


SHAPES = [  # (query, what the engine must answer when ?v is bound to the stored value)
    ("ASK { ?s <http://e/p> ?v }", True),
    ("SELECT (COUNT(*) AS ?n) { ?s <http://e/p> ?v }", 1),
    ("CONSTRUCT { ?s <http://e/r> ?v } WHERE { ?s <http://e/p> ?v }", 1),
    ("CONSTRUCT WHERE { ?s <http://e/p> ?v }", 1),
    ("SELECT ?s WHERE { SELECT ?s ?v WHERE { ?s <http://e/p> ?v } }", 1),
    ("DESCRIBE ?s WHERE { ?s <http://e/p> ?v }", 1),
]


@FAST
@given(any_text, st.sampled_from(SHAPES))
def test_hostile_values_in_every_query_shape(value, shape):
    query, want = shape
    store = ox.Store()
    store.add(ox.Quad(S, P, ox.Literal(value)))
    store.add(ox.Quad(ox.NamedNode("http://e/t"), P, ox.Literal(value + "'")))
    result = store.query(bind(query, {"v": [Literal(value)]}))
    if isinstance(result, ox.QueryBoolean):
        assert bool(result) is want
    elif query.startswith("SELECT (COUNT"):
        assert next(iter(result))["n"].value == "1"
    else:
        assert len(list(result)) == want


# --------------------------------------------------------------------------------------------
# Finding the WHERE group
# --------------------------------------------------------------------------------------------

DATA = """
<http://e/a> <http://e/p> "x" ; <http://e/q> <http://e/b> ; a <http://e/C> .
<http://e/b> <http://e/p> "y" ; a <http://e/C> .
<http://e/c> a <http://e/C> .
"""


@pytest.fixture(scope="module")
def store():
    s = ox.Store()
    s.load(DATA.encode(), ox.RdfFormat.TURTLE)
    return s


def answer(store, query):
    result = store.query(query)
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if isinstance(result, ox.QueryTriples):
        return sorted(str(t) for t in result)
    names = [v.value for v in result.variables]
    return sorted(tuple(str(sol[n]) if sol[n] is not None else None for n in names) for sol in result)


MARK = "\u00a7"  # marks, in the test queries below, where the VALUES block must go
BLOCK = '\n  VALUES ?v { "x" }\n'
A = ("<http://e/a>",)

PLACEMENT = [
    pytest.param(
        "# a comment with WHERE { and } in it\n"
        "PREFIX ex: <http://e/>  # WHERE {\n"
        "BASE <http://e/>\n"
        "SELECT ?s # WHERE { ?s ?p ?o }\n"
        "WHERE {" + MARK + " ?s ex:p ?v }",
        [A],
        id="prologue-and-comments",
    ),
    pytest.param(
        'SELECT ?s (STR("WHERE { ?v") AS ?x) {' + MARK + " ?s <http://e/p> ?v }",
        [("<http://e/a>", '"WHERE { ?v"')],
        id="string-with-WHERE",
    ),
    pytest.param(
        "SELECT ?s ('''it's WHERE { \"\\'''' AS ?x) {" + MARK + " ?s <http://e/p> ?v }",
        [("<http://e/a>", '"it\'s WHERE { \\"\'"')],
        id="long-string",
    ),
    pytest.param(
        'SELECT ?s ("""a "" WHERE {""" AS ?x) {' + MARK + " ?s <http://e/p> ?v }",
        [("<http://e/a>", '"a \\"\\" WHERE {"')],
        id="long-string-double",
    ),
    pytest.param(
        "SELECT ?s ?where {" + MARK + " ?s <http://e/p> ?where FILTER(?where = ?v) }",
        [("<http://e/a>", '"x"')],
        id="?where-variable",
    ),
    pytest.param("SELECT $where {" + MARK + " $where <http://e/p> ?v }", [A], id="$where-variable"),
    pytest.param(
        "PREFIX where: <http://e/>\nSELECT ?s (where:where AS ?w) {" + MARK + " ?s where:p ?v }",
        [("<http://e/a>", "<http://e/where>")],
        id="where-prefix",
    ),
    pytest.param(
        "SELECT ?s (<http://e/ns#where> AS ?w) WHERE {" + MARK + " ?s <http://e/p> ?v }",
        [("<http://e/a>", "<http://e/ns#where>")],
        id="hash-in-iri",
    ),
    pytest.param(
        "PREFIX ex: <http://e/>\nSELECT ?s (ex:it\\'s AS ?k) (ex:a\\#b AS ?h) WHERE {" + MARK + " ?s ex:p ?v }",
        [("<http://e/a>", "<http://e/it's>", "<http://e/a#b>")],
        id="escaped-local-names",
    ),
    pytest.param(
        "SELECT ?s (1 < 2 AS ?lt) (2 > 1 AS ?gt) (1<=2 AS ?le) WHERE {" + MARK + " ?s <http://e/p> ?v }",
        [("<http://e/a>",) + ('"true"^^<http://www.w3.org/2001/XMLSchema#boolean>',) * 3],
        id="less-than-operator",
    ),
    pytest.param("select ?s where {" + MARK + " ?s <http://e/p> ?v }", [A], id="lowercase"),
    pytest.param("SeLeCt ?s WhErE\n\t{" + MARK + " ?s <http://e/p> ?v }", [A], id="mixed-case"),
    pytest.param("SELECT ?s {" + MARK + " ?s <http://e/p> ?v }", [A], id="select-without-where"),
    pytest.param("SELECT * {" + MARK + " ?s <http://e/p> ?v }", [("<http://e/a>", '"x"')], id="select-star"),
    pytest.param("ASK {" + MARK + " ?s <http://e/p> ?v }", True, id="ask-without-where"),
    pytest.param("ASK WHERE {" + MARK + ' ?s <http://e/p> "y" . ?s <http://e/p> ?v }', False, id="ask"),
    pytest.param(
        "SELECT ?s {" + MARK + " { SELECT ?s ?v WHERE { ?s <http://e/p> ?v } } }",
        [A],
        id="subquery-outer-without-where",
    ),
    pytest.param(
        "SELECT ?s WHERE {" + MARK + " ?s <http://e/p> ?o { SELECT ?s WHERE { ?s a ?c } } FILTER(?o = ?v) }",
        [A],
        id="subquery-after",
    ),
    pytest.param(
        "SELECT ?s (EXISTS { ?s <http://e/q> ?x } AS ?e) {" + MARK + " ?s <http://e/p> ?v }",
        [("<http://e/a>", '"true"^^<http://www.w3.org/2001/XMLSchema#boolean>')],
        id="exists-in-projection",
    ),
    pytest.param(
        "CONSTRUCT { ?s <http://e/r> ?v } WHERE {" + MARK + " ?s <http://e/p> ?v }",
        ['<http://e/a> <http://e/r> "x"'],
        id="construct-template",
    ),
    pytest.param(
        "CONSTRUCT { ?s <http://e/r> ?v } {" + MARK + " ?s <http://e/p> ?v }",
        ['<http://e/a> <http://e/r> "x"'],
        id="construct-template-without-where",
    ),
    pytest.param(
        "DESCRIBE ?s WHERE {" + MARK + " ?s <http://e/p> ?v }",
        [
            '<http://e/a> <http://e/p> "x"',
            "<http://e/a> <http://e/q> <http://e/b>",
            "<http://e/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://e/C>",
        ],
        id="describe",
    ),
    pytest.param(
        "SELECT ?s WHERE {" + MARK + " # trailing comment {\n ?s <http://e/p> ?v }", [A], id="comment-after-brace"
    ),
    pytest.param(
        "SELECT ?s WHERE {" + MARK + ' ?s <http://e/p> ?v } VALUES ?v { "x" "y" }', [A], id="outer-values-clause"
    ),
    pytest.param(
        "SELECT ?s FROM <http://e/none> FROM NAMED <http://e/g> WHERE {" + MARK + " ?s <http://e/p> ?v }",
        [],
        id="dataset-clause",
    ),
]


@pytest.mark.parametrize("marked, expected", PLACEMENT)
def test_values_block_placement(store, marked, expected):
    query = marked.replace(MARK, "")
    bound = bind(query, {"v": [Literal("x")]})
    assert bound == marked.replace(MARK, BLOCK)
    assert answer(store, bound) == expected


def test_bare_subselect_group_is_wrapped(store):
    query = "SELECT ?s WHERE { SELECT ?s ?v WHERE { ?s <http://e/p> ?v } }"
    bound = bind(query, {"v": [Literal("x")]})
    assert bound == ("SELECT ?s WHERE {" + BLOCK + "  { SELECT ?s ?v WHERE { ?s <http://e/p> ?v } \n  }}")
    assert answer(store, bound) == [A]


@pytest.mark.parametrize(
    "query",
    [
        "CONSTRUCT WHERE { ?s <http://e/p> ?v }",
        "construct where { ?s <http://e/p> ?v . }",
        "CONSTRUCT FROM <http://e/none> WHERE { ?s <http://e/p> ?v }",
        "CONSTRUCT WHERE { ?s <http://e/p> ?v # ends with a comment\n}",
    ],
)
def test_construct_where_short_form(store, query):
    bound = bind(query, {"v": [Literal("x")]})
    assert "VALUES" in bound and bound.count("{") == query.count("{") * 2 + 1
    unbound = answer(store, query)
    if "FROM" in query:  # FROM a graph that does not exist: nothing, bound or not
        assert answer(store, bound) == unbound == []
    else:
        assert answer(store, bound) == ['<http://e/a> <http://e/p> "x"']
        assert len(unbound) == 2


@pytest.mark.parametrize(
    "query",
    [
        "DESCRIBE <http://e/a>",
        "DESCRIBE <http://e/a> LIMIT 1",
        "DESCRIBE ?s VALUES ?s { <http://e/a> }",
        "# SELECT * WHERE { ?s ?p ?o }\nDESCRIBE <http://e/a>",
        'INSERT DATA { <http://e/a> <http://e/p> "z" }',
        "DELETE WHERE { ?s <http://e/p> ?v }",
        'PREFIX ex: <http://e/>\nINSERT { ?s ex:p "z" } WHERE { ?s ex:p ?v }',
        "",
        "SELECT * WHERE ?s",
        "SELECT ?s WHERE { ?s <http://e/p> ?v",
        "SELECT ?s WHERE { ?s <http://e/p> ?v }}",
        'SELECT ?s WHERE { ?s <http://e/p> "unterminated }',
        "SELECT ?s WHERE \\u007B ?s <http://e/p> ?v }",
        'SELECT ?s WHERE { ?s <http://e/p> "\\u0022 } " }',
        "CONSTRUCT { ?s ?p ?o }",
    ],
)
def test_no_where_group(query):
    with pytest.raises(QueryDefinitionError):
        bind(query, {"v": [Literal("x")]})
    assert bind(query, {"v": []}) == query  # nothing to bind: the text is returned as is


def test_error_position():
    with pytest.raises(QueryDefinitionError) as info:
        bind("PREFIX ex: <http://e/>\nDESCRIBE ex:a", {"v": [Literal("x")]})
    assert (info.value.line, info.value.column) == (2, 1)


# --------------------------------------------------------------------------------------------
# bind: names, values and semantics
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["?v", "$v", "1v", "a-b", "", "v w", "v}", "é", 5])
def test_bad_variable_names(name):
    with pytest.raises(UsageError):
        bind(QUERY, {name: [Literal("x")]})


@pytest.mark.parametrize("value", [Literal("x"), URIRef("http://e/a"), "x"])
def test_single_term_instead_of_sequence(value):
    with pytest.raises(UsageError):
        bind(QUERY, {"v": value})


def test_unprojected_variable_still_filters(store):
    query = "SELECT ?s WHERE { ?s ?p ?o }"
    assert len(answer(store, query)) == 6
    assert answer(store, bind(query, {"o": [Literal("x")]})) == [A]
    assert answer(store, bind(query, {"o": [URIRef("http://e/C")]})) == [
        ("<http://e/a>",),
        ("<http://e/b>",),
        ("<http://e/c>",),
    ]


def test_multi_valued_binding_is_a_union(store):
    assert answer(store, bind(QUERY, {"v": [Literal("x"), Literal("y")]})) == [A, ("<http://e/b>",)]
    assert answer(store, bind(QUERY, {"v": [Literal("x"), Literal("z")]})) == [A]
    assert answer(store, bind(QUERY, {"v": [Literal("z")]})) == []


def test_duplicate_values_do_not_duplicate_rows(store):
    bound = bind(QUERY, {"v": [Literal("x"), Literal("x")]})
    assert bound.count('"x"') == 1
    assert answer(store, bound) == [A]


def test_empty_sequence_means_unbound(store):
    assert bind(QUERY, {"v": []}) == QUERY
    assert bind(QUERY, {}) == QUERY
    assert answer(store, bind(QUERY, {"v": [], "w": [Literal("x")]})) == [A, ("<http://e/b>",)]


def test_filter_in_same_group_sees_the_value(store):
    query = "SELECT ?s WHERE { ?s <http://e/p> ?o FILTER(?o = ?v) }"
    assert answer(store, bind(query, {"v": [Literal("y")]})) == [("<http://e/b>",)]
    query = 'SELECT ?s WHERE { ?s a <http://e/C> FILTER(?v = "x") }'
    assert len(answer(store, bind(query, {"v": [Literal("x")]}))) == 3
    assert answer(store, bind(query, {"v": [Literal("y")]})) == []


def test_several_parameters_are_joined(store):
    query = "SELECT ?s WHERE { ?s ?p ?o }"
    bound = bind(query, {"p": [URIRef("http://e/p")], "o": [Literal("x"), Literal("y")]})
    assert bound.index("VALUES ?o") < bound.index("VALUES ?p")  # written in name order
    assert answer(store, bound) == [A, ("<http://e/b>",)]
    bound = bind(query, {"s": [URIRef("http://e/b")], "p": [URIRef("http://e/p")]})
    assert answer(store, bound) == [("<http://e/b>",)]


def test_bind_of_a_bound_variable_is_a_syntax_error(store):
    query = "SELECT ?s ?v WHERE { ?s <http://e/p> ?o BIND(?o AS ?v) }"
    with pytest.raises(SyntaxError):
        store.query(bind(query, {"v": [Literal("x")]}))


# --------------------------------------------------------------------------------------------
# Our VALUES text versus pyoxigraph's own substitutions= (SEP-0007)
# --------------------------------------------------------------------------------------------

SUBSTITUTION_CASES = [
    # (id, query, outcome): "same" results; "differ" (both run); "subs-refuses": pyoxigraph raises
    ("projected", "SELECT ?s ?v WHERE { ?s <http://e/p> ?v }", "same"),
    ("select-star", "SELECT * WHERE { ?s <http://e/p> ?v }", "same"),
    ("only-in-projection", "SELECT ?s ?v WHERE { ?s a <http://e/C> }", "same"),
    ("optional", "SELECT ?s ?v WHERE { ?s a <http://e/C> OPTIONAL { ?s <http://e/p> ?v } }", "same"),
    (
        "optional-filter",
        "SELECT ?s ?o ?v WHERE { ?s a <http://e/C> OPTIONAL { ?s <http://e/p> ?o FILTER(?o = ?v) } }",
        "same",
    ),
    ("minus", "SELECT ?s ?v WHERE { ?s a <http://e/C> MINUS { ?s <http://e/p> ?v } }", "same"),
    ("not-exists", "SELECT ?s ?v WHERE { ?s a <http://e/C> FILTER NOT EXISTS { ?s <http://e/p> ?v } }", "same"),
    ("group-by", "SELECT ?v (COUNT(?s) AS ?n) WHERE { ?s <http://e/p> ?v } GROUP BY ?v", "same"),
    ("subselect-not-projecting", "SELECT ?s ?v WHERE { { SELECT ?s WHERE { ?s <http://e/p> ?v } } }", "same"),
    ("ask", "ASK { ?s <http://e/p> ?v }", "same"),
    ("construct", "CONSTRUCT { ?s <http://e/r> ?v } WHERE { ?s <http://e/p> ?v }", "same"),
    ("construct-where", "CONSTRUCT WHERE { ?s <http://e/p> ?v }", "same"),
    (
        "filter-in-union-branch",
        "SELECT ?s ?v WHERE { { ?s <http://e/p> ?o FILTER(?o != ?v) } UNION { ?s <http://e/q> ?o } }",
        "differ",
    ),
    (
        "subselect-limit",
        "SELECT ?s ?v WHERE { { SELECT ?s ?v WHERE { ?s <http://e/p> ?v } ORDER BY DESC(?s) LIMIT 1 } }",
        "differ",
    ),
    ("not-projected", "SELECT ?s WHERE { ?s <http://e/p> ?v }", "subs-refuses"),
    ("count", "SELECT (COUNT(*) AS ?n) WHERE { ?s <http://e/p> ?v }", "subs-refuses"),
    ("describe", "DESCRIBE ?s WHERE { ?s <http://e/p> ?v }", "subs-refuses"),
    ("ask-subselect", "ASK { { SELECT ?s WHERE { ?s <http://e/p> ?v } } }", "subs-refuses"),
]


@pytest.mark.parametrize("query, outcome", [pytest.param(q, o, id=i) for i, q, o in SUBSTITUTION_CASES])
def test_compare_with_pyoxigraph_substitutions(store, query, outcome):
    ours = answer(store, bind(query, {"v": [Literal("x")]}))
    if outcome == "subs-refuses":
        with pytest.raises(RuntimeError, match="projection"):
            store.query(query, substitutions={ox.Variable("v"): ox.Literal("x")})
        return
    result = store.query(query, substitutions={ox.Variable("v"): ox.Literal("x")})
    if isinstance(result, ox.QueryBoolean):
        theirs = bool(result)
    elif isinstance(result, ox.QueryTriples):
        theirs = sorted(str(t) for t in result)
    else:
        names = [v.value for v in result.variables]
        theirs = sorted(tuple(str(s[n]) if s[n] is not None else None for n in names) for s in result)
    assert (ours == theirs) == (outcome == "same"), (ours, theirs)


def test_substitutions_differences_in_detail(store):
    """The two cases where both run but disagree, written out."""
    sub = {ox.Variable("v"): ox.Literal("x")}
    union = "SELECT ?s WHERE { { ?s <http://e/p> ?o FILTER(?o != ?v) } UNION { ?s <http://e/q> ?o } }"
    # VALUES joins after the UNION: inside the branch ?v is unbound, the FILTER errors, no row.
    assert answer(store, bind(union, {"v": [Literal("x")]})) == [A]
    # substitutions= puts "x" into the branch: <http://e/b> ("y" != "x") comes out too.
    assert sorted(str(s["s"]) for s in store.query(union.replace("SELECT ?s", "SELECT ?s ?v"), substitutions=sub)) == [
        "<http://e/a>",
        "<http://e/b>",
    ]
    limit = "SELECT ?s ?v WHERE { { SELECT ?s ?v WHERE { ?s <http://e/p> ?v } ORDER BY DESC(?s) LIMIT 1 } }"
    # VALUES joins after the sub-SELECT's LIMIT, which kept <http://e/b> "y": nothing.
    assert answer(store, bind(limit, {"v": [Literal("x")]})) == []
    # substitutions= restricts before the LIMIT: <http://e/a> "x".
    assert [str(s["s"]) for s in store.query(limit, substitutions=sub)] == ["<http://e/a>"]
