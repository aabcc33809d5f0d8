"""Pain points: the list with its figures, the follow-up, evidence, and report downloads.

Who may do what: every reader sees the list and downloads the report; CX leads (and
admins) own the follow-up (owner, status, note); researchers (and admins) attach coded
interview notes as evidence, since they run and code the interviews.

Downloads replace the emails, phone numbers, IBANs and card numbers in customers' words by
placeholders (`feedback.pii`); an administrator may add `raw=1` to a download's address for
the text as stored, anyone else asking for it is refused (403). Every download records an
"export" audit event (journey, format, filters, raw or not), committed before a byte is sent.
"""

from __future__ import annotations

import re
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
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import Session

from feedback import pain_points as pp
from feedback.exports import REPORT_FORMATS, answers_csv, report_file_name, write_report
from feedback.filters import FilterError, Filters

from .. import audit
from ..auth import reader_required, roles_required
from ..db import get_session
from ..design.journey_views import get_or_404
from ..i18n import current_language
from ..jobs.report_jobs import report_language
from ..models import PAIN_POINT_STATUSES, Journey
from ..webhooks import events as webhook_events
from ..webhooks.payloads import pain_point_data
from . import bp
from .filter_form import (
    FilterView,
    explain,
    filter_form_context,
    filters_from_page,
    form_state,
    page_query,
    read_view,
)

PAGE_LIMIT = 50
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
STATUS_NAMES = {
    "open": _l("open"),
    "in_progress": _l("in progress"),
    "resolved": _l("resolved"),
}


def explain_pain_point_error(error: pp.PainPointError) -> str:
    """The message of a refused follow-up or evidence, in the page's language.

    `feedback.pain_points` speaks English; its messages are said again through the catalog
    (one this list does not know stays as it is).
    """
    message = str(error)
    if found := re.fullmatch(r"The (owner|note) must fit in (\d+) characters\.", message):
        limit = int(found.group(2))
        if found.group(1) == "owner":
            return _("The owner must fit in %(limit)s characters.", limit=limit)
        return _("The note must fit in %(limit)s characters.", limit=limit)
    known = {
        "This stage is not part of the journey.": _l("This stage is not part of the journey."),
        "This touchpoint is not part of the journey.": _l(
            "This touchpoint is not part of the journey."
        ),
        "Unknown theme.": _l("Unknown theme."),
        "Status must be open, in progress or resolved.": _l(
            "Status must be open, in progress or resolved."
        ),
        "Choose an interview note of this journey.": _l(
            "Choose an interview note of this journey."
        ),
        "Unknown place in the journey.": _l("Unknown place in the journey."),
    }
    return str(known.get(message, message))


def _view_or_400(journey: Journey) -> FilterView:
    try:
        return read_view(journey)
    except FilterError as error:
        abort(_error_page(400, _("These filters cannot be read"), explain(error)))


def _error_page(code: int, title: str, message: str) -> Response:
    html = render_template("errors/error.html", code=code, title=title, message=message)
    return Response(html, status=code)


RAW_VALUES_OFF = ("", "0", "false", "no", "off")


def raw_asked() -> bool:
    """Whether this export is asked for as stored (`raw=1`): administrators only.

    Anyone else asking is refused with 403 rather than handed a redacted file they could
    take for the raw one.
    """
    if request.values.get("raw", "").strip().lower() in RAW_VALUES_OFF:
        return False
    if current_user.role != "admin":
        abort(
            _error_page(
                403,
                _("Only administrators can download raw exports"),
                _(
                    "Exports replace the emails, phone numbers, IBANs and card numbers that "
                    "customers wrote with placeholders. Only an administrator can download "
                    "the answers as they were stored: remove raw=1 from the address to "
                    "download this export."
                ),
            )
        )
    return True


def record_export(
    session: Session,
    journey: Journey,
    kind: str,
    fmt: str,
    filters: dict[str, str],
    raw: bool,
    **details,
) -> None:
    """Add the "export" audit event of the current user's download to `session` (the caller
    commits it with the download's work, before the response leaves)."""
    audit.record(
        session,
        "export",
        target=f"journey:{journey.id}",
        details={
            "journey_id": journey.id,
            "journey": journey.name,
            "export": kind,
            "format": fmt,
            "filters": dict(filters),
            "raw": raw,
            **details,
        },
    )


def export_file_name(journey: Journey, filters: Filters, fmt: str, kind: str, raw: bool) -> str:
    """The download's file name; a raw one says so (journey-3-answers-raw.csv)."""
    return report_file_name(journey, filters, fmt, kind=f"{kind}-raw" if raw else kind)


@bp.get("/journeys/<int:journey_id>/pain-points")
@reader_required
def pain_points(journey_id: int):
    journey = get_or_404(Journey, journey_id)
    view = _view_or_400(journey)
    filters = view.filters
    session = get_session()
    show_all = request.args.get("all") == "1"
    limit = None if show_all else PAGE_LIMIT + 1
    rows = pp.pain_points(session, journey, filters, limit=limit, language=current_language())
    session.commit()  # keeps the "came back" flags found while reading
    notes = pp.interview_notes(session, journey.id) if current_user.can_design else []
    query = page_query(filters)
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
        status_names=STATUS_NAMES,
        can_follow_up=current_user.role in ("admin", "cx_lead"),
        can_attach=current_user.can_design,
        today=date.today(),
    )


def _posted_cell(journey: Journey) -> tuple[int, int | None, str]:
    """Stage id, touchpoint id (None: whole stage) and theme key from the form."""
    stage, touchpoint = request.form.get("stage_id", ""), request.form.get("touchpoint_id", "")
    if not stage.isdigit() or (touchpoint and not touchpoint.isdigit()):
        raise pp.PainPointError(_("Unknown place in the journey."))
    return int(stage), int(touchpoint) if touchpoint else None, request.form.get("theme", "")


def _posted_journey() -> Journey:
    value = request.form.get("journey_id", "")
    if not value.isdigit() or len(value) > 9:
        abort(404)
    return get_or_404(Journey, int(value))


def _back_to_list(journey: Journey, anchor: str = ""):
    try:
        query = page_query(filters_from_page(dict(parse_qsl(request.form.get("back", "")))))
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
        before = (pain_point.id, pain_point.owner, pain_point.status, pain_point.note)
        pp.update_follow_up(
            pain_point,
            owner=request.form.get("owner", ""),
            status=request.form.get("status", ""),
            note=request.form.get("note", ""),
        )
    except pp.PainPointError as error:
        session.rollback()
        return _error_page(
            422, _("This follow-up could not be saved"), explain_pain_point_error(error)
        )
    session.flush()
    if before != (pain_point.id, pain_point.owner, pain_point.status, pain_point.note):
        # The webhook event commits with the change (see surveys.webhooks.events).
        webhook_events.record(session, "pain_point.updated", pain_point_data(pain_point))
    session.commit()
    flash(_("Follow-up saved."), "success")
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
            raise pp.PainPointError(_("Choose an interview note of this journey."))
        pain_point = pp.follow_up_for(session, journey, stage_id, touchpoint_id, theme)
        added = pp.attach_evidence(session, pain_point, int(answer), current_user.id)
    except pp.PainPointError as error:
        session.rollback()
        return _error_page(
            422, _("This evidence could not be attached"), explain_pain_point_error(error)
        )
    session.commit()
    if added:
        flash(_("Interview note attached."), "success")
    else:
        flash(_("This note was attached already."), "success")
    return _back_to_list(journey, f"pp-{stage_id}-{touchpoint_id or 0}-{theme}")


@bp.get("/journeys/<int:journey_id>/report.<fmt>")
@reader_required
def report(journey_id: int, fmt: str):
    """The pain-point report as CSV, XLSX or PDF, for the filters in the URL, in the
    language of the page that asked for it (the CSV keeps its English columns)."""
    if fmt not in REPORT_FORMATS:
        abort(404)
    journey = get_or_404(Journey, journey_id)
    raw = raw_asked()
    view = _view_or_400(journey)
    filters = view.filters
    session = get_session()
    lang = report_language(current_language())
    chunks = write_report(session, journey, filters, fmt, view.min_n, lang=lang, raw=raw)
    record_export(session, journey, "pain-points", fmt, filters.to_query(), raw, min_n=view.min_n)
    session.commit()  # the audit event, with the "came back" flags found while reading
    return _download(chunks, fmt, export_file_name(journey, filters, fmt, "pain-points", raw))


@bp.get("/journeys/<int:journey_id>/answers.csv")
@reader_required
def answers(journey_id: int):
    """Every answer the filters select, one row each, streamed as it is read."""
    journey = get_or_404(Journey, journey_id)
    raw = raw_asked()
    view = _view_or_400(journey)
    filters = view.filters
    session = get_session()
    name = export_file_name(journey, filters, "csv", "answers", raw)
    # Recorded and committed now: once the stream starts, the response is on its way.
    record_export(session, journey, "answers", "csv", filters.to_query(), raw)
    session.commit()
    chunks = answers_csv(session, journey, filters, raw=raw)
    return _download(stream_with_context(chunks), "csv", name)


def _download(chunks, fmt: str, name: str) -> Response:
    response = Response(chunks, mimetype=MEDIA_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response
