"""The CX lead's pages: the journey map, pain points and the pain-point report."""

from flask import Blueprint

bp = Blueprint("insight", __name__)

from . import case_views, map_views, pain_point_views, trend_views  # noqa: E402,F401
