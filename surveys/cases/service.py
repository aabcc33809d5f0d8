"""Working a case: change its status, owner, due date and outcome; add notes.

Each change is a line of the case's timeline and a `case.updated` webhook event; a change of
status is also an audit event. Closing a case (resolved, won't fix) needs an outcome: what
was done, or why nothing will be. The caller validates the form and commits.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .. import audit
from ..models import (
    CASE_STATUSES,
    CLOSED_STATUSES,
    AlertRule,
    CaseEvent,
    FollowUpCase,
    Questionnaire,
    User,
    aware,
    utcnow,
)
from ..webhooks.events import record
from .payloads import case_data

OUTCOME_MAX = 2000
# A rule's delay unless the researcher says otherwise: two days to call a detractor back.
DEFAULT_DUE_HOURS = 48
NOTE_MAX = 2000


def update_case(
    session: Session,
    case: FollowUpCase,
    actor: User | None,
    *,
    status: str,
    owner_id: int | None,
    due_at: datetime,
    outcome: str,
    now: datetime | None = None,
) -> list[str]:
    """Apply what changed; return the names of the fields that did (empty: nothing)."""
    if status not in CASE_STATUSES:
        raise ValueError(f"unknown case status {status!r}")
    now = now or utcnow()
    outcome = (outcome or "").strip()
    changed = []

    def log(kind: str, before, after, text: str = "") -> None:
        case.events.append(
            CaseEvent(
                kind=kind,
                at=now,
                author_id=actor.id if actor else None,
                author_email=actor.email if actor else "",
                text=text,
                details={"from": before, "to": after},
            )
        )
        changed.append(kind)

    if status != case.status:
        before = case.status
        case.status = status
        if status in CLOSED_STATUSES and before not in CLOSED_STATUSES:
            case.closed_at = now
        elif status not in CLOSED_STATUSES:
            case.closed_at = None
        log("status", before, status)
        audit.record(
            session,
            "case_status_changed",
            actor=actor,
            target=f"case:{case.id}",
            details={"case_id": case.id, "from": before, "to": status},
        )
    if owner_id != case.owner_id:
        old = session.get(User, case.owner_id) if case.owner_id else None
        new = session.get(User, owner_id) if owner_id else None
        case.owner_id = owner_id
        case.owner = new
        log("owner", old.email if old else None, new.email if new else None)
    if aware(due_at) != aware(case.due_at):
        before = aware(case.due_at).isoformat()
        case.due_at = due_at
        log("due", before, aware(due_at).isoformat())
    if outcome != (case.outcome or ""):
        case.outcome = outcome
        log("outcome", None, None, outcome)
    if changed:
        case.updated_at = now
        session.flush()
        record(session, "case.updated", case_data(case))
    return changed


def add_note(session: Session, case: FollowUpCase, actor: User | None, text: str) -> CaseEvent:
    note = CaseEvent(
        kind="note",
        at=utcnow(),
        author_id=actor.id if actor else None,
        author_email=actor.email if actor else "",
        text=text.strip(),
    )
    case.events.append(note)
    case.updated_at = note.at
    return note


def erase_cases(session: Session, response_ids: list[int]) -> int:
    """Delete the cases (and their timelines) opened from these responses; how many went.

    Called before the responses are erased or purged: a case holds the customer's reference
    and what staff wrote about them, so it goes with the answers it came from.
    """
    if not response_ids:
        return 0
    ids = list(
        session.scalars(select(FollowUpCase.id).where(FollowUpCase.response_id.in_(response_ids)))
    )
    if ids:
        session.execute(delete(CaseEvent).where(CaseEvent.case_id.in_(ids)))
        session.execute(
            delete(FollowUpCase)
            .where(FollowUpCase.id.in_(ids))
            .execution_options(synchronize_session=False)
        )
        for case in [o for o in session.identity_map.values() if isinstance(o, FollowUpCase)]:
            if case.id in ids:
                session.expunge(case)
    return len(ids)


def customer_cases(session: Session, response_ids: list[int]) -> list[dict]:
    """The follow-up cases opened from these responses, with their timelines, as a customer's
    data export shows them (what staff did and wrote about the customer)."""
    if not response_ids:
        return []
    found = session.scalars(
        select(FollowUpCase)
        .where(FollowUpCase.response_id.in_(response_ids))
        .order_by(FollowUpCase.id)
    )

    def when(moment):
        return aware(moment).isoformat() if moment is not None else None

    return [
        {
            "id": case.id,
            "response_id": case.response_id,
            "rule": case.rule_name,
            "status": case.status,
            "outcome": case.outcome or None,
            "opened_at": when(case.opened_at),
            "due_at": when(case.due_at),
            "closed_at": when(case.closed_at),
            "notes": [{"at": when(e.at), "text": e.text} for e in case.events if e.kind == "note"],
        }
        for case in found
    ]


def default_rule(
    questionnaire: Questionnaire,
    qtype: str,
    key: str,
    low: int,
    high: int,
    name: str,
    owner_id: int | None = None,
) -> AlertRule:
    """A stage template's rule (e.g. NPS 0-6) on question `key`, due in 48 hours."""
    return AlertRule(
        questionnaire_id=questionnaire.id,
        name=name,
        kind="score",
        question_key=key,
        min_score=low,
        max_score=high,
        theme_keys=[],
        touchpoint_owners={},
        owner_id=owner_id,
        due_in_hours=DEFAULT_DUE_HOURS,
        active=True,
    )
