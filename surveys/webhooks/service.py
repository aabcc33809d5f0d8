"""Registering webhooks: the checks and changes shared by the admin pages and the API.

Every change is written to the audit log in the transaction that makes it.
"""

from __future__ import annotations

import secrets

from flask import current_app
from sqlalchemy.orm import Session

from .. import audit
from ..messages import N_, Message
from ..models import User, Webhook
from . import guard
from .events import EVENTS

SECRET_MIN = 16
SECRET_MAX = 200
SECRET_LENGTH_MESSAGE = N_(
    "The secret must have %(min)d to %(max)d characters.", min=SECRET_MIN, max=SECRET_MAX
)


class WebhookError(Exception):
    """Some fields are not valid; `fields` maps each to its message."""

    def __init__(self, fields: dict[str, Message]):
        super().__init__("; ".join(f"{name}: {message}" for name, message in fields.items()))
        self.fields = fields


def generated_secret() -> str:
    return secrets.token_urlsafe(32)


def check(url: str, events, secret: str) -> tuple[str, list[str], str]:
    """The URL, events and secret to store, or WebhookError naming every bad field."""
    errors: dict[str, Message] = {}
    allowed = guard.allowed_hosts(current_app.config.get("WEBHOOK_ALLOWED_HOSTS"))
    try:
        url = guard.check_registration(url, allowed)
    except guard.UrlRefused as refused:
        errors["url"] = refused.message
    chosen = [name for name in EVENTS if name in set(events or ())]
    if not chosen or len(chosen) != len(set(events or ())):
        errors["events"] = N_("Choose at least one of the events, among those listed.")
    secret = (secret or "").strip()
    if not SECRET_MIN <= len(secret) <= SECRET_MAX:
        errors["secret"] = SECRET_LENGTH_MESSAGE
    if errors:
        raise WebhookError(errors)
    return url, chosen, secret


def create(session: Session, url: str, events, secret: str, actor: User | None) -> Webhook:
    url, chosen, secret = check(url, events, secret)
    webhook = Webhook(
        url=url,
        events=chosen,
        secret=secret,
        active=True,
        created_by_id=actor.id if actor is not None else None,
    )
    session.add(webhook)
    session.flush()
    audit.record(
        session,
        "webhook_created",
        actor=actor,
        target=url,
        details={"webhook_id": webhook.id, "events": chosen},
    )
    return webhook


def set_active(session: Session, webhook: Webhook, active: bool, actor: User | None) -> None:
    if webhook.active == active:
        return
    webhook.active = active
    action = "webhook_enabled" if active else "webhook_disabled"
    audit.record(
        session, action, actor=actor, target=webhook.url, details={"webhook_id": webhook.id}
    )


def delete(session: Session, webhook: Webhook, actor: User | None) -> None:
    audit.record(
        session,
        "webhook_deleted",
        actor=actor,
        target=webhook.url,
        details={"webhook_id": webhook.id},
    )
    session.delete(webhook)
