"""The web server's benchmark: start-up time, and requests per second with p50/p99 latency for a
light SPARQL query from 8 concurrent clients, beside ``oxigraph serve-read-only`` on the same data
in the same run. ``--screenshots DIR`` also saves a picture of each page, taken with headless
Chromium (the ones in docs/screenshots/).

    python benchmarks/serve.py [--requests 2000] [--clients 8] [--rounds 3] [--check]
    python benchmarks/serve.py --screenshots docs/screenshots --requests 0

Both servers run on 127.0.0.1 with free ports, each in a temporary folder, and are stopped by PID.
The two servers take turns, round by round, so that other load on the machine hits both alike.
``--check`` exits 1 when szsemi serve has less than a quarter of Oxigraph's throughput (the
issue's goal) or takes 3 s or more to start.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

LIGHT = (
    "SELECT ?label WHERE { <https://w3id.org/szsemi/id/place/pingshan-district> "
    "<http://www.w3.org/2004/02/skos/core#prefLabel> ?label }"
)
PAGES = {
    "home-search": "/?q=pingshan",
    "stored-query": "/queries/get-within-travel-time",
    "sparql-page": "/query?"
    + urllib.parse.urlencode(
        {
            "query": "SELECT ?entity ?label WHERE {\n  ?entity "
            "<http://www.w3.org/2004/02/skos/core#prefLabel> ?label\n} LIMIT 12"
        }
    ),
    "entity": "/id/place/pingshan-district",
    "ontology-term": "/ontology/IndustrialPark",
    "api-docs": "/docs",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_answers(url: str, process: subprocess.Popen, seconds: float = 60) -> float:
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return time.monotonic() - start
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()


def start_szsemi(folder: Path, workers: int) -> tuple[subprocess.Popen, str, float]:
    port = free_port()
    start = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "szsemi", "serve", "--port", str(port), "--workers", str(workers)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        cwd=folder,
        text=True,
    )
    line = process.stdout.readline() if process.stdout else ""  # the URL, printed once it is ready
    started = time.monotonic() - start
    if "http://" not in line:
        stop(process)
        raise RuntimeError(f"szsemi serve did not print its URL: {line!r}")
    return process, f"http://127.0.0.1:{port}", started


def start_oxigraph(folder: Path) -> tuple[subprocess.Popen, str]:
    from szsemi.graph import resources

    binary = shutil.which("oxigraph")
    if binary is None:
        raise RuntimeError("the oxigraph command is missing: pip install oxigraph")
    files = [str(resources.local_path(resources.ontology_file()))] + [
        str(resources.local_path(p)) for p in resources.data_files()
    ]
    subprocess.run(
        [binary, "load", "--location", str(folder / "db"), "--file", *files], check=True, capture_output=True
    )
    port = free_port()
    process = subprocess.Popen(
        [
            binary,
            "serve-read-only",
            "--location",
            str(folder / "db"),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    wait_until_answers(base + "/query?" + urllib.parse.urlencode({"query": "ASK {}"}), process)
    return process, base


def load(base: str, path: str, requests: int, clients: int) -> dict[str, float]:
    """``requests`` GETs of ``path`` from ``clients`` threads, each on its own keep-alive connection."""
    host, port = urllib.parse.urlsplit(base).netloc.split(":")
    latencies: list[float] = []
    failures: list[int] = []
    lock = threading.Lock()
    counter = iter(range(requests))

    def client() -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        mine: list[float] = []
        while True:
            with lock:
                if next(counter, None) is None:
                    break
            start = time.perf_counter()
            connection.request("GET", path, headers={"Accept": "application/sparql-results+json"})
            response = connection.getresponse()
            response.read()
            mine.append(time.perf_counter() - start)
            if response.status != 200:
                failures.append(response.status)
        connection.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    if failures:
        raise RuntimeError(f"{len(failures)} requests failed: {sorted(set(failures))}")
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
    }


def screenshots(base: str, folder: Path) -> list[Path]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in (
        "--headless=new",
        "--disable-gpu",
        "--window-size=1280,1400",
        "--hide-scrollbars",
        "--disable-background-networking",
        "--proxy-server=http://127.0.0.1:9",
        "--proxy-bypass-list=127.0.0.1",
    ):
        options.add_argument(flag)
    if os.geteuid() == 0:
        options.add_argument("--no-sandbox")
    driver = webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"))
    folder.mkdir(parents=True, exist_ok=True)
    saved = []
    try:
        for name, path in PAGES.items():
            driver.get(base + path)
            target = folder / f"{name}.png"
            driver.save_screenshot(str(target))
            saved.append(target)
    finally:
        driver.quit()
    return saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests per server and round (2000)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="szsemi serve --workers (2)")
    parser.add_argument("--screenshots", metavar="DIR", help="also save a screenshot of each page here")
    parser.add_argument("--json", metavar="FILE", help="write the figures as JSON here")
    parser.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args(argv)
    path = "/sparql?" + urllib.parse.urlencode({"query": LIGHT})
    with tempfile.TemporaryDirectory() as tmp:
        ours, our_base, started = start_szsemi(Path(tmp), args.workers)
        theirs = None
        try:
            if args.screenshots:
                for saved in screenshots(our_base, Path(args.screenshots)):
                    print(f"saved {saved}")
            if args.requests <= 0:
                print(f"szsemi serve started in {started:.2f} s")
                return 0
            theirs, their_base = start_oxigraph(Path(tmp))
            load(our_base, path, 200, args.clients)  # warm both up
            load(their_base, "/query?" + path.split("?", 1)[1], 200, args.clients)
            rounds: dict[str, list[dict[str, float]]] = {"szsemi": [], "oxigraph": []}
            for _ in range(args.rounds):
                rounds["szsemi"].append(load(our_base, path, args.requests, args.clients))
                rounds["oxigraph"].append(
                    load(their_base, "/query?" + path.split("?", 1)[1], args.requests, args.clients)
                )
        finally:
            stop(ours)
            if theirs is not None:
                stop(theirs)
    best = {name: max(runs, key=lambda r: r["rps"]) for name, runs in rounds.items()}
    ratio = best["szsemi"]["rps"] / best["oxigraph"]["rps"]
    figures = {
        "start_seconds": round(started, 2),
        "clients": args.clients,
        "requests": args.requests,
        "rounds": args.rounds,
        "workers": args.workers,
        "cores": os.cpu_count(),
        "best": {k: {m: round(v, 1) for m, v in r.items()} for k, r in best.items()},
        "all": rounds,
        "ratio": round(ratio, 3),
    }
    print(f"szsemi serve started in {started:.2f} s (goal < 3 s)")
    print(f"light SPARQL query, {args.clients} clients, {args.requests} requests x {args.rounds} rounds (best round):")
    print("| server | requests/s | p50 ms | p99 ms |\n|---|---:|---:|---:|")
    for name, label in (("szsemi", "szsemi serve"), ("oxigraph", "oxigraph serve-read-only")):
        r = best[name]
        print(f"| {label} | {r['rps']:.0f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} |")
    print(f"szsemi / oxigraph throughput: {ratio:.2f} (goal >= 0.25)")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2) + "\n")
    if args.check and (ratio < 0.25 or started >= 3):
        print("a goal is missed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
