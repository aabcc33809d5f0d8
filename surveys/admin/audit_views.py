"""The audit log, for administrators: newest first, filtered by action, by who acted and by
what it was about, 50 events a page (keyset: each page starts after the last event shown, so
events written meanwhile never shift a page)."""

from __future__ import annotations

import json

from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import and_, func, or_, select
from wtforms import SearchField, SelectField
from wtforms.validators import AnyOf, Length, Optional

from ..auth import admin_required
from ..db import get_session
from ..design.forms import options
from ..i18n import ROLE_NAMES
from ..models import AUDIT_ACTIONS, AuditEvent
from . import bp

PAGE_SIZE = 50

ACTION_NAMES = {
    "login": _l("Login"),
    "login_failed": _l("Failed login"),
    "logout": _l("Logout"),
    "user_created": _l("Account created"),
    "role_changed": _l("Role changed"),
    "user_deactivated": _l("Account deactivated"),
    "user_reactivated": _l("Account reactivated"),
    "token_revoked": _l("API token revoked"),
    "export": _l("Data export"),
    "customer_export": _l("Customer data export"),
    "erasure": _l("Erasure"),
    "purge": _l("Retention purge"),
    "case_status_changed": _l("Follow-up case status changed"),
    "webhook_created": _l("Webhook added"),
    "webhook_enabled": _l("Webhook enabled"),
    "webhook_disabled": _l("Webhook disabled"),
    "webhook_deleted": _l("Webhook deleted"),
    "webhook_tested": _l("Webhook test event sent"),
}


def action_name(action: str) -> str:
    return str(ACTION_NAMES.get(action, action))


def _role(role) -> str:
    return str(ROLE_NAMES.get(role, role))


def _plain(value) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def describe(event: AuditEvent) -> list[tuple[str | None, str]]:
    """The event's details as lines to read: (None, a sentence) for the details this module
    knows, (key, value) for the others (other pages' events), keys shown as codes."""
    rest = dict(event.details or {})
    lines: list[tuple[str | None, str]] = []
    if event.action == "role_changed" and {"from", "to"} <= rest.keys():
        old, new = _role(rest.pop("from")), _role(rest.pop("to"))
        lines.append((None, _("From %(old)s to %(new)s.", old=old, new=new)))
    if event.action == "user_created" and "role" in rest:
        lines.append((None, _("Role: %(role)s.", role=_role(rest.pop("role")))))
    if event.action == "login_failed" and "email" in rest:
        lines.append((None, _("Email tried: %(email)s", email=_plain(rest.pop("email")))))
    if event.action == "token_revoked" and "token" in rest:
        prefix, name = _plain(rest.pop("token")), _plain(rest.pop("name", ""))
        if name:
            lines.append((None, _("Token %(prefix)s… “%(name)s”", prefix=prefix, name=name)))
        else:
            lines.append((None, _("Token %(prefix)s…", prefix=prefix)))
    lines.extend((key, _plain(value)) for key, value in sorted(rest.items()))
    return lines


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a search (GET): it changes nothing

    action = SelectField(
        _l("Action"),
        choices=options([("", _l("Every action"))] + list(ACTION_NAMES.items())),
        validate_choice=False,  # AnyOf says it in our words
        validators=[Optional(), AnyOf(AUDIT_ACTIONS, message=_l("Choose an action in the list."))],
    )
    actor = SearchField(
        _l("By (email)"),
        filters=[lambda value: value.strip() if value else value],
        validators=[Optional(), Length(max=254, message=_l("At most %(max)d characters."))],
        description=_l("All or part of the email of who acted."),
    )
    target = SearchField(
        _l("About"),
        filters=[lambda value: value.strip() if value else value],
        validators=[Optional(), Length(max=200, message=_l("At most %(max)d characters."))],
        description=_l("All or part of the account, customer or report concerned."),
    )


def _contains(column, text: str):
    return func.lower(column).contains(text.lower(), autoescape=True)


@bp.get("/audit")
@admin_required
def audit_log():
    form = AuditFilterForm(formdata=request.args)
    before = request.args.get("before", "")
    if before and not before.isdigit():
        abort(400)
    if not form.validate():
        return _page(form, events=[], more=False, before="", filters={}), 400
    session = get_session()
    query = select(AuditEvent)
    filters = {}
    if form.action.data:
        query = query.where(AuditEvent.action == form.action.data)
        filters["action"] = form.action.data
    if form.actor.data:
        query = query.where(_contains(AuditEvent.actor_email, form.actor.data))
        filters["actor"] = form.actor.data
    if form.target.data:
        query = query.where(_contains(AuditEvent.target, form.target.data))
        filters["target"] = form.target.data
    if before:
        pivot = session.get(AuditEvent, int(before))
        if pivot is None:
            abort(404)
        query = query.where(
            or_(
                AuditEvent.at < pivot.at,
                and_(AuditEvent.at == pivot.at, AuditEvent.id < pivot.id),
            )
        )
    query = query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(PAGE_SIZE + 1)
    events = list(session.scalars(query))
    return _page(
        form,
        events=events[:PAGE_SIZE],
        more=len(events) > PAGE_SIZE,
        before=before,
        filters=filters,
    )


def _page(form: AuditFilterForm, **context) -> str:
    return render_template(
        "admin/audit.html",
        form=form,
        page_size=PAGE_SIZE,
        action_name=action_name,
        describe=describe,
        **context,
    )
