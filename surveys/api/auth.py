"""Bearer tokens: who calls, and whether their token carries the scope an endpoint needs."""

from __future__ import annotations

from flask import g, request

from ..api_tokens import find_token, note_use
from ..db import get_session
from ..models import ApiToken
from .errors import ApiError

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="parcours"'}


def bearer_value() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def live_token(raw: str) -> ApiToken | None:
    """The live token behind a bearer value, looked up once per request."""
    if "api_token_lookup" not in g:
        g.api_token_lookup = find_token(get_session(), raw)
    return g.api_token_lookup


def authenticate(scope: str) -> ApiToken:
    """The caller's token, checked for `scope`: 401 without a live token, 403 without the scope."""
    raw = bearer_value()
    if raw is None:
        raise ApiError(401, headers=CHALLENGE)
    session = get_session()
    token = live_token(raw)
    if token is None:
        raise ApiError(
            401, "This token is unknown, revoked or its account deactivated.", headers=CHALLENGE
        )
    if scope not in token.granted:
        raise ApiError(403, f"This token lacks the scope {scope}.", code="insufficient_scope")
    note_use(session, token)
    g.api_token = token
    return token


def current_token() -> ApiToken:
    return g.api_token
