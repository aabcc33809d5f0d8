"""Rate limits per token (per address for calls without one), in memory or in Redis."""

from __future__ import annotations

import hashlib

from flask import Flask, current_app, request
from flask_limiter import Limiter

from .auth import bearer_value, live_token


def _caller() -> str:
    raw = bearer_value()
    # Only a live token gets its own budget: made-up ones count against the address, or a
    # caller could dodge the limit by changing the token on every call.
    if raw and live_token(raw) is not None:
        # A digest, so the raw token never sits in the limiter's storage.
        return "token:" + hashlib.sha256(raw.encode()).hexdigest()[:32]
    return "addr:" + (request.remote_addr or "unknown")


def _limit() -> str:
    return current_app.config["API_RATE_LIMIT"]


def init_limits(app: Flask, blueprint) -> Limiter:
    """One limiter per app; storage from REDIS_URL when set, so all workers share counts."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter = Limiter(_caller, app=app)
    limiter.limit(_limit)(blueprint)
    return limiter
