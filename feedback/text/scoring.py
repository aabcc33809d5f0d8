"""One pass over the tokens: polarity, subjectivity and emotion scores with negation, modifiers,
contrast and sarcasm handled. See docs/analysis.md for the rules and their reasons."""

from __future__ import annotations

from dataclasses import dataclass

from feedback.text.emotions import OPPOSITE, empty_emotions
from feedback.text.lexicons import (
    BREAK,
    CONCESSIVE,
    CONTRAST,
    NEGATION,
    REINFORCER,
    Lexicon,
    lookup,
    rules,
)

_RULES = rules()
NEGATION_WINDOW: int = _RULES["negation_window"]
CONTRAST_BEFORE_WEIGHT: float = _RULES["contrast_before_weight"]
CONCESSIVE_WEIGHT: float = _RULES["concessive_weight"]
REINFORCER_FACTOR: float = _RULES["negation_reinforcer_factor"]
EXCLAMATION_FACTOR: float = _RULES["exclamation_factor"]
#: A matched pain-point theme counts as one assessment of this polarity (see docs/analysis.md).
CUE_POLARITY = -0.4
CUE_SUBJECTIVITY = 0.3
CUE_EMOTION_WEIGHT = 0.5
_CLAUSE_END = frozenset(".,;:!?")
_SENTENCE_END = frozenset(".!?")


@dataclass(slots=True)
class Scores:
    """Raw result of a pass: polarity, subjectivity, emotions and how much was assessed."""

    polarity: float
    subjectivity: float
    emotions: dict[str, float]
    assessed: int


def score(
    tokens: list[str], lex: Lexicon, cues: list[tuple[float, str | None, int]] = ()
) -> Scores:
    """Score a token list with one language's lexicon.

    ``cues`` are pain-point matches as (polarity, emotion, token index): a complaint the
    lexicons cannot score ("the basket emptied itself at checkout") still counts as negative.
    """
    # Each assessment: [polarity, subjectivity, weight, negated, start token index, entry]
    items: list[list] = []
    emotions = empty_emotions()
    pending = sorted(cues, key=lambda cue: cue[2])
    negation_left = 0  # tokens left in the current negation scope
    factor, factor_left = 1.0, 0
    clause_weight = 1.0
    cx_negative = False
    n = len(tokens)
    i = 0
    phrases, words = lex.phrases, lex.words
    while i < n or pending:
        while pending and (pending[0][2] <= i or i >= n):
            polarity, emotion, at = pending.pop(0)
            items.append([polarity, CUE_SUBJECTIVITY, clause_weight, False, at, None])
            if emotion:
                emotions[emotion] += CUE_EMOTION_WEIGHT
        if i >= n:
            break
        token = tokens[i]
        # Inlined lookup (hot loop): token sequences first, longest first, then the word.
        entry, size = None, 1
        bucket = phrases.get(token)
        if bucket:
            for term, candidate in bucket:
                if tuple(tokens[i : i + len(term)]) == term:
                    entry, size = candidate, len(term)
                    break
        if entry is None:
            entry = words.get(token)
            if entry is None:
                entry = lookup(lex, token)
        if entry is None:
            if token in _CLAUSE_END:
                negation_left, factor_left = 0, 0
                clause_weight = 1.0
                if token == "!" and items:  # noqa: S105 - a token, not a password
                    last = items[-1]
                    last[0] = max(-1.0, min(1.0, last[0] * EXCLAMATION_FACTOR))
            else:
                negation_left -= 1
                factor_left -= 1
            i += 1
            continue
        role = entry.role
        if role & CONTRAST:
            # "lovely product but the courier lost it": what follows weighs more.
            for item in items:
                item[2] *= CONTRAST_BEFORE_WEIGHT
            for name in emotions:
                emotions[name] *= CONTRAST_BEFORE_WEIGHT
            negation_left, factor_left, clause_weight = 0, 0, 1.0
        elif role & CONCESSIVE:
            # "although it was late, it is perfect": the conceded clause weighs less.
            clause_weight = CONCESSIVE_WEIGHT
        elif role & REINFORCER:
            if items and items[-1][3]:
                last = items[-1]
                last[0] = max(-1.0, min(1.0, last[0] * REINFORCER_FACTOR))
        elif role & NEGATION and entry.polarity is None:
            negation_left = NEGATION_WINDOW
        elif role & BREAK:
            negation_left, factor_left, clause_weight = 0, 0, 1.0
        if entry.polarity is not None or entry.emotions:
            negated = negation_left > 0 and not entry.has_negation
            if entry.polarity is not None:
                p = entry.polarity
                if negated:
                    p = entry.negated if entry.negated is not None else -0.5 * p
                elif factor_left > 0:
                    p *= factor
                p = max(-1.0, min(1.0, p))
                items.append(
                    [p, entry.subjectivity, clause_weight, negated or entry.has_negation, i, entry]
                )
                if entry.from_overlay and p <= -0.4:
                    cx_negative = True
                negation_left = 0
            boost = factor if factor_left > 0 and not negated else 1.0
            for name, weight in entry.emotions:
                if negated:
                    emotions[OPPOSITE[name]] += 0.5 * weight
                else:
                    emotions[name] += weight * boost * clause_weight
            factor_left = 0
        elif entry.factor is not None:
            factor, factor_left = entry.factor, 2
        elif not role & (NEGATION | CONTRAST | CONCESSIVE | REINFORCER):
            negation_left -= 1
            factor_left -= 1
        i += size
    if cx_negative and items:
        _flip_sarcastic_opener(tokens, lex, items, emotions)
    return _aggregate(items, emotions)


def _flip_sarcastic_opener(
    tokens: list[str], lex: Lexicon, items: list[list], emotions: dict[str, float]
) -> None:
    # "Oh great, another delivery attempt...", "Broken again. Well done.": praise that opens a
    # sentence cut off by punctuation, or stands alone, next to complaints, reads as sarcasm.
    firsts = lex.opener_firsts
    starts = [0] + [j + 1 for j, t in enumerate(tokens) if t in _SENTENCE_END]
    for start in starts:
        if start >= len(tokens) or tokens[start] not in firsts:
            continue
        for opener in lex.sarcasm_openers:
            end = start + len(opener)
            if tuple(tokens[start:end]) == opener and (
                end == len(tokens) or tokens[end] in (",", "!", ".")
            ):
                for item in items:
                    if start <= item[4] < end and item[0] > 0:
                        item[0] = -0.5 * item[0]
                        for name, weight in item[5].emotions if item[5] else ():
                            emotions[name] = max(0.0, emotions[name] - weight)
                        emotions["anger"] += 1.0


def _aggregate(items: list[list], emotions: dict[str, float]) -> Scores:
    if not items:
        return Scores(0.0, 0.0, emotions, 0)
    total_w = sum(item[2] for item in items)
    polarity = sum(item[0] * item[2] for item in items) / total_w
    subjectivity = sum(item[1] * item[2] for item in items) / total_w
    return Scores(
        max(-1.0, min(1.0, polarity)),
        max(0.0, min(1.0, subjectivity)),
        emotions,
        len(items),
    )
