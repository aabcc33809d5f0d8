"""Importing a questionnaire file into a journey, as a draft, all or nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy.orm import Session

from ..design_service import DesignError, add_question, create_questionnaire
from ..messages import N_, Message
from ..models import Journey, Questionnaire, Stage, Touchpoint
from .native import FORMAT, read_questionnaire
from .spec import ExchangeError, QuestionnaireSpec, refused, shown
from .surveyjs import from_surveyjs

Source = Literal["parcours", "surveyjs"]


@dataclass
class ImportResult:
    questionnaire: Questionnaire
    # What did not come along, one line each: English `Message`s (pages translate them).
    report: list[Message] = field(default_factory=list)
    source: Source = "parcours"


def detect_source(data) -> Source:
    """Ours carries a `format`; a SurveyJS survey has pages or elements."""
    if not isinstance(data, dict):
        raise ExchangeError.at("$", N_("a questionnaire file is a JSON object."))
    if "format" in data:
        return "parcours"
    if any(name in data for name in ("pages", "elements", "questions")):
        return "surveyjs"
    raise ExchangeError(
        N_(
            "This is neither a Parcours questionnaire (“format”: “%(format)s”) "
            "nor a SurveyJS survey (“pages”).",
            format=FORMAT,
        ),
        {"format": N_("missing: not a Parcours questionnaire nor a SurveyJS survey.")},
    )


def _chosen_key(override, from_file: str | None, name: str) -> str | None:
    if override is None or override == "":
        return from_file
    if not isinstance(override, str):
        raise ExchangeError.at(name, N_("should be a key."))
    return override


def _stage(journey: Journey, key: str | None) -> Stage:
    if not key:
        raise ExchangeError(
            N_("A SurveyJS survey has no journey stage: choose the stage it belongs to."),
            {"stage": N_("choose a stage of the journey.")},
        )
    stage = journey.stage_by_key(key)
    if stage is None:
        known = ", ".join(s.key for s in journey.stages) or N_("none yet")
        raise ExchangeError(
            N_(
                "The journey “%(journey)s” has no stage “%(key)s” (its stages: %(known)s). "
                "Add it to the journey, or choose another stage.",
                journey=journey.name,
                key=shown(key),
                known=known,
            ),
            {"stage": N_("no stage “%(key)s” in this journey.", key=shown(key))},
        )
    return stage


def _touchpoint(journey: Journey, key: str | None, path: str) -> Touchpoint | None:
    if key is None:
        return None
    touchpoint = journey.touchpoint_by_key(key)
    if touchpoint is None:
        raise ExchangeError(
            N_(
                "The journey “%(journey)s” has no touchpoint “%(key)s”. "
                "Add it to the journey, or choose another touchpoint.",
                journey=journey.name,
                key=shown(key),
            ),
            {path: N_("no touchpoint “%(key)s” in this journey.", key=shown(key))},
        )
    return touchpoint


def _placement_notes(spec: QuestionnaireSpec, stage: Stage, touchpoint) -> list[Message]:
    notes = []
    if spec.stage and spec.stage != stage.key:
        notes.append(
            N_(
                "Placed in the stage “%(chosen)s” instead of the file's “%(file)s”.",
                chosen=stage.key,
                file=spec.stage,
            )
        )
    chosen = touchpoint.key if touchpoint else None
    if spec.touchpoint and spec.touchpoint != chosen:
        notes.append(
            N_(
                "Placed at the touchpoint “%(chosen)s” instead of the file's “%(file)s”.",
                chosen=chosen,
                file=spec.touchpoint,
            )
        )
    return notes


def import_questionnaire(
    session: Session,
    journey: Journey,
    data: dict,
    stage_key: str | None = None,
    touchpoint_key: str | None = None,
) -> ImportResult:
    """A new draft questionnaire in `journey` from our JSON or a SurveyJS survey.

    `stage_key` and `touchpoint_key` place it (a SurveyJS survey needs a stage) or override
    the file's. Everything is checked before anything is added to the session; the caller
    commits. Raises ExchangeError with `fields` naming what is wrong.
    """
    source = detect_source(data)
    if source == "parcours":
        spec, report = read_questionnaire(data), []
    else:
        spec, report = from_surveyjs(data)
        report = list(report)
    stage = _stage(journey, _chosen_key(stage_key, spec.stage, "stage"))
    touchpoint = _touchpoint(
        journey, _chosen_key(touchpoint_key, spec.touchpoint, "touchpoint"), "touchpoint"
    )
    question_touchpoints = [
        _touchpoint(journey, q.touchpoint, f"questions[{i}].touchpoint")
        for i, q in enumerate(spec.questions)
    ]
    report.extend(_placement_notes(spec, stage, touchpoint))

    questionnaire = create_questionnaire(
        session, journey, stage, spec.kind, touchpoint, spec.languages, from_template=False
    )
    if any(spec.title.values()) or source == "parcours":
        questionnaire.title = spec.title
    else:  # keep the stage template's title rather than an unnamed questionnaire
        report.append(
            N_(
                "The survey has no title: it is called “%(title)s”.",
                title=questionnaire.title_in("en"),
            )
        )
    questionnaire.intro = spec.intro
    try:
        for question, where in zip(spec.questions, question_touchpoints, strict=True):
            add_question(session, questionnaire, question.design_fields(where and where.id))
    except DesignError as error:  # checked above already; never leave half a questionnaire
        session.delete(questionnaire)
        session.flush()
        raise ExchangeError(refused(error), {"questions": refused(error)}) from None
    return ImportResult(questionnaire=questionnaire, report=report, source=source)
