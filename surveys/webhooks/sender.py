"""One signed POST to a checked address: no redirects followed, short timeouts.

The connection goes to the address `guard.target` has just checked, while TLS (SNI and the
certificate) and the Host header use the URL's host name.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import socket
import ssl
import time
from dataclasses import dataclass

from .guard import Target

CONNECT_TIMEOUT = 5.0
TOTAL_TIMEOUT = 10.0
# Only the status matters; a little of the body is read so the connection closes cleanly.
READ_LIMIT = 64 * 1024
USER_AGENT = "Parcours-Webhooks/1.0"


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str | None
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.error is None and self.status_code is not None and 200 <= self.status_code < 300


def signature(secret: str, body: bytes) -> str:
    """The X-Parcours-Signature value: sha256=<hex HMAC-SHA256(secret, raw body)>."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _connect(target: Target, timeout: float) -> socket.socket:
    """A connection to one of the checked addresses, never to a name resolved again."""
    problem: OSError | None = None
    for address in (target.address, *target.fallbacks):
        try:
            return socket.create_connection((address, target.port), timeout)
        except OSError as error:
            problem = error
    raise problem or OSError("no address to connect to")


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._target = target

    def connect(self) -> None:
        self.sock = _connect(self._target, self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float):
        super().__init__(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
        self._target = target

    def connect(self) -> None:
        sock = _connect(self._target, self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(target: Target, body: bytes, headers: dict[str, str]) -> Outcome:
    """POST `body`; a 2xx is a success, anything else (3xx included) a failure."""
    started = time.monotonic()
    deadline = started + TOTAL_TIMEOUT
    kind = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = kind(target, CONNECT_TIMEOUT)
    status: int | None = None
    error: str | None = None
    try:
        connection.connect()
        connection.sock.settimeout(max(0.1, deadline - time.monotonic()))
        connection.request(
            "POST",
            target.path,
            body=body,
            headers={
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                **headers,
            },
        )
        connection.sock.settimeout(max(0.1, deadline - time.monotonic()))
        response = connection.getresponse()
        status = response.status
        remaining = READ_LIMIT
        while remaining > 0 and time.monotonic() < deadline:
            chunk = response.read(min(remaining, 8192))
            if not chunk:
                break
            remaining -= len(chunk)
        if 300 <= status < 400:
            error = "redirects are not followed"
        elif not 200 <= status < 300:
            error = f"HTTP {status}"
    except TimeoutError:
        error = "timed out"
    except ssl.SSLError as problem:
        error = f"TLS: {problem.reason or problem}"
    except (OSError, http.client.HTTPException) as problem:
        error = f"{type(problem).__name__}: {problem}"
    finally:
        connection.close()
    duration = int((time.monotonic() - started) * 1000)
    return Outcome(status, error[:300] if error else None, duration)
