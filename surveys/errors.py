"""Error pages in the site's own style; never a bare server error for bad input."""

from __future__ import annotations

from flask import Flask, current_app, g, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: ("This request could not be understood", "Reload the page and try again."),
    403: ("You may not see this page", "Your account does not give access to it."),
    404: ("Page not found", "Check the link, or go back to the home page."),
    405: ("This action is not allowed here", "Go back to the previous page."),
    410: ("This page is no longer available", "It has been closed."),
    413: ("What you sent is too large", "Shorten your text and send it again."),
    429: ("Too many requests", "Wait a moment and try again."),
}


def is_api_request() -> bool:
    """The JSON API answers its errors in JSON, even for paths no route matched."""
    return request.path == "/api" or request.path.startswith("/api/")


def login_pause_message() -> str:
    """What a locked-out person should do: how long to wait, and who can help."""
    limit = str(current_app.config.get("LOGIN_LIMIT_PER_ADDRESS", ""))
    window = limit.partition(" per ")[2] or "a while"
    return (
        f"Logging in is paused after several failed attempts. Wait {window} and try again; "
        "if you forgot your password, ask an administrator to set a new one."
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
    from .respond.messages import choose_language, translator

    if "_login_user" not in g:
        # Flask-Login's template context would ask the database who is logged in: nobody
        # known, for this page.
        g._login_user = current_app.login_manager.anonymous_user()
    language = choose_language(["en", "fr"])
    resend = request.blueprint == "respond" and request.method == "POST"
    page = render_template(
        "errors/unavailable.html",
        language=language,
        t=translator(language),
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
            title="This page has expired",
            message="The form was open too long or came from elsewhere. "
            "Reload the page, then send it again.",
        ), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if is_api_request():
            from .api.errors import from_http_exception

            return from_http_exception(error)
        code = error.code or 500
        title, message = MESSAGES.get(code, (error.name, error.description or ""))
        if code == 429 and request.endpoint == "auth.login":
            message = login_pause_message()
        return render_template("errors/error.html", code=code, title=title, message=message), code
