"""Exports of a journey's pain points and answers: CSV, XLSX and PDF.

Every cell goes through `cells.neutralise` so no export can carry a spreadsheet formula.
The all-answers exports read page by page and stream, whatever the number of answers.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator

from sqlalchemy.orm import Session

from feedback.filters import Filters
from surveys.models import Journey

from .answers import answer_pages
from .csv_report import answers_csv, report_csv
from .report import Report, build_report

REPORT_FORMATS = ("csv", "xlsx", "pdf")
CHUNK = 1 << 16

__all__ = [
    "REPORT_FORMATS",
    "Report",
    "answers_csv",
    "answers_xlsx",
    "build_report",
    "report_file_name",
    "write_report",
]


def write_report(
    session: Session, journey: Journey, filters: Filters, fmt: str, min_n: int = 30
) -> list[bytes] | Iterator[bytes]:
    """The pain-point report in `fmt`, computed now (the caller commits "came back" flags)."""
    report = build_report(session, journey, filters, min_n)
    if fmt == "csv":
        return list(report_csv(report))
    if fmt == "xlsx":
        from .xlsx_report import report_xlsx

        return _spooled(
            lambda out: report_xlsx(report, out, answer_pages(session, journey, filters))
        )
    if fmt == "pdf":
        from .pdf_report import report_pdf

        return [report_pdf(report)]
    raise ValueError(f"unknown report format: {fmt}")


def answers_xlsx(
    session: Session, journey: Journey, filters: Filters, min_n: int = 30
) -> Iterator[bytes]:
    """A workbook of every answer (with the summary sheet), written to a temporary file."""
    from .xlsx_report import report_xlsx

    report = build_report(session, journey, filters, min_n, limit=0)
    pages = answer_pages(session, journey, filters)
    return _spooled(lambda out: report_xlsx(report, out, pages, with_pain_points=False))


def _spooled(write) -> Iterator[bytes]:
    # Big workbooks go to disk rather than memory, then are read back in chunks.
    spool = tempfile.SpooledTemporaryFile(max_size=8 << 20)  # noqa: SIM115 - closed below
    write(spool)
    spool.seek(0)
    return _chunks(spool)


def _chunks(spool) -> Iterator[bytes]:
    with spool:
        while chunk := spool.read(CHUNK):
            yield chunk


def report_file_name(journey: Journey, filters: Filters, fmt: str, kind: str = "pain-points"):
    """e.g. journey-3-pain-points-2026-10-01_2026-10-31.csv"""
    period = "_".join(d.isoformat() for d in (filters.date_from, filters.date_to) if d is not None)
    return f"journey-{journey.id}-{kind}{'-' + period if period else ''}.{fmt}"
