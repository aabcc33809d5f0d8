"""The customer's pages: answer a questionnaire from a link or a QR code."""

from flask import Blueprint

bp = Blueprint("respond", __name__, url_prefix="/s")

from . import routes  # noqa: E402,F401
