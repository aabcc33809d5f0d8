"""Charts of the journey map as SVG (pages) or PNG (PDF reports).

Pure functions on plain data: no database, no Flask, no network. Figures are made
without pyplot (no global state, safe in a threaded server) on the Agg backend, and SVG
output carries no date or random ids, so equal data gives equal bytes.

Words come from the `gettext` callable given (Flask-Babel's on a page, a report's
`ReportLanguage.gettext` elsewhere; English without one), figures are written the way
`locale` writes them.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")

from babel.numbers import get_decimal_symbol  # noqa: E402
from matplotlib.colors import LinearSegmentedColormap  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import ScalarFormatter  # noqa: E402

from feedback import locale_format  # noqa: E402

INK = "#1d2330"
MUTED = "#5a6272"
NEGATIVE = "#b3261e"
POSITIVE = "#1e7a3c"
NOT_ENOUGH = "#d6dae1"
# Red to white to green, pale enough that dark labels stay readable on every cell.
SENTIMENT_COLOURS = LinearSegmentedColormap.from_list(
    "sentiment", ["#e8908a", "#f7d3cf", "#ffffff", "#cfe9d6", "#8fcca0"]
)
SVG_METADATA = {"Date": None, "Creator": None}
Gettext = Callable[[str], str]


def _english(message: str) -> str:
    return message


def _render(figure: Figure, fmt: str, dpi: int = 150) -> bytes:
    out = io.BytesIO()
    options = {"metadata": SVG_METADATA} if fmt == "svg" else {"dpi": dpi}
    with matplotlib.rc_context({"svg.hashsalt": "parcours", "svg.fonttype": "none"}):
        figure.savefig(out, format=fmt, bbox_inches="tight", **options)
    return out.getvalue()


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


class LocaleTicks(ScalarFormatter):
    """Matplotlib's own tick labels, with the locale's decimal sign ("0,25" in French)."""

    def __init__(self, locale: str):
        super().__init__()
        self.decimal = get_decimal_symbol(locale or locale_format.DEFAULT_LOCALE)

    def __call__(self, x, pos=None) -> str:
        return super().__call__(x, pos).replace(".", self.decimal)


def _curve_figure(
    stages: Sequence[str], values: Sequence[float | None], _: Gettext, locale: str
) -> Figure:
    figure = Figure(figsize=(max(4.0, 1.6 * len(stages)), 2.8))
    axes = figure.subplots()
    xs = list(range(len(stages)))
    ys = [math.nan if _missing(v) else float(v) for v in values]
    axes.axhspan(0, 1, color=POSITIVE, alpha=0.06, linewidth=0)
    axes.axhspan(-1, 0, color=NEGATIVE, alpha=0.06, linewidth=0)
    axes.axhline(0, color=MUTED, linewidth=1)
    axes.fill_between(
        xs, ys, 0, where=[y >= 0 for y in ys], color=POSITIVE, alpha=0.18, interpolate=True
    )
    axes.fill_between(
        xs, ys, 0, where=[y < 0 for y in ys], color=NEGATIVE, alpha=0.18, interpolate=True
    )
    axes.plot(xs, ys, color=INK, linewidth=2, marker="o", markersize=7)
    for x, y in zip(xs, ys, strict=True):
        label = _("no answers") if math.isnan(y) else locale_format.number(y, 2, locale, True)
        axes.annotate(
            label,
            (x, 0 if math.isnan(y) else y),
            textcoords="offset points",
            xytext=(0, 9),
            ha="center",
            fontsize=8,
            color=MUTED if math.isnan(y) else INK,
        )
    axes.set_xticks(xs, list(stages), fontsize=9, color=INK)
    axes.set_xlim(-0.5, max(len(stages) - 0.5, 0.5))
    axes.set_ylim(-1, 1)
    axes.set_ylabel(_("Mean sentiment"), fontsize=9, color=INK)
    axes.yaxis.set_major_formatter(LocaleTicks(locale))
    axes.tick_params(axis="y", labelsize=8, colors=MUTED)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    return figure


def emotion_curve_svg(
    stages: list[str],
    values: list[float | None],
    gettext: Gettext | None = None,
    locale: str = locale_format.DEFAULT_LOCALE,
) -> bytes:
    """The emotion curve across stages: mean sentiment in [-1, 1], None where no answers."""
    return _render(_curve_figure(stages, values, gettext or _english, locale), "svg")


def emotion_curve_png(
    stages: list[str],
    values: list[float | None],
    dpi: int = 150,
    gettext: Gettext | None = None,
    locale: str = locale_format.DEFAULT_LOCALE,
) -> bytes:
    """The emotion curve as PNG, for documents that cannot embed SVG."""
    return _render(_curve_figure(stages, values, gettext or _english, locale), "png", dpi)


def _heatmap_figure(
    stages: Sequence[str],
    touchpoints: Sequence[str],
    values: Sequence[Sequence[float | None]],
    enough: Sequence[Sequence[bool]] | None,
    _: Gettext,
    locale: str,
) -> Figure:
    rows, columns = len(touchpoints), len(stages)
    figure = Figure(figsize=(max(4.0, 1.5 * columns + 1.5), max(1.6, 0.55 * rows + 1.0)))
    axes = figure.subplots()
    grid = [[math.nan] * columns for _ in range(rows)]
    for r in range(rows):
        for c in range(columns):
            value = values[r][c]
            thin = enough is not None and not enough[r][c]
            if not _missing(value) and not thin:
                grid[r][c] = float(value)
    colours = SENTIMENT_COLOURS.with_extremes(bad=NOT_ENOUGH)
    axes.imshow(grid, cmap=colours, vmin=-1, vmax=1, aspect="auto")
    for r in range(rows):
        for c in range(columns):
            value = values[r][c]
            if _missing(value):
                text = "—"
            elif math.isnan(grid[r][c]):
                text = _("not enough\nanswers")
            else:
                text = locale_format.number(value, 2, locale, True)
            axes.text(c, r, text, ha="center", va="center", fontsize=8, color=INK)
    axes.set_xticks(range(columns), list(stages), fontsize=9, color=INK)
    axes.set_yticks(range(rows), list(touchpoints), fontsize=9, color=INK)
    axes.xaxis.tick_top()
    axes.tick_params(length=0)
    for spine in axes.spines.values():
        spine.set_visible(False)
    return figure


def heatmap_svg(
    stages: list[str],
    touchpoints: list[str],
    values: list[list[float | None]],
    enough: list[list[bool]] | None = None,
    gettext: Gettext | None = None,
    locale: str = locale_format.DEFAULT_LOCALE,
) -> bytes:
    """Mean sentiment per touchpoint (rows) x stage (columns); grey where not enough answers."""
    figure = _heatmap_figure(stages, touchpoints, values, enough, gettext or _english, locale)
    return _render(figure, "svg")


def heatmap_png(
    stages: list[str],
    touchpoints: list[str],
    values: list[list[float | None]],
    enough: list[list[bool]] | None = None,
    dpi: int = 150,
    gettext: Gettext | None = None,
    locale: str = locale_format.DEFAULT_LOCALE,
) -> bytes:
    """The heatmap as PNG, for documents that cannot embed SVG."""
    figure = _heatmap_figure(stages, touchpoints, values, enough, gettext or _english, locale)
    return _render(figure, "png", dpi)


# --- scores over time -------------------------------------------------------------------

# Line colours (distinct for the colour-blind in this order) and, past them, dash styles.
TREND_COLOURS = ("#1f5fa8", "#c2410c", "#15803d", "#7e22ce", "#a16207", "#0e7490", "#be185d")
TREND_DASHES = ("-", "--", ":", "-.")


@dataclass(frozen=True)
class TrendSeries:
    """One line of a chart over time: a value per bucket (None: a gap) and its interval."""

    name: str
    values: Sequence[float | None]
    lows: Sequence[float | None]
    highs: Sequence[float | None]
    gid: str = ""  # the id of the line's group in the SVG


def trend_series(names: Sequence[str], lines: Sequence, metric: str, ids=None) -> list[TrendSeries]:
    """The chart lines of `metric` for trend lines (feedback.trends.Line) that have answers;
    `ids` names each line's group in the SVG."""
    ids = ids or [""] * len(lines)
    return [
        TrendSeries(
            name,
            [p.value for p in line.points[metric]],
            [p.low for p in line.points[metric]],
            [p.high for p in line.points[metric]],
            gid=gid,
        )
        for name, line, gid in zip(names, lines, ids, strict=True)
        if line.answered(metric)
    ]


def _nan(values: Sequence[float | None]) -> list[float]:
    return [math.nan if _missing(v) else float(v) for v in values]


def draw_trend(
    axes,
    labels: Sequence[str],
    series: Sequence[TrendSeries],
    y_range: tuple[float, float],
    y_label: str,
    gettext: Gettext | None = None,
    locale: str = locale_format.DEFAULT_LOCALE,
    fontsize: float = 8,
) -> None:
    """Lines over the buckets, each with its margin as a shaded band; a gap breaks the line
    (never joined across) and is marked x on the floor of the chart."""
    _ = gettext or _english
    xs = list(range(len(labels)))
    low, high = y_range
    floor = low + (high - low) * 0.03
    for index, line in enumerate(series):
        colour = TREND_COLOURS[index % len(TREND_COLOURS)]
        dash = TREND_DASHES[(index // len(TREND_COLOURS)) % len(TREND_DASHES)]
        ys = _nan(line.values)
        band_low, band_high = _nan(line.lows), _nan(line.highs)
        band = axes.fill_between(xs, band_low, band_high, color=colour, alpha=0.15, linewidth=0)
        (drawn,) = axes.plot(
            xs, ys, color=colour, linestyle=dash, linewidth=1.8, marker="o", markersize=4,
            label=line.name,
        )  # fmt: skip
        # A point between two gaps has no band to draw: its interval is a bar instead.
        alone = [
            x
            for x in xs
            if not math.isnan(ys[x])
            and (x == 0 or math.isnan(ys[x - 1]))
            and (x == len(xs) - 1 or math.isnan(ys[x + 1]))
            and not (math.isnan(band_low[x]) or math.isnan(band_high[x]))
        ]
        if alone:
            axes.vlines(
                alone,
                [band_low[x] for x in alone],
                [band_high[x] for x in alone],
                color=colour,
                alpha=0.35,
                linewidth=6,
            )
        gaps = [x for x, y in zip(xs, ys, strict=True) if math.isnan(y)]
        # Each line's marks a little higher than the previous one's, so none hides another.
        at = floor + (high - low) * 0.025 * (index % len(TREND_COLOURS))
        missing = axes.plot(
            gaps, [at] * len(gaps), linestyle="none", marker="x", markersize=5, color=colour
        )
        if line.gid:
            drawn.set_gid(line.gid)
            band.set_gid(f"{line.gid}-band")
            for mark in missing:
                mark.set_gid(f"{line.gid}-gaps")
    if low < 0 < high:
        axes.axhline(0, color=MUTED, linewidth=0.8)
    pad = (high - low) * 0.04  # a point at 100 stays whole
    axes.set_ylim(low - pad, high + pad)
    axes.set_xlim(-0.5, max(len(labels) - 0.5, 0.5))
    step = max(1, math.ceil(len(labels) / 12))  # at most a dozen readable labels
    shown = list(labels)[::step]
    slanted = {"rotation": 30, "ha": "right"} if len(shown) > 6 else {}
    axes.set_xticks(xs[::step], shown, fontsize=fontsize, color=INK, **slanted)
    axes.set_ylabel(y_label, fontsize=fontsize, color=INK)
    axes.yaxis.set_major_formatter(LocaleTicks(locale))
    axes.tick_params(axis="y", labelsize=fontsize, colors=MUTED)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    if series:
        axes.legend(fontsize=fontsize, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    axes.annotate(
        _("Shaded: the margin of error. x: no figure (not enough answers)."),
        (0, 0),
        xycoords="axes fraction",
        xytext=(0, -(5.5 if slanted else 2.6) * fontsize),
        textcoords="offset points",
        fontsize=fontsize - 1,
        color=MUTED,
        va="top",
    )


def trend_svg(
    labels: list[str],
    series: list[TrendSeries],
    y_range: tuple[float, float],
    y_label: str,
    gettext: Gettext | None = None,
    locale: str = locale_format.DEFAULT_LOCALE,
) -> bytes:
    """A metric over time, a line per stage (or touchpoint), as SVG."""
    figure = Figure(figsize=(max(6.0, 0.45 * len(labels) + 3.0), 3.2))
    draw_trend(figure.subplots(), labels, series, y_range, y_label, gettext, locale)
    return _render(figure, "svg")
