"""Emailing a case's owner that it opened, after the commit, when MAIL_SERVER is set.

The case opens in the transaction that stores the customer's answer; the email must neither
go out for a case that was rolled back nor make the customer's page wait on SMTP. So
`email_after_commit` keeps the new cases' ids on the session and, once it commits, hands each
to a job: RQ when REDIS_URL is set (retried with backoff), else a short-lived thread of this
process. The job opens its own session and sends through `invitations.mail.send_message`.

The email speaks the install's default language (accounts have none of their own).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from email.headerregistry import Address
from email.message import EmailMessage

from flask import Flask, current_app, has_app_context
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.orm import Session

from feedback import locale_format

from ..invitations.mail import mail_enabled, send_message
from ..jobs.context import job_session
from ..jobs.queue import QueueUnavailable, background_enabled, enqueue
from ..models import FollowUpCase, aware
from .payloads import case_url

log = logging.getLogger(__name__)

PENDING = "parcours.cases.to_email"
LISTENING = "parcours.cases.listening"
# The threads sending without a queue, so tests (and a clean shutdown) can wait for them.
_threads: list[threading.Thread] = []


class CaseEmailNotSent(Exception):
    """The mail server did not take the email: raised so that RQ retries the job."""


def email_after_commit(session: Session, case_ids: Sequence[int]) -> None:
    """Email the owners of these new cases once the session's transaction commits."""
    if not case_ids or not has_app_context() or not mail_enabled(current_app.config):
        return
    session.info.setdefault(PENDING, []).extend(case_ids)
    if not session.info.get(LISTENING):
        session.info[LISTENING] = current_app._get_current_object()  # type: ignore[attr-defined]
        event.listen(session, "after_commit", _send_pending)
        event.listen(session, "after_rollback", _drop_pending)


def _drop_pending(session: Session) -> None:
    session.info.pop(PENDING, None)


def _send_pending(session: Session) -> None:
    ids = session.info.pop(PENDING, None)
    app = session.info.get(LISTENING)
    if not ids or app is None:
        return
    with app.app_context():
        for case_id in ids:
            dispatch(app, case_id)


def dispatch(app: Flask, case_id: int) -> None:
    """Send the case's email on a worker, or on a thread of this process without a queue."""
    if background_enabled(app):
        try:
            enqueue(email_case_opened, case_id)
        except QueueUnavailable:
            log.warning("The email of case %s was not queued: Redis did not answer.", case_id)
        return
    thread = threading.Thread(target=_send_in_thread, args=(app, case_id), daemon=True)
    _threads[:] = [t for t in _threads if t.is_alive()]
    _threads.append(thread)
    thread.start()


def _send_in_thread(app: Flask, case_id: int) -> None:
    with app.app_context():
        try:
            email_case_opened(case_id)
        except CaseEmailNotSent as error:
            log.warning("The email of case %s was not sent: %s", case_id, error)
        except Exception:  # a thread has no one to raise to: say it in the log
            log.exception("The email of case %s failed.", case_id)


def wait_for_emails(timeout: float = 10) -> None:
    """Wait for the emails being sent without a queue (tests, shutdown)."""
    for thread in list(_threads):
        thread.join(timeout)


def email_case_opened(case_id: int) -> bool:
    """Email the case's owner that it opened; False when there is nobody to tell."""
    with job_session() as session:
        case = session.get(FollowUpCase, case_id)
        if case is None or case.owner is None or not case.owner.active:
            return False
        config = current_app.config
        message = case_email(case, config.get("MAIL_FROM") or "Parcours <no-reply@localhost>")
        problem = send_message(config, message)
    if problem:
        raise CaseEmailNotSent(problem)
    return True


def case_email(case: FollowUpCase, sender: str) -> EmailMessage:
    """The email telling the owner a case opened: plain text, in the default language."""
    language = current_app.config.get("BABEL_DEFAULT_LOCALE") or "en"
    language = language if language in ("en", "fr") else "en"
    with force_locale(language):
        place = case.stage.name(language)
        if case.touchpoint is not None:
            place += " · " + case.touchpoint.name(language)
        title = " ".join(case.questionnaire.title_in(language).split())
        due = locale_format.moment(aware(case.due_at), language, "short")
        if case.anonymous:
            who = _("Anonymous questionnaire: there is no one to contact.")
        elif case.customer_ref:
            who = _("Customer: %(ref)s", ref=case.customer_ref)
        else:
            who = _("No customer reference was given with this response.")
        lines = [
            _("A follow-up case was opened and you own it."),
            "",
            _("Rule: %(rule)s", rule=case.rule_name),
            _("Questionnaire: %(title)s", title=title),
            _("Where: %(place)s", place=place),
            who,
            _("Due: %(due)s (UTC)", due=due),
            "",
            _("Open the case: %(url)s", url=case_url(case.id)),
        ]
        subject = _("Follow-up case #%(id)s: %(rule)s", id=case.id, rule=case.rule_name)
    message = EmailMessage()
    message["Subject"] = " ".join(subject.split())
    message["From"] = sender
    message["To"] = Address(addr_spec=case.owner.email)
    message["Content-Language"] = language
    message.set_content("\n".join(lines) + "\n")
    return message
