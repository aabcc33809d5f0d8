"""Opening follow-up cases from a questionnaire's alert rules (filled in by the cases work)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..models import Response


def open_cases_for(session: Session, response: Response) -> list:
    """The cases `response` opens under its questionnaire's alert rules, added to `session`."""
    return []
