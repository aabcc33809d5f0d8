"""Emailing invitations through the shop's SMTP server, only when MAIL_SERVER is set.

Without it, researchers export the links for the shop's own mailer. The sender takes the
settings as a mapping rather than reading a request, so a background job can call it; it
needs an app context, like every job of this app, for the links (PUBLIC_BASE_URL) and the
catalog: each email speaks its invitation's language, whatever the page that sent it speaks.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.errors import MessageError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import make_msgid

from flask_babel import force_locale
from flask_babel import gettext as _
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlalchemy.orm import Session

from feedback import locale_format

from .. import ROOT
from ..models import Invitation, aware, utcnow
from .service import invitation_link, is_expired

SMTP_TIMEOUT = 30  # seconds; a server that stops answering must not hold a worker forever
SEND_ERROR_MAX = 200

# Our own environment, not the app's: rendering needs no request, and only the HTML body
# is escaped (the plain-text one would show `&amp;`).
_templates = Environment(
    loader=FileSystemLoader(ROOT / "templates" / "mail"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class SendReport:
    sent: int = 0
    failed: int = 0
    skipped: int = 0  # no address, already answered or expired


def mail_enabled(config: Mapping) -> bool:
    return bool(config.get("MAIL_SERVER"))


def mail_language(invitation: Invitation) -> str:
    """The invitation's language, else the questionnaire's first."""
    languages = invitation.questionnaire.languages
    return invitation.language if invitation.language in languages else languages[0]


def invitation_email(invitation: Invitation, sender: str, link: str) -> EmailMessage:
    """The invitation as an email in its language: a plain-text body and its HTML alternative."""
    with force_locale(mail_language(invitation)):
        title = _one_line(invitation.questionnaire.title_in(mail_language(invitation)))
        ask = _(
            "We would like to know how it went for you. Our questionnaire “%(title)s” "
            "takes less than a minute.",
            title=title,
        )
        subject = _("%(title)s: one minute of your time?", title=title)
        return _email(invitation, sender, link, subject, ask, "invitation")


def reminder_email(invitation: Invitation, sender: str, link: str) -> EmailMessage:
    """A reminder of the invitation, in its language, with the same private link."""
    with force_locale(mail_language(invitation)):
        title = _one_line(invitation.questionnaire.title_in(mail_language(invitation)))
        ask = _(
            "A few days ago we asked how it went for you. If you have a minute, our "
            "questionnaire “%(title)s” is still open.",
            title=title,
        )
        # The reminder being sent is already counted (claimed) when this is written.
        last = (
            _("This is our last reminder: if you would rather not answer, ignore it.")
            if invitation.reminder_count >= invitation.questionnaire.max_reminders
            else ""
        )
        subject = _("Reminder: %(title)s", title=title)
        return _email(invitation, sender, link, subject, ask, "reminder", last=last)


def _email(
    invitation: Invitation, sender: str, link: str, subject: str, ask: str, template: str, **more
) -> EmailMessage:
    """An invitation's email from `template` (.txt and .html), under the caller's locale."""
    language = mail_language(invitation)
    until = ""
    if invitation.expires_at:
        expires = locale_format.day(aware(invitation.expires_at), language, "long")
        until = _("It works until %(date)s.", date=expires)
    context = {
        "language": language,
        "link": link,
        "greeting": _("Hello,"),
        "ask": ask,
        "button": _("Answer the questionnaire"),
        "personal": _("This link is personal: it can be used once."),
        "until": until,
        "thanks": _("Thank you!"),
        **more,
    }
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = Address(addr_spec=invitation.email)
    message["Message-ID"] = make_msgid(domain=_domain_of(sender))
    message.set_content(_templates.get_template(f"{template}.txt").render(context))
    message.add_alternative(
        _templates.get_template(f"{template}.html").render(context), subtype="html"
    )
    # After the bodies: making the message multipart moves Content-* headers to its first part.
    message["Content-Language"] = language
    return message


def is_permanent_refusal(error: BaseException) -> bool:
    """The server refused the address itself for good (5xx on RCPT): a bounce."""
    if not isinstance(error, smtplib.SMTPRecipientsRefused):
        return False
    return any(int(code) >= 500 for code, _reply in error.recipients.values())


def is_temporary_refusal(error: BaseException) -> bool:
    """The server said "not now" (4xx): the same email may go later."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= int(code) < 500 for code, _reply in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and 400 <= error.smtp_code < 500


@dataclass(frozen=True)
class Outcome:
    """One email's fate: sent, or the problem and whether the address bounced for good."""

    sent: bool
    problem: str | None = None
    bounced: bool = False
    # The server could not be reached or hung up: nothing says the address is wrong.
    transient: bool = False


class MailSession:
    """One SMTP connection for a series of emails, reconnecting after the server hangs up.

    Connecting is lazy: `send` reports "could not reach" on each email when it fails.
    """

    def __init__(self, config: Mapping):
        self.config = config
        self.sender = config.get("MAIL_FROM") or "Parcours <no-reply@localhost>"
        self.connection: smtplib.SMTP | None = None
        self.connect_error: str | None = None

    def __enter__(self) -> MailSession:
        try:
            self.connection = _connect(self.config)
        except (smtplib.SMTPException, OSError) as error:
            self.connect_error = _describe(error, connecting=True)
        return self

    def __exit__(self, *exc) -> None:
        if self.connection is not None:
            _hang_up(self.connection)

    def send(self, message: EmailMessage) -> Outcome:
        if self.connection is None:
            return Outcome(False, self.connect_error, transient=True)
        try:
            self.connection.send_message(message)
        except (smtplib.SMTPException, OSError, ValueError, MessageError) as error:
            hung_up = isinstance(error, smtplib.SMTPServerDisconnected | OSError)
            if hung_up:
                self.connection = _reconnect(self.config, self.connection)
            return Outcome(
                False,
                _describe(error),
                bounced=is_permanent_refusal(error),
                transient=hung_up or is_temporary_refusal(error),
            )
        return Outcome(True)


def send_invitations(
    session: Session,
    invitations: Iterable[Invitation],
    config: Mapping,
    *,
    now: datetime | None = None,
) -> SendReport:
    """Email each invitation over one SMTP connection; record the outcome on each.

    `sent_at` is set on success and `send_error` (short, without secrets) on failure, with
    `bounced_at` when the server refused the address for good. One refused address does not
    stop the others, and nothing raises: a server that cannot be reached is recorded on
    every invitation that was to be sent. Each outcome is committed at once: after a crash
    half-way, a new run sends again at most the one then in flight.
    """
    now = now or utcnow()
    to_send = []
    skipped = 0
    for invitation in invitations:
        if not invitation.email or invitation.used_at is not None or is_expired(invitation, now):
            skipped += 1
        else:
            to_send.append(invitation)
    if not to_send:
        return SendReport(skipped=skipped)

    sent = failed = 0
    with MailSession(config) as mail:
        if mail.connection is None:
            for invitation in to_send:
                invitation.send_error = mail.connect_error
            session.commit()
            return SendReport(failed=len(to_send), skipped=skipped)
        for invitation in to_send:
            try:
                message = invitation_email(invitation, mail.sender, invitation_link(invitation))
            except (ValueError, MessageError) as error:
                outcome = Outcome(False, _describe(error))
            else:
                outcome = mail.send(message)
            if outcome.sent:
                invitation.sent_at = utcnow()
                invitation.send_error = None
                sent += 1
            else:
                invitation.send_error = outcome.problem
                if outcome.bounced:
                    invitation.bounced_at = utcnow()
                failed += 1
            session.commit()
    return SendReport(sent=sent, failed=failed, skipped=skipped)


def send_message(config: Mapping, message: EmailMessage) -> str | None:
    """Send one email (a notification) over its own connection; the problem, or None when sent.

    Never raises: what failed is described as for invitations, for a log or a page.
    """
    if not message["From"]:
        message["From"] = config.get("MAIL_FROM") or "Parcours <no-reply@localhost>"
    try:
        connection = _connect(config)
    except (smtplib.SMTPException, OSError) as error:
        return _describe(error, connecting=True)
    try:
        connection.send_message(message)
    except (smtplib.SMTPException, OSError, ValueError, MessageError) as error:
        return _describe(error)
    finally:
        _hang_up(connection)
    return None


def _connect(config: Mapping) -> smtplib.SMTP:
    connection = smtplib.SMTP(
        config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25), timeout=SMTP_TIMEOUT
    )
    try:
        if config.get("MAIL_USE_TLS"):
            connection.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            connection.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    except BaseException:
        connection.close()
        raise
    return connection


def _reconnect(config: Mapping, broken: smtplib.SMTP) -> smtplib.SMTP:
    """A new connection after the server hung up, so the next invitations get their chance."""
    broken.close()
    try:
        return _connect(config)
    except (smtplib.SMTPException, OSError):
        return broken  # closed: each next send fails fast with "server disconnected"


def _hang_up(connection: smtplib.SMTP) -> None:
    try:
        connection.quit()
    except (smtplib.SMTPException, OSError):
        connection.close()


def _describe(error: BaseException, connecting: bool = False) -> str:
    """What the researcher reads: the server's code and words, never the login sent."""
    if isinstance(error, smtplib.SMTPAuthenticationError):
        text = "The mail server refused the login (check MAIL_USERNAME and MAIL_PASSWORD)."
    elif isinstance(error, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(error.recipients.values()))
        text = f"Address refused by the mail server: {code} {_reply(reply)}"
    elif isinstance(error, smtplib.SMTPResponseException):
        text = f"The mail server answered {error.smtp_code} {_reply(error.smtp_error)}"
    elif isinstance(error, smtplib.SMTPServerDisconnected):
        text = "The mail server closed the connection."
    elif isinstance(error, ValueError | MessageError):
        text = "This address cannot be written in an email."
    elif connecting:
        text = f"Could not reach the mail server ({type(error).__name__})."
    else:
        text = f"Sending failed ({type(error).__name__})."
    return text[:SEND_ERROR_MAX]


def _reply(reply: bytes | str) -> str:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
    return " ".join(text.split())


def _one_line(text: str) -> str:
    # A line break in a header would be refused (or, worse, start a new header).
    return " ".join(text.split())


def _domain_of(sender: str) -> str:
    address = sender.rsplit("<", 1)[-1].rstrip("> ")
    return address.rsplit("@", 1)[-1] or "localhost"
