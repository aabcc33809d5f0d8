"""Webhooks, for administrators: where Parcours sends signed events, and what it sent.

A webhook's secret is shown in the form that creates it (a generated one is offered) and
never again. Each webhook's page lists its recent deliveries with every attempt's status
code, and sends a test event (`webhook.test`) to that webhook alone. Every change is
written to the audit log in the transaction that makes it.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload
from wtforms import StringField
from wtforms.validators import Length

from .. import audit
from ..auth import admin_required
from ..db import get_session
from ..design.forms import MultiCheckboxField, options
from ..messages import translated
from ..models import Webhook, WebhookDelivery
from ..webhooks import service
from ..webhooks.events import EVENTS, record_test
from ..webhooks.guard import URL_MAX
from . import bp

LOG_SIZE = 50
NO_STORE = {"Cache-Control": "no-store"}

EVENT_NAMES = {
    "response.completed": _l("A response is completed"),
    "response.partial": _l("A step of an unfinished response is saved"),
    "case.opened": _l("A follow-up case is opened"),
    "case.updated": _l("A follow-up case changes"),
    "pain_point.updated": _l("A pain point's follow-up changes"),
}
DELIVERY_STATUS_NAMES = {
    "pending": _l("waiting"),
    "delivering": _l("sending"),
    "delivered": _l("delivered"),
    "failed": _l("failed"),
}


class WebhookForm(FlaskForm):
    url = StringField(
        _l("URL"),
        filters=[lambda value: value.strip() if value else value],
        validators=[Length(max=URL_MAX, message=_l("At most %(max)d characters."))],
        description=_l(
            "Where the events are POSTed. Use https://. Loopback, private and link-local "
            "addresses are refused."
        ),
        render_kw={"placeholder": "https://", "autocomplete": "off"},
    )
    events = MultiCheckboxField(
        _l("Events"), choices=options((name, EVENT_NAMES[name]) for name in EVENTS)
    )
    secret = StringField(
        _l("Secret"),
        description=_l(
            "%(min)s to %(max)s characters. Every body is signed with it "
            "(X-Parcours-Signature: sha256=HMAC-SHA256 of the body). Copy it now: it is not "
            "shown again.",
            min=service.SECRET_MIN,
            max=service.SECRET_MAX,
        ),
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )


class ActionForm(FlaskForm):
    """The buttons of a webhook's page: a CSRF token and nothing else."""


def _webhook_or_404(session: Session, webhook_id: int) -> Webhook:
    webhook = session.get(Webhook, webhook_id)
    if webhook is None:
        abort(404)
    return webhook


@bp.get("/webhooks")
@admin_required
def webhooks():
    session = get_session()
    hooks = list(session.scalars(select(Webhook).order_by(Webhook.id)))
    counts = dict(
        session.execute(
            select(WebhookDelivery.webhook_id, func.count())
            .where(WebhookDelivery.status == "failed")
            .group_by(WebhookDelivery.webhook_id)
        ).all()
    )
    return render_template(
        "admin/webhooks.html", webhooks=hooks, failed_counts=counts, event_names=EVENT_NAMES
    )


@bp.route("/webhooks/new", methods=["GET", "POST"])
@admin_required
def new_webhook():
    form = WebhookForm()
    if request.method == "GET":
        form.secret.data = service.generated_secret()
        form.events.data = ["response.completed"]
        return render_template("admin/webhook_form.html", form=form), 200, NO_STORE
    if not form.validate_on_submit():
        return render_template("admin/webhook_form.html", form=form), 422, NO_STORE
    session = get_session()
    try:
        webhook = service.create(
            session, form.url.data or "", form.events.data or [], form.secret.data or "",
            current_user,
        )  # fmt: skip
    except service.WebhookError as error:
        session.rollback()
        for name, message in error.fields.items():
            getattr(form, name).errors = [translated(message)]
        return render_template("admin/webhook_form.html", form=form), 422, NO_STORE
    session.commit()
    flash(_("Webhook added. Send it a test event to check that it answers."), "success")
    return redirect(url_for("admin.webhook", webhook_id=webhook.id))


@bp.get("/webhooks/<int:webhook_id>")
@admin_required
def webhook(webhook_id: int):
    session = get_session()
    hook = _webhook_or_404(session, webhook_id)
    deliveries = list(
        session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.webhook_id == hook.id)
            .options(selectinload(WebhookDelivery.attempt_log))
            .order_by(WebhookDelivery.id.desc())
            .limit(LOG_SIZE)
        )
    )
    return render_template(
        "admin/webhook.html",
        webhook=hook,
        deliveries=deliveries,
        event_names=EVENT_NAMES,
        status_names=DELIVERY_STATUS_NAMES,
        log_size=LOG_SIZE,
    )


def _checked_action(webhook_id: int) -> tuple[Session, Webhook]:
    if not ActionForm().validate_on_submit():
        abort(400)
    session = get_session()
    return session, _webhook_or_404(session, webhook_id)


@bp.post("/webhooks/<int:webhook_id>/active")
@admin_required
def toggle_webhook(webhook_id: int):
    session, hook = _checked_action(webhook_id)
    active = request.form.get("active") == "1"
    service.set_active(session, hook, active, current_user)
    session.commit()
    flash(_("Webhook enabled.") if active else _("Webhook disabled."), "success")
    return redirect(url_for("admin.webhook", webhook_id=hook.id))


@bp.post("/webhooks/<int:webhook_id>/delete")
@admin_required
def delete_webhook(webhook_id: int):
    session, hook = _checked_action(webhook_id)
    service.delete(session, hook, current_user)
    session.commit()
    flash(_("Webhook deleted, with its delivery log."), "success")
    return redirect(url_for("admin.webhooks"))


@bp.post("/webhooks/<int:webhook_id>/test")
@admin_required
def test_webhook(webhook_id: int):
    session, hook = _checked_action(webhook_id)
    delivery = record_test(session, hook)
    audit.record(
        session, "webhook_tested", target=hook.url,
        details={"webhook_id": hook.id, "event_id": delivery.event_id},
    )  # fmt: skip
    session.commit()  # sent after the commit; the log below shows how it went
    flash(_("Test event sent; its delivery appears in the log below."), "success")
    return redirect(url_for("admin.webhook", webhook_id=hook.id))
