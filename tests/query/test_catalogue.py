"""The stored-query catalogue: the shipped headers, user folders, malformed headers, and params.coerce."""

from __future__ import annotations

import datetime
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import REPO, TEST_DATA

from szsemi.errors import ParameterError, QueryDefinitionError, UsageError
from szsemi.query.binding import _find_where
from szsemi.query.catalogue import HEADER_KEYS, PARAM_KEYS, load_catalogue, read_query
from szsemi.query.engines import LocalEngine
from szsemi.query.execute import check_classes, resolve
from szsemi.query.params import TYPES, Param, coerce
from szsemi.sparql_syntax import tokens as _tokens

QUERIES = TEST_DATA / "queries"
XSD = "http://www.w3.org/2001/XMLSchema#"
SZ = "https://w3id.org/szsemi/id/"
SZO = "https://w3id.org/szsemi/ontology#"


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


# --------------------------------------------------------------------------------------------
# The shipped catalogue
# --------------------------------------------------------------------------------------------


def test_every_shipped_query_file_is_in_the_catalogue(catalogue):
    files = sorted(p.stem for p in (REPO / "queries").glob("*.rq"))
    assert sorted(catalogue) == files
    assert len(files) >= 25


def test_the_catalogue_covers_every_kind_of_question(catalogue):
    # issue 3, item 1: one stored query at least for each kind of question
    for name in (
        "get-park-location",
        "get-park-operators",
        "get-park-figures",
        "get-milestones",
        "get-within-travel-time",
        "get-park-industry-circles",
        "get-plan-focus-districts",
        "get-plan-district-roles",
        "get-plan-layout",
        "get-plan-issuance",
        "get-cluster-firms",
        "get-cluster-counts",
        "get-production-lines",
        "get-park-service-cycle",
        "get-park-profile",
        "get-provenance",
        "get-entity-by-name",
        "get-entity-description",
        "get-class-members",
    ):
        assert catalogue[name].kind == "report"


def test_kinds_follow_the_file_names(catalogue):
    for name, q in catalogue.items():
        if name.endswith("-violation"):
            assert (q.kind, q.form) == ("violation", "SELECT")
            assert q.rule is not None and q.rule.severity in ("Violation", "Warning", "Info")
        else:
            assert name.startswith("get-") and q.kind == "report" and q.rule is None


def test_every_select_has_an_order_by_after_its_where_group(catalogue):
    for name, q in catalogue.items():
        if q.form != "SELECT":
            continue
        close = _find_where(q.text).close.end
        words = [t.word() for t in _tokens(q.text) if t.start >= close]
        assert "ORDER" in words, f"{name} has no ORDER BY"


def test_every_parameter_is_a_variable_and_its_default_is_a_term_of_its_type(catalogue):
    for name, q in catalogue.items():
        for p in q.params.values():
            assert re.search(rf"[?$]{p.name}\b", q.text.split("\n", q.header_lines)[-1]), (name, p.name)
            assert p.type in TYPES
            for term in p.default:
                assert coerce(p, term) == [term]  # the default passes its own checks


def test_queries_readme_documents_every_file_and_every_header_key(catalogue):
    readme = (REPO / "queries" / "README.md").read_text(encoding="utf-8")
    for name in catalogue:
        assert f"`{name}.rq`" in readme, name
    first_cells = {line.split("|")[1] for line in readme.splitlines() if line.startswith("| ")}
    for key in HEADER_KEYS | PARAM_KEYS:  # each key is the first cell of a table row
        assert any(f"`{key}`" in cell for cell in first_cells), key


def test_shipped_paths_are_short_and_user_paths_are_as_given(catalogue, tmp_path):
    assert catalogue["get-park-location"].path == "queries/get-park-location.rq"
    folder = tmp_path / "mine"
    shutil.copytree(QUERIES / "typed", folder)
    both = load_catalogue((str(folder),))
    assert both["get-milestones-on-day"].path == str(folder / "get-milestones-on-day.rq")
    assert both["get-park-location"].path == "queries/get-park-location.rq"


# --------------------------------------------------------------------------------------------
# User folders
# --------------------------------------------------------------------------------------------


def test_a_user_folder_adds_its_queries_with_their_typed_parameters():
    catalogue = load_catalogue((str(QUERIES / "typed"),))
    labels = catalogue["get-labels-in-language"].params["label"]
    assert (labels.type, labels.multi) == ("langstring", True)
    assert labels.default == (
        ox.Literal("坪山区", language="zh-Hans"),
        ox.Literal("BYD Company Limited", language="en"),
    )
    day = catalogue["get-milestones-on-day"].params["day"]
    assert (day.type, day.required, day.default) == ("date", True, ())
    least = catalogue["get-figures-at-least"].params
    assert least["least"].default == (ox.Literal("2000000000.5", datatype=ox.NamedNode(XSD + "decimal")),)
    assert least["least"].minimum == Decimal(0)
    assert least["measure"].lang == "en"
    assert catalogue["get-labels-in-language"].kind == "report"


def test_a_user_query_may_not_reuse_a_shipped_name():
    with pytest.raises(QueryDefinitionError) as e:
        load_catalogue((str(QUERIES / "clash"),))
    assert "'get-park-location' is already defined in queries/get-park-location.rq" in str(e.value)
    assert e.value.path.endswith("clash/get-park-location.rq")


def test_two_user_folders_may_not_share_a_name(tmp_path):
    for folder in ("one", "two"):
        (tmp_path / folder).mkdir()
        shutil.copy(QUERIES / "typed" / "get-milestones-on-day.rq", tmp_path / folder)
    with pytest.raises(QueryDefinitionError, match="already defined in .*one/get-milestones-on-day.rq"):
        load_catalogue((str(tmp_path / "one"), str(tmp_path / "two")))


def test_a_missing_folder_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="does not exist"):
        load_catalogue((str(tmp_path / "nowhere"),))


def test_other_files_in_a_user_folder_are_ignored(tmp_path):
    (tmp_path / "notes.txt").write_text("not a query")
    (tmp_path / "get-x.sparql").write_text("SELECT * {}")
    assert set(load_catalogue((str(tmp_path),))) == set(load_catalogue())


def test_a_byte_order_mark_does_not_hide_the_header(tmp_path):
    text = (QUERIES / "typed" / "get-milestones-on-day.rq").read_text(encoding="utf-8")
    (tmp_path / "get-milestones-on-day.rq").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    q = read_query(tmp_path / "get-milestones-on-day.rq")
    assert q.summary.startswith("Milestones dated") and not q.text.startswith("\ufeff")


def test_crlf_line_endings_are_read(tmp_path):
    text = (QUERIES / "typed" / "get-milestones-on-day.rq").read_text(encoding="utf-8")
    (tmp_path / "get-milestones-on-day.rq").write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    q = read_query(tmp_path / "get-milestones-on-day.rq")
    assert q.params["day"].required and q.summary == "Milestones dated to the given day (test fixture)."


# --------------------------------------------------------------------------------------------
# Malformed headers: each fixture pins the line and the reason
# --------------------------------------------------------------------------------------------

BAD = [  # file, line, column, what the message must say
    ("get-unknown-key.rq", 3, None, "unknown header key(s) colour; allowed: description, id,"),
    ("get-invalid-yaml.rq", 5, 8, "invalid YAML in the header: did not find expected ',' or '}'"),
    ("get-yaml-tab.rq", 3, 4, "invalid YAML in the header: found character that cannot start any token"),
    ("get-unknown-param-key.rq", 5, None, "parameter 's': unknown key(s) colour; allowed: class,"),
    (
        "get-bad-param-type.rq",
        4,
        None,
        "parameter 's': 'type' must be one of iri, string, langstring, integer, decimal, date, boolean, not 'float'",
    ),
    ("get-param-not-in-query.rq", 3, None, "parameter 'x' is not a variable of the query (?x never occurs)"),
    ("get-no-header.rq", 1, None, "the file has no '#+' header"),
    ("get-no-summary.rq", 1, None, "the header needs 'summary:'"),
    ("get-header-no-space.rq", 1, None, "a header line is '#+ ' (hash, plus, space) then YAML"),
    ("get-bad-default.rq", 3, None, "parameter 'n': the header's own value 'ten' is not allowed (an integer"),
    ("get-default-not-in-values.rq", 3, None, "parameter 's': the header's own value 'c' is not allowed (one of a, b)"),
    ("get-required-with-default.rq", 3, None, "parameter 's': a required parameter has no default"),
    ("get-class-on-string.rq", 3, None, "parameter 's': 'class' is only for iri parameters"),
    ("get-min-on-date.rq", 3, None, "parameter 'd': 'min' is only for integer and decimal parameters"),
    ("get-bad-param-name.rq", 3, None, "parameter name 'my-param' is not a SPARQL variable name"),
    ("get-spec-not-mapping.rq", 3, None, "parameter 's': the spec must be a mapping"),
    ("get-not-a-mapping.rq", 1, None, "the header must be a YAML mapping"),
    ("get-rule-key-in-report.rq", 2, None, "header key(s) severity only belong in a *-violation.rq check"),
    ("missing-rule-violation.rq", 1, None, "a violation check needs id, message, severity in its header"),
    ("bad-severity-violation.rq", 3, None, "'severity' must be one of Violation, Warning, Info, not 'Fatal'"),
    ("construct-form-violation.rq", 1, None, "a violation check must be a SELECT query, not CONSTRUCT"),
    ("get-update.rq", 2, 1, "expected SELECT, ASK, CONSTRUCT or DESCRIBE after the prologue, found 'INSERT'"),
    ("Get_Bad_Name.rq", None, None, "a query file name is lower-case words joined by hyphens"),
]


def test_every_bad_fixture_is_in_the_table():
    assert sorted(p.name for p in (QUERIES / "bad").iterdir()) == sorted(b[0] for b in BAD)


@pytest.mark.parametrize("name,line,column,reason", BAD, ids=[b[0] for b in BAD])
def test_a_malformed_query_file_is_refused_with_its_line(name, line, column, reason, tmp_path):
    with pytest.raises(QueryDefinitionError) as e:
        read_query(QUERIES / "bad" / name)
    assert reason in e.value.reason
    assert (e.value.path, e.value.line, e.value.column) == (f"bad/{name}", line, column)
    where = ":".join(str(x) for x in (f"bad/{name}", line, column) if x is not None)
    assert str(e.value).startswith(where + ": ")
    # the same error when the file sits in a user folder, named as the user gave it
    shutil.copy(QUERIES / "bad" / name, tmp_path / name)
    with pytest.raises(QueryDefinitionError) as again:
        load_catalogue((str(tmp_path),))
    assert (again.value.path, again.value.line, again.value.reason) == (str(tmp_path / name), line, e.value.reason)


# --------------------------------------------------------------------------------------------
# params.coerce
# --------------------------------------------------------------------------------------------


def lit(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))


ACCEPTED = [  # type, given, the term it becomes
    ("iri", "sz:park/colorful-silicon-valley", ox.NamedNode(SZ + "park/colorful-silicon-valley")),
    ("iri", " szo:District ", ox.NamedNode(SZO + "District")),
    ("iri", "http://example.org/a#b", ox.NamedNode("http://example.org/a#b")),
    ("iri", "urn:isbn:123", ox.NamedNode("urn:isbn:123")),
    ("string", "", ox.Literal("")),
    ("string", ' a "quoted" } # text\n', ox.Literal(' a "quoted" } # text\n')),
    ("string", "坪山区", ox.Literal("坪山区")),
    ("langstring", "坪山区@zh-Hans", ox.Literal("坪山区", language="zh-hans")),
    ("langstring", "a@b@en", ox.Literal("a@b", language="en")),
    ("integer", "10", lit("10", "integer")),
    ("integer", " +007 ", lit("7", "integer")),
    ("integer", "-3", lit("-3", "integer")),
    ("integer", "123456789012345678901234567890", lit("123456789012345678901234567890", "integer")),
    ("integer", 42, lit("42", "integer")),
    ("decimal", "2.50", lit("2.5", "decimal")),
    ("decimal", "3", lit("3.0", "decimal")),
    ("decimal", ".5", lit("0.5", "decimal")),
    ("decimal", "-0.0", lit("-0.0", "decimal")),
    ("decimal", Decimal("1.25"), lit("1.25", "decimal")),
    ("date", "2022-11-02", lit("2022-11-02", "date")),
    ("date", datetime.date(2022, 6, 6), lit("2022-06-06", "date")),
    ("boolean", "true", lit("true", "boolean")),
    ("boolean", "FALSE", lit("false", "boolean")),
    ("boolean", "1", lit("true", "boolean")),
    ("boolean", False, lit("false", "boolean")),
]


@pytest.mark.parametrize("kind,given,term", ACCEPTED)
def test_coerce_turns_a_value_into_a_term_of_the_declared_type(kind, given, term):
    assert coerce(Param("p", kind), given) == [term]


REFUSED = [  # type, given
    ("iri", "park/colorful-silicon-valley"),  # relative
    ("iri", "sz:a b"),
    ("iri", "http://e/<a>"),
    ("iri", 'http://e/"'),
    ("iri", ""),
    ("iri", 5),
    ("langstring", "no tag"),
    ("langstring", "x@"),
    ("langstring", "x@not a tag"),
    ("langstring", "x@en-"),
    ("integer", "ten"),
    ("integer", "1.0"),
    ("integer", "1e3"),
    ("integer", "1_000"),
    ("integer", ""),
    ("integer", "٣"),
    ("integer", 2.5),
    ("integer", True),
    ("decimal", "1e3"),
    ("decimal", "NaN"),
    ("decimal", "1,5"),
    ("decimal", ""),
    ("decimal", "."),
    ("date", "2022-02-30"),
    ("date", "2022-1-1"),
    ("date", "20221102"),
    ("date", "2022-11-02T00:00:00"),
    ("date", datetime.datetime(2022, 11, 2, 10, 0)),
    ("boolean", "yes"),
    ("boolean", ""),
    ("string", 5),
    ("string", None),
    ("string", b"bytes"),
]


@pytest.mark.parametrize("kind,given", REFUSED)
def test_coerce_refuses_a_value_that_is_not_of_the_declared_type(kind, given):
    param = Param("p", kind)
    with pytest.raises(ParameterError) as e:
        coerce(param, given)
    assert (e.value.name, e.value.allowed) == ("p", param.allowed())
    if isinstance(given, str):  # other Python values are shown as the text they were read as
        assert e.value.given == given
        assert str(e.value).startswith(f"parameter 'p': got {given!r}; allowed: ")


def test_coerce_checks_bounds_values_and_language():
    minutes = Param("minutes", "integer", minimum=Decimal(1), maximum=Decimal(60))
    assert coerce(minutes, "1") == [lit("1", "integer")] and coerce(minutes, "60") == [lit("60", "integer")]
    for bad in ("0", "61", "-5"):
        with pytest.raises(ParameterError, match=r"allowed: an integer, e\.g\. 10, >= 1, <= 60"):
            coerce(minutes, bad)
    basis = Param("basis", "string", values=(ox.Literal("a"), ox.Literal("b")))
    assert coerce(basis, "b") == [ox.Literal("b")]
    with pytest.raises(ParameterError, match="allowed: one of a, b"):
        coerce(basis, "B")
    english = Param("m", "langstring", lang="en")
    assert coerce(english, "Output value") == [ox.Literal("Output value", language="en")]
    assert coerce(english, "Output value@EN") == [ox.Literal("Output value", language="en")]
    with pytest.raises(ParameterError, match="in language 'en'"):
        coerce(english, "Output value@fr")


def test_coerce_multi_values():
    single = Param("p", "integer")
    several = Param("p", "integer", multi=True)
    assert coerce(several, ["1", 2]) == [lit("1", "integer"), lit("2", "integer")]
    with pytest.raises(ParameterError, match="a single value"):
        coerce(single, ["1", "2"])
    assert coerce(single, ["1"]) == [lit("1", "integer")]
    for empty in ([], ()):  # would bind nothing and run the query unbound
        with pytest.raises(ParameterError, match="at least one value"):
            coerce(several, empty)


def test_coerce_takes_pyoxigraph_terms_of_the_right_type_only():
    park = ox.NamedNode(SZ + "park/x")
    assert coerce(Param("p", "iri"), park) == [park]
    with pytest.raises(ParameterError):
        coerce(Param("p", "iri"), ox.Literal("x"))
    with pytest.raises(ParameterError):
        coerce(Param("p", "integer"), lit("1", "decimal"))
    with pytest.raises(ParameterError):
        coerce(Param("p", "string"), ox.Literal("x", language="en"))
    with pytest.raises(ParameterError):
        coerce(Param("p", "langstring"), ox.Literal("x"))


# --------------------------------------------------------------------------------------------
# execute.resolve and check_classes
# --------------------------------------------------------------------------------------------


def test_resolve_uses_defaults_and_refuses_unknown_and_missing_parameters(catalogue):
    travel = catalogue["get-within-travel-time"]
    bound = resolve(travel, {})
    assert bound == {"origin": [ox.NamedNode(SZ + "park/colorful-silicon-valley")], "minutes": [lit("10", "integer")]}
    assert resolve(travel, {"minutes": None})["minutes"] == [lit("10", "integer")]
    assert resolve(travel, {"minutes": 5})["minutes"] == [lit("5", "integer")]
    with pytest.raises(UsageError, match="has no parameter 'minute'; its parameters: minutes, origin"):
        resolve(travel, {"minute": "5"})
    assert resolve(catalogue["get-park-location"], {}) == {}  # optional and unset: unbound
    day = load_catalogue((str(QUERIES / "typed"),))["get-milestones-on-day"]
    with pytest.raises(ParameterError) as e:
        resolve(day, {})
    assert e.value.name == "day" and "a value is required (a date YYYY-MM-DD)" in str(e.value)


def test_check_classes_accepts_subclass_instances_and_refuses_others(catalogue, shipped_store):
    engine = LocalEngine(shipped_store)
    listings = catalogue["get-listings"]  # firm: class org:FormalOrganization; BYD is a szo:Company
    check_classes(listings, resolve(listings, {"firm": "sz:org/byd"}), engine)
    with pytest.raises(ParameterError) as e:
        check_classes(listings, resolve(listings, {"firm": "sz:place/pingshan-district"}), engine)
    assert e.value.name == "firm" and "an instance of <http://www.w3.org/ns/org#FormalOrganization>" in str(e.value)
    with pytest.raises(ParameterError):  # an IRI the graph does not know is no instance either
        check_classes(listings, resolve(listings, {"firm": "sz:org/no-such-firm"}), engine)


def test_an_ask_query_is_parsed_without_being_evaluated(tmp_path):
    # Oxigraph answers an ASK as soon as it is asked; nothing listens on port 1, so a SERVICE call
    # made while reading the catalogue would fail the command.
    query = tmp_path / "get-remote-check.rq"
    query.write_text(
        "#+ summary: An ASK through a SERVICE.\nASK { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }\n",
        encoding="utf-8",
    )
    assert read_query(query).form == "ASK"


def test_a_syntax_error_in_an_ask_query_is_placed_in_the_text_as_written(tmp_path):
    query = tmp_path / "get-broken-check.rq"
    query.write_text("#+ summary: An ASK with a stray bracket.\nASK { ?s ?p ] ?o }\n", encoding="utf-8")
    with pytest.raises(SyntaxError) as raw:  # the place Oxigraph gives for the ASK itself
        ox.Store().query(query.read_text(encoding="utf-8"))
    with pytest.raises(QueryDefinitionError) as ours:
        read_query(query)
    # on the ASK's own line, after the keyword: where the probe's longer SELECT would shift the column
    assert str(raw.value).startswith("error at 2:15:") and (ours.value.line, ours.value.column) == (2, 15)


# --- the shipped header index (the light query path does not import a YAML parser) ---


def test_the_shipped_header_index_is_current():
    from importlib.resources import files

    from szsemi.query.catalogue import HEADER_INDEX, header_index

    shipped = (files("szsemi.query") / HEADER_INDEX).read_text(encoding="utf-8")
    assert shipped == header_index(), (
        "a stored query's header changed: regenerate the index with\n  python -c 'from szsemi.query.catalogue "
        'import header_index as h; open("src/szsemi/query/shipped_headers.py", "w").write(h())\''
    )


def test_the_index_gives_what_yaml_gives_and_only_for_the_exact_text():
    import datetime

    import yaml

    from szsemi.query.catalogue import _from_json, _to_json, known_header

    for path in sorted(Path(str(files_folder())).glob("*.rq")):
        lines = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.startswith("#+"):
                break
            lines.append(line[3:])
        text = "\n".join(lines)
        assert known_header(text) == yaml.safe_load(text), path.name
        assert known_header(text + "\n#") is None  # any other text is read as YAML
    value = {"default": datetime.date(2022, 11, 1), "at": datetime.datetime(2022, 11, 1, 8, 30), "n": [1, 2.5, None]}
    assert _from_json(_to_json(value)) == value
    with pytest.raises(TypeError):
        _to_json({1: "a key JSON would turn into text"})


def files_folder():
    from szsemi.graph import resources

    return resources.queries_folder()


def test_a_query_file_edited_between_two_reads_is_read_as_it_now_is(tmp_path):
    # the catalogue keeps what it learns from a query text (form, variables, syntax): keyed by the
    # text itself, so an edited file is never answered from the old text, and an error is raised
    # again at every read, with its place, never remembered as a success
    query = tmp_path / "get-edited.rq"
    query.write_text("#+ summary: First form.\nSELECT ?s WHERE { ?s ?p ?o }\n", encoding="utf-8")
    assert read_query(query).form == "SELECT"
    query.write_text("#+ summary: Second form.\nASK { ?s ?p ?o }\n", encoding="utf-8")
    assert read_query(query).form == "ASK"
    query.write_text("#+ summary: Broken.\nSELECT ?s WHERE { ?s ?p ] }\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(QueryDefinitionError) as caught:
            read_query(query)
        assert caught.value.line == 2 and caught.value.path.endswith("get-edited.rq")
    query.write_text(
        "#+ summary: With a parameter.\n#+ params:\n#+   o: {type: string}\nSELECT ?s WHERE { ?s ?p ?o }\n",
        encoding="utf-8",
    )
    assert list(read_query(query).params) == ["o"]
    query.write_text(
        "#+ summary: With a parameter.\n#+ params:\n#+   o: {type: string}\nSELECT ?s WHERE { ?s ?p ?x }\n",
        encoding="utf-8",
    )
    with pytest.raises(QueryDefinitionError, match="never occurs"):
        read_query(query)
