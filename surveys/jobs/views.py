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
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from rq.job import JobStatus

from feedback.filters import FilterError, Filters

from ..auth import admin_required, reader_required
from ..db import get_session
from ..i18n import current_language
from ..insight.filter_form import explain, page_query, read_view
from ..insight.pain_point_views import raw_asked, record_export
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
    """Queue the pain-point report for the filters in the URL; follow it on its own page.

    A raw report (`raw=1`, administrators only) is never queued: prepared reports wait in
    `report_files` for a day, and only redacted ones may. It is rendered in the request.
    """
    fmt = request.form.get("fmt", "")
    journey = get_session().get(Journey, journey_id)
    if fmt not in BACKGROUND_FORMATS or journey is None:
        abort(404)
    raw = raw_asked()
    try:
        view = read_view(journey)
    except FilterError as error:
        page = render_template(
            "errors/error.html",
            code=400,
            title=_("These filters cannot be read"),
            message=explain(error),
        )
        return page, 400
    if raw or not background_enabled():  # the page renders it at once
        # (in the language of this page, as the download link of the page itself is)
        query = {**view.query, "raw": "1"} if raw else view.query
        return redirect(url_for("insight.report", journey_id=journey.id, fmt=fmt, **query))
    session = get_session()
    try:
        row = request_report(
            session, journey, view.filters, fmt, view.min_n, current_user, current_language()
        )
    except QueueUnavailable:
        flash(_("The report could not be queued: try again in a minute."), "error")
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
    try:
        back = page_query(Filters.from_query(row.filters or {}))
    except FilterError:
        back = {}
    page = render_template(
        "jobs/report.html",
        row=row,
        journey=row.journey,
        state=state,
        refresh=REFRESH_SECONDS,
        back=back,
    )
    headers = {"Cache-Control": "no-store"}
    if state == "pending":  # the browser asks again by itself, no script needed
        headers["Refresh"] = str(REFRESH_SECONDS)
    return page, 410 if state == "expired" else 200, headers


@bp.get("/reports/<int:report_id>/download")
@reader_required
def download_report(report_id: int):
    row = _own_report(report_id)
    if raw_asked():  # prepared reports are redacted: an administrator's raw one is made now
        return redirect(url_for("insight.report", **_direct_query(row), raw="1"))
    state = report_state(row)
    if state != "ready":
        return redirect(url_for("jobs.report_file", report_id=row.id))
    content, fmt, name = row.content, row.fmt, row.file_name
    session = get_session()
    record_export(
        session,
        row.journey,
        "pain-points",
        fmt,
        row.filters or {},
        False,
        min_n=row.min_n,
        report_id=row.id,
        background=True,
    )
    session.commit()
    response = Response(content, mimetype=MEDIA_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _direct_query(row: ReportFile) -> dict:
    """The direct download's arguments for the report a ReportFile asked for."""
    try:
        query = page_query(Filters.from_query(row.filters or {}))
    except FilterError:
        query = {}
    return {"journey_id": row.journey_id, "fmt": row.fmt, "min_n": str(row.min_n), **query}


@bp.get("/admin/jobs")
@admin_required
def failed_jobs():
    rows, problem = [], None
    if background_enabled():
        try:
            rows = failed.failed_jobs()
        except redis.RedisError as error:
            problem = _("Redis does not answer: %(error)s", error=error)
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
            count = failed.retry_all()
            flash(
                ngettext(
                    "Queued %(num)s failed job again.", "Queued %(num)s failed jobs again.", count
                ),
                "success",
            )
        else:
            failed.retry(job_id)
            flash(_("Queued %(job)s again.", job=job_id), "success")
    except failed.UnknownJob:
        flash(_("This job is no longer in the failed list."), "info")
    except redis.RedisError:
        flash(_("Redis does not answer: nothing was retried."), "error")
    return redirect(url_for("jobs.failed_jobs"), 303)
