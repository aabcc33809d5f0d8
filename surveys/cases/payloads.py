"""The `data` of the `case.opened` and `case.updated` webhook events."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import object_session

from ..links import public_base
from ..models import FollowUpCase, Stage, Touchpoint, User, aware


def case_url(case_id: int) -> str:
    """The case's page, at the configured public address (insight.case)."""
    return f"{public_base()}/cases/{case_id}"


def _when(moment: datetime | None) -> str | None:
    return aware(moment).isoformat() if moment is not None else None


def case_data(case: FollowUpCase) -> dict:
    """What a CRM needs to pick the case up; no customer reference when it is anonymous."""
    session = object_session(case)
    stage = case.stage or (session.get(Stage, case.stage_id) if session else None)
    touchpoint = case.touchpoint
    if touchpoint is None and case.touchpoint_id is not None and session is not None:
        touchpoint = session.get(Touchpoint, case.touchpoint_id)
    owner = case.owner
    if owner is None and case.owner_id is not None and session is not None:
        owner = session.get(User, case.owner_id)
    data = {
        "id": case.id,
        "status": case.status,
        "rule": {"id": case.rule_id, "name": case.rule_name},
        "questionnaire_id": case.questionnaire_id,
        "journey_id": case.journey_id,
        "stage": stage.key if stage is not None else None,
        "touchpoint": touchpoint.key if touchpoint is not None else None,
        "anonymous": case.anonymous,
        "owner": owner.email if owner is not None else None,
        "due_at": _when(case.due_at),
        "opened_at": _when(case.opened_at),
        "closed_at": _when(case.closed_at),
        "outcome": case.outcome or None,
        "response_id": case.response_id,
        "url": case_url(case.id),
    }
    if not case.anonymous:
        data["customer_ref"] = case.customer_ref or None
    return data
