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
