"""What staff did that an administrator may have to account for: logins, role changes,
exports, erasures and purges (who, when, what)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow

AUDIT_ACTIONS = (
    "login",
    "login_failed",
    "logout",
    "user_created",
    "role_changed",
    "user_deactivated",
    "user_reactivated",
    "token_revoked",
    "export",
    "customer_export",
    "erasure",
    "purge",
    "case_status_changed",
    "webhook_created",
    "webhook_enabled",
    "webhook_disabled",
    "webhook_deleted",
    "webhook_tested",
)


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # The account may be deleted later; its email at the time stays readable.
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    actor_email: Mapped[str] = mapped_column(String(254), default="")
    action: Mapped[str] = mapped_column(String(40), index=True)
    target: Mapped[str] = mapped_column(String(200), default="")
    details: Mapped[dict] = mapped_column(default=dict)
    address: Mapped[str | None] = mapped_column(String(64))
