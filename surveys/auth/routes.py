from __future__ import annotations

import functools
import secrets
from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from .. import audit
from ..db import get_session
from ..models import User
from . import bp
from .forms import LoginForm


def _safe_next(target: str | None) -> str:
    """Only redirect to a path on this site after login."""
    if target and urlsplit(target).netloc == "" and target.startswith("/") and "//" not in target:
        return target
    return url_for("web.home")


@functools.cache
def _no_account_hash() -> str:
    """A hash to check the password against when no account matches, so an unknown email
    takes as long as a wrong password (scrypt, ~0.1 s) and its time tells nothing."""
    return generate_password_hash(secrets.token_hex(16), method="scrypt")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("web.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = get_session().scalar(
            select(User).where(func.lower(User.email) == form.email.data.strip().lower())
        )
        known = user.password_hash if user is not None else _no_account_hash()
        password_ok = check_password_hash(known, form.password.data)
        # Failed logins are counted and limited by surveys.security (401 only).
        if user is not None and user.active and password_ok:
            session.clear()  # a fresh session at login
            login_user(user, remember=form.remember.data)
            audit.record(get_session(), "login", actor=user)
            get_session().commit()
            return redirect(_safe_next(request.args.get("next")))
        # The address tried, never the password (an email field refuses a pasted password).
        tried = form.email.data
        audit.record(get_session(), "login_failed", target=tried, details={"email": tried})
        get_session().commit()
        # One message for an unknown email and a wrong password.
        flash(_("Wrong email or password."), "error")
        return render_template("auth/login.html", form=form), 401
    status = 400 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    audit.record(get_session(), "logout")
    current_user.end_sessions()  # copies of this session's cookies stop working too
    get_session().commit()
    session.clear()
    # After the clear, which would drop its order to delete the "keep me logged in" cookie
    # (that cookie would log the browser back in at its next request).
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))
