"""API tokens: a user's key for scripts, shops and CRMs, with the scopes it may use."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow
from .user import User

SCOPES = (
    "invitations:write",
    "responses:write",
    "questionnaires:read",
    "questionnaires:write",
    "reports:read",
    "webhooks:write",
)

# What each role may grant its tokens: a token never does more than its user could.
ROLE_SCOPES = {
    "admin": SCOPES,
    "researcher": (
        "invitations:write",
        "responses:write",
        "questionnaires:read",
        "questionnaires:write",
        "reports:read",
    ),
    "cx_lead": ("questionnaires:read", "reports:read"),
}


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    # The first characters of the token, shown in lists so a user can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    # SHA-256 of the token: it has 256 random bits, so a slow hash adds nothing.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    @property
    def granted(self) -> set[str]:
        """The scopes in force: those of the token its user's role still allows."""
        return set(self.scopes) & set(ROLE_SCOPES.get(self.user.role, ()))
