"""Recording webhook events in the caller's transaction (filled in by the webhooks work)."""

from __future__ import annotations

from sqlalchemy.orm import Session

EVENTS = (
    "response.completed",
    "response.partial",
    "case.opened",
    "case.updated",
    "pain_point.updated",
)


def record(session: Session, event: str, data: dict) -> None:
    """Record `event` for every webhook listening to it, in the session's transaction."""
