"""The per-customer cooldown: no new invitation for a customer surveyed recently.

A customer (a `customer_ref`, across ALL questionnaires) was "surveyed" at the latest of:
an invitation created for them (sent or not: an invitation created is one the shop means
to send, and its link may already be in the shop's mailer), a response to one of their
invitations, or a response carrying their `customer_ref` in its metadata. Within
CUSTOMER_COOLDOWN_DAYS of that (default 30; 0 turns the cooldown off) a new invitation is
not created unless forced ("send anyway" on the forms, `"force": true` in the API), and
each one kept back is recorded in `suppressed_invitations` for the invitations page.

Lookups go by chunks of customer references (`IN (...)`), one query per chunk and kind,
so a 10,000-row CSV costs a few dozen queries, not 10,000.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, any_, bindparam, func, insert, select, union_all
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from ..messages import N_, Count, Message
from ..models import Invitation, Response, SuppressedInvitation, aware, utcnow
from .service import InvitationRequest

DEFAULT_DAYS = 30
CHUNK = 1000  # references per query (3 IN lists: 3,000 parameters)
PG_CHUNK = 10_000  # PostgreSQL: one array parameter
RECENT_SHOWN = 10


def cooldown_days(config: Mapping) -> int:
    value = config.get("CUSTOMER_COOLDOWN_DAYS", DEFAULT_DAYS)
    return max(int(value if value is not None else DEFAULT_DAYS), 0)


@dataclass(frozen=True)
class Suppressed:
    """An invitation kept back: for whom, and when they were last surveyed."""

    request: InvitationRequest
    surveyed_at: datetime

    @property
    def customer_ref(self) -> str:
        return self.request.customer_ref


def last_surveyed(session: Session, refs: Iterable[str], since: datetime) -> dict[str, datetime]:
    """When each of these customers was last surveyed at or after `since` (absent: not)."""
    latest: dict[str, datetime] = {}

    def keep(rows) -> None:
        for ref, moment in rows:
            if ref and moment is not None:
                moment = aware(moment)
                if ref not in latest or moment > latest[ref]:
                    latest[ref] = moment

    wanted = sorted({ref for ref in refs if ref})
    meta_ref = Response.meta["customer_ref"].as_string()
    postgresql = session.get_bind().dialect.name == "postgresql"
    size = PG_CHUNK if postgresql else CHUNK
    for start in range(0, len(wanted), size):
        chunk = wanted[start : start + size]
        if postgresql:  # one array parameter: binding thousands of scalars costs more
            chunk = bindparam("refs", chunk, type_=ARRAY(String))
        # One round trip per chunk: invitations created, answers to their invitations, and
        # answers carrying the reference in their metadata.
        invited = (
            select(Invitation.customer_ref.label("ref"), func.max(Invitation.created_at))
            .where(_among(Invitation.customer_ref, chunk), Invitation.created_at >= since)
            .group_by(Invitation.customer_ref)
        )
        answered = (
            select(Invitation.customer_ref.label("ref"), func.max(Response.submitted_at))
            .join(Response, Response.invitation_id == Invitation.id)
            .where(_among(Invitation.customer_ref, chunk), Response.submitted_at >= since)
            .group_by(Invitation.customer_ref)
        )
        answered_with_meta = (
            select(meta_ref.label("ref"), func.max(Response.submitted_at))
            .where(_among(meta_ref, chunk), Response.submitted_at >= since)
            .group_by(meta_ref)
        )
        keep(session.execute(union_all(invited, answered, answered_with_meta)))
    return latest


def _among(column, refs):
    if isinstance(refs, list):
        return column.in_(refs)
    return column == any_(refs)


def apply_cooldown(
    session: Session,
    requests: Sequence[InvitationRequest],
    config: Mapping,
    *,
    force: bool = False,
    now: datetime | None = None,
) -> tuple[list[InvitationRequest], list[Suppressed]]:
    """The requests to create, and those the cooldown keeps back (none when forced).

    Within the requests themselves a customer is invited once: a second request for the
    same customer (another questionnaire, in one API batch) is kept back too.
    """
    days = cooldown_days(config)
    if force or not days or not requests:
        return list(requests), []
    now = now or utcnow()
    surveyed = last_surveyed(
        session, (r.customer_ref for r in requests), now - timedelta(days=days)
    )
    kept: list[InvitationRequest] = []
    suppressed: list[Suppressed] = []
    for request in requests:
        at = surveyed.get(request.customer_ref)
        if at is not None:
            suppressed.append(Suppressed(request, at))
        else:
            kept.append(request)
            surveyed[request.customer_ref] = now
    return kept, suppressed


def cooldown_message(suppressed: Suppressed, config: Mapping) -> Message:
    return N_(
        "%(customer)s was surveyed on %(date)s; no new invitation within %(days)s days of "
        "that (the customer cooldown). Send anyway to ignore it.",
        customer=suppressed.customer_ref,
        date=suppressed.surveyed_at.date().isoformat(),
        days=Count(cooldown_days(config)),
    )


def record_suppressed(
    session: Session,
    questionnaire_id: int,
    suppressed: Sequence[Suppressed],
    source: str,
    *,
    commit: bool = True,
) -> None:
    """Remember the invitations kept back, for the invitations page's count."""
    if not suppressed:
        return
    now = utcnow()
    session.execute(
        insert(SuppressedInvitation),
        [
            {
                "questionnaire_id": questionnaire_id,
                "customer_ref": s.customer_ref,
                "reason": "cooldown",
                "source": source,
                "surveyed_at": s.surveyed_at,
                "created_at": now,
            }
            for s in suppressed
        ],
    )
    if commit:
        session.commit()


@dataclass(frozen=True)
class SuppressedSummary:
    total: int
    recent: list[SuppressedInvitation]


def suppressed_summary(session: Session, questionnaire_id: int) -> SuppressedSummary:
    total = session.scalar(
        select(func.count())
        .select_from(SuppressedInvitation)
        .where(SuppressedInvitation.questionnaire_id == questionnaire_id)
    )
    recent = session.scalars(
        select(SuppressedInvitation)
        .where(SuppressedInvitation.questionnaire_id == questionnaire_id)
        .order_by(SuppressedInvitation.created_at.desc(), SuppressedInvitation.id.desc())
        .limit(RECENT_SHOWN)
    ).all()
    return SuppressedSummary(int(total or 0), list(recent))
