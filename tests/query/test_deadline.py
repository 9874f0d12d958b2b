"""run_abandonable: the answer, the error, or a deadline that ends the wait while the work runs on."""

from __future__ import annotations

import threading

import pytest

from szsemi.query.deadline import DeadlineExceeded, abandoned, run_abandonable


def test_it_returns_what_the_work_returns_and_raises_what_it_raises() -> None:
    assert run_abandonable(lambda: 42, 10) == 42

    def fail() -> None:
        raise KeyError("x")

    with pytest.raises(KeyError):
        run_abandonable(fail, None)


def test_a_deadline_abandons_work_that_does_not_end() -> None:
    release = threading.Event()
    before = abandoned()
    with pytest.raises(DeadlineExceeded, match=r"--timeout 0\.2"):
        run_abandonable(lambda: release.wait(60), 0.2)
    assert abandoned() == before + 1
    release.set()  # let the abandoned worker finish


@pytest.mark.parametrize("seconds", [0, -1])
def test_a_limit_must_be_positive(seconds: float) -> None:
    with pytest.raises(ValueError):
        run_abandonable(lambda: None, seconds)


def test_the_embedded_engine_refuses_service_and_applies_its_timeout() -> None:
    import pyoxigraph as ox

    from szsemi.errors import UsageError
    from szsemi.query.engines import LocalEngine

    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal("o")))
    with pytest.raises(UsageError, match="--allow-service"):
        LocalEngine(store).run("SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    with pytest.raises(UsageError, match="> 0"):
        LocalEngine(store, timeout=0)
    assert LocalEngine(store, timeout=30).run("ASK { ?s ?p 'o' }").boolean is True
