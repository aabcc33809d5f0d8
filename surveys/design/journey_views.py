"""Journey maps: create from a template, edit stages and touchpoints."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..auth import designer_required, reader_required
from ..db import get_session
from ..i18n import current_language
from ..journey_templates import TEMPLATES
from ..journeys import (
    JourneyError,
    add_stage,
    add_touchpoint,
    check_key,
    create_journey,
    move,
    remove_stage,
    remove_touchpoint,
    slugify_key,
    stage_key_taken,
    touchpoint_key_taken,
)
from ..models import Journey, Questionnaire, Response, Stage, Touchpoint
from . import bp
from .forms import CHANNELS, JourneyForm, StageForm, TouchpointForm, options


def get_or_404(model, object_id: int):
    obj = get_session().get(model, object_id)
    if obj is None:
        abort(404)
    return obj


def _in_page_language(form) -> str:
    """The name a stage or touchpoint form was given, in the page's language."""
    names = {"en": form.name_en.data, "fr": form.name_fr.data}
    return (names.get(current_language()) or form.name_en.data or "").strip()


def _touchpoint_form(journey: Journey, **kwargs) -> TouchpointForm:
    form = TouchpointForm(**kwargs)
    language = current_language()
    form.stages.choices = options((s.id, s.name(language)) for s in journey.stages)
    return form


@bp.route("/journeys/new", methods=["GET", "POST"])
@designer_required
def new_journey():
    form = JourneyForm()
    if form.validate_on_submit():
        session = get_session()
        journey = create_journey(
            session, form.name.data, form.template.data or None, form.description.data or ""
        )
        session.commit()
        flash(_("Journey “%(name)s” created.", name=journey.name), "success")
        return redirect(url_for("design.journey", journey_id=journey.id))
    return render_template("design/journey_new.html", form=form, templates=TEMPLATES), (
        422 if form.errors else 200
    )


@bp.get("/journeys/<int:journey_id>")
@reader_required
def journey(journey_id: int):
    journey = get_or_404(Journey, journey_id)
    session = get_session()
    questionnaires = session.scalars(
        select(Questionnaire)
        .where(Questionnaire.journey_id == journey.id)
        .order_by(Questionnaire.stage_id, Questionnaire.id)
    ).all()
    counts = dict(
        session.execute(
            select(Response.questionnaire_id, func.count())
            .where(Response.questionnaire_id.in_([q.id for q in questionnaires]))
            .group_by(Response.questionnaire_id)
        ).all()
    )
    return render_template(
        "design/journey.html",
        journey=journey,
        questionnaires=questionnaires,
        counts=counts,
        stage_form=StageForm(prefix="stage"),
        touchpoint_form=_touchpoint_form(journey, prefix="tp"),
        channel_names=dict(CHANNELS),
    )


@bp.post("/journeys/<int:journey_id>/edit")
@designer_required
def edit_journey(journey_id: int):
    journey = get_or_404(Journey, journey_id)
    name = request.form.get("name", "").strip()
    if not name or len(name) > 200:
        flash(_("A journey needs a name of at most 200 characters."), "error")
        return redirect(url_for("design.journey", journey_id=journey.id))
    journey.name = name
    journey.description = request.form.get("description", "")[:2000]
    get_session().commit()
    flash(_("Journey saved."), "success")
    return redirect(url_for("design.journey", journey_id=journey.id))


@bp.post("/journeys/<int:journey_id>/stages")
@designer_required
def create_stage(journey_id: int):
    journey = get_or_404(Journey, journey_id)
    form = StageForm(prefix="stage")
    if not form.key.data and form.name_en.data:
        form.key.data = slugify_key(form.name_en.data)
    if form.validate_on_submit():
        try:
            add_stage(
                get_session(),
                journey,
                form.key.data.strip(),
                form.name_en.data,
                form.name_fr.data,
                form.goal.data or "",
                form.customer_status.data or "",
                form.kpi.data or "",
            )
            get_session().commit()
            flash(_("Stage “%(name)s” added.", name=_in_page_language(form)), "success")
            return redirect(url_for("design.journey", journey_id=journey.id))
        except JourneyError as error:
            form.key.errors = [error.translated()]
    return render_template("design/stage_form.html", journey=journey, form=form, stage=None), 422


@bp.route("/stages/<int:stage_id>/edit", methods=["GET", "POST"])
@designer_required
def edit_stage(stage_id: int):
    stage = get_or_404(Stage, stage_id)
    form = StageForm(obj=stage)
    if form.validate_on_submit():
        key = form.key.data.strip()
        try:
            check_key(key)
            other = stage.journey.stage_by_key(key)
            if other is not None and other is not stage:
                raise JourneyError(stage_key_taken(key))
            form.populate_obj(stage)
            stage.key = key
            get_session().commit()
            flash(_("Stage saved."), "success")
            return redirect(url_for("design.journey", journey_id=stage.journey_id))
        except JourneyError as error:
            form.key.errors = [error.translated()]
    status = 422 if request.method == "POST" else 200
    return render_template(
        "design/stage_form.html", journey=stage.journey, form=form, stage=stage
    ), status


@bp.post("/stages/<int:stage_id>/move")
@designer_required
def move_stage(stage_id: int):
    stage = get_or_404(Stage, stage_id)
    move(stage.journey.stages, stage, -1 if request.form.get("direction") == "up" else 1)
    get_session().commit()
    return redirect(url_for("design.journey", journey_id=stage.journey_id))


@bp.post("/stages/<int:stage_id>/delete")
@designer_required
def delete_stage(stage_id: int):
    stage = get_or_404(Stage, stage_id)
    journey_id = stage.journey_id
    try:
        remove_stage(get_session(), stage)
        get_session().commit()
        flash(_("Stage removed."), "success")
    except JourneyError as error:
        get_session().rollback()
        flash(error.translated(), "error")
    return redirect(url_for("design.journey", journey_id=journey_id))


@bp.post("/journeys/<int:journey_id>/touchpoints")
@designer_required
def create_touchpoint(journey_id: int):
    journey = get_or_404(Journey, journey_id)
    form = _touchpoint_form(journey, prefix="tp")
    if not form.key.data and form.name_en.data:
        form.key.data = slugify_key(form.name_en.data)
    if form.validate_on_submit():
        stages = [s for s in journey.stages if s.id in (form.stages.data or [])]
        try:
            add_touchpoint(
                get_session(),
                journey,
                form.key.data.strip(),
                form.name_en.data,
                form.name_fr.data,
                form.channel.data,
                stages,
                form.is_moment_of_truth.data,
            )
            get_session().commit()
            flash(_("Touchpoint “%(name)s” added.", name=_in_page_language(form)), "success")
            return redirect(url_for("design.journey", journey_id=journey.id))
        except JourneyError as error:
            form.key.errors = [error.translated()]
    return render_template(
        "design/touchpoint_form.html", journey=journey, form=form, touchpoint=None
    ), 422


@bp.route("/touchpoints/<int:touchpoint_id>/edit", methods=["GET", "POST"])
@designer_required
def edit_touchpoint(touchpoint_id: int):
    touchpoint = get_or_404(Touchpoint, touchpoint_id)
    journey = touchpoint.journey
    form = _touchpoint_form(journey, obj=touchpoint)
    if request.method == "GET":
        form.stages.data = [s.id for s in touchpoint.stages]
    if form.validate_on_submit():
        key = form.key.data.strip()
        try:
            check_key(key)
            other = journey.touchpoint_by_key(key)
            if other is not None and other is not touchpoint:
                raise JourneyError(touchpoint_key_taken(key))
            touchpoint.key = key
            touchpoint.name_en = form.name_en.data.strip()
            touchpoint.name_fr = form.name_fr.data.strip()
            touchpoint.channel = form.channel.data
            touchpoint.is_moment_of_truth = form.is_moment_of_truth.data
            touchpoint.stages = [s for s in journey.stages if s.id in (form.stages.data or [])]
            get_session().commit()
            flash(_("Touchpoint saved."), "success")
            return redirect(url_for("design.journey", journey_id=journey.id))
        except JourneyError as error:
            form.key.errors = [error.translated()]
    status = 422 if request.method == "POST" else 200
    return render_template(
        "design/touchpoint_form.html", journey=journey, form=form, touchpoint=touchpoint
    ), status


@bp.post("/touchpoints/<int:touchpoint_id>/move")
@designer_required
def move_touchpoint(touchpoint_id: int):
    touchpoint = get_or_404(Touchpoint, touchpoint_id)
    move(
        touchpoint.journey.touchpoints,
        touchpoint,
        -1 if request.form.get("direction") == "up" else 1,
    )
    get_session().commit()
    return redirect(url_for("design.journey", journey_id=touchpoint.journey_id))


@bp.post("/touchpoints/<int:touchpoint_id>/delete")
@designer_required
def delete_touchpoint(touchpoint_id: int):
    touchpoint = get_or_404(Touchpoint, touchpoint_id)
    journey_id = touchpoint.journey_id
    try:
        remove_touchpoint(get_session(), touchpoint)
        get_session().commit()
        flash(_("Touchpoint removed."), "success")
    except JourneyError as error:
        get_session().rollback()
        flash(error.translated(), "error")
    return redirect(url_for("design.journey", journey_id=journey_id))
