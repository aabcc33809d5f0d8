"""The JSON API (/api/v1) for shops, CRMs and scripts: the same services as the pages.

Every endpoint is declared once in `spec.operation`; the declaration checks the token and
its scope, validates the request and writes the OpenAPI document.
"""

from __future__ import annotations

from flask import Blueprint, Flask

BASE_PATH = "/api/v1"
API_VERSION = "1.0.0"

bp = Blueprint("api", __name__, url_prefix=BASE_PATH)


def init_app(app: Flask) -> None:
    from .. import csrf
    from .limits import init_limits

    # Bearer tokens, not cookies: a cross-site form cannot call the API.
    csrf.exempt(bp)
    app.register_blueprint(bp)
    app.extensions["parcours_limiter"] = init_limits(app, bp)


from .errors import ApiError, error_response  # noqa: E402

bp.register_error_handler(ApiError, error_response)

from . import docs, invitations, journeys, questionnaires, responses, webhooks  # noqa: E402,F401
