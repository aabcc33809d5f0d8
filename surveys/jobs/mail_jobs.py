"""Emailing a questionnaire's invitations in the background.

`send_invitations` records each invitation's outcome as it goes (sent_at or send_error),
so a retry sends only what is still waiting: never an invitation twice.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from ..invitations.mail import SendReport, send_invitations
from ..models import Invitation, utcnow
from .context import job_session
from .queue import Outcome, enqueue

MAIL_TIMEOUT = 2 * 3600  # 10,000 invitations over one slow SMTP connection


class NothingSent(Exception):
    """Every invitation to send failed (the mail server is away or refuses us): try later.

    Raised so that RQ retries the job with backoff; each invitation's reason is on the list.
    """

    def __init__(self, report: SendReport):
        super().__init__(f"No invitation could be emailed ({report.failed} failed).")
        self.report = report


def email_invitations(questionnaire_id: int) -> SendReport:
    """Email the questionnaire's invitations that have an address and are still waiting."""
    from ..design.invitation_views import waiting_to_be_sent

    with job_session() as session:
        now = utcnow()
        pending = session.scalars(
            select(Invitation)
            .where(
                Invitation.questionnaire_id == questionnaire_id,
                Invitation.email.is_not(None),
                waiting_to_be_sent(now),
            )
            .order_by(Invitation.id)
        ).all()
        report = send_invitations(session, pending, current_app.config, now=now)
    if report.failed and not report.sent:
        raise NothingSent(report)
    return report


def queue_invitation_emails(questionnaire_id: int) -> Outcome:
    """`email_invitations` on a worker, one job per questionnaire at a time (or inline)."""
    return enqueue(
        email_invitations,
        questionnaire_id,
        job_id=f"parcours-invitations-{questionnaire_id}",
        timeout=MAIL_TIMEOUT,
    )
