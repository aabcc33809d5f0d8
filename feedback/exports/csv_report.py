"""CSV exports: the pain-point report and every answer, UTF-8 with a BOM for Excel."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from sqlalchemy.orm import Session

from feedback.filters import Filters
from surveys.models import Journey

from .answers import ANSWER_COLUMNS, answer_pages
from .cells import as_text
from .report import Report

BOM = "\ufeff"
PAIN_POINT_COLUMNS = (
    "rank",
    "stage",
    "touchpoint",
    "theme",
    "theme_label",
    "frequency",
    "cell_text_answers",
    "share_pct",
    "mean_negativity",
    "severity",
    "previous_frequency",
    "previous_share_pct",
    "trend",
    "status",
    "owner",
    "note",
    "came_back",
    "quote_1",
    "quote_2",
    "quote_3",
)


def _encoded(rows: Iterable[Iterable[object]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([as_text(value) for value in row] for row in rows)
    return buffer.getvalue().encode("utf-8")


def pain_point_rows(report: Report) -> Iterator[tuple]:
    """The pain-point table in PAIN_POINT_COLUMNS order (shared with the XLSX sheet)."""
    for rank, row in enumerate(report.pain_points, start=1):
        follow = row.follow_up
        quotes = [q.text for q in row.quotes[:3]] + [""] * (3 - len(row.quotes[:3]))
        yield (
            rank,
            row.stage_key,
            row.touchpoint_key or "",
            row.theme_key,
            row.theme_label,
            row.frequency,
            row.cell_answers,
            round(row.share * 100, 1),
            round(row.negativity, 3),
            round(row.severity, 2),
            row.previous_frequency,
            None if row.previous_share is None else round(row.previous_share * 100, 1),
            row.trend or "",
            row.status,
            follow.owner if follow else "",
            follow.note if follow else "",
            "yes" if follow and follow.came_back else "",
            *quotes,
        )


def report_csv(report: Report) -> Iterator[bytes]:
    """One row per pain point (theme x stage x touchpoint) with its figures and quotes."""
    yield BOM.encode("utf-8")
    yield _encoded([PAIN_POINT_COLUMNS])
    yield _encoded(pain_point_rows(report))


def answers_csv(
    session: Session, journey: Journey, filters: Filters, raw: bool = False
) -> Iterator[bytes]:
    """Every answer, one row each, produced page by page (never all rows in memory); free
    text redacted unless `raw`."""
    yield (BOM.encode("utf-8"))
    yield _encoded([ANSWER_COLUMNS])
    for page in answer_pages(session, journey, filters, raw=raw):
        yield _encoded(page)
