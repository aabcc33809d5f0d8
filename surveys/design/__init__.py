"""The researcher's pages: journey maps, questionnaires, interviews, responses, invitations."""

from flask import Blueprint

bp = Blueprint("design", __name__)

from . import (  # noqa: E402,F401
    alert_rule_views,
    exchange_views,
    invitation_views,
    journey_views,
    questionnaire_views,
    response_views,
    theme_views,
)
