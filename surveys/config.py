"""Settings: defaults here, then instance/config.py, then the environment."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def flag(value: str) -> bool:
    """A yes/no setting from the environment: "1" or "true" (any case) turn it on."""
    return value.strip().lower() in ("1", "true")


# Settings that the environment may override, with how to read them.
ENV_SETTINGS = {
    "DATABASE_URL": str,
    "DATABASE_REPLICA_URL": str,
    "DB_POOL_SIZE": int,
    "DB_MAX_OVERFLOW": int,
    "DB_POOL_RECYCLE": int,
    "DB_STATEMENT_TIMEOUT_MS": int,
    "SECRET_KEY": str,
    "REDIS_URL": str,
    "PUBLIC_BASE_URL": str,
    "MIN_ANSWERS_PER_CELL": int,
    "API_RATE_LIMIT": str,
    "LOGIN_LIMIT_PER_ADDRESS": str,
    "LOGIN_LIMIT_PER_EMAIL": str,
    "PROXY_FIX": int,
    "SESSION_COOKIE_SECURE": flag,
    "MAIL_SERVER": str,
    "MAIL_PORT": int,
    "MAIL_USE_TLS": flag,
    "MAIL_USERNAME": str,
    "MAIL_PASSWORD": str,
    "MAIL_FROM": str,
    "CUSTOMER_COOLDOWN_DAYS": int,
    "REMINDER_INTERVAL_SECONDS": int,
    "WEBHOOK_ALLOWED_HOSTS": str,
    "WEBHOOK_DELIVERY": str,
}


def default_settings(instance_path: str) -> dict:
    """The defaults serve one machine: SQLite in the instance folder, scoring inline."""
    return {
        "DATABASE_URL": "sqlite:///" + os.path.join(instance_path, "parcours.sqlite"),
        # A read-only replica for the heavy reads (the journey map); none by default.
        "DATABASE_REPLICA_URL": None,
        # Per worker process: DB_POOL_SIZE connections kept, DB_MAX_OVERFLOW more under load
        # (workers x both must fit the server's max_connections), replaced after
        # DB_POOL_RECYCLE seconds. PostgreSQL cancels statements running longer than
        # DB_STATEMENT_TIMEOUT_MS (0: never).
        "DB_POOL_SIZE": 5,
        "DB_MAX_OVERFLOW": 10,
        "DB_POOL_RECYCLE": 1800,
        "DB_STATEMENT_TIMEOUT_MS": 30000,
        "REDIS_URL": None,
        # Absolute public links (CLI, exports) need a base URL outside a request.
        "PUBLIC_BASE_URL": "http://127.0.0.1:5000",
        "MIN_ANSWERS_PER_CELL": 30,
        "WTF_CSRF_TIME_LIMIT": 3600,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Bodies larger than this are refused with 413 before any parsing.
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        # Per API token (per address without one); Redis shares the counts when REDIS_URL is set.
        "API_RATE_LIMIT": "600 per minute",
        # Failed logins (only failures count) before every login from that address, or for
        # that email, is answered 429 until the window passes.
        "LOGIN_LIMIT_PER_ADDRESS": "10 per 15 minutes",
        "LOGIN_LIMIT_PER_EMAIL": "5 per 15 minutes",
        # How many reverse proxies stand in front of the app: their X-Forwarded-For and
        # X-Forwarded-Proto are believed (client address, HTTPS). 0: no header is believed.
        "PROXY_FIX": 0,
        # Cookies are Secure when this is on or PUBLIC_BASE_URL is https (decided at startup).
        "SESSION_COOKIE_SECURE": False,
        # Invitations are emailed only when MAIL_SERVER is set; otherwise their links are
        # exported for the shop's own mailer. MAIL_USE_TLS means STARTTLS on MAIL_PORT.
        "MAIL_SERVER": None,
        "MAIL_PORT": 25,
        "MAIL_USE_TLS": False,
        "MAIL_USERNAME": None,
        "MAIL_PASSWORD": None,
        "MAIL_FROM": "Parcours <no-reply@localhost>",
        # A customer invited (to any questionnaire) or who answered within this many days
        # gets no new invitation unless forced (0: no cooldown).
        "CUSTOMER_COOLDOWN_DAYS": 30,
        # How often the workers look for reminders to send (REDIS_URL; else cron runs
        # `flask --app surveys send-reminders`).
        "REMINDER_INTERVAL_SECONDS": 300,
        # Webhooks may not call loopback, private, link-local or metadata addresses, except
        # these hosts (comma-separated host names or IPs, e.g. "127.0.0.1,hooks.internal").
        "WEBHOOK_ALLOWED_HOSTS": "",
        # How deliveries leave after the commit that recorded them: "queue" (RQ, the
        # default when REDIS_URL is set), "thread" (a background thread of this process,
        # the default otherwise) or "inline" (in the caller, after its commit: tests).
        "WEBHOOK_DELIVERY": None,
    }


def settings_from_environment() -> dict:
    """Read the overridable settings that are set in the environment."""
    found = {}
    for name, cast in ENV_SETTINGS.items():
        value = os.environ.get(name)
        if value:
            found[name] = cast(value)
    return found


def instance_secret_key(instance_path: str) -> str:
    """Return the install's secret key, writing a random one on first run.

    The key lives in the instance folder so no secret ever sits in the repository.
    """
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    path.write_text(key + "\n")
    path.chmod(0o600)
    return key
