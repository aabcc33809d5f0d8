"""Building and editing journey maps: stages and touchpoints, in order."""

from __future__ import annotations

import re

from flask_babel import force_locale, ngettext
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from feedback import locale_format

from .i18n import current_language
from .journey_templates import MOMENTS_OF_TRUTH, TEMPLATES, TOUCHPOINTS
from .models import Answer, Journey, Question, Questionnaire, Stage, Touchpoint

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class JourneyError(ValueError):
    """An edit the journey map refuses, with a message for the researcher.

    The message is a lazy translation (`_l(...)`, or a LazyString around `ngettext`):
    `translated()` is the page's language (what the researcher's pages show), `str(error)`
    stays English, the language of the API, the CLI and the import reports that quote it.
    """

    def __init__(self, message):
        super().__init__(message)
        self.message = message

    def translated(self) -> str:
        return str(self.message)

    def __str__(self) -> str:
        with force_locale("en"):
            return str(self.message)


def in_page_language(name_en: str, name_fr: str):
    """A stage's or touchpoint's name for a message, in the language it is read in."""
    return LazyString(lambda: name_fr if current_language() == "fr" else name_en)


def count_in_page_language(count: int):
    """A count for a message, written as the language it is read in writes it (1,234 / 1 234)."""
    return LazyString(lambda: locale_format.number(count, 0, current_language()))


def slugify_key(text: str) -> str:
    """A key from a name: lower case ASCII words joined by underscores."""
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    key = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")[:40]
    if not key or not key[0].isalpha():
        key = ("k_" + key)[:40]
    return key


def stage_key_taken(key: str):
    return _l("This journey already has a stage with the key “%(key)s”.", key=key)


def touchpoint_key_taken(key: str):
    return _l("This journey already has a touchpoint with the key “%(key)s”.", key=key)


def check_key(key: str) -> str:
    if not KEY_PATTERN.match(key):
        raise JourneyError(
            _l(
                "A key is 1 to 40 lower-case letters, digits or underscores, "
                "starting with a letter."
            )
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
        raise JourneyError(_l("Unknown journey template: %(key)s", key=template_key))
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
        raise JourneyError(stage_key_taken(key))
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
        raise JourneyError(touchpoint_key_taken(key))
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
        name = in_page_language(stage.name_en, stage.name_fr)
        raise JourneyError(
            LazyString(
                lambda: ngettext(
                    "The stage “%(name)s” has %(count)s answer and cannot be removed: the journey "
                    "map would lose it. Close its questionnaires instead.",
                    "The stage “%(name)s” has %(count)s answers and cannot be removed: the journey "
                    "map would lose them. Close its questionnaires instead.",
                    answers,
                    count=count_in_page_language(answers),
                    name=name,
                )
            )
        )
    questionnaires = session.scalar(select(func.count()).where(Questionnaire.stage_id == stage.id))
    if questionnaires:
        name = in_page_language(stage.name_en, stage.name_fr)
        raise JourneyError(
            LazyString(
                lambda: ngettext(
                    "The stage “%(name)s” has %(count)s questionnaire. Delete it or move it to "
                    "another stage first.",
                    "The stage “%(name)s” has %(count)s questionnaires. Delete them or move them "
                    "to another stage first.",
                    questionnaires,
                    count=count_in_page_language(questionnaires),
                    name=name,
                )
            )
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
            _l(
                "The touchpoint “%(name)s” is used by questionnaires or answers and cannot be "
                "removed.",
                name=in_page_language(touchpoint.name_en, touchpoint.name_fr),
            )
        )
    journey = touchpoint.journey
    journey.touchpoints.remove(touchpoint)
    for position, each in enumerate(journey.touchpoints):
        each.position = position
    session.flush()
