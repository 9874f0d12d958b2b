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


@pytest.fixture
def unraisable(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What Python could only print (an error in a destructor), collected here instead."""
    import sys

    seen: list[str] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: seen.append(f"{u.exc_type.__name__}: {u.exc_value}"))
    return seen


def test_a_lazy_answer_in_a_failed_work_is_dropped_on_the_worker_thread(unraisable: list[str]) -> None:
    # pyoxigraph's QuerySolutions may only be dropped by the thread that made it; an error raised
    # while one is half read carries it in its traceback to the waiting thread, unless cleared.
    import gc

    import pyoxigraph as ox

    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal("o")))

    def fail_while_reading() -> None:
        answer = store.query("SELECT * { ?s ?p ?o }")
        for _ in answer:
            raise ValueError("cut short")

    for _ in range(3):
        with pytest.raises(ValueError, match="cut short"):
            run_abandonable(fail_while_reading, 10)
    gc.collect()
    assert unraisable == []


def test_an_abandoned_worker_drops_its_own_answer(unraisable: list[str]) -> None:
    import gc
    import time

    import pyoxigraph as ox

    store = ox.Store()
    release, done = threading.Event(), threading.Event()

    def late_answer() -> object:
        release.wait(60)
        try:
            return store.query("SELECT * { ?s ?p ?o }")  # lazy, made on the worker thread
        finally:
            done.set()

    with pytest.raises(DeadlineExceeded) as caught:
        run_abandonable(late_answer, 0.1)
    release.set()
    assert done.wait(10)
    time.sleep(0.2)  # the worker ends, and must not have handed its answer to the waiting frame
    del caught  # the waiting frame, kept by the traceback, is dropped here, on this thread
    gc.collect()
    assert unraisable == []
