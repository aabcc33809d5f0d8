"""Exports of a journey's pain points and answers: CSV, XLSX and PDF.

Every cell goes through `cells.neutralise` so no export can carry a spreadsheet formula, and
every customer's free text through `feedback.pii.redact` (emails, phone numbers, IBANs, card
numbers replaced by placeholders) unless the caller asks for `raw` (an administrator's choice,
checked by the views).
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
from .language import ENGLISH, ReportLanguage
from .report import Report, build_report

REPORT_FORMATS = ("csv", "xlsx", "pdf")
CHUNK = 1 << 16

__all__ = [
    "REPORT_FORMATS",
    "Report",
    "ReportLanguage",
    "answers_csv",
    "answers_xlsx",
    "build_report",
    "report_file_name",
    "write_report",
]


def write_report(
    session: Session,
    journey: Journey,
    filters: Filters,
    fmt: str,
    min_n: int = 30,
    lang: ReportLanguage = ENGLISH,
    raw: bool = False,
) -> list[bytes] | Iterator[bytes]:
    """The pain-point report in `fmt`, computed now (the caller commits "came back" flags).

    XLSX and PDF are written in `lang`. The CSV keeps its English column names and coded
    values for the scripts that read it; only its theme labels and names follow `lang`.
    Quotes and answers are redacted unless `raw`.
    """
    report = build_report(session, journey, filters, min_n, lang=lang, raw=raw)
    if fmt == "csv":
        return list(report_csv(report))
    if fmt == "xlsx":
        from .xlsx_report import report_xlsx

        return _spooled(
            lambda out: report_xlsx(report, out, answer_pages(session, journey, filters, raw=raw))
        )
    if fmt == "pdf":
        from .pdf_report import report_pdf

        return [report_pdf(report)]
    raise ValueError(f"unknown report format: {fmt}")


def answers_xlsx(
    session: Session,
    journey: Journey,
    filters: Filters,
    min_n: int = 30,
    lang: ReportLanguage = ENGLISH,
    raw: bool = False,
) -> Iterator[bytes]:
    """A workbook of every answer (with the summary sheet), written to a temporary file;
    free text redacted unless `raw`."""
    from .xlsx_report import report_xlsx

    report = build_report(session, journey, filters, min_n, limit=0, lang=lang, raw=raw)
    pages = answer_pages(session, journey, filters, raw=raw)
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
