"""Partial responses: a questionnaire answered step by step, saved at each step, resumed.

A questionnaire with several pages, or with follow-up questions the customer's browser could
not show in place (no JavaScript), is answered in steps (`question_rules.next_step`). Each
step sent is stored at once, as a response with status "partial", so a customer who left
comes back to the step they were on: by their invitation link, or in the same browser (the
response's id in the signed session cookie). The response becomes "complete" when its last
step is sent and every required question that applies has an answer; never otherwise.

A response answered in one step (the stage templates) is stored by
`submissions.store_response` as before, complete at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import response_events, rollups
from .models import Invitation, Questionnaire, QuestionnaireVersion, Response, aware, utcnow
from .question_rules import Step, missing_required, next_step
from .question_types import AnswerValue
from .scoring import score_answers
from .submissions import AlreadyAnswered, claim_invitation, new_answer, response_origin


class StepRefused(Exception):
    """The step cannot be stored: required answers missing at the end (keys in `.keys`)."""

    def __init__(self, keys: list[str]):
        super().__init__(", ".join(keys))
        self.keys = keys


def answer_values(response: Response) -> dict[str, AnswerValue]:
    """What a response holds, by question key, as `question_types.parse_form` gives it."""
    keys = {q.id: q.key for q in response.version.questions}
    return {
        keys[a.question_id]: AnswerValue(
            number=a.number, choice=a.choice, choices=a.choices, text=a.text
        )
        for a in response.answers
        if a.question_id in keys
    }


def current_step(response: Response | None, questions) -> Step:
    if response is None:
        return next_step(questions, {}, ())
    return next_step(response.version.questions, answer_values(response), response.seen or ())


def is_closed(response: Response, questionnaire: Questionnaire) -> bool:
    """A partial left longer than the questionnaire's delay no longer resumes."""
    last = aware(response.updated_at or response.started_at or response.submitted_at)
    return utcnow() - last > timedelta(hours=questionnaire.partial_timeout_hours)


def partial_for(
    session: Session,
    questionnaire: Questionnaire,
    *,
    invitation: Invitation | None = None,
    response_id: int | None = None,
) -> Response | None:
    """The partial response an invitation or this browser started, if any. An anonymous
    questionnaire's responses are not linked to their invitation: only the browser resumes."""
    if invitation is not None and not questionnaire.anonymous:
        where = Response.invitation_id == invitation.id
    elif response_id is not None:
        where = Response.id == response_id
    else:
        return None
    return session.scalar(
        select(Response).where(
            where, Response.questionnaire_id == questionnaire.id, Response.status == "partial"
        )
    )


def _put_answers(response: Response, questionnaire, values: Mapping[str, AnswerValue]) -> list:
    """Add this step's answers; an answer already stored for a question is replaced."""
    questions = {q.key: q for q in response.version.questions}
    ids = {questions[key].id for key in values}
    for old in [a for a in response.answers if a.question_id in ids]:
        response.answers.remove(old)
    added = [new_answer(questionnaire, questions[key], value) for key, value in values.items()]
    response.answers.extend(added)
    return added


def save_step(
    session: Session,
    questionnaire: Questionnaire,
    response: Response | None,
    values: Mapping[str, AnswerValue],
    seen: set[str],
    page: int | None,
    language: str,
    *,
    submission_key: str | None = None,
    invitation: Invitation | None = None,
    meta: dict | None = None,
    score: bool = True,
    version: QuestionnaireVersion | None = None,
) -> tuple[Response, bool]:
    """Store one step of a response (a new partial one, of `version` or the current one, when
    `response` is None); return it and whether it is complete now. The response, its
    answers, their scoring and the journey map's rollups change together or not at all.
    """
    if response is None:
        return _start(
            session, questionnaire, values, seen, page, language,
            submission_key=submission_key, invitation=invitation, meta=meta, score=score,
            version=version or questionnaire.current_version,
        )  # fmt: skip
    with rollups.updating(session, [response.id]):
        added = _put_answers(response, questionnaire, values)
        response.seen = sorted(set(response.seen or ()) | seen)
        response.page_reached = max(response.page_reached or 0, page or 0) or None
        response.updated_at = utcnow()
        complete = _complete_if_done(session, response, invitation)
        if score:
            score_answers(session, [a for a in added if a.text], language)
    if complete:
        response_events.completed(session, response)
    else:
        response_events.partial(session, response)
    session.commit()
    return response, complete


def _start(session, questionnaire, values, seen, page, language, *, submission_key,
           invitation, meta, score, version) -> tuple[Response, bool]:  # fmt: skip
    if submission_key:
        existing = session.scalar(select(Response).where(Response.submission_key == submission_key))
        if existing is not None:
            return existing, existing.status == "complete"
    if invitation is not None and invitation.used_at is not None:
        raise AlreadyAnswered
    origin = response_origin(questionnaire, invitation, meta)
    now = utcnow()
    response = Response(
        questionnaire_id=questionnaire.id,
        version=version,
        invitation=origin.invitation,
        submission_key=submission_key,
        language=language,
        meta=origin.meta,
        status="partial",
        started_at=now,
        submitted_at=now,
        updated_at=now,
        seen=sorted(seen),
        page_reached=page,
    )
    _put_answers(response, questionnaire, values)
    session.add(response)
    try:
        session.flush()
        with rollups.adding(session, response):
            if score:
                score_answers(session, [a for a in response.answers if a.text], language)
        response_events.partial(session, response)
        session.commit()
    except IntegrityError:
        # The same first step sent twice at once, or the invitation started in another tab.
        session.rollback()
        if submission_key:
            existing = session.scalar(
                select(Response).where(Response.submission_key == submission_key)
            )
            if existing is not None:
                return existing, existing.status == "complete"
        if invitation is not None:
            raise AlreadyAnswered from None
        raise
    return response, False


def _complete_if_done(session: Session, response: Response, invitation: Invitation | None) -> bool:
    """Mark the response complete when no step is left (claiming its invitation, linked or
    not: AlreadyAnswered when another tab finished first); refuse when a required answer
    that applies is missing (a step skipped by a forged or replayed form)."""
    step = current_step(response, response.version.questions)
    if not step.done:
        return False
    answers = answer_values(response)
    missing = missing_required(response.version.questions, answers)
    if missing:
        raise StepRefused(missing)
    response.status = "complete"
    response.submitted_at = utcnow()
    if invitation is not None:
        claim_invitation(session, invitation, response.submitted_at)
    return True
