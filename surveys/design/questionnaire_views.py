"""Questionnaires: create from a stage template, edit questions, preview, publish."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select

from ..auth import designer_required, reader_required
from ..db import get_session
from ..design_service import (
    DesignError,
    add_question,
    close,
    create_questionnaire,
    move_question,
    publish,
    question_by_key,
    remove_question,
    update_question,
    version_has_answers,
)
from ..models import Journey, Questionnaire, Response
from ..question_types import parse_form
from ..respond.messages import choose_language, translator
from ..respond.routes import render_survey
from . import bp
from .forms import QuestionForm, QuestionnaireForm, QuestionnaireSettingsForm, options
from .journey_views import get_or_404


def public_url(questionnaire: Questionnaire) -> str:
    return url_for("respond.survey", slug=questionnaire.slug, _external=True)


def _questionnaire_form(journey: Journey) -> QuestionnaireForm:
    form = QuestionnaireForm()
    form.stage.choices = options((s.id, s.name_en) for s in journey.stages)
    form.touchpoint.choices = options(
        [(0, "— The whole stage —")] + [(t.id, t.name_en) for t in journey.touchpoints]
    )
    if request.method == "GET" and "stage" in request.args:
        form.stage.data = request.args.get("stage", type=int)
    return form


@bp.route("/journeys/<int:journey_id>/questionnaires/new", methods=["GET", "POST"])
@designer_required
def new_questionnaire(journey_id: int):
    journey = get_or_404(Journey, journey_id)
    if not journey.stages:
        flash("Add a stage to the journey before designing a questionnaire.", "error")
        return redirect(url_for("design.journey", journey_id=journey.id))
    form = _questionnaire_form(journey)
    if form.validate_on_submit():
        session = get_session()
        stage = next(s for s in journey.stages if s.id == form.stage.data)
        touchpoint = next((t for t in journey.touchpoints if t.id == form.touchpoint.data), None)
        questionnaire = create_questionnaire(
            session,
            journey,
            stage,
            form.kind.data,
            touchpoint,
            languages=[lang for lang in ("fr", "en") if lang in form.languages.data],
            from_template=form.from_template.data,
        )
        session.commit()
        flash("Questionnaire created as a draft. Check it, preview it, then publish.", "success")
        return redirect(url_for("design.questionnaire", questionnaire_id=questionnaire.id))
    return render_template("design/questionnaire_new.html", journey=journey, form=form), (
        422 if form.errors else 200
    )


@bp.get("/questionnaires/<int:questionnaire_id>")
@reader_required
def questionnaire(questionnaire_id: int):
    questionnaire = get_or_404(Questionnaire, questionnaire_id)
    has_answers = version_has_answers(get_session(), questionnaire.current_version)
    return render_template(
        "design/questionnaire.html",
        q=questionnaire,
        public_url=public_url(questionnaire),
        has_answers=has_answers,
    )


@bp.route("/questionnaires/<int:questionnaire_id>/settings", methods=["GET", "POST"])
@designer_required
def questionnaire_settings(questionnaire_id: int):
    questionnaire = get_or_404(Questionnaire, questionnaire_id)
    form = QuestionnaireSettingsForm()
    if request.method == "GET":
        for lang in ("en", "fr"):
            getattr(form, f"title_{lang}").data = questionnaire.title.get(lang, "")
            getattr(form, f"intro_{lang}").data = questionnaire.intro.get(lang, "")
        form.languages.data = list(questionnaire.languages)
    if form.validate_on_submit():
        questionnaire.title = {"en": form.title_en.data or "", "fr": form.title_fr.data or ""}
        questionnaire.intro = {"en": form.intro_en.data or "", "fr": form.intro_fr.data or ""}
        questionnaire.languages = [lang for lang in ("fr", "en") if lang in form.languages.data]
        get_session().commit()
        flash("Settings saved.", "success")
        return redirect(url_for("design.questionnaire", questionnaire_id=questionnaire.id))
    return render_template("design/questionnaire_settings.html", q=questionnaire, form=form), (
        422 if form.errors else 200
    )


def _question_form(questionnaire: Questionnaire) -> QuestionForm:
    form = QuestionForm()
    form.touchpoint.choices = options(
        [(0, "— Same as the questionnaire —")]
        + [(t.id, t.name_en) for t in questionnaire.journey.touchpoints]
    )
    return form


@bp.route("/questionnaires/<int:questionnaire_id>/questions/new", methods=["GET", "POST"])
@designer_required
def new_question(questionnaire_id: int):
    questionnaire = get_or_404(Questionnaire, questionnaire_id)
    form = _question_form(questionnaire)
    if form.validate_on_submit():
        try:
            add_question(get_session(), questionnaire, form.to_spec())
            get_session().commit()
            flash("Question added.", "success")
            return redirect(url_for("design.questionnaire", questionnaire_id=questionnaire.id))
        except DesignError as error:
            get_session().rollback()
            form.key.errors = [str(error)]
    return render_template(
        "design/question_form.html", q=questionnaire, form=form, question=None
    ), (422 if request.method == "POST" else 200)


@bp.route("/questionnaires/<int:questionnaire_id>/questions/<key>/edit", methods=["GET", "POST"])
@designer_required
def edit_question(questionnaire_id: int, key: str):
    questionnaire = get_or_404(Questionnaire, questionnaire_id)
    question = question_by_key(questionnaire.current_version, key)
    if question is None:
        flash("That question is no longer in the questionnaire.", "error")
        return redirect(url_for("design.questionnaire", questionnaire_id=questionnaire.id))
    form = _question_form(questionnaire)
    if request.method == "GET":
        form.fill_from(question)
    elif form.validate_on_submit():
        try:
            update_question(get_session(), questionnaire, key, form.to_spec())
            get_session().commit()
            flash("Question saved.", "success")
            return redirect(url_for("design.questionnaire", questionnaire_id=questionnaire.id))
        except DesignError as error:
            get_session().rollback()
            form.key.errors = [str(error)]
    return render_template(
        "design/question_form.html", q=questionnaire, form=form, question=question
    ), (422 if request.method == "POST" else 200)


@bp.post("/questionnaires/<int:questionnaire_id>/questions/<key>/move")
@designer_required
def move_question_view(questionnaire_id: int, key: str):
    questionnaire = get_or_404(Questionnaire, questionnaire_id)
    try:
        move_question(
            get_session(), questionnaire, key, -1 if request.form.get("direction") == "up" else 1
        )
        get_session().commit()
    except DesignError as error:
        get_session().rollback()
        flash(str(error), "error")
    return redirect(url_for("design.questionnaire", questionnaire_id=questionnaire.id))


@bp.post("/questionnaires/<int:questionnaire_id>/questions/<key>/delete")
@designer_required
def delete_question(questionnaire_id: int, key: str):
    questionnaire = get_or_404(Questionnaire, questionnaire_id)
    try:
        remove_question(get_session(), questionnaire, key)
        get_session().commit()
        flash("Question removed.", "success")
    except DesignError as error:
        get_session().rollback()
        flash(str(error), "error")
    return redirect(url_for("design.questionnaire", questionnaire_id=questionnaire.id))


@bp.post("/questionnaires/<int:questionnaire_id>/publish")
@designer_required
def publish_questionnaire(questionnaire_id: int):
    questionnaire = get_or_404(Questionnaire, questionnaire_id)
    try:
        publish(questionnaire)
        get_session().commit()
        flash(f"Published. Its public link: {public_url(questionnaire)}", "success")
    except DesignError as error:
        flash(str(error), "error")
    return redirect(url_for("design.questionnaire", questionnaire_id=questionnaire.id))


@bp.post("/questionnaires/<int:questionnaire_id>/close")
@designer_required
def close_questionnaire(questionnaire_id: int):
    questionnaire = get_or_404(Questionnaire, questionnaire_id)
    close(questionnaire)
    get_session().commit()
    flash("Closed: the public link now says the questionnaire is closed.", "success")
    return redirect(url_for("design.questionnaire", questionnaire_id=questionnaire.id))


@bp.post("/questionnaires/<int:questionnaire_id>/delete")
@designer_required
def delete_questionnaire(questionnaire_id: int):
    questionnaire = get_or_404(Questionnaire, questionnaire_id)
    session = get_session()
    if session.scalar(select(Response.id).where(Response.questionnaire_id == questionnaire.id)):
        flash("This questionnaire has responses: close it instead of deleting it.", "error")
        return redirect(url_for("design.questionnaire", questionnaire_id=questionnaire.id))
    journey_id = questionnaire.journey_id
    session.delete(questionnaire)
    session.commit()
    flash("Questionnaire deleted.", "success")
    return redirect(url_for("design.journey", journey_id=journey_id))


@bp.route("/questionnaires/<int:questionnaire_id>/preview", methods=["GET", "POST"])
@reader_required
def preview(questionnaire_id: int):
    """The page exactly as the customer sees it; posting checks answers but saves nothing."""
    questionnaire = get_or_404(Questionnaire, questionnaire_id)
    language = choose_language(questionnaire.languages)
    t = translator(language)
    if request.method == "POST":
        form = request.form.to_dict(flat=False)
        parsed = parse_form(questionnaire.current_version.questions, form)
        notice = None if parsed.errors else t("preview_ok")
        return render_survey(
            questionnaire,
            language,
            values=form,
            errors=parsed.errors,
            preview=True,
            notice=notice,
            status=422 if parsed.errors else 200,
        )
    return render_survey(questionnaire, language, preview=True)
