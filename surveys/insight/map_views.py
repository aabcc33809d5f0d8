"""The journey map with scores, emotions and pain points per stage x touchpoint."""

from __future__ import annotations

from types import EllipsisType

from flask import Response as HttpResponse
from flask import render_template, request
from flask_babel import gettext as _

from feedback.charts import emotion_curve_svg
from feedback.filters import FilterError, Filters
from feedback.journey_map import drill_down, drop_off, emotion_curve, journey_map
from feedback.pain_points import theme_labels

from ..auth import reader_required
from ..cases.figures import map_case_figures
from ..db import get_read_session, get_session
from ..design.journey_views import get_or_404
from ..i18n import current_language
from ..models import Journey, utcnow
from . import bp
from .filter_form import explain, filter_form_context, form_state, read_view

MAX_PAGE = 100_000


@bp.get("/journeys/<int:journey_id>/map")
@reader_required
def journey_map_page(journey_id: int):
    journey = get_or_404(Journey, journey_id)
    try:
        view = read_view(journey)
    except FilterError as error:
        return render_template(
            "insight/journey_map.html",
            error=explain(error),
            form=form_state(Filters()),
            **filter_form_context(journey, "insight.journey_map_page", with_min_n=True),
        ), 400
    language = current_language()
    session = get_read_session()  # a replica when there is one: the heaviest read
    result = journey_map(session, journey, view.filters, view.min_n)
    return render_template(
        "insight/journey_map.html",
        error=None,
        map=result,
        view=view,
        drop_offs=drop_off(session, journey, view.filters, language=language),
        form=form_state(view.filters),
        touchpoint_names={t.id: t.name(language) for t in journey.touchpoints},
        theme_names=theme_labels(session, language),
        case_figures=map_case_figures(
            session, journey.id, utcnow(), view.filters.date_from, view.filters.date_to
        ),
        **filter_form_context(journey, "insight.journey_map_page", with_min_n=True),
    )


@bp.get("/journeys/<int:journey_id>/map/emotion-curve.svg")
@reader_required
def emotion_curve_chart(journey_id: int):
    journey = get_or_404(Journey, journey_id)
    try:
        view = read_view(journey)
    except FilterError as error:
        return HttpResponse(explain(error), 400, mimetype="text/plain")
    language = current_language()
    curve = emotion_curve(get_read_session(), journey, view.filters, language)
    svg = emotion_curve_svg(
        [p.stage_name for p in curve], [p.sentiment for p in curve], _, language
    )
    return HttpResponse(svg, mimetype="image/svg+xml")


def _place(journey: Journey) -> tuple[int | None, int | None | EllipsisType]:
    """The stage and touchpoint asked for: ids of this journey; `touchpoint=none` is the
    whole stage, no touchpoint parameter means any."""
    stage_arg = request.args.get("stage", "").strip()
    stage_id = None
    if stage_arg:
        stage_id = int(stage_arg) if stage_arg.isdigit() and len(stage_arg) < 10 else -1
        if stage_id not in {s.id for s in journey.stages}:
            raise FilterError(_("Unknown stage for this journey."))
    touchpoint_arg = request.args.get("touchpoint", "").strip()
    if not touchpoint_arg:
        return stage_id, ...
    if touchpoint_arg == "none":
        return stage_id, None
    touchpoint_id = (
        int(touchpoint_arg) if touchpoint_arg.isdigit() and len(touchpoint_arg) < 10 else -1
    )
    if touchpoint_id not in {t.id for t in journey.touchpoints}:
        raise FilterError(_("Unknown touchpoint for this journey."))
    return stage_id, touchpoint_id


@bp.get("/journeys/<int:journey_id>/map/answers")
@reader_required
def map_answers(journey_id: int):
    journey = get_or_404(Journey, journey_id)
    try:
        view = read_view(journey)
        stage_id, touchpoint_id = _place(journey)
    except FilterError as error:
        return render_template(
            "insight/answers.html", journey=journey, error=explain(error), found=None
        ), 400
    theme = request.args.get("theme", "").strip()[:60] or None
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)
    session = get_session()
    found = drill_down(session, journey, view.filters, stage_id, touchpoint_id, theme, page)
    if page > found.pages:  # past the end: show the last page rather than nothing
        found = drill_down(
            session, journey, view.filters, stage_id, touchpoint_id, theme, found.pages
        )
    place = {
        "stage": request.args.get("stage", ""),
        "touchpoint": request.args.get("touchpoint", ""),
    }
    if theme:
        place["theme"] = theme
    language = current_language()
    return render_template(
        "insight/answers.html",
        journey=journey,
        error=None,
        found=found,
        view=view,
        link_args={**{k: v for k, v in place.items() if v}, **view.query},
        stage=next((s for s in journey.stages if s.id == stage_id), None),
        touchpoint=next((t for t in journey.touchpoints if t.id == touchpoint_id), None),
        whole_stage=touchpoint_id is None,
        theme=theme,
        stage_names={s.id: s.name(language) for s in journey.stages},
        touchpoint_names={t.id: t.name(language) for t in journey.touchpoints},
        theme_names=theme_labels(session, language),
    )
