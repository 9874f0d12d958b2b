"""The pages in headless Chromium (Debian's chromium and chromium-driver, driven by Selenium):
they fill their tables, log no console error, and no request leaves 127.0.0.1."""

# ruff: noqa: F811 - the fixtures imported from serving are the tests' parameters

from __future__ import annotations

import json
import os
import shutil
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest
from serving import live_server  # noqa: F401 - fixture

pytestmark = [pytest.mark.server, pytest.mark.browser]
CHROMIUM, DRIVER = "/usr/bin/chromium", shutil.which("chromedriver") or "/usr/bin/chromedriver"
if not (os.path.exists(CHROMIUM) and os.path.exists(DRIVER)):
    pytest.skip("headless Chromium needs apt's chromium and chromium-driver", allow_module_level=True)

PAGES = [
    ("/?q=pingshan", "table.results tbody tr"),
    ("/queries/get-within-travel-time", "table.results tbody tr"),
    ("/queries/get-entity-by-name?name=%E5%9D%AA%E5%B1%B1%E5%8C%BA", "table.results tbody tr"),
    (
        "/query?"
        + urllib.parse.urlencode(
            {"query": "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?label } LIMIT 10"}
        ),
        "table.results tbody tr",
    ),
    ("/id/place/pingshan-district", "table.statements tbody tr"),
    ("/ontology/IndustrialPark", "table.statements tbody tr"),
    ("/docs", "table.params tbody tr"),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--window-size=1280,1000",
        # anything that is not 127.0.0.1 goes to a proxy that does not exist
        "--proxy-server=http://127.0.0.1:9",
        "--proxy-bypass-list=127.0.0.1",
    ):
        options.add_argument(flag)
    if os.geteuid() == 0:
        options.add_argument("--no-sandbox")  # Chromium refuses to run as root with its sandbox
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(DRIVER))
    try:
        yield driver
    finally:
        driver.quit()


def _wait_for_url(driver: Any, part: str) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 20).until(
        lambda d: part in d.current_url and d.execute_script("return document.readyState") == "complete"
    )


def _requested(driver: Any) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


@pytest.mark.parametrize("path, rows", PAGES)
def test_page_fills_its_table_without_errors_or_outside_requests(live_server, browser, path, rows):
    browser.get_log("browser"), browser.get_log("performance")  # start from a clean log
    browser.get(live_server.base_url + path)
    assert browser.find_elements("css selector", rows), f"{path}: no table rows"
    assert browser.find_element("css selector", "h1").text
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == [], errors
    requested = _requested(browser)
    assert requested, "the performance log saw no request"
    outside = [u for u in requested if not u.startswith(live_server.base_url + "/") and not u.startswith("data:")]
    assert outside == []


def test_search_by_keyboard(live_server, browser):
    from selenium.webdriver.common.keys import Keys

    browser.get(live_server.base_url + "/")
    body = browser.find_element("css selector", "body")
    body.send_keys(Keys.TAB)
    assert browser.switch_to.active_element.text == "Skip to content"  # the first stop skips the menu
    for _ in range(10):
        if browser.switch_to.active_element.get_attribute("id") == "q":
            break
        browser.switch_to.active_element.send_keys(Keys.TAB)
    field = browser.switch_to.active_element
    assert field.get_attribute("id") == "q"
    field.send_keys("坪山", Keys.ENTER)
    _wait_for_url(browser, "q=")
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(browser.current_url).query)["q"] == ["坪山"]
    assert browser.find_elements("css selector", "table.results tbody tr")


def test_stored_query_form_keeps_its_parameters_in_the_url(live_server, browser):
    from selenium.webdriver.common.keys import Keys

    browser.get(live_server.base_url + "/queries/get-within-travel-time")
    minutes = browser.find_element("id", "p-minutes")
    assert minutes.get_attribute("value") == "10"  # prefilled with the default
    minutes.clear()
    minutes.send_keys("5", Keys.ENTER)
    _wait_for_url(browser, "minutes=5")
    assert browser.find_element("id", "row-count").text == "0 rows"
