"""Issuing, finding and revoking API tokens (the CLI, the tokens page and the API share it)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from .i18n import ROLE_NAMES
from .messages import N_, Message
from .models import ROLE_SCOPES, SCOPES, ApiToken, User, aware, utcnow

TOKEN_PREFIX = "pc_"  # noqa: S105  (a marker that tells tokens apart, not a secret)
TOKEN_BYTES = 32  # 256 random bits
TOKEN_MAX = 100  # longer bearer values are refused before hashing
# Writing last_used_at on every call would turn each read into a write.
LAST_USED_PRECISION = timedelta(minutes=5)


class TokenError(ValueError):
    """A token that cannot be issued as asked: an English `Message` (the CLI's language),
    which the tokens page shows `translated()`."""

    def __init__(self, message: Message):
        super().__init__(message)
        self.message = message


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(
    session: Session, user: User, scopes: Iterable[str], name: str = ""
) -> tuple[ApiToken, str]:
    """A new token for `user`: the stored row and the raw value, which is shown only once."""
    wanted = list(dict.fromkeys(scopes))
    if not wanted:
        raise TokenError(N_("Choose at least one scope."))
    unknown = [s for s in wanted if s not in SCOPES]
    if unknown:
        raise TokenError(
            N_(
                "Unknown scope: %(unknown)s. Scopes: %(scopes)s.",
                unknown=", ".join(unknown),
                scopes=", ".join(SCOPES),
            )
        )
    beyond = [s for s in wanted if s not in ROLE_SCOPES.get(user.role, ())]
    if beyond:
        role = Message.of(user.role, ROLE_NAMES.get(user.role))
        raise TokenError(
            N_("A %(role)s account cannot grant: %(scopes)s.", role=role, scopes=", ".join(beyond))
        )
    if not user.active:
        raise TokenError(N_("This account is deactivated."))
    raw = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    token = ApiToken(
        user_id=user.id,
        name=name.strip()[:100],
        prefix=raw[:10],
        token_hash=token_hash(raw),
        scopes=wanted,
    )
    session.add(token)
    session.commit()
    return token, raw


def find_token(session: Session, raw: str) -> ApiToken | None:
    """The live token behind a bearer value: not revoked, its user active."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > TOKEN_MAX:
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(raw)))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    return token


def note_use(session: Session, token: ApiToken) -> None:
    """Record when the token was last used, at most every few minutes."""
    now = utcnow()
    if token.last_used_at is None or now - aware(token.last_used_at) > LAST_USED_PRECISION:
        token.last_used_at = now
        session.commit()


def revoke_token(session: Session, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.commit()


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    return list(
        session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
        )
    )
