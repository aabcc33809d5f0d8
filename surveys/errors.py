"""Error pages in the site's own style; never a bare server error for bad input."""

from __future__ import annotations

from datetime import timedelta

from babel.dates import format_timedelta
from flask import Flask, current_app, g, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from limits import parse_many
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from .i18n import LANGUAGES, current_language, settle_language

MESSAGES = {
    400: (_l("This request could not be understood"), _l("Reload the page and try again.")),
    403: (_l("You may not see this page"), _l("Your account does not give access to it.")),
    404: (_l("Page not found"), _l("Check the link, or go back to the home page.")),
    405: (_l("This action is not allowed here"), _l("Go back to the previous page.")),
    410: (_l("This page is no longer available"), _l("It has been closed.")),
    413: (_l("What you sent is too large"), _l("Shorten your text and send it again.")),
    429: (_l("Too many requests"), _l("Wait a moment and try again.")),
    500: (_l("Something went wrong on our side"), _l("Please try again in a moment.")),
    503: (_l("Unavailable for a moment"), _l("Please try again in a minute.")),
}
# Any other code: werkzeug's own name and description are English only.
OTHER_ERROR = (
    _l("This request could not be completed"),
    _l("Go back to the previous page and try again."),
)


def is_api_request() -> bool:
    """The JSON API answers its errors in JSON, even for paths no route matched."""
    return request.path == "/api" or request.path.startswith("/api/")


def login_pause_message() -> str:
    """What a locked-out person should do: how long to wait, and who can help."""
    limit = str(current_app.config.get("LOGIN_LIMIT_PER_ADDRESS", ""))
    try:
        window = format_timedelta(
            timedelta(seconds=parse_many(limit)[0].get_expiry()), locale=current_language()
        )
    except (ValueError, IndexError):
        window = None
    if window is None:
        return _(
            "Logging in is paused after several failed attempts. Wait a while and try again; "
            "if you forgot your password, ask an administrator to set a new one."
        )
    return _(
        "Logging in is paused after several failed attempts. Wait %(window)s and try again; "
        "if you forgot your password, ask an administrator to set a new one.",
        window=window,
    )


# The database is away, restarting or cut off: worth trying again soon, unlike a bug.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_S = "30"


def database_unavailable(error: Exception):
    """A 503 to try again, never a 500: JSON for the API; for a survey sent meanwhile, a page
    holding every field it sent (answers, CSRF token, submission key) to send again as is.

    Nothing here reads the database: not the questionnaire, not the logged-in user.
    """
    reason = str(getattr(error, "orig", None) or error).strip().splitlines()[:1]
    current_app.logger.warning(
        "database unavailable on %s %s: %s", request.method, request.path, reason
    )
    headers = {"Retry-After": RETRY_AFTER_S, "Cache-Control": "no-store"}
    if is_api_request():
        from .api.errors import ApiError, error_response

        return error_response(
            ApiError(
                503,
                "The service is unavailable for a moment; nothing was stored. Try again.",
                headers=headers,
            )
        )
    from .respond.messages import choose_language

    if "_login_user" not in g:
        # Flask-Login's template context would ask the database who is logged in: nobody
        # known, for this page.
        g._login_user = current_app.login_manager.anonymous_user()
    # The language the page was in (a survey posts its own), else the switch's or browser's.
    settle_language(choose_language(list(LANGUAGES)))
    resend = request.blueprint == "respond" and request.method == "POST"
    page = render_template(
        "errors/unavailable.html",
        fields=list(request.form.items(multi=True)) if resend else None,
    )
    return page, 503, headers


def init_app(app: Flask) -> None:
    for failure in DATABASE_UNAVAILABLE:
        app.register_error_handler(failure, database_unavailable)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        # The customer's survey keeps their answers and asks to send again.
        if request.blueprint == "respond" and request.method == "POST":
            from .respond.routes import redisplay_after_csrf_error

            try:
                return redisplay_after_csrf_error()
            except HTTPException as not_answerable:  # an abort here would become a 500
                return http_error(not_answerable)
        return render_template(
            "errors/error.html",
            code=400,
            title=_("This page has expired"),
            message=_(
                "The form was open too long or came from elsewhere. "
                "Reload the page, then send it again."
            ),
        ), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if is_api_request():
            from .api.errors import from_http_exception

            return from_http_exception(error)
        code = error.code or 500
        title, message = MESSAGES.get(code, OTHER_ERROR)
        if code == 429 and request.endpoint == "auth.login":
            message = login_pause_message()
        return render_template("errors/error.html", code=code, title=title, message=message), code
