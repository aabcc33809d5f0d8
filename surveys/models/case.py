"""Alert rules and the follow-up cases they open: closing the loop with one unhappy customer.

A questionnaire's `AlertRule` says which answers call for someone to get back to the
customer (an NPS of 0-6, a CSAT of 1-2, a CES of 1-3, a negative text about a chosen theme);
a response that matches opens a `FollowUpCase` with an owner and a due date. The case keeps a
copy of what its owner needs (customer reference, invitation metadata, where in the journey),
so it reads the same after the questionnaire changes; its `CaseEvent`s are its timeline.
A case belongs to its response: erasing or purging the response removes the case.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, aware, utcnow
from .journey import Stage, Touchpoint
from .questionnaire import Questionnaire
from .response import Response
from .user import User

RULE_KINDS = ("score", "negative_text")
CASE_STATUSES = ("open", "contacted", "resolved", "wont_fix")
CLOSED_STATUSES = ("resolved", "wont_fix")
CASE_EVENT_KINDS = ("opened", "note", "status", "owner", "due", "outcome")


class AlertRule(Base):
    """When a response of the questionnaire opens a case, who owns it and by when."""

    __tablename__ = "alert_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaires.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))  # RULE_KINDS
    # score: the question and the range (both ends included) that open a case.
    # negative_text: the text question to read (None: any text answer).
    question_key: Mapped[str | None] = mapped_column(String(40))
    min_score: Mapped[int | None]
    max_score: Mapped[int | None]
    # negative_text: a polarity below this also counts as negative (None: the label only).
    polarity_below: Mapped[float | None] = mapped_column(Float)
    # negative_text: the answer must carry one of these themes (empty: any negative text).
    theme_keys: Mapped[list] = mapped_column(default=list)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # {touchpoint id (as text): user id}: the owner of cases about that touchpoint.
    touchpoint_owners: Mapped[dict] = mapped_column(default=dict)
    due_in_hours: Mapped[int] = mapped_column(default=48)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    questionnaire: Mapped[Questionnaire] = relationship()
    owner: Mapped[User | None] = relationship()


class FollowUpCase(Base):
    """One customer to get back to, opened by a rule from one response."""

    __tablename__ = "follow_up_cases"
    __table_args__ = (
        # A rule opens at most one case per response, whatever replays and rescoring do.
        UniqueConstraint("rule_id", "response_id"),
        # The list, sorted by due date within a status; the map's GROUP BY per cell.
        Index("ix_follow_up_cases_status_due", "status", "due_at"),
        Index("ix_follow_up_cases_cell", "stage_id", "touchpoint_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # A deleted rule leaves its cases (with its name) to be finished.
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("alert_rules.id", ondelete="SET NULL"))
    rule_name: Mapped[str] = mapped_column(String(120), default="")
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), index=True
    )
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaires.id", ondelete="CASCADE"), index=True
    )
    journey_id: Mapped[int] = mapped_column(ForeignKey("journeys.id", ondelete="CASCADE"))
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id"))
    touchpoint_id: Mapped[int | None] = mapped_column(ForeignKey("touchpoints.id"))
    # Empty, with `anonymous`, when the questionnaire keeps no one's identity.
    customer_ref: Mapped[str] = mapped_column(String(200), default="")
    anonymous: Mapped[bool] = mapped_column(default=False)
    # The invitation's and response's metadata when the case opened (order id, channel...).
    meta: Mapped[dict] = mapped_column(default=dict)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    due_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20), default="open")
    outcome: Mapped[str] = mapped_column(Text, default="")
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    rule: Mapped[AlertRule | None] = relationship()
    response: Mapped[Response] = relationship()
    questionnaire: Mapped[Questionnaire] = relationship()
    stage: Mapped[Stage] = relationship()
    touchpoint: Mapped[Touchpoint | None] = relationship()
    owner: Mapped[User | None] = relationship()
    events: Mapped[list[CaseEvent]] = relationship(
        back_populates="case",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="CaseEvent.id",
    )

    @property
    def closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    def overdue(self, now: datetime) -> bool:
        return not self.closed and aware(self.due_at) < now


class CaseEvent(Base):
    """A line of a case's timeline: opened, a note, a change of status, owner, due date."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("follow_up_cases.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    # The account may go; its email at the time stays readable (none: the rule itself).
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    author_email: Mapped[str] = mapped_column(String(254), default="")
    kind: Mapped[str] = mapped_column(String(20))  # CASE_EVENT_KINDS
    text: Mapped[str] = mapped_column(Text, default="")
    # For changes: {"from": ..., "to": ...}.
    details: Mapped[dict] = mapped_column(default=dict)

    case: Mapped[FollowUpCase] = relationship(back_populates="events")
