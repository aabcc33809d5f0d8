"""Designing questionnaires: stage templates, questions, versions, publishing.

Editing a questionnaire whose current version already has answers first copies that
version, so answers keep the exact questions they answered.
"""

from __future__ import annotations

import secrets

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
from .question_types import SCALE_SIZES, TYPES
from .questionnaire_templates import template_for


class DesignError(JourneyError):
    """A questionnaire edit that is refused, with a message for the researcher."""


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
    return {**spec, "prompt": prompt, "options": options, "settings": settings}


def add_question(session: Session, questionnaire: Questionnaire, spec: dict) -> Question:
    spec = validate_question(spec)
    version = editable_version(session, questionnaire)
    if question_by_key(version, spec["key"]):
        raise DesignError(
            _l("This questionnaire already has a question with the key “%(key)s”.", key=spec["key"])
        )
    question = Question(position=len(version.questions), **spec)
    version.questions.append(question)
    session.flush()
    return question


def update_question(
    session: Session, questionnaire: Questionnaire, key: str, spec: dict
) -> Question:
    spec = validate_question({**spec, "key": key})
    version = editable_version(session, questionnaire)
    question = question_by_key(version, key)
    if question is None:
        raise DesignError(_l("No such question."))
    for name, value in spec.items():
        setattr(question, name, value)
    session.flush()
    return question


def remove_question(session: Session, questionnaire: Questionnaire, key: str) -> None:
    version = editable_version(session, questionnaire)
    question = question_by_key(version, key)
    if question is None:
        raise DesignError(_l("No such question."))
    version.questions.remove(question)
    for position, each in enumerate(version.questions):
        each.position = position
    session.flush()


def move_question(session: Session, questionnaire: Questionnaire, key: str, offset: int) -> None:
    from .journeys import move

    version = editable_version(session, questionnaire)
    question = question_by_key(version, key)
    if question is None:
        raise DesignError(_l("No such question."))
    move(version.questions, question, offset)
    session.flush()


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
