"""What protects the browser side: security headers on every response, HTTPS seen through a
proxy, a secret key that is not a default, secure cookies, and login attempts limited.

`init_app` runs at the end of `create_app`, once the login view and the API's rate limiter
exist: failed logins are counted by that same limiter (memory, or Redis when REDIS_URL is set).
"""

from __future__ import annotations

import hashlib

from flask import Flask, Response, request
from werkzeug.middleware.proxy_fix import ProxyFix

# Pages: our own stylesheet and nothing inline (the survey page has no JavaScript at all).
HTML_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
# The JSON API is never a document: nothing in it may load or run.
API_CSP = "default-src 'none'; frame-ancestors 'none'"
# An SVG opened from our origin is a document that could run script: it never may. Charts
# drawn by matplotlib carry their styles inline, as the QR codes do (their route sets it too).
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'"
HSTS = "max-age=31536000; includeSubDomains"
# Respondent pages carry invitation tokens in their URLs: never sent on to another site.
RESPONDENT_BLUEPRINT = "respond"

MIN_SECRET_KEY_LENGTH = 32
# Placeholders seen in tutorials, examples and our own tests (compared lowercased, stripped).
KNOWN_SECRET_KEYS = frozenset(
    {
        "dev",
        "development",
        "secret",
        "secret-key",
        "secret_key",
        "secretkey",
        "changeme",
        "change-me",
        "change_me",
        "changeit",
        "password",
        "test",
        "testing",
        "test-secret-key",
        "not-a-secret",
        "your-secret-key",
        "your-secret-key-here",
        "replace-me-with-a-long-random-string",
        # The one printed by Flask's documentation as an example of a generated key.
        "192b9bdd22ab9ed4d12e236c78afcb9a393ec15f71bbf5dc987d54727823bcbf",
    }
)


class InsecureSecretKey(RuntimeError):
    """The app would sign sessions and CSRF tokens with a key anyone can guess."""


def init_app(app: Flask) -> None:
    check_secret_key(app)
    _trust_proxies(app)
    _secure_cookies(app)
    _limit_logins(app)
    app.after_request(security_headers)


def check_secret_key(app: Flask) -> None:
    """Refuse to serve with a missing, short or well-known SECRET_KEY outside tests and debug.

    The key written to instance/secret_key on the first run (64 random hex digits) passes.
    """
    if app.testing or app.debug:
        return
    key = app.config.get("SECRET_KEY") or ""
    if isinstance(key, bytes):
        key = key.decode("utf-8", "replace")
    if len(key) >= MIN_SECRET_KEY_LENGTH and key.strip().lower() not in KNOWN_SECRET_KEYS:
        return
    problem = (
        "missing"
        if not key
        else "a well-known default"
        if key.strip().lower() in KNOWN_SECRET_KEYS
        else f"shorter than {MIN_SECRET_KEY_LENGTH} characters"
    )
    raise InsecureSecretKey(
        f"SECRET_KEY is {problem}: anyone could forge sessions and CSRF tokens with it. "
        "Set SECRET_KEY to a long random value "
        "(python -c 'import secrets; print(secrets.token_hex(32))'), or unset it to use "
        f"the random key written to {app.instance_path}/secret_key on the first run. "
        "(FLASK_DEBUG=1 or TESTING skip this check.)"
    )


def _trust_proxies(app: Flask) -> None:
    """Behind PROXY_FIX proxies, read the client's address and scheme from X-Forwarded-For
    and X-Forwarded-Proto (as set by the last PROXY_FIX hops); never otherwise, or any
    client could claim HTTPS or another address."""
    proxies = int(app.config.get("PROXY_FIX") or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)


def _secure_cookies(app: Flask) -> None:
    """Decided once at startup: cookies are Secure when asked, or when the public address is
    HTTPS (a browser then never sends them over plain HTTP, so the site must be served over
    HTTPS only)."""
    https = str(app.config.get("PUBLIC_BASE_URL") or "").lower().startswith("https://")
    secure = bool(app.config.get("SESSION_COOKIE_SECURE")) or https
    app.config["SESSION_COOKIE_SECURE"] = secure
    # Flask-Login's "keep me logged in" cookie is a login too.
    app.config.setdefault("REMEMBER_COOKIE_SECURE", secure)


def security_headers(response: Response) -> Response:
    """Headers for every response; a header the view set itself (the QR code's stricter
    CSP) is kept."""
    headers = response.headers
    mimetype = response.mimetype or ""
    headers.setdefault("X-Content-Type-Options", "nosniff")
    if mimetype == "text/html":
        headers.setdefault("Content-Security-Policy", HTML_CSP)
        headers.setdefault("X-Frame-Options", "DENY")
    elif mimetype == "application/json" or mimetype.endswith("+json"):
        headers.setdefault("Content-Security-Policy", API_CSP)
    elif mimetype == "image/svg+xml":
        headers.setdefault("Content-Security-Policy", SVG_CSP)
    respondent = request.blueprint == RESPONDENT_BLUEPRINT
    headers.setdefault(
        "Referrer-Policy", "no-referrer" if respondent else "strict-origin-when-cross-origin"
    )
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


# --- login attempts ----------------------------------------------------------------------


def _login_address() -> str:
    return "login-addr:" + (request.remote_addr or "unknown")


def _login_email() -> str:
    """The address typed, as the login view reads it; a digest, so no email sits in Redis."""
    email = (request.form.get("email") or "").strip().lower()
    return "login-email:" + hashlib.sha256(email.encode()).hexdigest()[:32]


def _login_failed(response: Response) -> bool:
    """Only a refused login counts: the same 401 for an unknown email and a wrong password,
    so the counts say nothing about which accounts exist."""
    return response.status_code == 401


def _limit_logins(app: Flask) -> None:
    """Failed logins per address and per email, counted by the API's limiter (same storage).

    Each login is first tested against both limits without counting; a 401 then counts
    against both. Once either is used up, every login from that address or for that email
    is answered 429 with Retry-After until its window passes, even with the right password.
    """
    limiter = app.extensions["parcours_limiter"]
    view = app.view_functions["auth.login"]
    for setting, key in (
        ("LOGIN_LIMIT_PER_ADDRESS", _login_address),
        ("LOGIN_LIMIT_PER_EMAIL", _login_email),
    ):
        view = limiter.limit(
            app.config[setting], key_func=key, methods=["POST"], deduct_when=_login_failed
        )(view)
    app.view_functions["auth.login"] = view
