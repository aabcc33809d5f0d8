"""Accounts, for administrators: who may log in, with which role, and their API tokens.

Every change is recorded in the audit log in the transaction that makes it. An administrator
cannot deactivate or demote themselves, and Parcours always keeps one active administrator:
the active administrators' rows are locked (PostgreSQL) before the check, so two
administrators demoting each other at the same moment cannot leave none.
"""

from __future__ import annotations

import secrets

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from wtforms import EmailField, PasswordField, SelectField
from wtforms.validators import AnyOf, DataRequired, Email, Length, Optional

from .. import audit
from ..api_tokens import revoke_token, tokens_of
from ..auth import admin_required
from ..db import get_session
from ..design.forms import options
from ..i18n import ROLE_NAMES
from ..models import MIN_PASSWORD_LENGTH, ROLE_SCOPES, ROLES, ApiToken, AuditEvent, User, utcnow
from . import bp
from .audit_views import action_name

PASSWORD_MAX = 200
GENERATED_PASSWORD_BYTES = 12  # 16 characters, 96 random bits
NO_STORE = {"Cache-Control": "no-store"}


def _stripped(value):
    return value.strip() if value else value


def _role_field() -> SelectField:
    return SelectField(
        _l("Role"),
        choices=options((role, ROLE_NAMES[role]) for role in ROLES),
        validate_choice=False,  # AnyOf says it in our words
        validators=[AnyOf(ROLES, message=_l("Choose one of the roles."))],
    )


class NewUserForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        filters=[_stripped],
        validators=[
            DataRequired(_l("Enter the person's email address.")),
            Email(
                _l("Enter an email address such as name@example.com."), check_deliverability=False
            ),
            Length(max=254, message=_l("At most %(max)d characters.")),
        ],
    )
    role = _role_field()
    password = PasswordField(
        _l("Temporary password"),
        validators=[
            Optional(),
            Length(min=MIN_PASSWORD_LENGTH, message=_l("At least %(min)d characters.")),
            Length(max=PASSWORD_MAX, message=_l("At most %(max)d characters.")),
        ],
        description=_l(
            "At least %(num)s characters, to give the person yourself. Leave it empty and "
            "Parcours makes one, shown once on the next page.",
            num=MIN_PASSWORD_LENGTH,
        ),
        render_kw={"autocomplete": "new-password"},
    )


class RoleForm(FlaskForm):
    role = _role_field()


# --- reading ----------------------------------------------------------------------------


def _last_logins(session: Session) -> dict[int, object]:
    """Each account's last successful login, from the audit log."""
    rows = session.execute(
        select(AuditEvent.actor_id, func.max(AuditEvent.at))
        .where(AuditEvent.action == "login", AuditEvent.actor_id.is_not(None))
        .group_by(AuditEvent.actor_id)
    )
    return {key: value for key, value in rows}


def _live_token_counts(session: Session) -> dict[int, int]:
    rows = session.execute(
        select(ApiToken.user_id, func.count())
        .where(ApiToken.revoked_at.is_(None))
        .group_by(ApiToken.user_id)
    )
    return {key: value for key, value in rows}


def _user_or_404(session: Session, user_id: int, lock: bool = False) -> User:
    user = session.get(
        User, user_id, with_for_update=True if lock else None, populate_existing=lock
    )
    if user is None:
        abort(404)
    return user


def _active_admins(session: Session) -> list[int]:
    """The active administrators' ids, their rows locked until the commit (PostgreSQL): a
    second removal waits for the first, then sees it."""
    query = (
        select(User.id)
        .where(User.role == "admin", User.active.is_(True))
        .order_by(User.id)
        .with_for_update()
    )
    return list(session.scalars(query))


def _lock_admins(session: Session) -> None:
    _active_admins(session)


def _leaves_an_admin(session: Session) -> bool:
    """Whether an active administrator remains once the pending change is written (SQLite
    has no row locks, but lets one writer at a time: this check sees the other's commit)."""
    session.flush()
    return bool(_active_admins(session))


def _user_page(user: User, status: int = 200, role_form: RoleForm | None = None, problem=None):
    session = get_session()
    if role_form is None:
        role_form = RoleForm(formdata=None, role=user.role)
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.target == user.email)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(10)
    )
    page = render_template(
        "admin/user.html",
        user=user,
        role_form=role_form,
        problem=problem,
        tokens=tokens_of(session, user),
        role_scopes=set(ROLE_SCOPES.get(user.role, ())),
        last_login=_last_logins(session).get(user.id),
        events=list(events),
        action_name=action_name,
        is_self=user.id == current_user.id,
    )
    return page, status


@bp.get("/users")
@admin_required
def users():
    session = get_session()
    accounts = session.scalars(select(User).order_by(func.lower(User.email)))
    return render_template(
        "admin/users.html",
        users=list(accounts),
        last_logins=_last_logins(session),
        token_counts=_live_token_counts(session),
    )


@bp.get("/users/<int:user_id>")
@admin_required
def user(user_id: int):
    return _user_page(_user_or_404(get_session(), user_id))


# --- adding -----------------------------------------------------------------------------


@bp.route("/users/new", methods=["GET", "POST"])
@admin_required
def new_user():
    form = NewUserForm()
    if not form.validate_on_submit():
        status = 422 if form.errors else 200
        return render_template("admin/user_form.html", form=form), status, NO_STORE
    session = get_session()
    email = form.email.data.lower()
    if session.scalar(select(User.id).where(func.lower(User.email) == email)) is not None:
        form.email.errors.append(_("An account with this email already exists."))
        return render_template("admin/user_form.html", form=form), 422, NO_STORE
    generated = not form.password.data
    password = secrets.token_urlsafe(GENERATED_PASSWORD_BYTES) if generated else form.password.data
    account = User(email=email, role=form.role.data)
    account.set_password(password)
    session.add(account)
    audit.record(session, "user_created", target=email, details={"role": account.role})
    try:
        session.commit()
    except IntegrityError:  # the same email added at the same moment by someone else
        session.rollback()
        form.email.errors.append(_("An account with this email already exists."))
        return render_template("admin/user_form.html", form=form), 422, NO_STORE
    message = _("Account %(email)s created (%(role)s).", email=email, role=ROLE_NAMES[account.role])
    if not generated:
        flash(message, "success")
        return redirect(url_for("admin.user", user_id=account.id))
    # Rendered, not redirected: the password must never sit in a session cookie.
    page = render_template("admin/user_created.html", user=account, password=password)
    return page, 201, NO_STORE


# --- changing ---------------------------------------------------------------------------


@bp.post("/users/<int:user_id>/role")
@admin_required
def change_role(user_id: int):
    session = get_session()
    form = RoleForm()
    if not form.validate_on_submit():
        return _user_page(_user_or_404(session, user_id), 422, form)
    _lock_admins(session)
    account = _user_or_404(session, user_id, lock=True)
    new_role, old_role = form.role.data, account.role
    if new_role == old_role:
        flash(_("%(email)s already has this role.", email=account.email), "info")
        return redirect(url_for("admin.user", user_id=account.id))
    if new_role != "admin" and account.id == current_user.id:
        form.role.errors.append(
            _("You cannot change your own role: ask another administrator to do it.")
        )
        return _user_page(account, 422, form)
    account.role = new_role
    if not _leaves_an_admin(session):
        session.rollback()
        form.role.errors.append(_("Parcours needs at least one active administrator."))
        return _user_page(_user_or_404(session, user_id), 422, form)
    details = {"from": old_role, "to": new_role}
    audit.record(session, "role_changed", target=account.email, details=details)
    session.commit()
    flash(
        _(
            "%(email)s is now %(role)s; their API tokens keep only the scopes of this role.",
            email=account.email,
            role=ROLE_NAMES[new_role],
        ),
        "success",
    )
    return redirect(url_for("admin.user", user_id=account.id))


@bp.post("/users/<int:user_id>/deactivate")
@admin_required
def deactivate_user(user_id: int):
    session = get_session()
    _lock_admins(session)
    account = _user_or_404(session, user_id, lock=True)
    if not account.active:
        flash(_("%(email)s is already deactivated.", email=account.email), "info")
        return redirect(url_for("admin.user", user_id=account.id))
    if account.id == current_user.id:
        return _user_page(account, 422, problem=_("You cannot deactivate your own account."))
    account.active = False
    if not _leaves_an_admin(session):
        session.rollback()
        problem = _("Parcours needs at least one active administrator.")
        return _user_page(_user_or_404(session, user_id), 422, problem=problem)
    audit.record(session, "user_deactivated", target=account.email)
    session.commit()
    flash(
        _(
            "%(email)s is deactivated: they can no longer log in, and their API tokens get 401.",
            email=account.email,
        ),
        "success",
    )
    return redirect(url_for("admin.user", user_id=account.id))


@bp.post("/users/<int:user_id>/reactivate")
@admin_required
def reactivate_user(user_id: int):
    session = get_session()
    account = _user_or_404(session, user_id, lock=True)
    if account.active:
        flash(_("%(email)s is already active.", email=account.email), "info")
        return redirect(url_for("admin.user", user_id=account.id))
    account.active = True
    audit.record(session, "user_reactivated", target=account.email)
    session.commit()
    flash(
        _(
            "%(email)s is active again: they can log in, and their tokens that were not "
            "revoked work again.",
            email=account.email,
        ),
        "success",
    )
    return redirect(url_for("admin.user", user_id=account.id))


# --- API tokens ---------------------------------------------------------------------------


def _record_revocation(session: Session, account: User, token: ApiToken) -> None:
    details = {"token": token.prefix, "name": token.name}
    audit.record(session, "token_revoked", target=account.email, details=details)


@bp.post("/users/<int:user_id>/tokens/<int:token_id>/revoke")
@admin_required
def revoke_user_token(user_id: int, token_id: int):
    session = get_session()
    account = _user_or_404(session, user_id)
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != account.id:
        abort(404)
    if token.revoked_at is None:  # the event commits with the revocation
        _record_revocation(session, account, token)
    revoke_token(session, token)
    flash(
        _(
            "Token %(prefix)s… of %(email)s revoked; calls with it now get 401.",
            prefix=token.prefix,
            email=account.email,
        ),
        "success",
    )
    return redirect(url_for("admin.user", user_id=account.id))


@bp.post("/users/<int:user_id>/tokens/revoke-all")
@admin_required
def revoke_user_tokens(user_id: int):
    session = get_session()
    account = _user_or_404(session, user_id)
    live = [t for t in tokens_of(session, account) if t.revoked_at is None]
    now = utcnow()
    for token in live:  # all in one transaction, each with its event
        _record_revocation(session, account, token)
        token.revoked_at = now
    session.commit()
    if live:
        message = ngettext(
            "%(num)s token of %(email)s revoked; calls with it now get 401.",
            "%(num)s tokens of %(email)s revoked; calls with them now get 401.",
            len(live),
            email=account.email,
        )
        flash(message, "success")
    else:
        flash(_("%(email)s has no live token.", email=account.email), "info")
    return redirect(url_for("admin.user", user_id=account.id))
