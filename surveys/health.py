"""Probes for the load balancer and the orchestrator.

`/healthz`: the process answers (touches nothing, so a slow database never restarts workers).
`/readyz`: the database answers `SELECT 1`, and Redis answers PING when REDIS_URL is set;
503 names the check that failed. The checks run side by side and /readyz answers within
READY_TIMEOUT_S whatever the servers do, well within a load balancer's own timeout.

Probes get no session at all (the login manager reads it after every request, which would add
`Vary: Cookie`), so they neither set a cookie nor vary on one.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from flask import Blueprint, Flask, Request, current_app, jsonify
from flask.sessions import SessionInterface, SessionMixin
from sqlalchemy import text

from . import csrf
from .db import engine_for

bp = Blueprint("health", __name__)
csrf.exempt(bp)
PROBE_PATHS = frozenset({"/healthz", "/readyz"})

# /readyz answers within this, whatever the servers do; Redis gets shorter socket timeouts.
READY_TIMEOUT_S = 2.0
REDIS_TIMEOUT_S = 1.0
# Checks still waiting on a server that stopped answering: beyond this many of one kind, later
# probes answer "timeout" at once instead of starting more threads.
MAX_PENDING_CHECKS = 4
_pending = {name: threading.BoundedSemaphore(MAX_PENDING_CHECKS) for name in ("database", "redis")}


class SessionsExceptProbes:
    """The app's session interface, except that probes get the null session: Flask then
    neither reads their cookie nor writes a cookie or `Vary: Cookie` on their answer.
    Everything else is the wrapped interface's."""

    def __init__(self, inner: SessionInterface):
        self.inner = inner

    def __getattr__(self, name: str):
        return getattr(self.inner, name)

    def open_session(self, app: Flask, request: Request) -> SessionMixin | None:
        if request.path in PROBE_PATHS:
            return self.inner.make_null_session(app)
        return self.inner.open_session(app, request)


@bp.record_once
def _probes_without_session(state) -> None:
    if not isinstance(state.app.session_interface, SessionsExceptProbes):
        state.app.session_interface = SessionsExceptProbes(state.app.session_interface)


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
def healthz():
    return _no_store(jsonify(status="ok"))


@bp.get("/readyz")
def readyz():
    app = current_app._get_current_object()
    checks = {"database": lambda: _ping_database(app)}
    if app.config.get("REDIS_URL"):
        checks["redis"] = lambda: _ping_redis(app.config["REDIS_URL"])
    states = _run_checks(checks, READY_TIMEOUT_S)
    failed = [name for name, state in states.items() if state != "ok"]
    body = {"status": "unavailable" if failed else "ok", "checks": states}
    if failed:
        body["failed"] = failed
    return _no_store(jsonify(body)), 503 if failed else 200


def _ping_database(app) -> None:
    with engine_for(app).connect() as connection:
        connection.execute(text("SELECT 1"))


def _ping_redis(url: str) -> None:
    import redis  # the "worker" extra; only needed when REDIS_URL is set

    client = redis.Redis.from_url(
        url, socket_connect_timeout=REDIS_TIMEOUT_S, socket_timeout=REDIS_TIMEOUT_S
    )
    try:
        client.ping()
    finally:
        client.close()


def _run_checks(checks: dict[str, Callable[[], None]], seconds: float) -> dict[str, str]:
    """Run the checks side by side, each in a thread; each is "ok", "failed" (the error goes
    to the log, not to the caller), or "timeout" when it has not finished after `seconds`.
    A check still running then (a connect timeout, a wait for a pooled connection) finishes
    in the background and only logs."""
    logger = current_app.logger
    outcomes: dict[str, str] = {}

    def run(name: str, check: Callable[[], None]) -> None:
        try:
            check()
            outcomes[name] = "ok"
        except Exception as error:  # any failure means not ready
            logger.warning("readiness check %s failed: %s", name, error)
            outcomes[name] = "failed"
        finally:
            _pending[name].release()

    workers = []
    for name, check in checks.items():
        if _pending[name].acquire(blocking=False):
            worker = threading.Thread(
                target=run, args=(name, check), name=f"readyz-{name}", daemon=True
            )
            worker.start()
            workers.append(worker)
    deadline = time.monotonic() + seconds
    for worker in workers:
        worker.join(max(0.0, deadline - time.monotonic()))
    return {name: outcomes.get(name, "timeout") for name in checks}
