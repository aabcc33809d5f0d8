"""The home page of logged-in users: their journeys and questionnaires."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select

from .auth import reader_required
from .db import get_session
from .models import Journey, Questionnaire, Response

bp = Blueprint("web", __name__)


@bp.get("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("web.home"))
    return redirect(url_for("auth.login"))


@bp.get("/home")
@reader_required
def home():
    session = get_session()
    journeys = session.scalars(select(Journey).order_by(Journey.name)).all()
    counts = dict(
        session.execute(
            select(Questionnaire.journey_id, func.count(Response.id))
            .join(Response, Response.questionnaire_id == Questionnaire.id)
            .group_by(Questionnaire.journey_id)
        ).all()
    )
    return render_template("home.html", journeys=journeys, response_counts=counts)
