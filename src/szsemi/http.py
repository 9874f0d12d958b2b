"""The one HTTP client of szsemi: SPARQL query, SPARQL update and the Graph Store Protocol.

Every remote request goes through :class:`Client`, which holds the policies for talking to other
people's servers in one place:

- Only ``http`` and ``https`` URLs (:func:`check_url`); ``file:``, ``ftp:`` and the rest are refused.
- Credentials (Basic or Digest) stay with their origin: a redirect (301, 302, 303, 307, 308) to
  another scheme, host or port is refused when credentials are set, naming both URLs; without
  credentials it is followed. A redirect re-sends the same request; at most 5 hops.
- One :class:`Deadline` for the whole command, retries and backoff included. Each connect and read
  is bounded by the time left, and a watchdog shuts the socket when it runs out, so a server that
  trickles one byte a second cannot hold the command past its deadline.
- An answer is read in blocks and abandoned at a byte cap (``max_bytes``): memory stays bounded.
- Transient failures (refused or reset connections, an answer cut short, HTTP 500/502/503/504)
  are retried with exponential backoff while the deadline allows; other statuses are not.
- Content negotiation only: the caller's ``Accept`` header says what it wants; no ``format`` or
  ``output`` parameters are ever added.

Only the standard library is used. Nothing here prints; failures raise ``EndpointError``
(``UsageError`` for a URL that is not http(s)).
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import os
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from email.message import Message

from szsemi.errors import EndpointError, UsageError

DEFAULT_TIMEOUT = 60.0  # seconds, for a whole query command
DEFAULT_MAX_BYTES = 100_000_000  # one answer; --max-bytes raises it
REDIRECTS = 5
TRANSIENT_STATUS = frozenset({500, 502, 503, 504})
_BLOCK = 64 * 1024
AUTHS = ("basic", "digest")


def check_url(url: object, what: str = "the endpoint") -> str:
    """``url`` if it is an absolute http(s) URL with a host, else a ``UsageError`` naming ``what``."""
    allowed = "an http:// or https:// URL, e.g. http://127.0.0.1:7878/query"
    what = f"{what}: " if what else ""
    if not isinstance(url, str):
        raise UsageError(f"{what}{url!r} is not a URL; allowed: {allowed}")
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise UsageError(f"{what}{url!r} is not a valid URL; allowed: {allowed}") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{what}{url!r} is not an http(s) URL; allowed: {allowed}")
    if any(ch in url for ch in "\r\n\t ") or any(ord(ch) < 32 for ch in url):
        raise UsageError(f"{what}{url!r} contains spaces or control characters; allowed: {allowed}")
    return url


def _origin(url: str) -> tuple[str, str, int]:
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or (443 if scheme == "https" else 80)


class Deadline:
    """A point in time after which no request may run: one for a whole command."""

    def __init__(self, seconds: float):
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not 0 < seconds < float("inf"):
            raise UsageError(f"the timeout must be a number of seconds > 0, not {seconds!r}")
        self.seconds = float(seconds)
        self.end = time.monotonic() + self.seconds

    def left(self) -> float:
        return self.end - time.monotonic()

    def expired(self, url: str) -> EndpointError:
        return EndpointError(
            f"{url} did not answer within the timeout of {self.seconds:g} s "
            f"(one deadline for the whole command, retries included; raise it with --timeout)"
        )


@dataclass(frozen=True)
class Credentials:
    """A user name and password, and the HTTP scheme to send them with (basic or digest)."""

    user: str
    password: str = field(repr=False)
    scheme: str = "basic"

    def __post_init__(self) -> None:
        if self.scheme not in AUTHS:
            raise UsageError(f"auth must be one of {', '.join(AUTHS)}, not {self.scheme!r}")


@dataclass
class Response:
    """A complete answer: its final URL, status, content type and body (at most the byte cap)."""

    url: str
    status: int
    content_type: str
    body: bytes
    headers: Message


class HTTPStatusError(EndpointError):
    """The server answered with an error status; ``detail`` is the start of its body."""

    def __init__(self, url: str, status: int, reason: str, detail: str):
        self.url, self.status, self.reason, self.detail = url, status, reason, detail
        super().__init__(f"{url} answered HTTP {status} {reason}" + (f": {detail}" if detail else ""))


class _Transient(Exception):
    """A failure worth another try: what failed, and why (put together once no try is left)."""

    def __init__(self, head: str, reason: str):
        super().__init__(f"{head}: {reason}")
        self.head, self.reason = head, reason

    def error(self, tries: str) -> EndpointError:
        return EndpointError(f"{self.head}{tries}" + (f": {self.reason}" if self.reason else ""))


class Client:
    """Sends requests under the policies above. One client per command (it holds the deadline)."""

    def __init__(
        self,
        *,
        credentials: Credentials | None = None,
        deadline: Deadline | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = 3,
        backoff: float = 0.5,
        max_bytes: int = DEFAULT_MAX_BYTES,
        user_agent: str = "szsemi",
    ):
        if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
            raise UsageError(f"retries must be a whole number >= 0, not {retries!r}")
        if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
            raise UsageError(f"the byte cap must be a whole number >= 1, not {max_bytes!r}")
        self.credentials = credentials
        self.deadline = deadline or Deadline(timeout)
        self.retries, self.backoff, self.max_bytes = retries, backoff, max_bytes
        self.user_agent = user_agent
        self._digest: dict[tuple[str, str, int], dict[str, str]] = {}  # origin -> challenge
        self._nonce_count = 0

    # -- the public verbs ------------------------------------------------------------------------

    def post_form(
        self, url: str, fields: list[tuple[str, str]], accept: str | None = None, *, retry: bool = True
    ) -> Response:
        """POST ``fields`` URL-encoded (works for long queries everywhere)."""
        body = urllib.parse.urlencode(fields).encode("ascii")
        return self.send("POST", url, body, "application/x-www-form-urlencoded", accept, retry=retry)

    def send(
        self,
        method: str,
        url: str,
        body: bytes | None = None,
        content_type: str | None = None,
        accept: str | None = None,
        *,
        retry: bool = True,
    ) -> Response:
        """One request, with redirects, auth, retries, the deadline and the byte cap applied.

        ``retry=False`` for requests that must not be repeated (they change the store).
        """
        check_url(url)
        headers = {"User-Agent": self.user_agent}
        if content_type:
            headers["Content-Type"] = content_type
        if accept:
            headers["Accept"] = accept
        attempt = 0
        while True:
            try:
                return self._follow(method, url, body, headers)
            except _Transient as transient:
                pause = self.backoff * 2**attempt
                if not retry or attempt >= self.retries:
                    raise transient.error(f" after {attempt + 1} attempts" if retry else "") from None
                if self.deadline.left() <= pause:
                    raise transient.error(
                        f" after {attempt + 1} attempts, with no time left for another "
                        f"within the timeout of {self.deadline.seconds:g} s"
                    ) from None
                attempt += 1
                time.sleep(pause)

    # -- one try, following redirects ------------------------------------------------------------

    def _follow(self, method: str, url: str, body: bytes | None, headers: dict[str, str]) -> Response:
        origin = _origin(url)
        current = url
        for _ in range(REDIRECTS + 1):
            same = _origin(current) == origin
            response = self._once(method, current, body, headers, credentials=same)
            if response.status not in (301, 302, 303, 307, 308):
                return response
            location = response.headers.get("Location")
            if not location:
                raise EndpointError(f"{current} answered HTTP {response.status} without a Location")
            target = urllib.parse.urljoin(current, location.strip())
            try:
                check_url(target)
            except UsageError:
                raise EndpointError(
                    f"{current} redirected to {target!r}, which is not an http(s) URL: refused"
                ) from None
            if _origin(target) != origin and self.credentials is not None:
                raise EndpointError(
                    f"{url} redirected to {target}, another origin: refused, so that the "
                    f"credentials for {url} are not sent there (use the new URL directly)"
                )
            current = target
        raise EndpointError(f"{url} redirected more than {REDIRECTS} times: refused")

    def _once(
        self, method: str, url: str, body: bytes | None, headers: dict[str, str], *, credentials: bool
    ) -> Response:
        """One request to one URL; a Digest challenge is answered once on the same connection."""
        sent = dict(headers)
        auth = self.credentials if credentials else None
        if auth is not None:
            header = self._authorization(method, url, auth)
            if header:
                sent["Authorization"] = header
        response = self._exchange(method, url, body, sent)
        if response.status == 401 and auth is not None and auth.scheme == "digest":
            # The first request brings the nonce; a cached one may have gone stale: answer once.
            challenge = _digest_challenge(response.headers)
            if challenge is not None:
                self._digest[_origin(url)] = challenge
                sent["Authorization"] = self._authorization(method, url, auth) or ""
                response = self._exchange(method, url, body, sent)
        if response.status == 401:
            raise _status_error(response, "Unauthorized")
        return response

    def _authorization(self, method: str, url: str, auth: Credentials) -> str | None:
        if auth.scheme == "basic":
            token = base64.b64encode(f"{auth.user}:{auth.password}".encode()).decode("ascii")
            return f"Basic {token}"
        challenge = self._digest.get(_origin(url))
        if challenge is None:
            return None  # the server's first 401 brings the nonce
        self._nonce_count += 1
        return _digest_header(challenge, auth, method, url, self._nonce_count)

    def _exchange(self, method: str, url: str, body: bytes | None, headers: dict[str, str]) -> Response:
        """Connect, send, read the whole answer (capped) before the deadline; or raise."""
        left = self.deadline.left()
        if left <= 0:
            raise self.deadline.expired(url)
        parts = urllib.parse.urlsplit(url)
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        kind = http.client.HTTPSConnection if parts.scheme.lower() == "https" else http.client.HTTPConnection
        connection = kind(parts.hostname or "", parts.port, timeout=left)
        watchdog: threading.Timer | None = None
        fired = threading.Event()
        try:
            try:
                connection.connect()
                # The socket timeout bounds each wait; the watchdog bounds their sum.
                watchdog = threading.Timer(max(self.deadline.left(), 0.0), _shut, (connection, fired))
                watchdog.daemon = True
                watchdog.start()
                connection.request(method, target, body=body, headers=headers)
                answer = connection.getresponse()
                content = self._read(answer, url, fired)
            except (http.client.IncompleteRead, ConnectionResetError, BrokenPipeError) as e:
                if fired.is_set() or self.deadline.left() <= 0:
                    raise self.deadline.expired(url) from None
                raise _Transient(f"the connection to {url} was cut mid-answer", type(e).__name__) from None
            except TimeoutError:
                raise self.deadline.expired(url) from None
            except (ConnectionRefusedError, socket.gaierror, http.client.RemoteDisconnected) as e:
                if fired.is_set() or self.deadline.left() <= 0:
                    raise self.deadline.expired(url) from None
                raise _Transient(f"cannot reach {url}", str(e)) from None
            except (OSError, http.client.HTTPException) as e:
                if fired.is_set() or self.deadline.left() <= 0:
                    raise self.deadline.expired(url) from None
                raise _Transient(f"cannot reach {url}", str(e)) from None
        finally:
            if watchdog is not None:
                watchdog.cancel()
            connection.close()
        response = Response(url, answer.status, answer.headers.get("Content-Type", ""), content, answer.headers)
        if answer.status >= 400 and answer.status != 401:  # 401: the caller may answer a challenge
            error = _status_error(response, answer.reason)
            if answer.status in TRANSIENT_STATUS:
                raise _Transient(f"{url} answered HTTP {answer.status} {answer.reason}", error.detail)
            raise error
        return response

    def _read(self, answer: http.client.HTTPResponse, url: str, fired: threading.Event) -> bytes:
        declared = answer.getheader("Content-Length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            raise EndpointError(
                f"{url} announced an answer of {int(declared)} bytes, over the cap of "
                f"{self.max_bytes} bytes (raise it with --max-bytes)"
            )
        blocks: list[bytes] = []
        size = 0
        while True:
            if self.deadline.left() <= 0:
                raise self.deadline.expired(url)
            block = answer.read1(_BLOCK)
            if not block:
                if fired.is_set():  # the watchdog ended the read: the body is not complete
                    raise self.deadline.expired(url)
                if answer.length:  # the connection closed before Content-Length bytes came
                    raise http.client.IncompleteRead(b"", answer.length)
                return b"".join(blocks)
            size += len(block)
            if size > self.max_bytes:
                raise EndpointError(
                    f"{url} sent more than the cap of {self.max_bytes} bytes; the answer "
                    f"was abandoned there (raise the cap with --max-bytes)"
                )
            blocks.append(block)


def _status_error(response: Response, reason: str) -> HTTPStatusError:
    detail = " ".join(response.body[:2000].decode("utf-8", "replace").split())[:500]
    return HTTPStatusError(response.url, response.status, reason, detail)


def _shut(connection: http.client.HTTPConnection, fired: threading.Event) -> None:
    """The watchdog: unblock whatever read or write is waiting on the connection's socket."""
    fired.set()
    sock = connection.sock
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


# -- HTTP Digest (RFC 7616, MD5 and SHA-256 with qop=auth) -----------------------------------------


def _digest_challenge(headers: Message) -> dict[str, str] | None:
    for value in headers.get_all("WWW-Authenticate") or []:
        scheme, _, rest = value.strip().partition(" ")
        if scheme.lower() == "digest":
            return _auth_params(rest)
    return None


def _auth_params(text: str) -> dict[str, str]:
    """``key=value`` and ``key="quoted, value"`` pairs of a challenge."""
    params: dict[str, str] = {}
    i, n = 0, len(text)
    while i < n:
        while i < n and text[i] in " ,":
            i += 1
        eq = text.find("=", i)
        if eq < 0:
            break
        key = text[i:eq].strip().lower()
        i = eq + 1
        if i < n and text[i] == '"':
            i += 1
            value = []
            while i < n and text[i] != '"':
                if text[i] == "\\" and i + 1 < n:
                    i += 1
                value.append(text[i])
                i += 1
            i += 1
            params[key] = "".join(value)
        else:
            end = text.find(",", i)
            end = n if end < 0 else end
            params[key] = text[i:end].strip()
            i = end
    return params


def _digest_header(challenge: dict[str, str], auth: Credentials, method: str, url: str, count: int) -> str:
    algorithm = challenge.get("algorithm", "MD5")
    name = algorithm.upper().removesuffix("-SESS")
    digest = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}.get(name)
    if digest is None:
        raise EndpointError(f"{url} asks for Digest with {algorithm}, which szsemi does not speak")

    def h(text: str) -> str:
        return digest(text.encode("utf-8")).hexdigest()

    parts = urllib.parse.urlsplit(url)
    uri = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    realm, nonce = challenge.get("realm", ""), challenge.get("nonce", "")
    cnonce = os.urandom(8).hex()
    nc = f"{count:08x}"
    a1 = h(f"{auth.user}:{realm}:{auth.password}")
    if algorithm.upper().endswith("-SESS"):
        a1 = h(f"{a1}:{nonce}:{cnonce}")
    a2 = h(f"{method}:{uri}")
    qops = [q.strip() for q in challenge.get("qop", "").split(",") if q.strip()]
    if qops and "auth" not in qops:
        raise EndpointError(f"{url} asks for Digest qop {challenge['qop']!r}; szsemi speaks qop=auth")
    fields = [
        f'username="{auth.user}"',
        f'realm="{realm}"',
        f'nonce="{nonce}"',
        f'uri="{uri}"',
        f"algorithm={algorithm}",
    ]
    if qops:
        fields += [
            f'response="{h(f"{a1}:{nonce}:{nc}:{cnonce}:auth:{a2}")}"',
            "qop=auth",
            f"nc={nc}",
            f'cnonce="{cnonce}"',
        ]
    else:
        fields.append(f'response="{h(f"{a1}:{nonce}:{a2}")}"')
    if "opaque" in challenge:
        fields.append(f'opaque="{challenge["opaque"]}"')
    return "Digest " + ", ".join(fields)
