"""Pain points: a theme at a stage x touchpoint that CX leads follow to resolution."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow
from .journey import Journey, Stage, Touchpoint

PAIN_POINT_STATUSES = ("open", "in_progress", "resolved")


class PainPoint(Base):
    """The follow-up of one theme at one place of the journey.

    Its figures (frequency, severity, trend) are computed from the answers for the period
    being read; this row keeps what people decide about it: owner, status and note.
    """

    __tablename__ = "pain_points"
    # touchpoint_id may be NULL (the whole stage): uniqueness is also checked in code.
    __table_args__ = (UniqueConstraint("journey_id", "stage_id", "touchpoint_id", "theme_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    journey_id: Mapped[int] = mapped_column(ForeignKey("journeys.id", ondelete="CASCADE"))
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id"))
    touchpoint_id: Mapped[int | None] = mapped_column(ForeignKey("touchpoints.id"))
    theme_key: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(20), default="open")
    owner: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    # Set when answers carry the theme again after it was resolved.
    reopened_at: Mapped[datetime | None]

    journey: Mapped[Journey] = relationship()
    stage: Mapped[Stage] = relationship()
    touchpoint: Mapped[Touchpoint | None] = relationship()
    evidence: Mapped[list[PainPointEvidence]] = relationship(
        back_populates="pain_point", cascade="all, delete-orphan"
    )


class PainPointEvidence(Base):
    """An answer attached by hand as evidence, e.g. a coded interview note."""

    __tablename__ = "pain_point_evidence"

    pain_point_id: Mapped[int] = mapped_column(
        ForeignKey("pain_points.id", ondelete="CASCADE"), primary_key=True
    )
    answer_id: Mapped[int] = mapped_column(
        ForeignKey("answers.id", ondelete="CASCADE"), primary_key=True
    )
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    pain_point: Mapped[PainPoint] = relationship(back_populates="evidence")
