"""Invitations not created because their customer was surveyed recently (the cooldown)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class SuppressedInvitation(Base):
    """One invitation the cooldown kept from being created: counted and listed per
    questionnaire on its invitations page."""

    __tablename__ = "suppressed_invitations"
    __table_args__ = (
        Index("ix_suppressed_invitations_questionnaire_created", "questionnaire_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaires.id", ondelete="CASCADE")
    )
    customer_ref: Mapped[str] = mapped_column(String(200))
    # "cooldown", and where it came from: form, csv, api.
    reason: Mapped[str] = mapped_column(String(40), default="cooldown")
    source: Mapped[str] = mapped_column(String(10))
    # When the customer was last surveyed (the start of the cooldown that applied).
    surveyed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
