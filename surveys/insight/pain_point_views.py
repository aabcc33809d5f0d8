"""Pain points: the list with its figures, the follow-up, evidence, and report downloads.

Who may do what: every reader sees the list and downloads the report; CX leads (and
admins) own the follow-up (owner, status, note); researchers (and admins) attach coded
interview notes as evidence, since they run and code the interviews.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qsl, urlencode

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user

from feedback import pain_points as pp
from feedback.exports import REPORT_FORMATS, answers_csv, report_file_name, write_report
from feedback.filters import FilterError, Filters

from ..auth import reader_required, roles_required
from ..db import get_session
from ..design.journey_views import get_or_404
from ..models import PAIN_POINT_STATUSES, Journey
from . import bp
from .filter_form import FilterView, filter_form_context, form_state, read_view

PAGE_LIMIT = 50
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def _view_or_400(journey: Journey) -> FilterView:
    try:
        return read_view(journey)
    except FilterError as error:
        abort(_error_page(400, "These filters cannot be read", str(error)))


def _error_page(code: int, title: str, message: str) -> Response:
    html = render_template("errors/error.html", code=code, title=title, message=message)
    return Response(html, status=code)


@bp.get("/journeys/<int:journey_id>/pain-points")
@reader_required
def pain_points(journey_id: int):
    journey = get_or_404(Journey, journey_id)
    view = _view_or_400(journey)
    filters = view.filters
    session = get_session()
    show_all = request.args.get("all") == "1"
    rows = pp.pain_points(session, journey, filters, limit=None if show_all else PAGE_LIMIT + 1)
    session.commit()  # keeps the "came back" flags found while reading
    notes = pp.interview_notes(session, journey.id) if current_user.can_design else []
    query = filters.to_query()
    return render_template(
        "insight/pain_points.html",
        rows=rows[:PAGE_LIMIT] if not show_all else rows,
        more=not show_all and len(rows) > PAGE_LIMIT,
        filters=filters,
        query=query,
        back=urlencode(query),
        form=form_state(filters),
        **filter_form_context(journey, "insight.pain_points"),
        notes=notes,
        statuses=PAIN_POINT_STATUSES,
        can_follow_up=current_user.role in ("admin", "cx_lead"),
        can_attach=current_user.can_design,
        today=date.today(),
    )


def _posted_cell(journey: Journey) -> tuple[int, int | None, str]:
    """Stage id, touchpoint id (None: whole stage) and theme key from the form."""
    stage, touchpoint = request.form.get("stage_id", ""), request.form.get("touchpoint_id", "")
    if not stage.isdigit() or (touchpoint and not touchpoint.isdigit()):
        raise pp.PainPointError("Unknown place in the journey.")
    return int(stage), int(touchpoint) if touchpoint else None, request.form.get("theme", "")


def _posted_journey() -> Journey:
    value = request.form.get("journey_id", "")
    if not value.isdigit() or len(value) > 9:
        abort(404)
    return get_or_404(Journey, int(value))


def _back_to_list(journey: Journey, anchor: str = ""):
    try:
        query = Filters.from_query(dict(parse_qsl(request.form.get("back", "")))).to_query()
    except FilterError:
        query = {}
    url = url_for("insight.pain_points", journey_id=journey.id, **query)
    return redirect(url + (f"#{anchor}" if anchor else ""))


@bp.post("/pain-points/follow-up")
@roles_required("cx_lead")
def follow_up():
    """Set the owner, status and note of a pain point (created on first edit)."""
    journey = _posted_journey()
    session = get_session()
    try:
        stage_id, touchpoint_id, theme = _posted_cell(journey)
        pain_point = pp.follow_up_for(session, journey, stage_id, touchpoint_id, theme)
        pp.update_follow_up(
            pain_point,
            owner=request.form.get("owner", ""),
            status=request.form.get("status", ""),
            note=request.form.get("note", ""),
        )
    except pp.PainPointError as error:
        session.rollback()
        return _error_page(422, "This follow-up could not be saved", str(error))
    session.commit()
    flash("Follow-up saved.", "success")
    return _back_to_list(journey, f"pp-{stage_id}-{touchpoint_id or 0}-{theme}")


@bp.post("/pain-points/evidence")
@roles_required("researcher")
def attach_evidence():
    """Attach a coded interview note to a pain point as evidence."""
    journey = _posted_journey()
    session = get_session()
    answer = request.form.get("answer_id", "")
    try:
        stage_id, touchpoint_id, theme = _posted_cell(journey)
        if not answer.isdigit() or len(answer) > 9:
            raise pp.PainPointError("Choose an interview note of this journey.")
        pain_point = pp.follow_up_for(session, journey, stage_id, touchpoint_id, theme)
        added = pp.attach_evidence(session, pain_point, int(answer), current_user.id)
    except pp.PainPointError as error:
        session.rollback()
        return _error_page(422, "This evidence could not be attached", str(error))
    session.commit()
    flash("Interview note attached." if added else "This note was attached already.", "success")
    return _back_to_list(journey, f"pp-{stage_id}-{touchpoint_id or 0}-{theme}")


@bp.get("/journeys/<int:journey_id>/report.<fmt>")
@reader_required
def report(journey_id: int, fmt: str):
    """The pain-point report as CSV, XLSX or PDF, for the filters in the URL."""
    if fmt not in REPORT_FORMATS:
        abort(404)
    journey = get_or_404(Journey, journey_id)
    view = _view_or_400(journey)
    filters = view.filters
    session = get_session()
    chunks = write_report(session, journey, filters, fmt)
    session.commit()  # "came back" flags found while reading
    return _download(chunks, fmt, report_file_name(journey, filters, fmt))


@bp.get("/journeys/<int:journey_id>/answers.csv")
@reader_required
def answers(journey_id: int):
    """Every answer the filters select, one row each, streamed as it is read."""
    journey = get_or_404(Journey, journey_id)
    view = _view_or_400(journey)
    filters = view.filters
    chunks = answers_csv(get_session(), journey, filters)
    name = report_file_name(journey, filters, "csv", kind="answers")
    return _download(stream_with_context(chunks), "csv", name)


def _download(chunks, fmt: str, name: str) -> Response:
    response = Response(chunks, mimetype=MEDIA_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response
