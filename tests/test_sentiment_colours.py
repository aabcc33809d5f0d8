"""The journey map's sentiment colours keep every text on them readable (WCAG AA, 4.5:1).

axe-core checks the cells a page happens to show; this checks every colour of the scale
against every text colour a cell can carry, from the stylesheet itself.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS = (Path(__file__).resolve().parents[1] / "static" / "css" / "parcours.css").read_text()
CELL_CLASSES = ("jm-neg2", "jm-neg1", "jm-neutral", "jm-pos1", "jm-pos2", "jm-thin")
TEXT_VARIABLES = ("--ink", "--muted", "--accent", "--danger", "--ok")


def variable(name: str) -> str:
    return re.search(rf"{name}:\s*(#[0-9a-fA-F]{{6}})", CSS).group(1)


def background(css_class: str) -> str:
    colour = re.search(rf"\.{css_class} \{{ background: #([0-9a-fA-F]{{3,6}});", CSS).group(1)
    return "#" + (colour if len(colour) == 6 else "".join(c * 2 for c in colour))


def luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(one: str, other: str) -> float:
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_of_known_pairs():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("css_class", CELL_CLASSES)
@pytest.mark.parametrize("text", TEXT_VARIABLES)
def test_text_on_each_sentiment_colour_reaches_aa(css_class, text):
    ratio = contrast(variable(text), background(css_class))
    assert ratio >= 4.5, f"{text} on .{css_class}: {ratio:.2f}:1"
