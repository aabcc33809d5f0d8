"""Plutchik's eight basic emotions, their opposites, and how a dominant emotion is chosen."""

from __future__ import annotations

from collections.abc import Mapping

EMOTIONS: tuple[str, ...] = (
    "joy",
    "trust",
    "fear",
    "surprise",
    "sadness",
    "disgust",
    "anger",
    "anticipation",
)

#: Opposite pairs on Plutchik's wheel: a negated cue ("not happy") counts, at half weight,
#: towards the opposite emotion.
OPPOSITE: dict[str, str] = {
    "joy": "sadness",
    "sadness": "joy",
    "trust": "disgust",
    "disgust": "trust",
    "fear": "anger",
    "anger": "fear",
    "surprise": "anticipation",
    "anticipation": "surprise",
}

#: A dominant emotion needs at least this score (a single ambiguous cue is 0.5).
DOMINANT_MIN = 0.5


def empty_emotions() -> dict[str, float]:
    """Return a fresh score dict with every emotion at 0.0."""
    return dict.fromkeys(EMOTIONS, 0.0)


def dominant_emotion(scores: Mapping[str, float]) -> str | None:
    """Return the highest-scoring emotion, or None when no emotion reaches DOMINANT_MIN."""
    best, best_score = None, 0.0
    for name in EMOTIONS:  # fixed order breaks ties deterministically
        value = scores.get(name, 0.0)
        if value > best_score:
            best, best_score = name, value
    return best if best_score >= DOMINANT_MIN else None
