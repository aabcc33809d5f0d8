"""The customer's rights over their answers: what the survey page tells them, how long their
answers are kept, and what an administrator can export or erase for one customer.

- `notice(questionnaire, language)`: the privacy note of a survey page (the researcher's, or a
  default saying why answers are kept, that personal details are removed and for how long) and
  the link to the privacy contact (an email address or an https page, `clean_contact`).
- `purge(session, now, dry_run)`: deletes the responses older than their questionnaire's
  `retention_days`, batch by batch (each batch its own transaction), through
  `rollups.erase_responses` so the journey map's figures stay right. Two purges at once never
  delete the same response twice: on PostgreSQL each takes its batch with `FOR UPDATE SKIP
  LOCKED`, on SQLite each batch takes the write lock before choosing its responses.
- `customer_data(session, ref)` / `export_customer` / `erase_customer`: everything stored
  under a customer reference (`Invitation.customer_ref`, and the `customer_ref` key of a
  response's metadata that invitations and the API store), as JSON or erased. Erasing deletes
  the responses (answers, text analyses, themes, follow-up cases, rollups kept right) and
  strips the invitations of the customer reference, email, metadata and mail error; the
  invitation rows stay (token, dates), so the response-rate counts stay true and an answered
  link still says "already answered" instead of asking the customer again; a link not yet
  answered is closed.
  An anonymous questionnaire's responses keep neither the reference nor a link to their
  invitation, so they are never found, exported or erased by it; the export says which of the
  customer's invitations were answered that way (`answered_anonymously`).

Audit events name the customer by a keyed fingerprint (`customer_fingerprint`), never by the
reference itself, so an erasure leaves nothing findable by the reference.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import click
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from . import audit, rollups
from .cases.service import customer_cases, erase_cases
from .models import (
    Answer,
    AnswerTheme,
    Invitation,
    Questionnaire,
    Response,
    TextAnalysis,
    as_utc,
    aware,
    utcnow,
)

RETENTION_MAX_DAYS = 3650
PRIVACY_NOTE_MAX = 1000
CONTACT_MAX = 254
CUSTOMER_REF_MAX = 200
# Responses per purge transaction: short enough not to hold locks for long.
PURGE_BATCH = 500
EXPORT_FORMAT = "parcours-customer-data/1"
_CONTROL = re.compile(r"[\x00-\x20\x7f<>\"'`\\]")


# --- the note and the contact on the survey page ----------------------------------------


def clean_contact(value: str | None) -> str | None:
    """The privacy contact as stored: an email address (a typed `mailto:` dropped) or an
    https URL; "" for none; None when it is neither."""
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) > CONTACT_MAX:
        return None
    if value.lower().startswith("mailto:"):
        value = value[len("mailto:") :]
    if "://" in value:
        parts = urlsplit(value)
        if (
            parts.scheme.lower() != "https"
            or not parts.hostname
            or "." not in parts.hostname.strip(".")
            or parts.username is not None
            or parts.password is not None
            or _CONTROL.search(value)
        ):
            return None
        return value
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError:
        return None


def contact_href(contact: str | None) -> str | None:
    """Where the contact link points: mailto: for an address, the URL itself for a page."""
    if not contact:
        return None
    return contact if contact.startswith("https://") else f"mailto:{contact}"


def default_note(questionnaire: Questionnaire, language: str) -> str:
    """What a survey page says about the answers when the researcher wrote no note."""
    from flask_babel import force_locale, gettext, ngettext

    from feedback.locale_format import number

    with force_locale(language):
        parts = [gettext("Your answers are used only to improve our service.")]
        if questionnaire.redact_pii:
            parts.append(
                gettext(
                    "Email addresses, phone numbers, IBANs and card numbers you type are "
                    "removed before your answers are stored."
                )
            )
        days = questionnaire.retention_days
        if days:
            parts.append(
                ngettext(
                    "Your answers are deleted %(days)s day after you send them.",
                    "Your answers are deleted %(days)s days after you send them.",
                    days,
                    days=number(days, 0, language),
                )
            )
    return " ".join(parts)


@dataclass
class Notice:
    text: str
    custom: bool
    contact: str | None
    href: str | None

    @property
    def contact_is_email(self) -> bool:
        return bool(self.href and self.href.startswith("mailto:"))


def notice(questionnaire: Questionnaire, language: str) -> Notice:
    """The privacy note and contact link of a survey page in `language`: the researcher's
    note in that language, else the default one."""
    written = ((questionnaire.privacy_note or {}).get(language) or "").strip()
    contact = questionnaire.privacy_contact or None
    return Notice(
        text=written or default_note(questionnaire, language),
        custom=bool(written),
        contact=contact,
        href=contact_href(contact),
    )


# --- retention ----------------------------------------------------------------------------


def _expired(questionnaire_id: int, cutoff: datetime) -> tuple:
    return (Response.questionnaire_id == questionnaire_id, Response.submitted_at < cutoff)


def purge(
    session: Session,
    now: datetime | None = None,
    dry_run: bool = False,
    *,
    batch: int = PURGE_BATCH,
) -> dict[int, int]:
    """Delete the responses older than their questionnaire's retention period; return, for
    every questionnaire with one, how many went (or would go, with `dry_run`).

    Commits each batch, and then one "purge" audit event with the counts (none for a dry
    run). Safe to run again, or twice at once: what is gone is not counted again.
    """
    now = as_utc(now or utcnow())
    session.commit()  # start from a clean transaction: batches commit on their own
    kept = session.execute(
        select(Questionnaire.id, Questionnaire.retention_days)
        .where(Questionnaire.retention_days.is_not(None), Questionnaire.retention_days > 0)
        .order_by(Questionnaire.id)
    ).all()
    counts: dict[int, int] = {}
    for questionnaire_id, days in kept:
        where = _expired(questionnaire_id, now - timedelta(days=days))
        if dry_run:
            counts[questionnaire_id] = session.scalar(select(func.count(Response.id)).where(*where))
            continue
        counts[questionnaire_id] = 0
        while True:
            rollups.write_lock(session)
            ids = session.scalars(
                select(Response.id)
                .where(*where)
                .order_by(Response.id)
                .limit(batch)
                .with_for_update(skip_locked=True)
            ).all()
            if not ids:
                session.rollback()
                break
            erase_cases(session, ids)  # their follow-up cases name the customer too
            counts[questionnaire_id] += rollups.erase_responses(session, ids)
            session.commit()
    if not dry_run:
        audit.record(
            session,
            "purge",
            target="responses past their retention period",
            details={
                "responses": sum(counts.values()),
                "questionnaires": {str(q): n for q, n in counts.items()},
            },
        )
        session.commit()
    return counts


# --- one customer's data ------------------------------------------------------------------


def clean_customer_ref(value: str | None) -> str:
    return (value or "").strip()[:CUSTOMER_REF_MAX]


def customer_fingerprint(ref: str, key: str | bytes) -> str:
    """How the audit log names a customer: a keyed hash (HMAC-SHA256 with the app's secret
    key) of the reference, so the log never holds the reference, yet an administrator who
    knows it can tell its events apart from others'."""
    key = key.encode() if isinstance(key, str) else key
    digest = hmac.new(key, ref.encode(), hashlib.sha256).hexdigest()
    return f"customer {digest[:16]}"


def _app_fingerprint(ref: str) -> str:
    return customer_fingerprint(ref, current_app.config["SECRET_KEY"])


@dataclass
class CustomerData:
    ref: str
    invitations: list[Invitation] = field(default_factory=list)
    responses: list[Response] = field(default_factory=list)
    themes: dict[int, list[AnswerTheme]] = field(default_factory=dict)

    @property
    def answers(self) -> list[Answer]:
        return [a for r in self.responses for a in r.answers]

    @property
    def found(self) -> bool:
        return bool(self.invitations or self.responses)

    def counts(self) -> dict[str, int]:
        answers = self.answers
        return {
            "invitations": len(self.invitations),
            "responses": len(self.responses),
            "answers": len(answers),
            "text_analyses": sum(1 for a in answers if a.analysis is not None),
            "themes": sum(len(rows) for rows in self.themes.values()),
        }

    def answered_anonymously(self) -> list[Invitation]:
        """The customer's invitations answered on an anonymous questionnaire: their answers
        were kept without the reference or a link to the invitation, so nothing here finds
        them (neither this export nor an erasure)."""
        linked = {r.invitation_id for r in self.responses}
        return [
            i
            for i in self.invitations
            if i.used_at is not None and i.id not in linked and i.questionnaire.anonymous
        ]

    def questionnaires(self) -> list[Questionnaire]:
        """The questionnaires it touches, in id order."""
        found = {i.questionnaire_id: i.questionnaire for i in self.invitations}
        found.update({r.questionnaire_id: r.questionnaire for r in self.responses})
        return [found[k] for k in sorted(found)]


def _response_ids(session: Session, ref: str) -> list[int]:
    invited = select(Invitation.id).where(Invitation.customer_ref == ref)
    return list(
        session.scalars(
            select(Response.id)
            .where(
                or_(
                    Response.invitation_id.in_(invited),
                    Response.meta["customer_ref"].as_string() == ref,
                )
            )
            .order_by(Response.id)
        )
    )


def customer_data(session: Session, ref: str) -> CustomerData:
    """Everything stored under the customer reference `ref` (exact match)."""
    ref = clean_customer_ref(ref)
    data = CustomerData(ref=ref)
    if not ref:
        return data
    data.invitations = list(
        session.scalars(
            select(Invitation)
            .where(Invitation.customer_ref == ref)
            .options(selectinload(Invitation.questionnaire))
            .order_by(Invitation.id)
        )
    )
    ids = _response_ids(session, ref)
    if ids:
        data.responses = list(
            session.scalars(
                select(Response)
                .where(Response.id.in_(ids))
                .options(
                    selectinload(Response.questionnaire),
                    selectinload(Response.answers).selectinload(Answer.analysis),
                    selectinload(Response.answers).selectinload(Answer.question),
                )
                .order_by(Response.id)
            )
        )
        answer_ids = [a.id for a in data.answers]
        themes: dict[int, list[AnswerTheme]] = defaultdict(list)
        for start in range(0, len(answer_ids), rollups.CHUNK):
            chunk = answer_ids[start : start + rollups.CHUNK]
            for row in session.scalars(
                select(AnswerTheme)
                .where(AnswerTheme.answer_id.in_(chunk))
                .order_by(AnswerTheme.answer_id, AnswerTheme.theme_key, AnswerTheme.source)
            ):
                themes[row.answer_id].append(row)
        data.themes = dict(themes)
    return data


def _when(moment: datetime | None) -> str | None:
    return aware(moment).isoformat() if moment is not None else None


def _questionnaire(q: Questionnaire) -> dict:
    return {"id": q.id, "title": dict(q.title or {}), "kind": q.kind}


def _analysis(analysis: TextAnalysis | None) -> dict | None:
    if analysis is None:
        return None
    return {
        "language": analysis.language,
        "sentiment": analysis.label,
        "polarity": analysis.polarity,
        "subjectivity": analysis.subjectivity,
        "emotion": analysis.emotion,
        "emotions": dict(analysis.emotions or {}),
        "themes": list(analysis.themes or []),
        "analyzer_version": analysis.analyzer_version,
        "analyzed_at": _when(analysis.created_at),
    }


def _answer(answer: Answer, language: str, themes: list[AnswerTheme]) -> dict:
    question = answer.question
    return {
        "question": question.key,
        "prompt": question.prompt_in(language),
        "type": question.type,
        "number": answer.number,
        "choice": answer.choice,
        "choices": answer.choices,
        "text": answer.text,
        "analysis": _analysis(answer.analysis),
        "themes": [{"theme": t.theme_key, "source": t.source} for t in themes],
    }


def export_document(data: CustomerData, now: datetime | None = None) -> dict:
    """The JSON document of a customer's data: readable keys, ISO 8601 dates (UTC)."""
    anonymous = {i.id for i in data.answered_anonymously()}
    return {
        "format": EXPORT_FORMAT,
        "customer_ref": data.ref,
        "exported_at": _when(now or utcnow()),
        "counts": data.counts(),
        "invitations": [
            {
                "id": i.id,
                "questionnaire": _questionnaire(i.questionnaire),
                "email": i.email,
                "language": i.language,
                "metadata": dict(i.meta or {}),
                "created_at": _when(i.created_at),
                "expires_at": _when(i.expires_at),
                "sent_at": _when(i.sent_at),
                "opened_at": _when(i.opened_at),
                "answered_at": _when(i.used_at),
                # Its answers exist but hold nothing that leads back to this customer.
                "answered_anonymously": i.id in anonymous,
            }
            for i in data.invitations
        ],
        "responses": [
            {
                "id": r.id,
                "questionnaire": _questionnaire(r.questionnaire),
                "invitation_id": r.invitation_id,
                "language": r.language,
                "channel": r.channel,
                "status": r.status,
                "metadata": dict(r.meta or {}),
                "started_at": _when(r.started_at),
                "submitted_at": _when(r.submitted_at),
                "answers": [_answer(a, r.language, data.themes.get(a.id, [])) for a in r.answers],
            }
            for r in data.responses
        ],
    }


def export_customer(session: Session, ref: str, now: datetime | None = None) -> dict:
    """The customer's data as a JSON document, with a "customer_export" audit event added to
    the session (the caller commits once the document is on its way)."""
    data = customer_data(session, ref)
    document = export_document(data, now)
    document["follow_up_cases"] = customer_cases(session, [r.id for r in data.responses])
    audit.record(
        session, "customer_export", target=_app_fingerprint(data.ref), details=data.counts()
    )
    return document


def _strip(invitations: Iterable[Invitation], now: datetime) -> int:
    count = 0
    for invitation in invitations:
        invitation.customer_ref = ""
        invitation.email = None
        invitation.meta = {}
        invitation.send_error = None
        if invitation.used_at is None and (
            invitation.expires_at is None or aware(invitation.expires_at) > now
        ):
            invitation.expires_at = now  # an erased customer's link no longer opens
        count += 1
    return count


def erase_customer(session: Session, ref: str, now: datetime | None = None) -> dict[str, int]:
    """Erase what is stored under `ref`, in one transaction the caller commits, with an
    "erasure" audit event; return what went (the counts before erasure)."""
    now = as_utc(now or utcnow())
    ref = clean_customer_ref(ref)
    rollups.write_lock(session)
    data = customer_data(session, ref)
    counts = data.counts()
    counts["cases"] = erase_cases(session, [r.id for r in data.responses])
    erased = rollups.erase_responses(session, [r.id for r in data.responses])
    counts["responses"] = erased
    counts["invitations"] = _strip(data.invitations, now)
    session.flush()
    audit.record(session, "erasure", target=_app_fingerprint(ref), details=counts)
    return counts


# --- command line -------------------------------------------------------------------------


@click.command("purge")
@with_appcontext
@click.option("--dry-run", is_flag=True, help="Only count what would be deleted.")
def purge_command(dry_run: bool) -> None:
    """Delete the responses older than their questionnaire's retention period (cron-safe)."""
    from . import db

    with db.new_session(current_app) as session:
        counts = purge(session, dry_run=dry_run)
        questionnaires = {
            q.id: q
            for q in session.scalars(select(Questionnaire).where(Questionnaire.id.in_(counts)))
        }
        if not counts:
            click.echo("No questionnaire has a retention period: nothing to purge.")
        verb = "would be deleted" if dry_run else "deleted"
        for questionnaire_id, n in counts.items():
            q = questionnaires[questionnaire_id]
            click.echo(
                f"questionnaire {q.id} ({q.title_in('en')}, kept {q.retention_days} days): "
                f"{n} responses {verb}"
            )
    total = sum(counts.values())
    click.echo(f"{total} responses {verb}." if counts else "0 responses deleted.")


@click.command("customer-export")
@with_appcontext
@click.argument("ref")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="File (default: stdout).")
def customer_export_command(ref: str, output: str | None) -> None:
    """Everything stored under the customer reference REF, as JSON."""
    import json

    from . import db

    if not clean_customer_ref(ref):
        raise click.UsageError("REF is empty.")
    with db.new_session(current_app) as session:
        document = export_customer(session, ref)
        body = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
        if output:
            try:
                with open(output, "w", encoding="utf-8") as out:
                    out.write(body)
            except OSError as error:
                raise click.ClickException(f"Cannot write {output}: {error.strerror}") from None
        else:
            click.echo(body, nl=False)
        session.commit()
    if output:
        counts = document["counts"]
        click.echo(
            f"Wrote {output}: {counts['invitations']} invitations, {counts['responses']} "
            f"responses, {counts['answers']} answers.",
            err=True,
        )


@click.command("customer-erase")
@with_appcontext
@click.argument("ref")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def customer_erase_command(ref: str, yes: bool) -> None:
    """Erase the responses of the customer reference REF and strip its invitations."""
    from . import db

    if not clean_customer_ref(ref):
        raise click.UsageError("REF is empty.")
    with db.new_session(current_app) as session:
        counts = customer_data(session, ref).counts()
        session.rollback()
        if not yes:
            click.confirm(
                f"Erase {counts['responses']} responses and strip {counts['invitations']} "
                f"invitations of customer {clean_customer_ref(ref)}?",
                abort=True,
            )
        erased = erase_customer(session, ref)
        session.commit()
    click.echo(
        f"Erased {erased['responses']} responses ({erased['answers']} answers); "
        f"stripped {erased['invitations']} invitations."
    )


COMMANDS = (purge_command, customer_export_command, customer_erase_command)
