"""Pages of the background work: a report being prepared, and the admin's failed jobs."""

from __future__ import annotations

import redis
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from rq.job import JobStatus

from feedback.filters import FilterError

from ..auth import reader_required, roles_required
from ..db import get_session
from ..insight.filter_form import read_view
from ..models import Journey, ReportFile, utcnow
from ..models.base import aware
from . import failed
from .queue import QueueUnavailable, background_enabled, job_status
from .report_jobs import BACKGROUND_FORMATS, request_report

bp = Blueprint("jobs", __name__)

MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
REFRESH_SECONDS = 3


@bp.post("/journeys/<int:journey_id>/reports")
@reader_required
def new_report(journey_id: int):
    """Queue the pain-point report for the filters in the URL; follow it on its own page."""
    fmt = request.form.get("fmt", "")
    journey = get_session().get(Journey, journey_id)
    if fmt not in BACKGROUND_FORMATS or journey is None:
        abort(404)
    try:
        view = read_view(journey)
    except FilterError as error:
        page = render_template(
            "errors/error.html", code=400, title="These filters cannot be read", message=str(error)
        )
        return page, 400
    if not background_enabled():  # no worker to wait for: the page renders it at once
        return redirect(url_for("insight.report", journey_id=journey.id, fmt=fmt, **view.query))
    session = get_session()
    try:
        row = request_report(session, journey, view.filters, fmt, view.min_n, current_user)
    except QueueUnavailable:
        flash("The report could not be queued: try again in a minute.", "error")
        return redirect(url_for("insight.pain_points", journey_id=journey.id, **view.query))
    return redirect(url_for("jobs.report_file", report_id=row.id), 303)


def _own_report(report_id: int) -> ReportFile:
    """The report asked for by the current user (any, for an admin); 404 otherwise."""
    row = get_session().get(ReportFile, report_id)
    if row is None or (row.requested_by_id != current_user.id and current_user.role != "admin"):
        abort(404)
    return row


def report_state(row: ReportFile) -> str:
    """ready | expired | failed | pending, from the row and, while pending, its job."""
    if aware(row.expires_at) < utcnow():
        return "expired"
    if row.status in ("ready", "failed"):
        return row.status
    return (
        "failed" if job_status(row.job_id) in (JobStatus.FAILED, JobStatus.STOPPED) else "pending"
    )


@bp.get("/reports/<int:report_id>")
@reader_required
def report_file(report_id: int):
    row = _own_report(report_id)
    state = report_state(row)
    page = render_template(
        "jobs/report.html", row=row, journey=row.journey, state=state, refresh=REFRESH_SECONDS
    )
    headers = {"Cache-Control": "no-store"}
    if state == "pending":  # the browser asks again by itself, no script needed
        headers["Refresh"] = str(REFRESH_SECONDS)
    return page, 410 if state == "expired" else 200, headers


@bp.get("/reports/<int:report_id>/download")
@reader_required
def download_report(report_id: int):
    row = _own_report(report_id)
    state = report_state(row)
    if state != "ready":
        return redirect(url_for("jobs.report_file", report_id=row.id))
    response = Response(row.content, mimetype=MEDIA_TYPES[row.fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{row.file_name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


admin_required = roles_required()  # no other role: admins only


@bp.get("/admin/jobs")
@admin_required
def failed_jobs():
    rows, problem = [], None
    if background_enabled():
        try:
            rows = failed.failed_jobs()
        except redis.RedisError as error:
            problem = f"Redis does not answer: {error}"
    return render_template(
        "jobs/failed.html", rows=rows, problem=problem, enabled=background_enabled()
    )


@bp.post("/admin/jobs/retry")
@admin_required
def retry_jobs():
    if not background_enabled():
        abort(404)
    job_id = request.form.get("job_id", "")
    try:
        if request.form.get("all") == "1":
            flash(f"Queued {failed.retry_all()} failed jobs again.", "success")
        else:
            failed.retry(job_id)
            flash(f"Queued {job_id} again.", "success")
    except failed.UnknownJob:
        flash("This job is no longer in the failed list.", "info")
    except redis.RedisError:
        flash("Redis does not answer: nothing was retried.", "error")
    return redirect(url_for("jobs.failed_jobs"), 303)
