"""Responses of a questionnaire, one response's answers, and interviews."""

from __future__ import annotations

import secrets

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..auth import designer_required, reader_required
from ..db import get_session
from ..i18n import current_language
from ..jobs.scoring_jobs import score_inline, score_later
from ..models import Answer, Questionnaire, Response
from ..question_types import EMOTION_CHOICES, parse_form
from ..respond.messages import translator
from ..submissions import store_response, valid_submission_key
from . import bp
from .journey_views import get_or_404

PAGE_SIZE = 50


@bp.get("/questionnaires/<int:questionnaire_id>/responses")
@reader_required
def responses(questionnaire_id: int):
    questionnaire = get_or_404(Questionnaire, questionnaire_id)
    session = get_session()
    total = session.scalar(
        select(func.count()).where(Response.questionnaire_id == questionnaire.id)
    )
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(max(request.args.get("page", 1, type=int), 1), pages)
    rows = session.scalars(
        select(Response)
        .where(Response.questionnaire_id == questionnaire.id)
        .options(
            selectinload(Response.answers).selectinload(Answer.question),
            selectinload(Response.answers).selectinload(Answer.analysis),
            selectinload(Response.version),
        )
        .order_by(Response.submitted_at.desc(), Response.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return render_template(
        "design/responses.html",
        q=questionnaire,
        responses=rows,
        total=total,
        page=page,
        pages=pages,
        emotion_choices=EMOTION_CHOICES,
    )


@bp.get("/responses/<int:response_id>")
@reader_required
def response(response_id: int):
    response = get_or_404(Response, response_id)
    return render_template(
        "design/response.html",
        r=response,
        q=response.questionnaire,
        emotion_choices=EMOTION_CHOICES,
    )


@bp.route("/questionnaires/<int:questionnaire_id>/interviews/new", methods=["GET", "POST"])
@designer_required
def new_interview(questionnaire_id: int):
    """An interview: the researcher writes the notes of one conversation, question by question."""
    questionnaire = get_or_404(Questionnaire, questionnaire_id)
    if not questionnaire.is_interview:
        abort(404)
    language = questionnaire.languages[0]
    values, errors = {}, {}
    if request.method == "POST":
        language = (
            request.form.get("language")
            if request.form.get("language") in questionnaire.languages
            else language
        )
        values = request.form.to_dict(flat=False)
        parsed = parse_form(questionnaire.current_version.questions, values)
        errors = parsed.errors
        interviewee = request.form.get("interviewee", "").strip()[:200]
        if not errors and not parsed.values:
            errors = {"_form": _("Write at least one note before saving the interview.")}
        if not errors:
            response, new = store_response(
                get_session(),
                questionnaire,
                parsed.values,
                language,
                channel="interview",
                interviewer_id=current_user.id,
                meta={"interviewee": interviewee} if interviewee else {},
                submission_key=valid_submission_key(request.form.get("submission_key")),
                score=score_inline(),
            )
            if new and not score_inline():
                score_later(response)
            flash(_("Interview notes saved."), "success")
            return redirect(url_for("design.response", response_id=response.id))
    return render_template(
        "design/interview.html",
        q=questionnaire,
        questions=questionnaire.current_version.questions,
        values=values,
        errors=errors,
        language=language,
        emotion_choices=EMOTION_CHOICES,
        submission_key=secrets.token_hex(16),
        t=translator(current_language()),  # the respondent's error messages, in the page's
    ), (422 if errors else 200)
