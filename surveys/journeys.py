"""Building and editing journey maps: stages and touchpoints, in order."""

from __future__ import annotations

import re

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from .journey_templates import MOMENTS_OF_TRUTH, TEMPLATES, TOUCHPOINTS
from .models import Answer, Journey, Question, Questionnaire, Stage, Touchpoint

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class JourneyError(ValueError):
    """An edit the journey map refuses, with a message for the researcher."""


def slugify_key(text: str) -> str:
    """A key from a name: lower case ASCII words joined by underscores."""
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    key = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")[:40]
    if not key or not key[0].isalpha():
        key = ("k_" + key)[:40]
    return key


def check_key(key: str) -> str:
    if not KEY_PATTERN.match(key):
        raise JourneyError(
            "A key is 1 to 40 lower-case letters, digits or underscores, starting with a letter."
        )
    return key


def create_journey(
    session: Session, name: str, template_key: str | None, description: str = ""
) -> Journey:
    """A new journey, empty or filled from a built-in template."""
    journey = Journey(name=name.strip(), description=description.strip(), template=template_key)
    session.add(journey)
    if template_key is None:
        return journey
    template = TEMPLATES.get(template_key)
    if template is None:
        raise JourneyError(f"Unknown journey template: {template_key}")
    touchpoints: dict[str, Touchpoint] = {}
    for position, st in enumerate(template.stages):
        stage = Stage(
            key=st.key,
            name_en=st.name_en,
            name_fr=st.name_fr,
            position=position,
            goal=st.goal,
            customer_status=st.customer_status,
            kpi=st.kpi,
        )
        journey.stages.append(stage)
        for tp_key in st.touchpoints:
            if tp_key not in touchpoints:
                name_en, name_fr, channel = TOUCHPOINTS[tp_key]
                touchpoints[tp_key] = Touchpoint(
                    key=tp_key,
                    name_en=name_en,
                    name_fr=name_fr,
                    channel=channel,
                    position=len(touchpoints),
                    is_moment_of_truth=tp_key in MOMENTS_OF_TRUTH,
                )
                journey.touchpoints.append(touchpoints[tp_key])
            stage.touchpoints.append(touchpoints[tp_key])
    return journey


def add_stage(
    session: Session,
    journey: Journey,
    key: str,
    name_en: str,
    name_fr: str,
    goal: str = "",
    customer_status: str = "",
    kpi: str = "",
) -> Stage:
    check_key(key)
    if journey.stage_by_key(key):
        raise JourneyError(f"This journey already has a stage with the key “{key}”.")
    stage = Stage(
        key=key,
        name_en=name_en.strip(),
        name_fr=name_fr.strip(),
        goal=goal,
        customer_status=customer_status,
        kpi=kpi,
        position=len(journey.stages),
    )
    journey.stages.append(stage)
    session.flush()
    return stage


def add_touchpoint(
    session: Session,
    journey: Journey,
    key: str,
    name_en: str,
    name_fr: str,
    channel: str,
    stages: list[Stage],
    is_moment_of_truth: bool = False,
) -> Touchpoint:
    check_key(key)
    if journey.touchpoint_by_key(key):
        raise JourneyError(f"This journey already has a touchpoint with the key “{key}”.")
    touchpoint = Touchpoint(
        key=key,
        name_en=name_en.strip(),
        name_fr=name_fr.strip(),
        channel=channel,
        is_moment_of_truth=is_moment_of_truth,
        position=len(journey.touchpoints),
    )
    touchpoint.stages = list(stages)
    journey.touchpoints.append(touchpoint)
    session.flush()
    return touchpoint


def move(items: list, item, offset: int) -> None:
    """Move `item` up (-1) or down (+1) in an ordered list and renumber positions."""
    order = list(items)
    index = order.index(item)
    target = index + offset
    if 0 <= target < len(order):
        order[index], order[target] = order[target], order[index]
    for position, each in enumerate(order):
        each.position = position
    # Sorting fires no collection events; swapping items in an ORM list would mark the
    # displaced neighbour as an orphan and delete it at the next flush.
    items.sort(key=lambda each: each.position)


def remove_stage(session: Session, stage: Stage) -> None:
    """Remove a stage, refused while answers or questionnaires depend on it."""
    answers = session.scalar(select(func.count()).where(Answer.stage_id == stage.id))
    if answers:
        raise JourneyError(
            f"The stage “{stage.name_en}” has {answers} answers and cannot be removed: "
            "the journey map would lose them. Close its questionnaires instead."
        )
    questionnaires = session.scalar(select(func.count()).where(Questionnaire.stage_id == stage.id))
    if questionnaires:
        raise JourneyError(
            f"The stage “{stage.name_en}” has {questionnaires} questionnaire(s). "
            "Delete them or move them to another stage first."
        )
    journey = stage.journey
    journey.stages.remove(stage)
    for position, each in enumerate(journey.stages):
        each.position = position
    session.flush()


def remove_touchpoint(session: Session, touchpoint: Touchpoint) -> None:
    """Remove a touchpoint, refused while answers or questionnaires point at it."""
    in_use = session.scalar(
        select(
            exists().where(Answer.touchpoint_id == touchpoint.id)
            | exists().where(Questionnaire.touchpoint_id == touchpoint.id)
            | exists().where(Question.touchpoint_id == touchpoint.id)
        )
    )
    if in_use:
        raise JourneyError(
            f"The touchpoint “{touchpoint.name_en}” is used by questionnaires or answers "
            "and cannot be removed."
        )
    journey = touchpoint.journey
    journey.touchpoints.remove(touchpoint)
    for position, each in enumerate(journey.touchpoints):
        each.position = position
    session.flush()
