"""Reminders: one more email to customers who have not answered an emailed invitation.

Due (`due_reminders`): the invitation has an address and was sent (`sent_at`: emailed, or
its link handed to the shop's mailer), is not answered, not bounced, not expired (nor
expiring within EXPIRY_MARGIN: a reminder whose link dies on arrival only annoys), has had
fewer than its questionnaire's `max_reminders`, and was last contacted (reminded_at, else
sent_at) at least `reminder_after_days` ago; the questionnaire is live. A questionnaire
with `max_reminders` 0 or `reminder_after_days` 0 sends none.

Never twice: each reminder is claimed before it is sent, by a conditional UPDATE that
counts it (`WHERE id = ? AND reminder_count = <as read>`), committed before the email
goes. Two runs at once (cron overlapping itself, cron and a worker) read the same due
invitation, but only one claim changes a row; the other run skips it. On PostgreSQL a
run also takes an advisory lock so that runs do not even overlap; SQLite has no such lock
and relies on the claim alone, which is the real guarantee on both.

A failed send: when the server could not be reached, hung up or refused for now (4xx),
the claim is given back (the count and reminded_at as they were) so the next run tries
again. When it refused the address for good (5xx on RCPT), the invitation is marked
bounced and nothing more is sent to it. Any other failure keeps the claim: the error is
on the invitation and the customer is not tried again and again.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.errors import MessageError

from sqlalchemy import func, or_, select, text, update
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from ..models import Invitation, Questionnaire, utcnow
from .mail import MailSession, Outcome, _describe, mail_enabled, reminder_email
from .service import invitation_link

EXPIRY_MARGIN = timedelta(hours=1)
# Any fixed number: the key of the PostgreSQL advisory lock of the reminder runs.
ADVISORY_LOCK_KEY = 0x50415243  # "PARC"
BATCH = 500


@dataclass
class QuestionnaireReminders:
    questionnaire_id: int
    title: str
    due: int = 0
    sent: int = 0
    failed: int = 0
    bounced: int = 0
    skipped: int = 0  # claimed by another run meanwhile, or answered since


@dataclass
class ReminderReport:
    dry_run: bool = False
    mail_enabled: bool = True
    locked_out: bool = False  # another run holds the lock (PostgreSQL)
    unreachable: str | None = None  # the mail server could not be reached: nothing claimed
    questionnaires: list[QuestionnaireReminders] = field(default_factory=list)

    @property
    def sent(self) -> int:
        return sum(q.sent for q in self.questionnaires)

    @property
    def due(self) -> int:
        return sum(q.due for q in self.questionnaires)

    def as_dict(self) -> dict:
        return {
            "dry_run": self.dry_run,
            "mail_enabled": self.mail_enabled,
            "locked_out": self.locked_out,
            "unreachable": self.unreachable,
            "due": self.due,
            "sent": self.sent,
        }


def reminding_questionnaires(session: Session) -> list[Questionnaire]:
    """Live questionnaires that send reminders."""
    return list(
        session.scalars(
            select(Questionnaire)
            .where(
                Questionnaire.status == "live",
                Questionnaire.kind != "interview",
                Questionnaire.max_reminders > 0,
                Questionnaire.reminder_after_days > 0,
            )
            .order_by(Questionnaire.id)
        )
    )


def due_condition(questionnaire: Questionnaire, now: datetime):
    """The WHERE clause of the questionnaire's invitations due for a reminder at `now`."""
    last_contact = func.coalesce(Invitation.reminded_at, Invitation.sent_at)
    return (
        (Invitation.questionnaire_id == questionnaire.id)
        & Invitation.email.is_not(None)
        & Invitation.sent_at.is_not(None)
        & Invitation.used_at.is_(None)
        & Invitation.bounced_at.is_(None)
        & or_(Invitation.expires_at.is_(None), Invitation.expires_at > now + EXPIRY_MARGIN)
        & (Invitation.reminder_count < questionnaire.max_reminders)
        & (last_contact <= now - timedelta(days=questionnaire.reminder_after_days))
    )


def due_reminders(
    session: Session, questionnaire: Questionnaire, now: datetime | None = None
) -> list[Invitation]:
    now = now or utcnow()
    return list(
        session.scalars(
            select(Invitation)
            .where(due_condition(questionnaire, now))
            .options(selectinload(Invitation.questionnaire))
            .order_by(Invitation.id)
        )
    )


def claim(session: Session, invitation: Invitation, now: datetime) -> bool:
    """Count the reminder as sent, if no other run did since it was read; committed."""
    seen = invitation.reminder_count
    result = session.execute(
        update(Invitation)
        .where(
            Invitation.id == invitation.id,
            Invitation.reminder_count == seen,
            Invitation.used_at.is_(None),
            Invitation.bounced_at.is_(None),
        )
        .values(reminder_count=seen + 1, reminded_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    if result.rowcount != 1:
        return False
    set_committed_value(invitation, "reminder_count", seen + 1)
    set_committed_value(invitation, "reminded_at", now)
    return True


def give_back(session: Session, invitation: Invitation, previous: datetime | None) -> None:
    """Undo a claim whose email did not go, so the next run tries again."""
    claimed = invitation.reminder_count
    session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.reminder_count == claimed)
        .values(reminder_count=claimed - 1, reminded_at=previous)
        .execution_options(synchronize_session=False)
    )
    set_committed_value(invitation, "reminder_count", claimed - 1)
    set_committed_value(invitation, "reminded_at", previous)


@contextmanager
def run_lock(session: Session) -> Iterator[bool]:
    """PostgreSQL: an advisory lock, so two runs do not overlap (yields whether this run
    has it). SQLite: always True; the claims keep runs apart.

    The lock belongs to a database connection, so it is taken on one of its own, held
    for the run and released on it: the session's connection goes back to the pool at
    each commit, and a lock left on a pooled connection would keep every later run out.
    """
    engine = session.get_bind()
    if engine.dialect.name != "postgresql":
        yield True
        return
    with engine.connect() as connection:
        key = {"key": ADVISORY_LOCK_KEY}
        got = bool(connection.execute(text("SELECT pg_try_advisory_lock(:key)"), key).scalar())
        connection.commit()
        try:
            yield got
        finally:
            if got:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), key)
                connection.commit()


def send_reminders(
    session: Session, config: Mapping, *, dry_run: bool = False, now: datetime | None = None
) -> ReminderReport:
    """Send every reminder that is due (or, with `dry_run`, only count them)."""
    now = now or utcnow()
    report = ReminderReport(dry_run=dry_run, mail_enabled=mail_enabled(config))
    if not report.mail_enabled and not dry_run:
        return report
    if dry_run:
        for questionnaire in reminding_questionnaires(session):
            due = session.scalar(
                select(func.count())
                .select_from(Invitation)
                .where(due_condition(questionnaire, now))
            )
            if due:
                report.questionnaires.append(_line(questionnaire, due=due))
        session.rollback()
        return report
    # The session stays on one connection while the lock is held (PostgreSQL).
    with run_lock(session) as got:
        if not got:
            report.locked_out = True
            return report
        _send_all(session, config, report, now)
    return report


def _line(questionnaire: Questionnaire, **counts) -> QuestionnaireReminders:
    language = questionnaire.languages[0] if questionnaire.languages else "en"
    return QuestionnaireReminders(questionnaire.id, questionnaire.title_in(language), **counts)


def _send_all(session: Session, config: Mapping, report: ReminderReport, now: datetime) -> None:
    questionnaires = reminding_questionnaires(session)
    work = [(q, due_reminders(session, q, now)) for q in questionnaires]
    work = [(q, due) for q, due in work if due]
    session.commit()
    if not work:
        return
    with MailSession(config) as mail:
        if mail.connection is None:  # nothing claimed: the next run tries again
            report.unreachable = mail.connect_error
            for questionnaire, due in work:
                report.questionnaires.append(_line(questionnaire, due=len(due)))
            return
        for questionnaire, due in work:
            line = _line(questionnaire, due=len(due))
            report.questionnaires.append(line)
            for invitation in due:
                _remind(session, mail, invitation, line)


def _remind(
    session: Session, mail: MailSession, invitation: Invitation, line: QuestionnaireReminders
) -> None:
    previous = invitation.reminded_at
    if not claim(session, invitation, utcnow()):
        line.skipped += 1
        return
    try:
        message = reminder_email(invitation, mail.sender, invitation_link(invitation))
    except (ValueError, MessageError) as error:
        outcome = Outcome(False, _describe(error))
    else:
        outcome = mail.send(message)
    if outcome.sent:
        invitation.send_error = None
        line.sent += 1
    else:
        invitation.send_error = outcome.problem
        line.failed += 1
        if outcome.bounced:
            invitation.bounced_at = utcnow()
            line.bounced += 1
        elif outcome.transient:
            give_back(session, invitation, previous)
    session.commit()


def send_reminders_job() -> dict:
    """The periodic job (and the command's work): send the reminders that are due."""
    from flask import current_app

    from ..jobs.context import job_session

    with job_session() as session:
        report = send_reminders(session, current_app.config)
    return report.as_dict()
