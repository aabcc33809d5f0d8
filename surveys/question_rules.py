"""Follow-up questions and pages: which questions a customer is asked next.

A question may carry a rule (`Question.show_if`) on one earlier answer:

    {"question": "nps", "op": "between", "min": 0, "max": 6}     a score from min to max
    {"question": "plan", "op": "in", "values": ["pro", "team"]}  one of these choices

A question whose rule does not match is hidden: never required, and an answer posted for it
is not stored. Questions sit on pages (`Question.page`, from 1). The server decides every
step from what is stored, so the questionnaire works without JavaScript: a follow-up whose
earlier answer is on the same page appears there with JavaScript, and on the next step
without it ("pending"). Plain Python (no Flask), like `question_types`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from .question_types import (
    CHOICE_TYPES,
    SCORE_TYPES,
    AnswerValue,
    option_values,
    scale_of,
)

OPS = ("between", "in")
TRIGGER_TYPES = (*SCORE_TYPES, *CHOICE_TYPES, "emotion")
MAX_PAGE = 20


def trigger_key(question) -> str | None:
    rule = question.show_if
    return rule.get("question") if rule else None


def matches(rule: Mapping | None, answers: Mapping[str, AnswerValue]) -> bool:
    """Whether a rule holds for these answers; no rule always holds, an unanswered
    earlier question never does."""
    if not rule:
        return True
    answer = answers.get(rule.get("question", ""))
    if answer is None:
        return False
    if rule.get("op") == "between":
        return answer.number is not None and rule["min"] <= answer.number <= rule["max"]
    if rule.get("op") == "in":
        wanted = set(rule.get("values") or ())
        given = set(answer.choices or ()) | ({answer.choice} if answer.choice else set())
        return bool(given & wanted)
    return False


def check_rule(rule: Mapping, position: int, questions: Sequence) -> str | None:
    """Why a rule cannot be kept (an error code), or None. `questions` are the version's
    questions; the rule's question must come before `position` and be a score or a choice."""
    trigger = next((q for q in questions if q.key == rule.get("question")), None)
    if trigger is None:
        return "rule_unknown_question"
    if trigger.position >= position:
        return "rule_not_earlier"
    if trigger.type not in TRIGGER_TYPES:
        return "rule_wrong_type"
    op = rule.get("op")
    scale = scale_of(trigger.type, trigger.settings)
    if op == "between":
        low, high = rule.get("min"), rule.get("max")
        if scale is None:
            return "rule_wrong_type"
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (low, high)):
            return "rule_bad_range"
        if not scale[0] <= low <= high <= scale[1]:
            return "rule_bad_range"
        return None
    if op == "in":
        if trigger.type not in (*CHOICE_TYPES, "emotion"):
            return "rule_wrong_type"
        values = rule.get("values")
        allowed = option_values(trigger.type, trigger.options)
        if not values or any(v not in allowed for v in values):
            return "rule_bad_values"
        return None
    return "rule_bad_op"


@dataclass
class Step:
    """What the customer is asked next: the questions of one page (the page's follow-ups
    whose earlier answer is on it are `inline`: shown by the script when they apply) and the
    follow-ups left pending from earlier steps. Empty when the questionnaire is done."""

    page: int | None
    questions: list = field(default_factory=list)
    inline: set[str] = field(default_factory=set)

    @property
    def done(self) -> bool:
        return not self.questions

    @property
    def keys(self) -> set[str]:
        return {q.key for q in self.questions}


def next_step(
    questions: Sequence, answers: Mapping[str, AnswerValue], seen: Collection[str]
) -> Step:
    """The next step of a response that has these answers and has been shown `seen`."""
    seen = set(seen)
    pending, remaining = [], []
    for question in questions:
        if question.key in seen:
            continue
        trigger = trigger_key(question)
        if trigger is None or trigger not in seen:
            remaining.append(question)  # asked, or its earlier answer is asked with it
        elif matches(question.show_if, answers):
            pending.append(question)  # its earlier answer matched where it was not shown
        # else: its earlier answer is given and does not match: never asked
    if not remaining:
        return Step(page=None, questions=pending)
    page = min(q.page or 1 for q in remaining)
    here = [q for q in remaining if (q.page or 1) == page]
    keys = {q.key for q in here}
    inline = {q.key for q in here if trigger_key(q) in keys}
    # A follow-up whose earlier question is on a later page than itself cannot be asked here.
    here = [q for q in here if trigger_key(q) is None or q.key in inline]
    return Step(page=page, questions=pending + here, inline=inline)


def browser_rule(question) -> dict:
    """A follow-up's rule as the page's script reads it: the earlier question's field name."""
    rule = dict(question.show_if or {})
    rule["field"] = f"q_{rule.pop('question', '')}"
    return rule


def whole(questions: Sequence) -> Step:
    """Every question at once (the researcher's preview), follow-ups in place."""
    keys = {q.key for q in questions}
    inline = {q.key for q in questions if trigger_key(q) in keys}
    return Step(page=None, questions=list(questions), inline=inline)


@dataclass
class StepAnswers:
    """A posted step, read against its rules."""

    values: dict[str, AnswerValue]  # to store (hidden questions' answers left out)
    errors: dict[str, str]
    seen: set[str]  # shown to the customer, answered or not


def read_step(step: Step, parsed_values, parsed_errors, answers, *, script: bool) -> StepAnswers:
    """Apply the rules to a step's parsed form. `answers` are those stored before it.

    An inline follow-up counts as shown only when the script ran (`script`); without it the
    customer never saw it, and it comes back as pending on the next step if it applies.
    """
    known = {**answers, **parsed_values}
    values, errors, seen = {}, {}, set()
    for question in step.questions:
        key = question.key
        if key in step.inline:
            if not matches(question.show_if, known):
                continue  # hidden: never required, its stale answer dropped
            if not script:
                continue  # not seen yet: asked on the next step
        seen.add(key)
        if key in parsed_errors:
            errors[key] = parsed_errors[key]
        elif key in parsed_values:
            values[key] = parsed_values[key]
    return StepAnswers(values=values, errors=errors, seen=seen)


def missing_required(questions: Sequence, answers: Mapping[str, AnswerValue]) -> list[str]:
    """Required questions that apply to these answers and have none: a response is never
    complete while this is not empty."""
    return [
        q.key
        for q in questions
        if q.required and q.key not in answers and matches(q.show_if, answers)
    ]


def pages(questions: Sequence) -> list[int]:
    return sorted({q.page or 1 for q in questions})
