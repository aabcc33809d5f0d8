"""Accounts: login, logout and the role checks the other blueprints use."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Blueprint, Flask, abort
from flask_login import LoginManager, current_user, login_required

from ..db import get_session
from ..models import User

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please log in to see this page."
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    if not user_id.isdigit():
        return None
    return get_session().get(User, int(user_id))


def init_app(app: Flask) -> None:
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

from . import routes, token_views  # noqa: E402,F401  (registers the views on bp)
