"""Errors of the JSON API, always in one shape: {"error": {"code", "message", "fields"}}."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Response, jsonify
from werkzeug.exceptions import HTTPException

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    410: "gone",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "server_error",
    503: "unavailable",
}

MESSAGES = {
    400: "The request could not be read.",
    401: "Send a valid API token: Authorization: Bearer <token>.",
    403: "This token may not do that.",
    404: "Not found.",
    405: "This method is not allowed on this path.",
    413: "The body is too large.",
    415: "Send the body as application/json.",
    429: "Too many requests for this token; wait and try again.",
    500: "Something went wrong on our side; the request was not applied.",
}


class ApiError(Exception):
    """Raised by API views; becomes the JSON error body with its status."""

    def __init__(
        self,
        status: int,
        message: str | None = None,
        *,
        code: str | None = None,
        fields: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ):
        super().__init__(message)
        self.status = status
        self.code = code or CODES.get(status, "error")
        self.message = message or MESSAGES.get(status, "")
        self.fields = dict(fields) if fields else None
        self.headers = dict(headers or {})


def error_response(error: ApiError) -> Response:
    body: dict = {"code": error.code, "message": error.message}
    if error.fields:
        body["fields"] = error.fields
    response = jsonify({"error": body})
    response.status_code = error.status
    for name, value in error.headers.items():
        response.headers[name] = value
    return response


def from_http_exception(error: HTTPException) -> Response:
    """Werkzeug's errors (404 route, 405, 413, 429...) in the API's shape."""
    status = error.code or 500
    headers = {}
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="parcours"'
    allowed = getattr(error, "valid_methods", None)
    if status == 405 and allowed:
        headers["Allow"] = ", ".join(allowed)
    retry_after = getattr(error, "retry_after", None)
    if retry_after:
        headers["Retry-After"] = str(retry_after)
    return error_response(ApiError(status, MESSAGES.get(status), headers=headers))
