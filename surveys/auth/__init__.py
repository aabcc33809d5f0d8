"""Accounts: login, logout and the role checks the other blueprints use."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps

from flask import Blueprint, Flask, abort
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user, login_required

from ..db import get_session
from ..models import User

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please log in to see this page.")
login_manager.localize_callback = str  # flashed in the language of the page that asked
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The account of a session cookie ("<user id>.<session version>", User.get_id)."""
    user_id, _, version = session_id.partition(".")
    if not (user_id.isdigit() and version.isdigit()):
        return None  # a malformed cookie, or one from before session versions
    user = get_session().get(User, int(user_id))
    # A deactivated account's open sessions end at its next request; so does any session
    # of an account that logged out (or was logged out) since.
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


# "Keep me logged in" is optional (off unless ticked); its cookie lasts 30 days at most
# (ASVS 3.3.2), is never read by script nor sent from another site; it is Secure when the
# session cookie is (surveys.security).
REMEMBER_COOKIE = {
    "REMEMBER_COOKIE_DURATION": timedelta(days=30),
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
}


def init_app(app: Flask) -> None:
    for name, value in REMEMBER_COOKIE.items():
        app.config.setdefault(name, value)
    login_manager.init_app(app)


def roles_required(*roles: str) -> Callable:
    """Allow the view to logged-in users with one of `roles` (admins always pass)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role != "admin" and current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


designer_required = roles_required("researcher")
reader_required = roles_required("researcher", "cx_lead")
admin_required = roles_required()  # administrators only

from . import routes, token_views  # noqa: E402,F401  (registers the views on bp)
