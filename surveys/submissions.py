"""Storing a response: its answers in one transaction, once.

The web form, interviews and the JSON API all store through `store_response`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from feedback.pii import redact_text

from . import rollups
from .models import Answer, Invitation, Questionnaire, Response, as_utc, utcnow
from .question_types import AnswerValue
from .scoring import score_answers

SUBMISSION_KEY = re.compile(r"^[0-9a-f]{32}$")


def valid_submission_key(value: str | None) -> str | None:
    """The form's submission key when well formed; a forged one is ignored."""
    return value if value and SUBMISSION_KEY.match(value) else None


class AlreadyAnswered(Exception):
    """The invitation was answered by another submission."""


def store_response(
    session: Session,
    questionnaire: Questionnaire,
    values: Mapping[str, AnswerValue],
    language: str,
    *,
    submission_key: str | None = None,
    invitation: Invitation | None = None,
    meta: dict | None = None,
    channel: str = "web",
    interviewer_id: int | None = None,
    request_hash: str | None = None,
    submitted_at: datetime | None = None,
    score: bool = True,
) -> tuple[Response, bool]:
    """Store a validated response; return it and whether it is new.

    A replayed submission key returns the response already stored. A second answer to
    the same invitation raises AlreadyAnswered. Nothing is half-written: the response,
    its answers, their scoring and the journey map's rollups commit together or not at
    all. `score=False` leaves the text answers to a background job.

    With the questionnaire's `redact_pii` on (the default), emails, phone numbers, IBANs and
    card numbers in free text are replaced by placeholders before anything is stored or
    analysed: the stored text, its analysis and every export only ever see `[email]`...
    """
    if submission_key:
        existing = session.scalar(select(Response).where(Response.submission_key == submission_key))
        if existing is not None:
            return existing, False
    if invitation is not None and invitation.used_at is not None:
        raise AlreadyAnswered

    version = questionnaire.current_version
    questions = {q.key: q for q in version.questions}
    response_meta = dict(meta or {})
    if invitation is not None:
        response_meta = {**invitation.meta, **response_meta}
        if invitation.customer_ref:
            response_meta.setdefault("customer_ref", invitation.customer_ref)
        invitation.used_at = utcnow()
    response = Response(
        questionnaire_id=questionnaire.id,
        version_id=version.id,
        invitation=invitation,
        submission_key=submission_key,
        language=language,
        channel=channel,
        meta=response_meta,
        interviewer_id=interviewer_id,
        status="complete",
        request_hash=request_hash,
        submitted_at=as_utc(submitted_at) if submitted_at else utcnow(),
    )
    for key, value in values.items():
        question = questions[key]
        if value.text and questionnaire.redact_pii is not False:
            value = replace(value, text=redact_text(value.text))
        response.answers.append(
            Answer(
                question_id=question.id,
                stage_id=questionnaire.stage_id,
                touchpoint_id=question.touchpoint_id or questionnaire.touchpoint_id,
                number=value.number,
                choice=value.choice,
                choices=value.choices,
                text=value.text,
            )
        )
    session.add(response)
    try:
        session.flush()
        # Rollups last, right before the commit: their rows stay locked until it.
        with rollups.adding(session, response):
            if score:
                score_answers(session, [a for a in response.answers if a.text], language)
        session.commit()
    except IntegrityError:
        # Another request stored the same submission or invitation first.
        session.rollback()
        if submission_key:
            existing = session.scalar(
                select(Response).where(Response.submission_key == submission_key)
            )
            if existing is not None:
                return existing, False
        if invitation is not None:
            raise AlreadyAnswered from None
        raise
    return response, True
