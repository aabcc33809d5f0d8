"""Storing a response: its answers in one transaction, once.

The web form, interviews and the JSON API all store through `store_response`, which is made of
two parts anything else that stores a response reuses:

- `response_origin`: what a response keeps of where it came from (its metadata, and the
  invitation it is linked to). An anonymous questionnaire keeps neither.
- `claim_invitation`: marks an invitation answered, once, in the caller's transaction.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from feedback.pii import redact_text

from . import response_events, rollups
from .models import (
    Answer,
    Invitation,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    as_utc,
    utcnow,
)
from .question_types import AnswerValue
from .scoring import score_answers

SUBMISSION_KEY = re.compile(r"^[0-9a-f]{32}$")


def valid_submission_key(value: str | None) -> str | None:
    """The form's submission key when well formed; a forged one is ignored."""
    return value if value and SUBMISSION_KEY.match(value) else None


class AlreadyAnswered(Exception):
    """The invitation was answered by another submission."""


class Origin(NamedTuple):
    """What a response keeps of where it came from."""

    meta: dict
    # The invitation the response is linked to (`Response.invitation`); None when anonymous.
    invitation: Invitation | None


def response_origin(
    questionnaire: Questionnaire, invitation: Invitation | None = None, meta: dict | None = None
) -> Origin:
    """The metadata a new response of `questionnaire` keeps, and the invitation to link it to.

    Linked: the invitation's metadata, then `meta` (the caller's, which wins), and the
    invitation's customer reference as `customer_ref`. Anonymous: nothing at all, whoever
    passed it, and no link to the invitation, whose row holds the customer's reference and
    email (what anonymity does not hide, such as times, is in docs/security.md).
    """
    if questionnaire.anonymous:
        return Origin({}, None)
    response_meta = dict(meta or {})
    if invitation is not None:
        response_meta = {**(invitation.meta or {}), **response_meta}
        if invitation.customer_ref:
            response_meta.setdefault("customer_ref", invitation.customer_ref)
    return Origin(response_meta, invitation)


def claim_invitation(session: Session, invitation: Invitation, now: datetime | None = None) -> None:
    """Mark `invitation` answered in the session's transaction; AlreadyAnswered when another
    submission did first (committed, or committing: the row's lock makes this wait for it).

    A conditional UPDATE (`WHERE used_at IS NULL`): of two transactions claiming the same
    invitation, one changes the row and the other changes nothing. An anonymous response has
    no `invitation_id`, so the unique constraint on it cannot catch that race: this does. A
    rollback gives the invitation back.
    """
    now = now or utcnow()
    claimed = session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise AlreadyAnswered
    set_committed_value(invitation, "used_at", now)  # what the row now holds, no second UPDATE


def new_answer(questionnaire: Questionnaire, question, value: AnswerValue) -> Answer:
    """An answer as stored: its text redacted when the questionnaire asks for it, and the
    stage and touchpoint it is about fixed now (the question's touchpoint, else the
    questionnaire's)."""
    if value.text and questionnaire.redact_pii is not False:
        value = replace(value, text=redact_text(value.text))
    return Answer(
        question_id=question.id,
        stage_id=questionnaire.stage_id,
        touchpoint_id=question.touchpoint_id or questionnaire.touchpoint_id,
        number=value.number,
        choice=value.choice,
        choices=value.choices,
        text=value.text,
    )


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
    version: QuestionnaireVersion | None = None,
) -> tuple[Response, bool]:
    """Store a validated response; return it and whether it is new.

    `version` is the one the customer's page showed (the current one by default): a page
    opened before an edit keeps the questions it asked.

    A replayed submission key returns the response already stored. A second answer to
    the same invitation raises AlreadyAnswered. Nothing is half-written: the response,
    its answers, their scoring and the journey map's rollups commit together or not at
    all. `score=False` leaves the text answers to a background job.

    With the questionnaire's `redact_pii` on (the default), emails, phone numbers, IBANs and
    card numbers in free text are replaced by placeholders before anything is stored or
    analysed: the stored text, its analysis and every export only ever see `[email]`...

    An anonymous questionnaire's response keeps no metadata (`meta` included) and is not
    linked to its invitation, which is still claimed once (`response_origin`,
    `claim_invitation`).
    """
    if submission_key:
        existing = session.scalar(select(Response).where(Response.submission_key == submission_key))
        if existing is not None:
            return existing, False
    if invitation is not None and invitation.used_at is not None:
        raise AlreadyAnswered

    version = version or questionnaire.current_version
    questions = {q.key: q for q in version.questions}
    origin = response_origin(questionnaire, invitation, meta)
    response = Response(
        questionnaire_id=questionnaire.id,
        version_id=version.id,
        invitation=origin.invitation,
        submission_key=submission_key,
        language=language,
        channel=channel,
        meta=origin.meta,
        interviewer_id=interviewer_id,
        status="complete",
        request_hash=request_hash,
        submitted_at=as_utc(submitted_at) if submitted_at else utcnow(),
    )
    for key, value in values.items():
        response.answers.append(new_answer(questionnaire, questions[key], value))
    try:
        if invitation is not None:
            claim_invitation(session, invitation)  # the first write: waits for a rival's commit
        session.add(response)
        session.flush()
        # Rollups last, right before the commit: their rows stay locked until it.
        with rollups.adding(session, response):
            if score:
                score_answers(session, [a for a in response.answers if a.text], language)
        response_events.completed(session, response)
        session.commit()
    except (IntegrityError, AlreadyAnswered):
        # Another request stored the same submission or claimed the invitation first.
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
