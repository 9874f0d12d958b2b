"""``szsemi serve`` on the command line: bad options and bad data exit 2 naming what was wrong."""

# ruff: noqa: F811 - the fixtures imported from serving are the tests' parameters

from __future__ import annotations

import io

import pytest
from serving import live_server  # noqa: F401 - fixture

from szsemi.cli.main import main


@pytest.mark.hostile(
    what="serve --timeout 0, --max-rows 0, --workers 0", result="exit 2 naming the option", kind="input"
)
@pytest.mark.parametrize(
    "option, value", [("--timeout", "0"), ("--max-rows", "0"), ("--workers", "0"), ("--port", "70000")]
)
def test_bad_option_exits_2_naming_it(option, value):
    err = io.StringIO()
    assert main(["serve", option, value], out=io.StringIO(), err=err) == 2
    assert option in err.getvalue()


@pytest.mark.server
@pytest.mark.hostile(
    what="serve --data with a file that does not parse", result="exit 2 naming the file, line and column", kind="input"
)
def test_bad_data_file_exits_2_naming_it(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .\n", encoding="utf-8")
    err, out = io.StringIO(), io.StringIO()
    assert main(["serve", "--port", "0", "--data", str(bad)], out=out, err=err) == 2
    assert f"{bad}:1:" in err.getvalue() and out.getvalue() == ""  # no URL: it never served


@pytest.mark.server
def test_live_server_printed_its_url(live_server):
    import time

    # the line is written once the server answers, a moment after the fixture saw it answer
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and "http://" not in live_server.log.read_text():
        time.sleep(0.05)
    assert f"szsemi serve: http://127.0.0.1:{live_server.port}/" in live_server.log.read_text()
