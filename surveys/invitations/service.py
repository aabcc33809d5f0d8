"""Creating invitations and reading their state; the pages, the CSV upload and the API share it.

Every check lives in `check_request`, so a row of a CSV, a form and a JSON body are refused
for the same reasons with the same messages. The messages are English `Message`s: the API
returns them as they are (its contract is in English), the pages show `translated()`.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import case, func, insert, select
from sqlalchemy.orm import Session

from .. import links
from ..messages import N_, Message
from ..models import LANGUAGES, Invitation, Questionnaire, as_utc, aware, utcnow

TOKEN_BYTES = 24  # 192 random bits, from the OS's CSPRNG
CUSTOMER_REF_MAX = 200
META_KEYS_MAX = 30
META_VALUE_MAX = 200
EXPIRY_DAYS_MAX = 366
# Metadata keys become journey-map segments (`segment.KEY=`), so they share its rule.
META_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,39}$")
# Columns of an invitation itself, never metadata.
RESERVED_KEYS = frozenset({"customer_ref", "email", "expires_at", "language"})


class InvitationError(ValueError):
    """An invitation that cannot be created, with a message per field."""

    def __init__(self, fields: Mapping[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))
        self.fields = dict(fields)


@dataclass(frozen=True)
class InvitationRequest:
    """A checked invitation, ready to store."""

    customer_ref: str
    email: str | None = None
    meta: dict[str, str] = field(default_factory=dict)
    expires_at: datetime | None = None
    language: str | None = None


def check_request(
    questionnaire: Questionnaire,
    *,
    customer_ref: object,
    email: object = None,
    meta: object = None,
    expires_at: object = None,
    language: object = None,
    now: datetime | None = None,
) -> InvitationRequest:
    """Check one invitation's fields; raise InvitationError with a message per bad field."""
    now = now or utcnow()
    errors: dict[str, Message] = {}
    if questionnaire.is_interview:
        errors["questionnaire_id"] = N_("Interview guides are not sent to customers.")
    elif questionnaire.status == "closed":
        errors["questionnaire_id"] = N_("This questionnaire is closed.")

    ref = customer_ref.strip() if isinstance(customer_ref, str) else ""
    if not ref:
        errors["customer_ref"] = N_("A customer reference is required.")
    elif len(ref) > CUSTOMER_REF_MAX:
        errors["customer_ref"] = N_("At most %(count)s characters.", count=CUSTOMER_REF_MAX)
    elif "\n" in ref or "\r" in ref:  # e.g. a CSV quote left open, which runs rows together
        errors["customer_ref"] = N_("A customer reference is one line.")

    address = None
    if email not in (None, ""):
        try:
            if not isinstance(email, str):
                raise EmailNotValidError("not text")
            address = validate_email(email.strip(), check_deliverability=False).normalized
        except EmailNotValidError:
            errors["email"] = N_("Not a valid email address.")

    clean_meta, meta_errors = check_meta(meta)
    errors.update(meta_errors)

    expiry = None
    if expires_at not in (None, ""):
        expiry = _expiry(expires_at)
        if expiry is None:
            errors["expires_at"] = N_("Not a date and time, e.g. 2026-12-31T23:59:00Z.")
        elif expiry <= now:
            errors["expires_at"] = N_("The expiry is in the past.")
        elif expiry > now + timedelta(days=EXPIRY_DAYS_MAX):
            errors["expires_at"] = N_("At most %(count)s days ahead.", count=EXPIRY_DAYS_MAX)

    lang = None
    if language not in (None, ""):
        if language not in LANGUAGES or language not in questionnaire.languages:
            errors["language"] = N_("Not a language of this questionnaire.")
        else:
            lang = str(language)

    if errors:
        raise InvitationError(errors)
    return InvitationRequest(ref, address, clean_meta, expiry, lang)


def check_meta(meta: object) -> tuple[dict[str, str], dict[str, Message]]:
    """Metadata as stored (text values, empty ones dropped) and the errors per field."""
    if meta in (None, {}):
        return {}, {}
    if not isinstance(meta, Mapping):
        return {}, {"metadata": N_("Metadata must be an object of names and values.")}
    if len(meta) > META_KEYS_MAX:
        return {}, {"metadata": N_("At most %(count)s metadata fields.", count=META_KEYS_MAX)}
    clean: dict[str, str] = {}
    errors: dict[str, Message] = {}
    for key, value in meta.items():
        problem = _meta_problem(key, value)
        if problem:
            errors[f"metadata.{str(key)[:40]}"] = problem
        elif value not in (None, ""):
            # Text, so a segment filter (`segment.KEY=VALUE`) matches what was sent.
            clean[key] = str(value).strip()
    return clean, errors


def _meta_problem(key: object, value: object) -> Message | None:
    if not isinstance(key, str) or not META_KEY.match(key):
        return N_("Names start with a letter, then letters, digits or _ (at most 40).")
    if key in RESERVED_KEYS:
        return N_("This name is an invitation field, not metadata.")
    if isinstance(value, bool) or not isinstance(value, str | int | float | type(None)):
        return N_("Values are text or numbers.")
    if len(str(value)) > META_VALUE_MAX:
        return N_("At most %(count)s characters.", count=META_VALUE_MAX)
    return None


def _expiry(value: object) -> datetime | None:
    """The expiry in UTC, or None when it is not a moment on the calendar."""
    if isinstance(value, str) and len(value) <= 40:
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    if not isinstance(value, datetime):
        return None
    try:
        return as_utc(value)
    except OverflowError:  # year 1 or 9999 with an offset falls off the calendar
        return None


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def create_invitations(
    session: Session,
    questionnaire: Questionnaire,
    requests: Sequence[InvitationRequest],
    *,
    commit: bool = True,
) -> list[Invitation]:
    """Store checked invitations together: all of them or, on any error, none.

    `commit=False` leaves the commit to a caller storing several questionnaires' at once.
    """
    rows = [
        {
            "questionnaire_id": questionnaire.id,
            "token": new_token(),
            "customer_ref": r.customer_ref,
            "email": r.email,
            "meta": r.meta,
            "expires_at": r.expires_at,
            "language": r.language,
            "created_at": utcnow(),
        }
        for r in requests
    ]
    if not rows:
        return []
    try:
        # One bulk INSERT ... RETURNING: adding 10,000 objects one by one takes seconds.
        statement = insert(Invitation).returning(Invitation, sort_by_parameter_order=True)
        invitations = list(session.scalars(statement, rows))
        if commit:
            session.commit()
    except Exception:
        session.rollback()
        raise
    return invitations


def invitation_by_token(
    session: Session, questionnaire: Questionnaire, token: str
) -> Invitation | None:
    """The invitation of this questionnaire behind a link's token, if any."""
    if not token or len(token) > 64:
        return None
    invitation = session.scalar(select(Invitation).where(Invitation.token == token))
    if invitation is None or invitation.questionnaire_id != questionnaire.id:
        return None
    return invitation


def invitation_link(invitation: Invitation) -> str:
    return links.invitation_link(invitation.questionnaire.slug, invitation.token)


def qr_link(invitation: Invitation) -> str:
    return links.invitation_qr_link(invitation.questionnaire.slug, invitation.token)


def is_expired(invitation: Invitation, now: datetime | None = None) -> bool:
    return invitation.expires_at is not None and aware(invitation.expires_at) < (now or utcnow())


def status_of(invitation: Invitation, now: datetime | None = None) -> str:
    """answered, expired, bounced, opened, reminded, sent or created: the furthest the
    invitation went. Opened outranks reminded: the customer saw the questionnaire, which
    says more than one more email (an invitation reminded and then opened is "opened")."""
    if invitation.used_at is not None:
        return "answered"
    if is_expired(invitation, now):
        return "expired"
    if invitation.bounced_at is not None:
        return "bounced"
    if invitation.opened_at is not None:
        return "opened"
    if invitation.reminder_count:
        return "reminded"
    if invitation.sent_at is not None:
        return "sent"
    return "created"


@dataclass(frozen=True)
class InvitationCounts:
    total: int = 0
    sent: int = 0
    opened: int = 0
    answered: int = 0
    expired: int = 0
    reminded: int = 0  # invitations reminded at least once (whatever happened next)
    bounced: int = 0

    @property
    def response_rate(self) -> float | None:
        """Answered over invitations that reached the customer (sent), else over all."""
        base = self.sent or self.total
        return self.answered / base if base else None


def counts(
    session: Session, questionnaire_id: int, now: datetime | None = None
) -> InvitationCounts:
    """How far a questionnaire's invitations went, counted in the database."""
    now = now or utcnow()
    expired = (Invitation.used_at.is_(None)) & (Invitation.expires_at < now)
    row = session.execute(
        select(
            func.count(),
            func.count(Invitation.sent_at),
            func.count(Invitation.opened_at),
            func.count(Invitation.used_at),
            func.coalesce(func.sum(case((expired, 1), else_=0)), 0),
            func.coalesce(func.sum(case((Invitation.reminder_count > 0, 1), else_=0)), 0),
            func.count(Invitation.bounced_at),
        ).where(Invitation.questionnaire_id == questionnaire_id)
    ).one()
    return InvitationCounts(*(int(v) for v in row))
