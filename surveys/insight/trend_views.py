"""Scores over time: NPS, CSAT, CES and sentiment by week or month, per stage or touchpoint.

One page per journey, under the map's filters, with a chart per metric (an SVG served by
its own route, so the page needs no script and no inline style) and the same figures in
a table. A questionnaire's page links here with its questionnaire and stage.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Response as HttpResponse
from flask import render_template, request
from flask_babel import gettext as _

from feedback.charts import trend_series, trend_svg
from feedback.filters import FilterError, Filters
from feedback.trend_data import journey_trends
from feedback.trends import BY, GRAINS, METRICS, RANGES, Trends, default_grain

from ..auth import reader_required
from ..db import get_read_session
from ..design.journey_views import get_or_404
from ..i18n import current_language
from ..models import Journey
from . import bp
from .filter_form import (
    FilterView,
    explain,
    filter_form_context,
    form_state,
    journey_questionnaires,
    read_view,
)


@dataclass(frozen=True)
class TrendView:
    """What the URL asks for beyond the map's filters."""

    grain: str
    by: str
    metric: str | None  # None: every metric with answers
    stage_id: int | None
    query: dict[str, str]  # these parameters, for links that keep them


def metric_name(metric: str) -> str:
    return {
        "nps": _("NPS"),
        "csat": _("CSAT: share satisfied (4–5)"),
        "ces": _("CES: share easy (5–7)"),
        "sentiment": _("Mean sentiment"),
    }[metric]


def read_trend_view(journey: Journey, filters: Filters) -> TrendView:
    args = request.args
    grain = args.get("grain", "").strip() or default_grain(filters.date_from, filters.date_to)
    if grain not in GRAINS:
        raise FilterError(_("“grain” must be week or month."))
    by = args.get("by", "").strip() or "stage"
    if by not in BY:
        raise FilterError(_("“by” must be stage or touchpoint."))
    metric = args.get("metric", "").strip() or None
    if metric is not None and metric not in METRICS:
        raise FilterError(_("“metric” must be nps, csat, ces or sentiment."))
    stage_arg = args.get("stage", "").strip()
    stage_id = None
    if stage_arg:
        stage_id = int(stage_arg) if stage_arg.isdigit() and len(stage_arg) < 10 else -1
        if stage_id not in {s.id for s in journey.stages}:
            raise FilterError(_("Unknown stage for this journey."))
    query = {"grain": grain, "by": by}
    if stage_id is not None:
        query["stage"] = str(stage_id)
    return TrendView(grain, by, metric, stage_id, query)


def _read(journey: Journey) -> tuple[FilterView, TrendView, Trends]:
    view = read_view(journey)
    trend_view = read_trend_view(journey, view.filters)
    found = journey_trends(
        get_read_session(),
        journey,
        view.filters,
        trend_view.grain,
        trend_view.by,
        view.min_n,
        stage_ids=None if trend_view.stage_id is None else [trend_view.stage_id],
    )
    return view, trend_view, found


def line_names(journey: Journey, found: Trends, language: str) -> list[str]:
    stages = {s.id: s.name(language) for s in journey.stages}
    touchpoints = {t.id: t.name(language) for t in journey.touchpoints}
    names = []
    for line in found.lines:
        if found.by == "stage":
            names.append(stages.get(line.key, "?"))
            continue
        stage_id, tp_id = line.key
        if tp_id is None:
            names.append(_("%(stage)s · whole stage", stage=stages.get(stage_id, "?")))
        else:
            names.append(f"{stages.get(stage_id, '?')} · {touchpoints.get(tp_id, '?')}")
    return names


def series_id(key) -> str:
    """The id of a line in the SVG: `series-STAGE` or `series-STAGE-TOUCHPOINT|whole`."""
    if isinstance(key, tuple):
        return f"series-{key[0]}-{'whole' if key[1] is None else key[1]}"
    return f"series-{key}"


@bp.get("/journeys/<int:journey_id>/trends")
@reader_required
def journey_trends_page(journey_id: int):
    journey = get_or_404(Journey, journey_id)
    context = filter_form_context(journey, "insight.journey_trends_page", with_min_n=True)
    try:
        view, trend_view, found = _read(journey)
    except FilterError as error:
        return render_template(
            "insight/trends.html", error=explain(error), form=form_state(Filters()), **context
        ), 400
    language = current_language()
    metrics = found.metrics()
    if trend_view.metric is not None:
        metrics = [m for m in metrics if m == trend_view.metric]
    questionnaire = next(
        (q for q in journey_questionnaires(journey) if q.id == view.filters.questionnaire_id),
        None,
    )
    return render_template(
        "insight/trends.html",
        error=None,
        view=view,
        trend_view=trend_view,
        trends=found,
        metrics=metrics,
        metric_names={m: metric_name(m) for m in METRICS},
        names=line_names(journey, found, language),
        questionnaire=questionnaire,
        form=form_state(view.filters),
        **context,
    )


@bp.get("/journeys/<int:journey_id>/trends/chart.svg")
@reader_required
def trend_chart(journey_id: int):
    journey = get_or_404(Journey, journey_id)
    try:
        view, trend_view, found = _read(journey)
    except FilterError as error:
        return HttpResponse(explain(error), 400, mimetype="text/plain")
    language = current_language()
    metric = trend_view.metric or METRICS[0]
    names = line_names(journey, found, language)
    series = trend_series(names, found.lines, metric, [series_id(line.key) for line in found.lines])
    svg = trend_svg(
        [b.label for b in found.buckets], series, RANGES[metric], metric_name(metric), _, language
    )
    return HttpResponse(svg, mimetype="image/svg+xml")
