"""Text analysis of free-text answers: language, sentiment, emotions and pain-point themes.

Pure functions on plain data (no Flask, no database): ``analyze`` for one answer,
``emerging_themes`` for groups of unmatched negative answers, ``Codebook`` for themes.
"""

from feedback.text.analysis import (
    ANALYZER_VERSION,
    NEGATIVE_MAX,
    POSITIVE_MIN,
    Analysis,
    analyze,
    label_for,
)
from feedback.text.cleaning import MAX_CHARS
from feedback.text.codebook import Codebook, Theme
from feedback.text.emerging import EmergingTheme, emerging_themes
from feedback.text.emotions import EMOTIONS
from feedback.text.language import detect_language

__all__ = [
    "ANALYZER_VERSION",
    "EMOTIONS",
    "MAX_CHARS",
    "NEGATIVE_MAX",
    "POSITIVE_MIN",
    "Analysis",
    "Codebook",
    "EmergingTheme",
    "Theme",
    "analyze",
    "detect_language",
    "emerging_themes",
    "label_for",
]
