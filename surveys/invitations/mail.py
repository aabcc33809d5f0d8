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
    language = mail_language(invitation)
    title = _one_line(invitation.questionnaire.title_in(language))
    with force_locale(language):
        until = ""
        if invitation.expires_at:
            expires = locale_format.day(aware(invitation.expires_at), language, "long")
            until = _("It works until %(date)s.", date=expires)
        context = {
            "language": language,
            "link": link,
            "greeting": _("Hello,"),
            "ask": _(
                "We would like to know how it went for you. Our questionnaire “%(title)s” "
                "takes less than a minute.",
                title=title,
            ),
            "button": _("Answer the questionnaire"),
            "personal": _("This link is personal: it can be used once."),
            "until": until,
            "thanks": _("Thank you!"),
        }
        subject = _("%(title)s: one minute of your time?", title=title)
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = Address(addr_spec=invitation.email)
    message["Message-ID"] = make_msgid(domain=_domain_of(sender))
    message.set_content(_templates.get_template("invitation.txt").render(context))
    message.add_alternative(
        _templates.get_template("invitation.html").render(context), subtype="html"
    )
    # After the bodies: making the message multipart moves Content-* headers to its first part.
    message["Content-Language"] = language
    return message


def send_invitations(
    session: Session,
    invitations: Iterable[Invitation],
    config: Mapping,
    *,
    now: datetime | None = None,
) -> SendReport:
    """Email each invitation over one SMTP connection; record the outcome on each.

    `sent_at` is set on success and `send_error` (short, without secrets) on failure. One
    refused address does not stop the others, and nothing raises: a server that cannot be
    reached is recorded on every invitation that was to be sent. Each outcome is committed
    at once: after a crash half-way, a new run sends again at most the one then in flight.
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

    try:
        connection = _connect(config)
    except (smtplib.SMTPException, OSError) as error:
        problem = _describe(error, connecting=True)
        for invitation in to_send:
            invitation.send_error = problem
        session.commit()
        return SendReport(failed=len(to_send), skipped=skipped)

    sent = failed = 0
    sender = config.get("MAIL_FROM") or "Parcours <no-reply@localhost>"
    try:
        for invitation in to_send:
            try:
                connection.send_message(
                    invitation_email(invitation, sender, invitation_link(invitation))
                )
            except (smtplib.SMTPException, OSError, ValueError, MessageError) as error:
                invitation.send_error = _describe(error)
                failed += 1
                if isinstance(error, smtplib.SMTPServerDisconnected | OSError):
                    connection = _reconnect(config, connection)
            else:
                invitation.sent_at = utcnow()
                invitation.send_error = None
                sent += 1
            session.commit()
    finally:
        _hang_up(connection)
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
