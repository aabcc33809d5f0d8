"""Designing questionnaires: stage templates, questions, versions, publishing.

Editing a questionnaire whose current version already has answers first copies that
version, so answers keep the exact questions they answered.

Questions sit on pages and may be follow-ups (`show_if`, see `question_rules`). A version's
questions are kept in page order (positions never go back a page), so "earlier" by position
is earlier for the customer too, and every edit is checked against every rule of the version
before anything changes: an edit that would break a follow-up's rule is refused.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from .journeys import JourneyError, check_key
from .models import (
    KINDS,
    Journey,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    Stage,
    Touchpoint,
    utcnow,
)
from .question_rules import MAX_PAGE, OPS, TRIGGER_TYPES, check_rule
from .question_types import EMOTION_CHOICES, SCALE_SIZES, TYPES, option_values, scale_of
from .questionnaire_templates import template_for


class DesignError(JourneyError):
    """A questionnaire edit that is refused, with a message for the researcher.

    `field` names the question form's field the message belongs by, when there is one.
    """

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.field = field


def new_slug() -> str:
    """A public slug: short, URL-safe and not guessable from its neighbours."""
    return secrets.token_urlsafe(9)


def create_questionnaire(
    session: Session,
    journey: Journey,
    stage: Stage,
    kind: str,
    touchpoint: Touchpoint | None = None,
    languages: list[str] | None = None,
    from_template: bool = True,
) -> Questionnaire:
    """A draft questionnaire for a stage, with the stage template's questions."""
    if kind not in KINDS:
        raise DesignError(_l("Unknown questionnaire kind: %(kind)s", kind=kind))
    if stage.journey_id != journey.id or (touchpoint and touchpoint.journey_id != journey.id):
        raise DesignError(_l("The stage and touchpoint must belong to the journey."))
    names = (stage.name_en, stage.name_fr)
    where = (touchpoint.name_en, touchpoint.name_fr) if touchpoint else None
    template = template_for(kind, stage.key, names, where)
    questionnaire = Questionnaire(
        journey=journey,
        stage=stage,
        touchpoint=touchpoint,
        kind=kind,
        status="draft",
        title=template["title"],
        intro=template["intro"],
        languages=languages or ["fr", "en"],
        slug=new_slug(),
    )
    version = QuestionnaireVersion(number=1)
    questionnaire.versions.append(version)
    if from_template:
        for position, spec in enumerate(template["questions"]):
            version.questions.append(Question(position=position, **spec))
    session.add(questionnaire)
    session.flush()
    return questionnaire


def version_has_answers(session: Session, version: QuestionnaireVersion) -> bool:
    if version.id is None:
        return False
    return bool(session.scalar(select(exists().where(Response.version_id == version.id))))


def editable_version(session: Session, questionnaire: Questionnaire) -> QuestionnaireVersion:
    """The version an edit applies to: the current one, or a copy once it has answers."""
    current = questionnaire.current_version
    if not version_has_answers(session, current):
        return current
    copy = QuestionnaireVersion(number=current.number + 1)
    copy.questions = [q.copy() for q in current.questions]
    questionnaire.versions.append(copy)
    session.flush()
    return copy


def question_by_key(version: QuestionnaireVersion, key: str) -> Question | None:
    return next((q for q in version.questions if q.key == key), None)


def validate_question(spec: dict) -> dict:
    """Check a question's fields; return them cleaned or raise DesignError."""
    if spec.get("type") not in TYPES:
        raise DesignError(_l("Choose a question type."))
    try:
        check_key(spec.get("key") or "")
    except JourneyError as error:  # callers catch DesignError, the questionnaire's error
        raise DesignError(error.message) from None
    prompt = {lang: (spec.get("prompt") or {}).get(lang, "").strip() for lang in ("en", "fr")}
    if not any(prompt.values()):
        raise DesignError(_l("Write the question in at least one language."))
    options = spec.get("options") or []
    if spec["type"] in ("single_choice", "multi_choice"):
        if len(options) < 2:
            raise DesignError(_l("A choice question needs at least two options."))
        values = [o["value"] for o in options]
        if len(set(values)) != len(values):
            raise DesignError(_l("Two options have the same value."))
    else:
        options = []
    settings = dict(spec.get("settings") or {})
    if spec["type"] in SCALE_SIZES:
        low, high = SCALE_SIZES[spec["type"]]
        scale = int(settings.get("scale") or low)
        allowed = (5, 7) if spec["type"] == "likert" else range(low, high + 1)
        if scale not in allowed:
            raise DesignError(
                _l("This scale can have %(sizes)s points.", sizes=", ".join(map(str, allowed)))
            )
        settings["scale"] = scale
    return {
        **spec,
        "prompt": prompt,
        "options": options,
        "settings": settings,
        "page": clean_page(spec.get("page")),
        "show_if": clean_rule(spec.get("show_if")),
    }


def clean_page(page) -> int:
    """A page number from 1 to MAX_PAGE; none given is page 1."""
    if page is None or page == "":
        return 1
    if isinstance(page, bool) or not isinstance(page, int) or not 1 <= page <= MAX_PAGE:
        raise DesignError(
            _l("A page number is a whole number from 1 to %(max)s.", max=MAX_PAGE), "page"
        )
    return page


def clean_rule(rule) -> dict | None:
    """A follow-up's rule in its one written form, or None (always shown).

    Only its shape is checked here; `check_version_rules` checks it against the questions.
    """
    if not rule:
        return None
    if not isinstance(rule, dict) or rule.get("op") not in OPS:
        raise rule_error("rule_bad_op", rule if isinstance(rule, dict) else {})
    trigger = rule.get("question")
    if not isinstance(trigger, str) or not trigger:
        raise rule_error("rule_unknown_question", rule)
    if rule["op"] == "between":
        low, high = rule.get("min"), rule.get("max")
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (low, high)):
            raise rule_error("rule_bad_range", rule)
        return {"question": trigger, "op": "between", "min": low, "max": high}
    values = rule.get("values")
    if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
        raise rule_error("rule_bad_values", rule)
    return {"question": trigger, "op": "in", "values": list(dict.fromkeys(values))}


# Which field of the question form each rule problem is shown by.
RULE_FIELDS = {
    "rule_unknown_question": "show_if_question",
    "rule_not_earlier": "show_if_question",
    "rule_wrong_type": "show_if_question",
    "rule_bad_op": "show_if_question",
    "rule_bad_range": "show_if_min",
    "rule_bad_values": "show_if_values",
}


def rule_error(code: str, rule: dict, trigger=None, key: str | None = None) -> DesignError:
    """The researcher's message for a `check_rule` code about a question's own rule."""
    name = str(rule.get("question") or "")
    field = RULE_FIELDS.get(code, "show_if_question")
    if code == "rule_unknown_question":
        message = _l("This questionnaire has no question “%(key)s” to depend on.", key=name)
    elif code == "rule_not_earlier" and name == key:
        message = _l("A question cannot depend on its own answer.")
    elif code == "rule_not_earlier":
        message = _l(
            "“%(key)s” comes after this question: a question can only depend on an earlier one.",
            key=name,
        )
    elif code == "rule_wrong_type" and trigger is not None and trigger.type in TRIGGER_TYPES:
        if scale_of(trigger.type, trigger.settings):
            message = _l("“%(key)s” is a score: give the range of scores that shows it.", key=name)
        else:
            message = _l("“%(key)s” is a choice: tick the answers that show it.", key=name)
            field = "show_if_values"
    elif code == "rule_wrong_type":
        message = _l(
            "“%(key)s” cannot decide when a question is shown: choose a score, choice or "
            "emotion question.",
            key=name,
        )
    elif (
        code == "rule_bad_range"
        and trigger is not None
        and scale_of(trigger.type, trigger.settings)
    ):
        low, high = scale_of(trigger.type, trigger.settings)
        message = _l(
            "Give a range of scores of “%(key)s” from %(low)s to %(high)s, the lower one first.",
            key=name,
            low=low,
            high=high,
        )
    elif code == "rule_bad_range":
        message = _l("Give the range of scores as two whole numbers, the lower one first.")
    elif code == "rule_bad_values":
        message = _l("Tick one or more of the answers of “%(key)s”.", key=name)
    else:
        message = _l("A condition is a range of scores or a list of answers.")
    return DesignError(message, field)


@dataclass
class Planned:
    """A question as an edit would leave it, checked before anything changes."""

    key: str
    type: str
    settings: dict
    options: list
    page: int
    show_if: dict | None
    position: int

    @classmethod
    def of(cls, question) -> Planned:
        return cls(
            key=question.key,
            type=question.type,
            settings=dict(question.settings or {}),
            options=list(question.options or []),
            page=question.page or 1,
            show_if=question.show_if,
            position=question.position,
        )


def in_page_order(planned: list[Planned]) -> list[Planned]:
    """The questions page by page, keeping their order within a page; positions renumbered."""
    ordered = sorted(planned, key=lambda q: (q.page, q.position))
    for position, each in enumerate(ordered):
        each.position = position
    return ordered


def check_version_rules(
    planned: list[Planned], edited: str, action: str, changed: str | None = None
) -> None:
    """Refuse an edit (of `edited`; action add, edit, move or remove) that leaves a rule
    that `check_rule` would refuse, with a message about what the edit broke (by the form's
    field `changed`, when another question's rule is broken by it)."""
    by_key = {q.key: q for q in planned}
    for question in planned:
        if not question.show_if:
            continue
        code = check_rule(question.show_if, question.position, planned)
        if code is None:
            continue
        trigger = by_key.get(question.show_if.get("question"))
        if question.key == edited and action in ("add", "edit"):
            raise rule_error(code, question.show_if, trigger, question.key)
        raise broken_rule(question, edited, action, code, changed)


def broken_rule(
    follower: Planned, edited: str, action: str, code: str, changed: str | None
) -> DesignError:
    """An edit of one question that would break another question's rule."""
    name = follower.show_if.get("question")
    if action == "remove":
        return DesignError(
            _l(
                "“%(follower)s” is shown only after some answers to “%(key)s”: remove or change "
                "that condition before removing “%(key)s”.",
                follower=follower.key,
                key=name,
            )
        )
    if code == "rule_not_earlier" and follower.key == edited:
        return DesignError(
            _l(
                "“%(key)s” is shown only after some answers to “%(trigger)s”, so it must come "
                "after it.",
                key=follower.key,
                trigger=name,
            ),
            "page",
        )
    if code == "rule_not_earlier":
        return DesignError(
            _l(
                "“%(follower)s” depends on the answer to “%(key)s”, so “%(key)s” must come "
                "before it.",
                follower=follower.key,
                key=name,
            ),
            "page",
        )
    return DesignError(
        _l(
            "“%(follower)s” is shown only after some answers to this question, and this change "
            "would leave that condition meaningless: change or remove it first.",
            follower=follower.key,
        ),
        changed,
    )


def _in_option_order(rule: dict | None, planned: list[Planned]) -> dict | None:
    """An "in" rule's answers in the order of the earlier question's options, so a rule
    reads (and exports) the same whichever order its answers were ticked in."""
    if not rule or rule["op"] != "in":
        return rule
    trigger = next(q for q in planned if q.key == rule["question"])
    allowed = option_values(trigger.type, trigger.options)
    return {**rule, "values": [v for v in allowed if v in rule["values"]]}


def _apply_order(version: QuestionnaireVersion, planned: list[Planned]) -> None:
    positions = {q.key: q.position for q in planned}
    pages = {q.key: q.page for q in planned}
    for question in version.questions:
        question.position = positions[question.key]
        question.page = pages[question.key]
    # Sorting fires no collection events (see journeys.move): nothing is orphaned.
    version.questions.sort(key=lambda each: each.position)


def add_question(session: Session, questionnaire: Questionnaire, spec: dict) -> Question:
    spec = validate_question(spec)
    current = questionnaire.current_version
    if question_by_key(current, spec["key"]):
        raise DesignError(
            _l("This questionnaire already has a question with the key “%(key)s”.", key=spec["key"])
        )
    new = Planned(
        key=spec["key"],
        type=spec["type"],
        settings=spec["settings"],
        options=spec["options"],
        page=spec["page"],
        show_if=spec["show_if"],
        position=len(current.questions),
    )
    # A new question goes to the end of its page.
    planned = in_page_order([Planned.of(q) for q in current.questions] + [new])
    check_version_rules(planned, new.key, "add")
    spec["show_if"] = _in_option_order(spec["show_if"], planned)
    version = editable_version(session, questionnaire)
    question = Question(position=new.position, **spec)
    version.questions.append(question)
    _apply_order(version, planned)
    session.flush()
    return question


def update_question(
    session: Session, questionnaire: Questionnaire, key: str, spec: dict
) -> Question:
    """Change a question; a spec without `page` or `show_if` keeps the question's own."""
    current = question_by_key(questionnaire.current_version, key)
    if current is None:
        raise DesignError(_l("No such question."))
    kept = {"page": current.page, "show_if": current.show_if}
    spec = validate_question({**kept, **spec, "key": key})
    planned = [Planned.of(q) for q in questionnaire.current_version.questions]
    edited = next(q for q in planned if q.key == key)
    edited.type, edited.settings, edited.options = spec["type"], spec["settings"], spec["options"]
    edited.show_if = spec["show_if"]
    if spec["page"] != edited.page:  # a question moved to another page goes to its end
        edited.page, edited.position = spec["page"], len(planned)
    planned = in_page_order(planned)
    check_version_rules(planned, key, "edit", _changed_field(current, spec))
    spec["show_if"] = _in_option_order(spec["show_if"], planned)
    version = editable_version(session, questionnaire)
    question = question_by_key(version, key)
    for name, value in spec.items():
        setattr(question, name, value)
    _apply_order(version, planned)
    session.flush()
    return question


def _changed_field(question: Question, spec: dict) -> str | None:
    """The question form's field of an edit that may break another question's rule."""
    if spec["type"] != question.type:
        return "type"
    if spec["options"] != (question.options or []):
        return "options"
    if spec["settings"].get("scale") != (question.settings or {}).get("scale"):
        return "scale"
    return None


def remove_question(session: Session, questionnaire: Questionnaire, key: str) -> None:
    """Remove a question; refused while another question's rule depends on its answer.

    Refused rather than dropping that rule: a follow-up such as "What went wrong?" would
    silently be asked of every customer, which the researcher may never notice.
    """
    if question_by_key(questionnaire.current_version, key) is None:
        raise DesignError(_l("No such question."))
    planned = [Planned.of(q) for q in questionnaire.current_version.questions if q.key != key]
    check_version_rules(in_page_order(planned), key, "remove")
    version = editable_version(session, questionnaire)
    question = question_by_key(version, key)
    version.questions.remove(question)
    for position, each in enumerate(version.questions):
        each.position = position
    session.flush()


def move_question(session: Session, questionnaire: Questionnaire, key: str, offset: int) -> None:
    """Move a question up (-1) or down (+1). At the edge of its page it moves to the next
    page instead, as its first (down) or last (up) question: the order stays page by page.
    Refused when a follow-up would come before the question its rule depends on."""
    if question_by_key(questionnaire.current_version, key) is None:
        raise DesignError(_l("No such question."))
    planned = [Planned.of(q) for q in questionnaire.current_version.questions]
    moved = next(q for q in planned if q.key == key)
    index = planned.index(moved)
    target = index + offset
    if 0 <= target < len(planned):
        neighbour = planned[target]
        if neighbour.page != moved.page:
            moved.page = neighbour.page
        else:
            moved.position, neighbour.position = neighbour.position, moved.position
    planned = in_page_order(planned)
    check_version_rules(planned, key, "move")
    version = editable_version(session, questionnaire)
    _apply_order(version, planned)
    session.flush()


def _quoted(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _listed(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    return _("%(items)s or %(last)s", items=", ".join(items[:-1]), last=items[-1])


def rule_description(rule: dict | None, questions, language: str) -> str:
    """A follow-up's rule in words for the researcher, in the page's language ("Shown when
    “How likely…” is 0 to 6"); the question's texts in `language`. Empty without a rule."""
    if not rule:
        return ""
    trigger = next((q for q in questions if q.key == rule.get("question")), None)
    if trigger is None:
        return _("Shown when “%(key)s” matches a condition", key=rule.get("question", ""))
    name = _quoted(trigger.prompt_in(language) or trigger.key)
    if rule.get("op") == "between":
        low, high = rule.get("min"), rule.get("max")
        if low == high:
            return _("Shown when “%(question)s” is %(score)s", question=name, score=low)
        return _(
            "Shown when “%(question)s” is %(low)s to %(high)s", question=name, low=low, high=high
        )
    if trigger.type == "emotion":
        labels = {key: choice.get(language) or key for key, choice in EMOTION_CHOICES.items()}
    else:
        labels = {
            str(o["value"]): (o.get("label") or {}).get(language) or str(o["value"])
            for o in trigger.options or []
        }
    answers = _listed([f"“{labels.get(v, v)}”" for v in rule.get("values") or []])
    if trigger.type == "multi_choice":
        return _(
            "Shown when the answers to “%(question)s” include %(answers)s",
            question=name,
            answers=answers,
        )
    return _(
        "Shown when the answer to “%(question)s” is %(answers)s", question=name, answers=answers
    )


def publish(questionnaire: Questionnaire) -> None:
    if not questionnaire.current_version.questions:
        raise DesignError(_l("Add at least one question before publishing."))
    if questionnaire.is_interview:
        raise DesignError(
            _l("An interview guide is filled in by researchers; it has no public link.")
        )
    questionnaire.status = "live"
    questionnaire.published_at = questionnaire.published_at or utcnow()
    questionnaire.closed_at = None


def close(questionnaire: Questionnaire) -> None:
    questionnaire.status = "closed"
    questionnaire.closed_at = utcnow()
