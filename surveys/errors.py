"""Error pages in the site's own style; never a bare server error for bad input."""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask_wtf.csrf import CSRFError
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


def init_app(app: Flask) -> None:
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
