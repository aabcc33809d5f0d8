"""The XLSX report: a summary sheet, the pain points and the answers.

Written in openpyxl's write-only mode so the answers sheet streams to disk row by row.
Every text cell is stored as a string (never a formula) and neutralised like the CSV.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from itertools import chain, islice
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .answers import ANSWER_COLUMNS
from .cells import neutralise
from .csv_report import PAIN_POINT_COLUMNS, pain_point_rows
from .language import ReportLanguage
from .report import Report, status_name, trend_word

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="2F3E5C")
WRAP = Alignment(wrap_text=True, vertical="top")
MAX_WIDTH = 60
# Columns of the pain-point table whose values are codes, given as words in other languages.
TRANSLATED_VALUES = ("trend", "status", "came_back")
ANSWER_WIDTHS = (11, 20, 8, 9, 13, 14, 16, 12, 50, 10, 14, 12, 28, 40, 14, 9)
# Excel opens at most 1,048,576 rows per sheet: the header and this many rows.
SHEET_ROWS = 1_048_575


def report_xlsx(
    report: Report,
    out: IO,
    answer_pages: Iterable[Sequence[tuple]] | None = None,
    with_pain_points: bool = True,
    sheet_rows: int = SHEET_ROWS,
) -> None:
    """Write the workbook to `out`: summary (with the scores over time), pain points
    (optional), answers (if given).

    Sheet names, the summary and the notes are in the report's language. In English the
    tables' headers are the column names of the CSV exports, which scripts read; in another
    language they are readable headers, and the coded values of the pain points (status,
    trend, came back) are words of that language.
    """
    lang = report.lang
    book = Workbook(write_only=True)
    _summary(book, report)
    if with_pain_points:
        rows = list(pain_point_rows(report))
        if lang.code != "en":
            rows = [_readable_pain_point(lang, row) for row in rows]
        headers = _headers(lang, PAIN_POINT_COLUMNS, pain_point_headers)
        _table(book, lang.gettext("Pain points"), headers, rows, _widths(headers, rows))
    if answer_pages is not None:
        rows = iter(row for page in answer_pages for row in page)
        if lang.code != "en":
            rows = map(_answer_words(lang), rows)
        headers = _headers(lang, ANSWER_COLUMNS, answer_headers)
        title, part = lang.gettext("Answers"), 1
        # Beyond a sheet's rows, the answers go on in "Answers (2)", "Answers (3)"...
        while _table(book, title, headers, islice(rows, sheet_rows), ANSWER_WIDTHS) == (sheet_rows):
            following = next(rows, None)
            if following is None:
                break
            rows = chain([following], rows)
            part += 1
            title = lang.gettext("Answers (%(part)s)", part=part)
    book.save(out)


TREND_COLUMNS = (
    "stage", "grain", "bucket", "start", "end", "metric", "value", "margin", "low", "high",
    "n", "ces_mean", "gap",
)  # fmt: skip


def trend_headers(lang: ReportLanguage) -> tuple[str, ...]:
    """Readable headers of TREND_COLUMNS, in the same order."""
    return (
        lang.gettext("Stage"),
        lang.gettext("Grain"),
        lang.gettext("Week or month"),
        lang.gettext("First day"),
        lang.gettext("Last day"),
        lang.gettext("Score"),
        lang.gettext("Value"),
        lang.gettext("Margin (±)"),
        lang.gettext("Low"),
        lang.gettext("High"),
        "n",
        lang.gettext("CES mean"),
        lang.gettext("No figure"),
    )


def trend_rows(report: Report) -> list[tuple]:
    """The scores over time, one row per stage x score x week or month, in the report's
    words (grain and gap reasons are English codes in English, for scripts)."""
    lang, trends = report.lang, report.trends
    if trends is None:
        return []
    english = lang.code == "en"
    grain = (
        trends.grain
        if english
        else {"week": lang.gettext("week"), "month": lang.gettext("month")}[trends.grain]
    )
    gaps = {
        "not enough answers": lang.gettext("not enough answers"),
        "no answers": lang.gettext("no answers"),
    }
    rows = []
    for name, line in zip(report.trend_names, trends.lines, strict=True):
        for metric in trends.metrics():
            if not line.answered(metric):
                continue
            for bucket, p in zip(trends.buckets, line.points[metric], strict=True):
                rows.append(
                    (
                        name, grain, bucket.label, bucket.start, bucket.end, metric,
                        _rounded(p.value), _rounded(p.margin), _rounded(p.low), _rounded(p.high),
                        p.n, _rounded(p.mean), (p.gap if english else gaps.get(p.gap, p.gap)) or "",
                    )
                )  # fmt: skip
    return rows


def _rounded(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def _headers(lang: ReportLanguage, columns: Sequence[str], readable) -> Sequence[str]:
    return columns if lang.code == "en" else readable(lang)


def pain_point_headers(lang: ReportLanguage) -> tuple[str, ...]:
    """Readable headers of PAIN_POINT_COLUMNS, in the same order."""
    return (
        lang.gettext("Rank"),
        lang.gettext("Stage"),
        lang.gettext("Touchpoint"),
        lang.gettext("Theme key"),
        lang.gettext("Theme"),
        lang.gettext("Frequency"),
        lang.gettext("Text answers of the cell"),
        lang.gettext("Share (%)"),
        lang.gettext("Mean negativity"),
        lang.gettext("Severity"),
        lang.gettext("Previous frequency"),
        lang.gettext("Previous share (%)"),
        lang.gettext("Trend"),
        lang.gettext("Status"),
        lang.gettext("Owner"),
        lang.gettext("Note"),
        lang.gettext("Came back"),
        lang.gettext("Quote %(number)s", number=1),
        lang.gettext("Quote %(number)s", number=2),
        lang.gettext("Quote %(number)s", number=3),
    )


def answer_headers(lang: ReportLanguage) -> tuple[str, ...]:
    """Readable headers of ANSWER_COLUMNS, in the same order."""
    return (
        lang.gettext("Response #"),
        lang.gettext("Submitted at (UTC)"),
        lang.gettext("Language"),
        lang.gettext("Channel"),
        lang.gettext("Questionnaire"),
        lang.gettext("Stage"),
        lang.gettext("Touchpoint"),
        lang.gettext("Question"),
        lang.gettext("Answer value"),
        lang.gettext("Sentiment"),
        lang.gettext("Sentiment label"),
        lang.gettext("Emotion"),
        lang.gettext("Themes"),
        lang.gettext("Metadata"),
        lang.gettext("Question type"),
        lang.gettext("Version"),
    )


def _answer_words(lang: ReportLanguage):
    """A row of `answer_pages` with its sentiment label and emotion as words of `lang`."""
    words = {
        "positive": lang.gettext("positive"),
        "negative": lang.gettext("negative"),
        "neutral": lang.gettext("neutral"),
        "joy": lang.gettext("Joy"),
        "trust": lang.gettext("Trust"),
        "fear": lang.gettext("Fear"),
        "surprise": lang.gettext("Surprise"),
        "sadness": lang.gettext("Sadness"),
        "disgust": lang.gettext("Disgust"),
        "anger": lang.gettext("Anger"),
        "anticipation": lang.gettext("Anticipation"),
    }
    label, emotion = ANSWER_COLUMNS.index("sentiment_label"), ANSWER_COLUMNS.index("emotion")

    def translated(row: tuple) -> tuple:
        values = list(row)
        for index in (label, emotion):
            values[index] = words.get(values[index], values[index])
        return tuple(values)

    return translated


def _readable_pain_point(lang: ReportLanguage, row: tuple) -> tuple:
    """A row of `pain_point_rows` with its coded values (trend, status, came back) as words."""
    values = list(row)
    trend, status, came_back = (PAIN_POINT_COLUMNS.index(c) for c in TRANSLATED_VALUES)
    values[trend] = trend_word(lang, values[trend]) if values[trend] else ""
    values[status] = status_name(lang, values[status])
    values[came_back] = lang.gettext("yes") if values[came_back] else ""
    return tuple(values)


def _cell(sheet, value: object, header: bool = False) -> WriteOnlyCell:
    if isinstance(value, datetime):  # Excel has no time zones: write UTC wall time
        value = value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    cell = WriteOnlyCell(sheet, value=neutralise(value))
    if isinstance(cell.value, str):
        cell.data_type = "s"  # a text is a text, whatever it starts with
    if header:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    return cell


def _table(book, title: str, columns: Sequence[str], rows: Iterable, widths) -> int:
    """A sheet with a header and the rows; return how many rows it holds."""
    sheet = book.create_sheet(title)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([_cell(sheet, name, header=True) for name in columns])
    count = 0
    for row in rows:
        sheet.append([_cell(sheet, value) for value in row])
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    return count


def _widths(columns: Sequence[str], rows: list[tuple]) -> list[float]:
    widths = [len(name) + 2 for name in columns]
    for row in rows:
        for index, value in enumerate(row):
            widths[index] = max(widths[index], min(len(str(value or "")) + 2, MAX_WIDTH))
    return widths


def _summary(book, report: Report) -> None:
    lang = report.lang
    sheet = book.create_sheet(lang.gettext("Summary"))
    sheet.column_dimensions["A"].width = 24
    for letter in "BCDEFGH":
        sheet.column_dimensions[letter].width = 16
    title = _cell(
        sheet, lang.gettext("Pain-point report: %(journey)s", journey=report.journey.name)
    )
    title.font = Font(bold=True, size=14)
    sheet.append([title])
    facts = [
        (lang.gettext("Journey"), f"#{report.journey.id} {report.journey.name}"),
        (lang.gettext("Period"), report.period),
        (lang.gettext("Filters"), report.filter_text),
        (lang.gettext("Generated (UTC)"), report.generated_at),
        *((report.total_label(name), value) for name, value in report.totals.items()),
        (lang.gettext("Pain points"), len(report.pain_points)),
        (lang.gettext("Minimum n per figure"), report.min_n),
    ]
    for name, value in facts:
        sheet.append([_cell(sheet, name, header=True), _cell(sheet, value)])
    sheet.append([])
    header = (
        lang.gettext("Stage"),
        "NPS",
        "NPS ±",
        "NPS n",
        "CSAT %",
        "CSAT n",
        lang.gettext("CES mean"),
        "CES n",
    )
    sheet.append([_cell(sheet, name, header=True) for name in header])
    for scores in report.scores:
        sheet.append([_cell(sheet, value) for value in _score_row(scores)])
    rows = trend_rows(report)
    if rows:
        # Below the scores rather than a sheet of its own: the sheets' list stays as
        # scripts and readers know it.
        sheet.append([])
        heading = _cell(sheet, lang.gettext("Scores over time"))
        heading.font = Font(bold=True, size=12)
        sheet.append([heading])
        headers = _headers(lang, TREND_COLUMNS, trend_headers)
        sheet.append([_cell(sheet, name, header=True) for name in headers])
        for row in rows:
            sheet.append([_cell(sheet, value) for value in row])


def _score_row(scores) -> tuple:
    def shown(figure, value):
        return round(value, 1) if figure and figure.enough and value is not None else None

    nps, csat, ces = scores.nps, scores.csat, scores.ces
    return (
        scores.stage,
        shown(nps, nps and nps.value),
        shown(nps, nps and nps.margin),
        nps.n if nps else 0,
        shown(csat, csat and csat.value),
        csat.n if csat else 0,
        shown(ces, ces and ces.mean),
        ces.n if ces else 0,
    )
