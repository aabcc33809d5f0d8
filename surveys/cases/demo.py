"""The demo's follow-up cases: the stage templates' rules, and cases worked like real ones.

The demo loads its responses in bulk, around `store_response`, so its cases are opened
afterwards from the recent responses (dated from them, announced to nobody), then given
owners, statuses and outcomes drawn from the seed: some closed in time, some late, some
still open past their due date.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import AlertRule, CaseEvent, Questionnaire, User, aware
from .opening import open_cases_for_existing
from .rules import defaults_for
from .service import default_rule

RULE_NAMES = {
    "nps": "NPS detractor (0-6)",
    "csat": "Dissatisfied (CSAT 1-2)",
    "ces": "Hard to do (CES 1-3)",
}
DELIVERY_THEMES = ["damaged_package", "late_delivery", "lost_parcel", "missing_item"]
OUTCOMES = {
    "resolved": (
        "Called the customer, apologised and refunded the delivery fee.",
        "Replacement sent by express; the customer thanked us.",
        "Explained the delay; order delivered the next day.",
        "Voucher of 10 EUR offered and accepted.",
    ),
    "wont_fix": (
        "No answer after three calls and an email.",
        "The customer did not want to be contacted.",
    ),
}
RECENT_DAYS = 14
RECENT_DAYS_LARGE = 2  # a million responses: a lifelike list, not a hundred thousand cases


def _ensure_rules(session: Session, questionnaire: Questionnaire, owner: User | None) -> None:
    if session.scalar(
        select(func.count(AlertRule.id)).where(AlertRule.questionnaire_id == questionnaire.id)
    ):
        return
    owner_id = owner.id if owner else None
    for qtype, key, low, high in defaults_for(questionnaire.current_version.questions):
        session.add(default_rule(questionnaire, qtype, key, low, high, RULE_NAMES[qtype], owner_id))
    touchpoint = questionnaire.touchpoint
    if touchpoint is not None and touchpoint.key == "delivery":
        session.add(
            AlertRule(
                questionnaire_id=questionnaire.id,
                name="Parcel problem in the comment",
                kind="negative_text",
                question_key=None,
                theme_keys=DELIVERY_THEMES,
                touchpoint_owners={},
                owner_id=owner.id if owner else None,
                due_in_hours=24,
            )
        )
    session.flush()


def seed_demo_cases(
    session: Session,
    questionnaires: Sequence[Questionnaire],
    owner: User | None,
    seed: int,
    responses: int,
    now: datetime | None = None,
) -> int:
    """Rules on the demo questionnaires (once) and cases for their recent responses; the
    caller commits. Returns how many cases opened."""
    now = now or datetime.now(UTC)
    rng = random.Random(seed * 7919 + 17)  # noqa: S311 - reproducible demo data
    days = RECENT_DAYS if responses <= 20_000 else RECENT_DAYS_LARGE
    opened = []
    for questionnaire in questionnaires:
        _ensure_rules(session, questionnaire, owner)
        opened += open_cases_for_existing(
            session,
            questionnaire,
            since=now - timedelta(days=days),
            at_submission=True,
            notify=False,
        )
    for case in sorted(opened, key=lambda c: c.id):
        _work(case, owner, rng, now)
    session.flush()
    return len(opened)


def _work(case, owner: User | None, rng: random.Random, now: datetime) -> None:
    """What the CX team did with the case so far, drawn from `rng`."""
    case.owner_id = owner.id if owner and rng.random() < 0.85 else None
    opened, due = aware(case.opened_at), aware(case.due_at)
    author = {
        "author_id": owner.id if owner else None,
        "author_email": owner.email if owner else "",
    }
    if due <= now and rng.random() < 0.75:
        late = rng.random() < 0.2
        span = (due - opened).total_seconds()
        delay = span * (rng.uniform(1.05, 2.5) if late else rng.uniform(0.1, 0.95))
        closed_at = min(opened + timedelta(seconds=delay), now)
        status = "resolved" if rng.random() < 0.8 else "wont_fix"
        case.status, case.closed_at, case.updated_at = status, closed_at, closed_at
        case.outcome = rng.choice(OUTCOMES[status])
        case.events.append(
            CaseEvent(kind="status", at=closed_at, details={"from": "open", "to": status}, **author)
        )
    elif rng.random() < 0.45:
        contacted = min(opened + timedelta(hours=rng.uniform(1, 30)), now)
        case.status, case.updated_at = "contacted", contacted
        case.events.append(
            CaseEvent(
                kind="status", at=contacted, details={"from": "open", "to": "contacted"}, **author
            )
        )
        case.events.append(
            CaseEvent(
                kind="note",
                at=contacted,
                text="Left a voicemail; will call again tomorrow.",
                **author,
            )
        )
