"""Whether a response's answers match an alert rule: plain data in, the matching answer out.

No database here: `opening` reads the rows and hands them over as `RuleSpec` and
`AnswerFacts`, so the matching is tested on its own, quickly.

- A `score` rule matches an answer to its question whose score lies in [min, max].
- A `negative_text` rule matches a scored text answer (of its question, or any when it names
  none) that reads negative, by its label or, when the rule sets a threshold, by a polarity
  below it, and that carries one of the rule's themes (any theme, or none, when the rule lists
  none). A text not scored yet matches nothing: scoring runs the rules again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

# The stage templates' unhappy customers: (question type, min, max).
DEFAULT_RULES = (("nps", 0, 6), ("csat", 1, 2), ("ces", 1, 3))


@dataclass(frozen=True)
class RuleSpec:
    kind: str  # "score" | "negative_text"
    question_key: str | None = None
    min_score: float | None = None
    max_score: float | None = None
    polarity_below: float | None = None
    theme_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class AnswerFacts:
    answer_id: int
    key: str
    number: float | None = None
    text: str | None = None
    # From the answer's TextAnalysis; None while it is not scored.
    label: str | None = None
    polarity: float | None = None
    themes: frozenset[str] = field(default_factory=frozenset)
    stage_id: int | None = None
    touchpoint_id: int | None = None

    @property
    def scored(self) -> bool:
        return self.label is not None


def spec_of(rule) -> RuleSpec:
    """The matching part of an AlertRule (or anything with the same attributes)."""
    return RuleSpec(
        kind=rule.kind,
        question_key=rule.question_key or None,
        min_score=rule.min_score,
        max_score=rule.max_score,
        polarity_below=rule.polarity_below,
        theme_keys=tuple(rule.theme_keys or ()),
    )


def is_negative(answer: AnswerFacts, polarity_below: float | None) -> bool:
    if not answer.scored:
        return False
    if answer.label == "negative":
        return True
    return (
        polarity_below is not None
        and answer.polarity is not None
        and answer.polarity < polarity_below
    )


def matching_answer(rule: RuleSpec, answers: Iterable[AnswerFacts]) -> AnswerFacts | None:
    """The first answer (in the order given) that makes the rule open a case, or None."""
    for answer in answers:
        if rule.question_key and answer.key != rule.question_key:
            continue
        if rule.kind == "score":
            if answer.number is None or rule.min_score is None or rule.max_score is None:
                continue
            if rule.min_score <= answer.number <= rule.max_score:
                return answer
        elif rule.kind == "negative_text":
            if not (answer.text or "").strip() or not is_negative(answer, rule.polarity_below):
                continue
            if not rule.theme_keys or answer.themes & set(rule.theme_keys):
                return answer
    return None


def defaults_for(questions: Sequence) -> list[tuple[str, str, int, int]]:
    """The default rules that fit these questions: (type, key, min, max) for each question
    of an NPS, CSAT or CES type (by its type, whatever its key)."""
    return [
        (qtype, question.key, low, high)
        for qtype, low, high in DEFAULT_RULES
        for question in questions
        if question.type == qtype
    ]
