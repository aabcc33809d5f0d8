"""The pain-point report (XLSX, PDF) rendered by a worker and kept for download.

Rendering a report reads every answer of the journey: seconds to minutes on a large
install, too long for a page. With REDIS_URL set the page records a ReportFile, queues
`render_report`, and shows "being prepared" until the file is there. The report is written
in the language of the person who asked for it, passed to the job with the report's id.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete
from sqlalchemy.orm import Session

from feedback.exports import ReportLanguage, report_file_name, write_report
from feedback.filters import Filters

from ..i18n import LANGUAGES, TRANSLATIONS
from ..models import Journey, ReportFile, User, utcnow
from .context import job_session
from .queue import QueueUnavailable, enqueue

# What is worth a worker; CSV is small and stays a direct download.
BACKGROUND_FORMATS = ("xlsx", "pdf")
DEFAULT_KEEP_HOURS = 24  # REPORT_FILE_HOURS: how long a rendered report can be downloaded
REPORT_TIMEOUT = 3600
ERROR_MAX = 300


def keep_for() -> timedelta:
    return timedelta(hours=float(current_app.config.get("REPORT_FILE_HOURS", DEFAULT_KEEP_HOURS)))


def report_language(language: str) -> ReportLanguage:
    """The words and formats of a report for a reader of `language` (English if unknown)."""
    code = language if language in LANGUAGES else LANGUAGES[0]
    return ReportLanguage.load(code, TRANSLATIONS)


def request_report(
    session: Session,
    journey: Journey,
    filters: Filters,
    fmt: str,
    min_n: int,
    user: User,
    language: str = "en",
) -> ReportFile:
    """Record who asked for which report, then queue its rendering in their `language`.

    Raises QueueUnavailable (the row then says so) when Redis does not take the job.
    """
    now = utcnow()
    session.execute(delete(ReportFile).where(ReportFile.expires_at < now))
    row = ReportFile(
        journey_id=journey.id,
        requested_by_id=user.id,
        fmt=fmt,
        filters=filters.to_query(),
        min_n=min_n,
        status="pending",
        file_name=report_file_name(journey, filters, fmt),
        created_at=now,
        expires_at=now + keep_for(),
    )
    session.add(row)
    session.commit()
    try:
        outcome = enqueue(render_report, row.id, language, timeout=REPORT_TIMEOUT)
    except QueueUnavailable:
        row.status = "failed"
        row.error = _("The job queue did not answer: ask again in a minute.")
        session.commit()
        raise
    row.job_id = outcome.job_id
    session.commit()
    return row


def render_report(report_id: int, language: str = "en") -> int | None:
    """Render the report a ReportFile asks for, in `language`, and store it; return its size
    in bytes. (Jobs queued before the language was passed have one argument: English.)

    A row already rendered (a retry after the commit) or deleted is left alone.
    """
    with job_session() as session:
        row = session.get(ReportFile, report_id)
        if row is None or row.status == "ready":
            return None
        filters = Filters.from_query(row.filters)
        lang = report_language(language)
        content = b"".join(
            write_report(session, row.journey, filters, row.fmt, row.min_n, lang=lang)
        )
        row.content = content
        row.size = len(content)
        row.status = "ready"
        row.error = None
        row.finished_at = utcnow()
        # Kept from when it is ready, not from when it was asked for.
        row.expires_at = row.finished_at + keep_for()
        session.commit()  # with the "came back" flags the report found while reading
        return row.size
