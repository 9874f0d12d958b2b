"""Small hostile HTTP servers on 127.0.0.1 for the fault tests: each answers as a function says.

``HostileServer(behave)`` runs ``behave(handler, number)`` for the ``number``-th request (from 1);
the handler has the request's ``method``, ``path``, ``headers``, ``form`` (a URL-encoded body,
parsed) and ``body``, and ``send(status, content_type, body, headers)`` for a plain answer.
Every request is recorded in ``server.requests``. Stopped by ``close()`` (a fixture does it).
"""

from __future__ import annotations

import threading
import urllib.parse
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Behaviour = Callable[[Any, int], None]


class HostileServer:
    def __init__(self, behave: Behaviour):
        self.behave = behave
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep the test output clean
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.body = self.rfile.read(length) if length else b""
                self.method = self.command
                self.form = (
                    urllib.parse.parse_qs(self.body.decode("utf-8", "replace"))
                    if self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded")
                    else {}
                )
                self.form.update(urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query))
                with server.lock:
                    server.requests.append(
                        {"method": self.command, "path": self.path, "headers": dict(self.headers), "form": self.form}
                    )
                    number = len(server.requests)
                try:
                    server.behave(self, number)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up: that is what these servers test
                self.close_connection = True

            def send(
                self,
                status: int,
                content_type: str = "text/plain",
                body: bytes = b"",
                headers: dict[str, str] | None = None,
            ) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.url = self.base + "/sparql"
        # a short poll: shutdown() waits for the loop to notice, half a second by default
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
