"""Question types: their scales and how a posted form value becomes an answer.

Plain Python (no Flask), so the survey page, interviews and the API validate alike.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .input_guard import clean_text as _without_controls

# Documented limits on free text, in characters.
SHORT_TEXT_MAX = 300
LONG_TEXT_MAX = 5000

# What a questionnaire's texts may hold, in characters: the editor's forms and the
# questionnaire import check the same numbers.
DESIGN_LIMITS = {
    "title": 200,
    "intro": 1000,
    "prompt": 500,
    "help": 300,
    "end_label": 60,
    "option_value": 100,
    "option_label": 200,
}
# The editor's options box, as `value | English | Français` lines.
OPTIONS_TEXT_MAX = 5000

# A posted score: an optional minus sign and at most three ASCII digits.
SCORE_PATTERN = re.compile(r"-?[0-9]{1,3}")

# Fixed scales: (low, high).
SCALES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
SCALE_SIZES = {"rating": (3, 10), "likert": (5, 7)}  # allowed sizes: rating 3..10, likert 5 or 7

TYPES = (
    "nps",
    "csat",
    "ces",
    "rating",
    "likert",
    "single_choice",
    "multi_choice",
    "short_text",
    "long_text",
    "emotion",
)
SCORE_TYPES = ("nps", "csat", "ces", "rating", "likert")
TEXT_TYPES = ("short_text", "long_text")
CHOICE_TYPES = ("single_choice", "multi_choice")

# Plutchik's eight, as a respondent would say how they felt.
EMOTIONS = ("joy", "trust", "fear", "surprise", "sadness", "disgust", "anger", "anticipation")
EMOTION_CHOICES = {
    "joy": {"en": "Happy", "fr": "Content·e", "icon": "😊"},
    "trust": {"en": "Confident", "fr": "En confiance", "icon": "😌"},
    "fear": {"en": "Worried", "fr": "Inquiet·ète", "icon": "😟"},
    "surprise": {"en": "Surprised", "fr": "Surpris·e", "icon": "😮"},
    "sadness": {"en": "Disappointed", "fr": "Déçu·e", "icon": "😞"},
    "disgust": {"en": "Fed up", "fr": "Dégoûté·e", "icon": "😒"},
    "anger": {"en": "Angry", "fr": "En colère", "icon": "😠"},
    "anticipation": {"en": "Eager", "fr": "Impatient·e", "icon": "😃"},
}

# Default end labels of the scales, per language.
END_LABELS = {
    "nps": {
        "en": ("Not at all likely", "Extremely likely"),
        "fr": ("Pas du tout probable", "Extrêmement probable"),
    },
    "csat": {
        "en": ("Very dissatisfied", "Very satisfied"),
        "fr": ("Très insatisfait", "Très satisfait"),
    },
    "ces": {
        "en": ("Strongly disagree", "Strongly agree"),
        "fr": ("Pas du tout d'accord", "Tout à fait d'accord"),
    },
    "rating": {"en": ("Poor", "Excellent"), "fr": ("Médiocre", "Excellent")},
    "likert": {
        "en": ("Strongly disagree", "Strongly agree"),
        "fr": ("Pas du tout d'accord", "Tout à fait d'accord"),
    },
}


@dataclass(frozen=True)
class AnswerValue:
    """A validated answer, in the column it is stored in."""

    number: float | None = None
    choice: str | None = None
    choices: list[str] | None = None
    text: str | None = None


@dataclass
class ParsedForm:
    values: dict[str, AnswerValue] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # question key -> error code


def scale_of(qtype: str, settings: Mapping | None = None) -> tuple[int, int] | None:
    """The (low, high) of a scored question, or None for other types."""
    if qtype in SCALES:
        return SCALES[qtype]
    if qtype in SCALE_SIZES:
        size = int((settings or {}).get("scale", 5))
        return (1, size)
    return None


def end_labels(qtype: str, settings: Mapping | None, language: str) -> tuple[str, str]:
    """Labels of the two ends of a scale: the question's own, else the type's default."""
    settings = settings or {}
    low = (settings.get("low_label") or {}).get(language)
    high = (settings.get("high_label") or {}).get(language)
    default = END_LABELS.get(qtype, {}).get(language, ("", ""))
    return (low or default[0], high or default[1])


def option_values(qtype: str, options: Sequence[Mapping]) -> list[str]:
    if qtype == "emotion":
        return list(EMOTIONS)
    return [str(o["value"]) for o in options]


def clean_text(raw: str) -> str:
    """Normalise line ends, take out control characters and bidi overrides (the one rule,
    `input_guard.clean_text`, shared by every door), and trim."""
    return _without_controls(raw).strip()


def parse_one(question, raw: list[str]) -> tuple[AnswerValue | None, str | None]:
    """Validate the posted values of one question: (answer or None, error code or None)."""
    qtype = question.type
    values = [v for v in raw if v.strip() != ""]
    if not values:
        return None, ("required" if question.required else None)
    if qtype != "multi_choice" and len(values) > 1:
        return None, "one_value"

    scale = scale_of(qtype, question.settings)
    if scale is not None:
        value = values[0].strip()
        # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
        if not SCORE_PATTERN.fullmatch(value):
            return None, "not_a_number"
        number = int(value)
        if not scale[0] <= number <= scale[1]:
            return None, "out_of_range"
        return AnswerValue(number=number), None

    if qtype in ("single_choice", "emotion"):
        if values[0] not in option_values(qtype, question.options):
            return None, "unknown_choice"
        return AnswerValue(choice=values[0]), None

    if qtype == "multi_choice":
        allowed = option_values(qtype, question.options)
        if any(v not in allowed for v in values):
            return None, "unknown_choice"
        # Keep the order of the options, once each.
        return AnswerValue(choices=[v for v in allowed if v in values]), None

    text = clean_text(values[0])
    if not text:
        return None, ("required" if question.required else None)
    limit = SHORT_TEXT_MAX if qtype == "short_text" else LONG_TEXT_MAX
    if len(text) > limit:
        return None, "too_long"
    return AnswerValue(text=text), None


def parse_form(questions: Sequence, form: Mapping[str, list[str]]) -> ParsedForm:
    """Validate a whole posted form; `form` maps field names to their list of values."""
    parsed = ParsedForm()
    for question in questions:
        value, error = parse_one(question, list(form.get(field_name(question), [])))
        if error:
            parsed.errors[question.key] = error
        elif value is not None:
            parsed.values[question.key] = value
    return parsed


def field_name(question) -> str:
    return f"q_{question.key}"


def text_limit(qtype: str) -> int | None:
    return {"short_text": SHORT_TEXT_MAX, "long_text": LONG_TEXT_MAX}.get(qtype)
