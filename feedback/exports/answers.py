"""Every answer a journey's filters select, one row each, read page by page.

Free text is redacted (`feedback.pii`: emails, phone numbers, IBANs, card numbers replaced by
placeholders) unless `raw` is asked for; the caller decides who may ask.

Keyset pagination on the answer id: each page is a short query that starts where the
last one ended, so memory stays flat whatever the number of answers and no long-lived
server cursor is needed (the same on SQLite and PostgreSQL).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback.filters import Filters
from feedback.pii import redact_text
from surveys.models import (
    Answer,
    AnswerTheme,
    Journey,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    Stage,
    TextAnalysis,
    Touchpoint,
)

PAGE_SIZE = 5000
ANSWER_COLUMNS = (
    "response_id",
    "submitted_at",
    "language",
    "channel",
    "questionnaire_id",
    "stage",
    "touchpoint",
    "question",
    "value",
    "sentiment",
    "sentiment_label",
    "emotion",
    "themes",
    "metadata",
    # Last, so scripts that read the columns by position still work. A key keeps its name
    # across versions but may change type (a CSAT become a CES): these tell the rows apart.
    "question_type",
    "version",
)


def answer_pages(
    session: Session,
    journey: Journey,
    filters: Filters,
    page_size: int = PAGE_SIZE,
    raw: bool = False,
) -> Iterator[list[tuple]]:
    """Pages of answer rows (in ANSWER_COLUMNS order), oldest answer first; free text
    redacted unless `raw`."""
    stages = _keys(session, select(Stage.id, Stage.key).where(Stage.journey_id == journey.id))
    touchpoints = _keys(
        session, select(Touchpoint.id, Touchpoint.key).where(Touchpoint.journey_id == journey.id)
    )
    questions = _questions(session, journey.id)
    last = 0
    while stages:
        page = session.execute(_page_query(list(stages), filters, last, page_size)).all()
        if not page:
            return
        themes = _themes(session, page[0].id, page[-1].id)
        yield [_row(a, stages, touchpoints, questions, themes, raw) for a in page]
        last = page[-1].id
        if len(page) < page_size:
            return


def _keys(session: Session, query) -> dict[int, str]:
    return {row[0]: row[1] for row in session.execute(query)}


def _questions(session: Session, journey_id: int) -> dict[int, tuple[str, str, int]]:
    """Key, type and version number of every question of the journey's questionnaires."""
    query = (
        select(Question.id, Question.key, Question.type, QuestionnaireVersion.number)
        .join(QuestionnaireVersion, QuestionnaireVersion.id == Question.version_id)
        .join(Questionnaire, Questionnaire.id == QuestionnaireVersion.questionnaire_id)
        .where(Questionnaire.journey_id == journey_id)
    )
    return {row[0]: tuple(row[1:]) for row in session.execute(query)}


def _page_query(stage_ids: list[int], filters: Filters, after: int, size: int):
    query = (
        select(
            Answer.id,
            Answer.response_id,
            Response.submitted_at,
            Response.language,
            Response.channel,
            Response.questionnaire_id,
            Answer.stage_id,
            Answer.touchpoint_id,
            Answer.question_id,
            Answer.number,
            Answer.choice,
            Answer.choices,
            Answer.text,
            TextAnalysis.polarity,
            TextAnalysis.label,
            TextAnalysis.emotion,
            Response.meta,
        )
        .join(Response, Response.id == Answer.response_id)
        .outerjoin(TextAnalysis, TextAnalysis.answer_id == Answer.id)
        # `+ 0` keeps SQLite off the stage index: it would sort the whole stage per page
        # instead of walking the primary key from `after`.
        .where((Answer.stage_id + 0).in_(stage_ids), Answer.id > after)
        .order_by(Answer.id)
        .limit(size)
    )
    return filters.apply(query)


def _themes(session: Session, first: int, last: int) -> dict[int, list[str]]:
    # One range query per page: the primary key starts with answer_id.
    found: dict[int, set[str]] = defaultdict(set)
    query = select(AnswerTheme.answer_id, AnswerTheme.theme_key).where(
        AnswerTheme.answer_id.between(first, last)
    )
    for answer_id, key in session.execute(query):
        found[answer_id].add(key)
    return {answer_id: sorted(keys) for answer_id, keys in found.items()}


def _row(a, stages, touchpoints, questions, themes, raw: bool = False) -> tuple:
    text = a.text if raw else redact_text(a.text)
    key, question_type, version = questions.get(a.question_id, ("", "", None))
    return (
        a.response_id,
        a.submitted_at,
        a.language,
        a.channel,
        a.questionnaire_id,
        stages.get(a.stage_id, ""),
        touchpoints.get(a.touchpoint_id, ""),
        key,
        answer_value(a.number, a.choice, a.choices, text),
        a.polarity,
        a.label,
        a.emotion,
        "; ".join(themes.get(a.id, ())),
        json.dumps(a.meta, ensure_ascii=False, sort_keys=True) if a.meta else "",
        question_type,
        version,
    )


def answer_value(number, choice, choices, text) -> object:
    """The one value an answer holds: a score, a choice, several choices or a text."""
    if number is not None:
        return int(number) if float(number).is_integer() else float(number)
    if choices:
        return "; ".join(str(c) for c in choices)
    return choice if choice is not None else (text or "")
