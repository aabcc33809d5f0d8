"""analyze(): one free-text answer -> language, sentiment, emotions and pain-point themes."""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import asdict, dataclass, field
from typing import Any

from feedback.text.cleaning import clean_text
from feedback.text.codebook import Codebook
from feedback.text.emotions import dominant_emotion, empty_emotions
from feedback.text.language import detect_tokens
from feedback.text.lexicons import lexicon
from feedback.text.scoring import CUE_POLARITY, Scores, score
from feedback.text.tokens import TOKEN_RE, fold, tokenize

#: Stored with every analysis; bump it whenever scoring, lexicons or the codebook change.
ANALYZER_VERSION = "2026.11.2"

#: label thresholds on polarity: <= NEGATIVE_MAX negative, >= POSITIVE_MIN positive.
NEGATIVE_MAX = -0.1
POSITIVE_MIN = 0.15

_LANGUAGES = ("en", "fr")
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class Analysis:
    """The analysis of one answer (see docs/analysis.md for how each field is computed)."""

    language: str = "und"
    polarity: float = 0.0
    subjectivity: float = 0.0
    label: str = "neutral"
    emotions: dict[str, float] = field(default_factory=empty_emotions)
    emotion: str | None = None
    themes: list[str] = field(default_factory=list)
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict, including the analyzer version."""
        data = asdict(self)
        data["analyzer_version"] = ANALYZER_VERSION
        return data


def label_for(polarity: float) -> str:
    """Map a polarity to "negative", "neutral" or "positive" with the documented thresholds."""
    if polarity <= NEGATIVE_MAX:
        return "negative"
    if polarity >= POSITIVE_MIN:
        return "positive"
    return "neutral"


def analyze(
    text: object, language: str | None = None, codebook: Codebook | None = None
) -> Analysis:
    """Analyse one answer; never raises on bad input (a neutral result with a reason instead)."""
    try:
        return _analyze(text, language, codebook)
    except Exception:  # noqa: BLE001 - callers (submit, workers) must never fail on text
        return Analysis(reason="error")


def _analyze(text: object, language: str | None, codebook: Codebook | None) -> Analysis:
    cleaned = clean_text(text)
    if not cleaned:
        return Analysis(language=_known(language), reason="empty")
    folded = fold(cleaned)
    tokens = tokenize(folded)
    has_words = _LETTER.search(folded) is not None
    lang = _known(language) if language else detect_tokens(tokens, cleaned.lower())
    book = codebook or Codebook.default()
    spans = book.spans_folded(folded) if has_words else []
    themes = [key for key, _ in spans]
    starts = [m.start() for m in TOKEN_RE.finditer(folded)] if spans else []
    # A theme cue sits at the token where its match starts (for contrast weighting).
    cues = [(CUE_POLARITY, book[key].emotion, bisect_left(starts, at)) for key, at in spans]
    if lang in _LANGUAGES:
        scores = score(tokens, lexicon(lang), cues)
    else:
        # Undetermined: keep the reading that recognises more of the text.
        scores = max((score(tokens, lexicon(code), cues) for code in _LANGUAGES), key=_evidence)
    reason = None
    if not scores.assessed and not themes and not any(scores.emotions.values()):
        reason = "no_words" if not has_words else "no_sentiment_cues"
    polarity = round(scores.polarity, 4)
    emotions = {name: round(value, 4) for name, value in scores.emotions.items()}
    return Analysis(
        language=lang,
        polarity=polarity,
        subjectivity=round(scores.subjectivity, 4),
        label=label_for(polarity),
        emotions=emotions,
        emotion=dominant_emotion(emotions),
        themes=themes,
        reason=reason,
    )


def _known(language: str | None) -> str:
    code = (language or "").strip().lower()[:2]
    return code if code in _LANGUAGES else "und"


def _evidence(scores: Scores) -> tuple[int, float]:
    return scores.assessed, sum(scores.emotions.values())
