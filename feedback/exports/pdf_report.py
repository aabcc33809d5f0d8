"""The PDF report a manager reads: overview, sentiment heatmap, top pain points, method.

Drawn with matplotlib's PDF backend only (vector text and charts, A4 portrait). Figures
are built without pyplot so rendering is safe in a threaded server.
"""

from __future__ import annotations

import io
import textwrap

from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure

from feedback.charts import LocaleTicks, draw_trend, trend_series
from feedback.trends import RANGES

from .language import ReportLanguage
from .report import Report, status_name, trend_word

A4 = (8.27, 11.69)
MARGIN = 0.07  # of the page, left/right and top/bottom
INK, MUTED, NEGATIVE, POSITIVE, GREY = "#1d2330", "#5a6272", "#b3261e", "#1e7a3c", "#d6dae1"
SENTIMENT = LinearSegmentedColormap.from_list(
    "sentiment", ["#d9534f", "#f4c7c3", "#ffffff", "#c8e6cf", "#4f9d69"]
)
TOP = 10


def _method_entries(lang: ReportLanguage) -> list[tuple[str, str]]:
    """The method page: each term and its definition."""
    return [
        (
            lang.gettext("Sentiment"),
            lang.gettext(
                "Each free-text answer is scored by a lexicon-based analyzer (TextBlob, with a "
                "French model) from -1 (very negative) to +1 (very positive). Mean sentiment is "
                "the plain mean over the scored text answers of a stage or cell."
            ),
        ),
        (
            lang.gettext("Themes"),
            lang.gettext(
                "A theme (late delivery, hidden fees, ...) is found in an answer by the "
                "codebook's keywords, or coded by a researcher. An answer can carry several "
                "themes."
            ),
        ),
        (
            lang.gettext("Pain point"),
            lang.gettext(
                "A theme at one stage x touchpoint. Frequency: customer answers carrying it. "
                "Share: frequency / text answers of the cell. Negativity: mean of "
                "max(0, -sentiment) over those answers, from 0 to 1."
            ),
        ),
        (
            lang.gettext("Severity"),
            lang.gettext(
                "Severity = frequency x mean negativity: the total negativity the theme "
                "accounts for. Ten mildly negative answers (%(mild)s) weigh %(weight)s, as "
                "much as three furious ones (%(furious)s). Pain points are ranked by severity.",
                mild=lang.number(-0.3, 1),
                weight=lang.number(3, 1),
                furious=lang.number(-1, 1),
            ),
        ),
        (
            lang.gettext("Trend"),
            lang.gettext(
                "The share of the pain point compared with the previous period of the same "
                "length and the same filters (shares, not counts, so a busier period alone does "
                "not look worse). Shown only when the period has both a start and an end."
            ),
        ),
        (
            "NPS",
            lang.gettext(
                "Net Promoter Score on 0-10: %% promoters (9-10) - %% detractors (0-6), from "
                "-100 to 100. Margin of error (%(confidence)s) from the trinomial variance: "
                "%(z)s x sqrt((p + d - (p - d)^2) / n) x 100.",
                confidence=lang.percent(0.95),
                z=lang.number(1.96, 2),
            ),
        ),
        (
            "CSAT",
            lang.gettext(
                "Customer satisfaction on 1-5: the %% of answers 4 or 5 (top-2-box), with a "
                "Wilson %(confidence)s interval.",
                confidence=lang.percent(0.95),
            ),
        ),
        (
            "CES",
            lang.gettext(
                "Customer effort on %(scale)s (agreement that it was easy): the mean, and the "
                "%% of 5-7.",
                scale="1-7",
            ),
        ),
        (
            lang.gettext("Scores over time"),
            lang.gettext(
                "The same figures per stage by ISO week (Monday to Sunday) or calendar month, "
                "in UTC: by week for a period of up to three months, by month otherwise. The "
                "shaded band is the margin of error of each week or month (for mean "
                "sentiment, 1.96 standard errors of the mean). A week or month with fewer "
                "answers than the minimum n has no figure: its line breaks there."
            ),
        ),
        (
            lang.gettext("n and margins"),
            lang.gettext(
                "Every figure is computed from its n answers. Below the minimum n of this "
                "report a figure is shown as not enough answers (grey), never as a "
                "precise-looking number. Interview notes are not counted in any figure: they "
                "are attached as evidence."
            ),
        ),
    ]


def report_pdf(report: Report) -> bytes:
    """The whole report as PDF bytes."""
    out = io.BytesIO()
    title = report.lang.gettext("Pain-point report: %(journey)s", journey=report.journey.name)
    metadata = {"Title": title, "Creator": "Parcours"}
    with PdfPages(out, metadata=metadata) as pdf:
        pages = _Flow(pdf)
        _overview(pages, report)
        pages.new_page()
        _heatmap(pages, report)
        pages.y -= 0.04
        _pain_points(pages, report)
        pages.new_page()
        _trends(pages, report)
        pages.new_page()
        _method(pages, report)
        pages.close()
    return out.getvalue()


class _Flow:
    """Text laid out top to bottom, onto a new A4 page when the current one is full."""

    def __init__(self, pdf: PdfPages):
        self.pdf, self.figure, self.y, self.number = pdf, None, 0.0, 0
        self.new_page()

    def new_page(self) -> None:
        self.close()
        self.figure = Figure(figsize=A4)
        self.y, self.number = 1 - MARGIN, self.number + 1
        self.figure.text(
            1 - MARGIN, MARGIN / 2, f"{self.number}", ha="right", color=MUTED, fontsize=8
        )

    def close(self) -> None:
        if self.figure is not None:
            self.pdf.savefig(self.figure)
            self.figure = None

    def room(self, height: float) -> None:
        if self.y - height < MARGIN:
            self.new_page()

    def text(self, value: str, size=10, indent=0.0, gap=0.4, **style) -> None:
        """Wrapped text; `gap` is the space after, in lines."""
        width_pt = (1 - 2 * MARGIN - indent) * A4[0] * 72
        chars = max(int(width_pt / (size * 0.52)), 20)
        lines = textwrap.wrap(_printable(value), chars) or [""]
        line_height = size * 1.35 / 72 / A4[1]
        self.room(line_height * len(lines))
        for line in lines:
            self.figure.text(
                MARGIN + indent,
                self.y,
                line,
                fontsize=size,
                va="top",
                color=style.get("color", INK),
                fontweight=style.get("weight", "normal"),
                fontstyle=style.get("style", "normal"),
                parse_math=False,  # "$20" in a quote is money, not mathtext
            )
            self.y -= line_height
        self.y -= line_height * gap

    def axes(self, height: float):
        """Axes spanning the text width, `height` (page fraction) tall, below the cursor."""
        self.room(height)
        self.y -= height
        return self.figure.add_axes((MARGIN + 0.08, self.y, 1 - 2 * MARGIN - 0.1, height * 0.85))


def _printable(text: str) -> str:
    # The PDF font has no emoji: drop them (and their joiners) rather than print boxes.
    return "".join(c for c in text if ord(c) < 0x1F000 and c not in "\ufe0f\u200d")


def _overview(pages: _Flow, report: Report) -> None:
    lang = report.lang
    pages.text(lang.gettext("Pain-point report"), size=22, weight="bold", gap=0.2)
    pages.text(report.journey.name, size=14, gap=0.8)
    pages.text(lang.gettext("Period: %(period)s", period=report.period), size=10, gap=0.1)
    pages.text(lang.gettext("Filters: %(filters)s", filters=report.filter_text), size=10, gap=0.1)
    pages.text(
        lang.gettext(
            "Generated %(moment)s UTC · minimum n per figure: %(min_n)s",
            moment=lang.moment(report.generated_at),
            min_n=lang.number(report.min_n),
        ),
        size=9,
        color=MUTED,
        gap=0.8,
    )
    totals = " · ".join(report.total_text(key) for key in report.totals)
    pages.text(totals, size=11, weight="bold", gap=0.3)
    pages.text(
        lang.ngettext(
            "%(num)s pain point (themes at a stage x touchpoint) in the period.",
            "%(num)s pain points (themes at a stage x touchpoint) in the period.",
            len(report.pain_points),
        ),
        gap=1.0,
    )
    pages.text(lang.gettext("Scores by stage"), size=13, weight="bold", gap=0.3)
    for scores in report.scores:
        line = lang.gettext(
            "%(stage)s: %(scores)s",
            stage=scores.stage,
            scores=_score_line(lang, scores, report.min_n),
        )
        pages.text(line, size=10, gap=0.15)
    pages.y -= 0.02
    pages.text(lang.gettext("Sentiment curve across the stages"), size=13, weight="bold", gap=0.3)
    _curve(pages.axes(0.3), report)


def _score_line(lang: ReportLanguage, scores, min_n: int) -> str:
    parts = []
    if scores.nps:
        nps = scores.nps
        parts.append(
            _figure(lang, "NPS", nps, min_n)
            or f"NPS {lang.number(nps.value, signed=True)} ± {lang.number(nps.margin or 0)} "
            f"(n={lang.number(nps.n)})"
        )
    if scores.csat:
        csat = scores.csat
        parts.append(
            _figure(lang, "CSAT", csat, min_n)
            or f"CSAT {lang.percent(csat.value / 100)} ± {lang.number(csat.margin or 0)} "
            f"(n={lang.number(csat.n)})"
        )
    if scores.ces:
        ces = scores.ces
        value = (
            f"{lang.number(ces.mean, 1)}/7" if ces.enough else lang.gettext("not enough answers")
        )
        parts.append(f"CES {value} (n={lang.number(ces.n)})")
    return " · ".join(parts) or lang.gettext("no score question answered")


def _figure(lang: ReportLanguage, name: str, figure, min_n: int) -> str | None:
    """The line of a figure under the minimum n; None when there are enough answers."""
    if not figure.enough or figure.value is None:
        return lang.gettext(
            "%(name)s not enough answers (n=%(n)s, minimum %(minimum)s)",
            name=name,
            n=lang.number(figure.n),
            minimum=lang.number(min_n),
        )
    return None


def _curve(axes, report: Report) -> None:
    names = [place.stage for place in report.curve]
    xs = range(len(names))
    values = [place.sentiment for place in report.curve]
    known = [(x, v, p.n) for x, v, p in zip(xs, values, report.curve, strict=True) if v is not None]
    axes.axhline(0, color=GREY, linewidth=1)
    if known:
        axes.plot([k[0] for k in known], [k[1] for k in known], color=INK, linewidth=1.5)
    for x, value, n in known:
        enough = n >= report.min_n
        colour = NEGATIVE if value < 0 else POSITIVE
        axes.scatter(
            [x], [value], s=40, zorder=3, color=colour if enough else "white", edgecolors=colour
        )
        axes.annotate(
            f"{report.lang.number(value, 2, signed=True)}\nn={report.lang.number(n)}",
            (x, value),
            textcoords="offset points",
            xytext=(0, 8),
            ha="center",
            fontsize=7,
            color=MUTED,
        )
    spread = max([abs(v) for _, v, _ in known] + [0.2]) * 1.5
    axes.set_ylim(-spread, spread)
    axes.set_xticks(list(xs), names, fontsize=8)
    axes.set_xlim(-0.5, len(names) - 0.5)
    axes.set_ylabel(report.lang.gettext("mean sentiment (-1 to +1)"), fontsize=8)
    axes.yaxis.set_major_formatter(LocaleTicks(report.lang.code))
    axes.tick_params(labelsize=8)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    if not known:
        axes.text(
            0.5,
            0.5,
            report.lang.gettext("No scored text answers in this period."),
            ha="center",
            transform=axes.transAxes,
            color=MUTED,
        )


def _heatmap(pages: _Flow, report: Report) -> None:
    lang = report.lang
    pages.text(
        lang.gettext("Mean sentiment by stage and touchpoint"), size=16, weight="bold", gap=0.3
    )
    pages.text(
        lang.gettext(
            "Each cell: mean sentiment of the scored text answers (n below). Grey: fewer than "
            "%(min_n)s answers, not shown as a number. Blank: no answer.",
            min_n=lang.number(report.min_n),
        ),
        size=9,
        color=MUTED,
        gap=0.6,
    )
    whole_stage = lang.gettext("Whole stage")
    rows = list(report.touchpoints)
    if any(place.touchpoint is None for place in report.cells):
        rows.append(whole_stage)
    if not rows:
        pages.text(lang.gettext("No scored text answers in this period."), color=MUTED)
        return
    height = min(0.08 + 0.045 * len(rows), 0.75)
    axes = pages.axes(height)
    found = {(p.touchpoint or whole_stage, p.stage): p for p in report.cells}
    grid = [[found.get((row, stage)) for stage in report.stages] for row in rows]
    values = [
        [p.sentiment if p and p.n >= report.min_n else float("nan") for p in line] for line in grid
    ]
    axes.set_facecolor("white")
    axes.imshow(values, cmap=SENTIMENT, vmin=-0.6, vmax=0.6, aspect="auto")
    for r, line in enumerate(grid):
        for c, place in enumerate(line):
            _heat_cell(axes, r, c, place, report)
    axes.set_xticks(range(len(report.stages)), report.stages, fontsize=8)
    axes.set_yticks(range(len(rows)), rows, fontsize=8)
    axes.xaxis.tick_top()
    axes.tick_params(length=0)
    for spine in axes.spines.values():
        spine.set_visible(False)


def _heat_cell(axes, row: int, column: int, place, report: Report) -> None:
    if place is None:
        return
    n = f"n={report.lang.number(place.n)}"
    if place.n < report.min_n:
        axes.add_patch(_grey_box(row, column))
        axes.text(column, row, n, ha="center", va="center", fontsize=7, color=MUTED)
        return
    axes.text(
        column,
        row,
        f"{report.lang.number(place.sentiment, 2, signed=True)}\n{n}",
        ha="center",
        va="center",
        fontsize=7,
        color=INK,
    )


def _grey_box(row: int, column: int):
    from matplotlib.patches import Rectangle

    return Rectangle((column - 0.5, row - 0.5), 1, 1, color=GREY, linewidth=0)


def _pain_points(pages: _Flow, report: Report) -> None:
    lang = report.lang
    pages.text(
        lang.gettext("Top %(top)s pain points by severity", top=lang.number(TOP)),
        size=16,
        weight="bold",
        gap=0.3,
    )
    pages.text(
        lang.gettext(
            "Severity = frequency x mean negativity (see Method). Quotes: the most negative "
            "answers carrying the theme at that place."
        ),
        size=9,
        color=MUTED,
        gap=0.8,
    )
    if not report.pain_points:
        pages.text(
            lang.gettext("No pain point in this period: no answer carries a theme."), color=MUTED
        )
        return
    for rank, row in enumerate(report.pain_points[:TOP], start=1):
        pages.room(0.12)  # keep a title with its figures
        place = row.stage_name + (f" · {row.touchpoint_name}" if row.touchpoint_name else "")
        pages.text(f"{rank}. {row.theme_label} — {place}", size=12, weight="bold", gap=0.15)
        pages.text(_figures_line(lang, row), size=9, indent=0.02, gap=0.15)
        if row.follow_up:
            pages.text(_follow_up_line(lang, row), size=9, indent=0.02, color=MUTED, gap=0.15)
        for quote in row.quotes:
            quoted = lang.gettext("“%(quote)s”", quote=quote.text.strip())
            pages.text(quoted, size=9, indent=0.04, style="italic", gap=0.1)
        for note in row.follow_up.evidence if row.follow_up else []:
            if note.interviewee:
                line = lang.gettext(
                    "Interview (%(who)s): “%(note)s”", who=note.interviewee, note=note.text.strip()
                )
            else:
                line = lang.gettext("Interview: “%(note)s”", note=note.text.strip())
            pages.text(line, size=9, indent=0.04, gap=0.1)
        pages.y -= 0.015


def _figures_line(lang: ReportLanguage, row) -> str:
    parts = [
        lang.gettext("Severity %(severity)s", severity=lang.number(row.severity, 1)),
        lang.ngettext(
            "%(frequency)s of %(num)s text answer (%(share)s)",
            "%(frequency)s of %(num)s text answers (%(share)s)",
            row.cell_answers,
            frequency=lang.number(row.frequency),
            share=lang.percent(row.share, 1),
        ),
        lang.gettext("mean negativity %(negativity)s", negativity=lang.number(row.negativity, 2)),
    ]
    if row.trend:
        change = lang.number((row.share_change or 0.0) * 100, 1, signed=True)
        parts.append(
            lang.gettext(
                "%(trend)s (%(change)s pts)", trend=trend_word(lang, row.trend), change=change
            )
        )
    return " · ".join(parts)


def _follow_up_line(lang: ReportLanguage, row) -> str:
    follow = row.follow_up
    parts = [lang.gettext("Status: %(status)s", status=status_name(lang, follow.status))]
    if follow.owner:
        parts.append(lang.gettext("owner: %(owner)s", owner=follow.owner))
    if follow.came_back:
        parts.append(lang.gettext("came back after it was resolved"))
    if follow.note:
        parts.append(lang.gettext("note: %(note)s", note=follow.note))
    return " · ".join(parts)


def _method(pages: _Flow, report: Report) -> None:
    lang = report.lang
    pages.text(lang.gettext("Method"), size=16, weight="bold", gap=0.6)
    for name, definition in _method_entries(lang):
        pages.text(name, size=11, weight="bold", gap=0.1)
        pages.text(definition, size=9.5, gap=0.7)
    pages.text(
        lang.gettext(
            "This report: %(responses)s, %(text_answers)s; minimum n %(min_n)s.",
            responses=report.total_text("responses"),
            text_answers=report.total_text("text answers"),
            min_n=lang.number(report.min_n),
        ),
        size=9.5,
        color=MUTED,
    )


def _metric_title(lang: ReportLanguage, metric: str, grain: str) -> str:
    names = {
        "nps": "NPS",
        "csat": lang.gettext("CSAT: share satisfied (4–5)"),
        "ces": lang.gettext("CES: share easy (5–7)"),
        "sentiment": lang.gettext("Mean sentiment"),
    }
    if grain == "week":
        return lang.gettext("%(metric)s by week", metric=names[metric])
    return lang.gettext("%(metric)s by month", metric=names[metric])


def _trends(pages: _Flow, report: Report) -> None:
    lang, trends = report.lang, report.trends
    pages.text(lang.gettext("Scores over time"), size=16, weight="bold", gap=0.3)
    if trends is None:
        return
    pages.text(
        (
            lang.gettext("By ISO week (Monday to Sunday, UTC).")
            if trends.grain == "week"
            else lang.gettext("By calendar month (UTC).")
        )
        + " "
        + lang.gettext(
            "Shaded: the margin of error. A week or month with fewer than %(min_n)s answers "
            "has no figure (not enough answers): its line breaks, marked x at the bottom.",
            min_n=lang.number(report.min_n),
        ),
        size=9,
        color=MUTED,
        gap=0.6,
    )
    metrics = trends.metrics()
    if not metrics:
        pages.text(lang.gettext("No score or scored text answer in this period."), color=MUTED)
        return
    labels = [bucket.label for bucket in trends.buckets]
    for metric in metrics:
        pages.room(0.27)  # a title with its chart
        pages.text(_metric_title(lang, metric, trends.grain), size=11, weight="bold", gap=0.2)
        series = trend_series(report.trend_names, trends.lines, metric)
        height = 0.2
        pages.room(height)
        pages.y -= height
        # Narrower than the text: the legend goes on the right of the chart.
        axes = pages.figure.add_axes((MARGIN + 0.08, pages.y + 0.03, 0.56, height * 0.78))
        draw_trend(axes, labels, series, RANGES[metric], "", lang.gettext, lang.code, fontsize=7)
        pages.y -= 0.015  # below the chart's own note
        gaps = trends.gaps(metric)
        if gaps:
            pages.text(
                lang.ngettext(
                    "%(num)s week or month without a figure (not enough answers).",
                    "%(num)s weeks or months without a figure (not enough answers).",
                    gaps,
                ),
                size=8,
                color=MUTED,
                gap=0.6,
            )
