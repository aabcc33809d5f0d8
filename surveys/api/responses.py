"""/api/v1/questionnaires/{id}/responses: answers collected elsewhere, stored like the page's.

One service, two doors: the values go through the survey form's parser and
`store_response`, so the same rules, storage and scoring apply.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from flask import request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from ..db import get_session
from ..invitations import check_meta, invitation_by_token, is_expired
from ..jobs.scoring_jobs import score_inline, score_later
from ..models import Questionnaire, Response, as_utc, utcnow
from ..question_types import field_name, parse_form, text_limit
from ..respond.messages import error_text
from ..submissions import AlreadyAnswered, store_response
from . import bp
from .auth import current_token
from .errors import ApiError
from .spec import Header, operation
from .types import AnswerValue, Scalar, UtcDatetime

IDEMPOTENCY_KEY_MAX = 200
CLOCK_SKEW = timedelta(minutes=5)
# Older is a typo or an attack; far-off years also break date arithmetic in the reports.
EARLIEST_ANSWER = datetime(2000, 1, 1, tzinfo=UTC)


class ResponseIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    language: Literal["fr", "en"]
    answers: dict[Annotated[str, Field(max_length=40)], AnswerValue] = Field(
        max_length=200, description="Question key to value: a number, a text or a list of choices."
    )
    metadata: dict[str, Scalar] | None = None
    invitation_token: str | None = Field(None, max_length=64)
    submitted_at: datetime | None = Field(None, description="When the customer answered.")


class ResponseOut(BaseModel):
    id: int
    questionnaire_id: int
    version: int
    language: str
    status: str
    channel: str
    invitation_id: int | None
    submitted_at: UtcDatetime
    metadata: dict[str, Any]
    answers: dict[str, Any]


def as_output(response: Response) -> ResponseOut:
    answers = {}
    for answer in response.answers:
        number = answer.number
        if number is not None and float(number).is_integer():
            number = int(number)
        value = next(
            (v for v in (number, answer.choice, answer.choices, answer.text) if v is not None),
            None,
        )
        answers[answer.question.key] = value
    return ResponseOut(
        id=response.id,
        questionnaire_id=response.questionnaire_id,
        version=response.version.number,
        language=response.language,
        status=response.status,
        channel=response.channel,
        invitation_id=response.invitation_id,
        submitted_at=response.submitted_at,
        metadata=response.meta or {},
        answers=answers,
    )


def _form_values(value: Any) -> list[str]:
    """A JSON value as the survey form would have posted it."""
    if value is None:
        return []
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return [str(int(value))]
    return [str(value)]


def _message(code: str, question) -> str:
    return error_text(code, limit=text_limit(question.type))  # in English: surveys.i18n


def _idempotency_key() -> str:
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        raise ApiError(400, "Send an Idempotency-Key header.", code="idempotency_key_required")
    if len(key) > IDEMPOTENCY_KEY_MAX or not key.isascii() or not key.isprintable():
        raise ApiError(400, "The Idempotency-Key is at most 200 printable ASCII characters.")
    return key


def _request_hashes(questionnaire_id: int, body: ResponseIn) -> tuple[str, str]:
    """The body's hash as stored for a linked response, and as stored for an anonymous one.

    An anonymous response keeps neither the invitation token nor the metadata, so its hash
    leaves them out too: hashing them would let whoever reads the database try every
    invitation's token (or customer reference) against it and find whose answer it is.
    """
    whole = body.model_dump(mode="json")
    kept = {k: v for k, v in whole.items() if k not in ("invitation_token", "metadata")}

    def digest(part: dict) -> str:
        encoded = json.dumps([questionnaire_id, part], sort_keys=True).encode()
        return hashlib.sha256(encoded).hexdigest()

    return digest(whole), digest(kept)


def _replayed(response: Response, request_hashes: tuple[str, ...]) -> ResponseOut:
    """The first result again for the same key and body; a 409 for another body."""
    if response.request_hash not in request_hashes:
        raise ApiError(
            409, "This Idempotency-Key was used with another body.", code="idempotency_key_reused"
        )
    return as_output(response)


def _questionnaire(questionnaire: Questionnaire | None) -> Questionnaire:
    if questionnaire is None:
        raise ApiError(404, "No such questionnaire.")
    if questionnaire.is_interview:
        raise ApiError(409, "Interview notes are taken on the interview page.", code="interview")
    if questionnaire.status != "live":
        raise ApiError(409, f"The questionnaire is {questionnaire.status}.", code="not_live")
    return questionnaire


@operation(
    bp, "POST", "/questionnaires/<int:questionnaire_id>/responses",
    summary="Store a response", tag="Responses", scope="responses:write",
    body=ResponseIn, response=ResponseOut, status=201, errors=(404, 409),
    headers=(Header("Idempotency-Key", "Unique per response: a retry with the same key and "
                    "body returns the first result; the same key with another body is a 409.",
                    required=True, max_length=IDEMPOTENCY_KEY_MAX),),
    description="Validated by the survey form's rules and scored like a web answer. With an "
    "`invitation_token`, the invitation's metadata are added and it cannot be answered again. "
    "An anonymous questionnaire keeps no metadata (neither the invitation's nor `metadata`) "
    "and does not link the response to its invitation (`invitation_id` is null).",
)  # fmt: skip
def create_response(questionnaire_id: int, body: ResponseIn):
    key = _idempotency_key()
    session = get_session()
    user_id = current_token().user_id
    # Per user, so two API clients cannot collide; the web form's keys are 32 characters.
    submission_key = hashlib.sha256(f"api:{user_id}:{key}".encode()).hexdigest()
    # Either form, so a retry still matches after the questionnaire turned anonymous or back.
    request_hashes = _request_hashes(questionnaire_id, body)
    stored = session.scalar(select(Response).where(Response.submission_key == submission_key))
    if stored is not None:
        return _replayed(stored, request_hashes)
    questionnaire = _questionnaire(session.get(Questionnaire, questionnaire_id))

    fields: dict[str, str] = {}
    if body.language not in questionnaire.languages:
        fields["language"] = "Not a language of this questionnaire."
    questions = questionnaire.current_version.questions
    known = {q.key for q in questions}
    for unknown in sorted(set(body.answers) - known):
        fields[f"answers.{unknown}"] = "No question has this key."
    parsed = parse_form(
        questions, {field_name(q): _form_values(body.answers.get(q.key)) for q in questions}
    )
    by_key = {q.key: q for q in questions}
    for key_, code in parsed.errors.items():
        fields[f"answers.{key_}"] = _message(code, by_key[key_])
    meta, meta_errors = check_meta(body.metadata)
    fields.update(meta_errors)
    try:
        submitted_at = body.submitted_at and as_utc(body.submitted_at)
    except OverflowError:  # year 1 with a positive offset falls off the calendar
        submitted_at = EARLIEST_ANSWER - CLOCK_SKEW
    if submitted_at and submitted_at > utcnow() + CLOCK_SKEW:
        fields["submitted_at"] = "This moment is in the future."
    elif submitted_at and submitted_at < EARLIEST_ANSWER:
        fields["submitted_at"] = f"Answers from before {EARLIEST_ANSWER:%Y} are not taken."
    invitation = None
    if body.invitation_token:
        invitation = invitation_by_token(session, questionnaire, body.invitation_token)
        if invitation is None:
            problem = "No invitation of this questionnaire has this token."
        elif is_expired(invitation) and invitation.used_at is None:
            problem = "This invitation has expired."
        else:
            problem = None
        if problem:
            fields["invitation_token"] = problem
    if not parsed.values and not fields:
        fields["answers"] = "Send at least one answer."
    if fields:
        raise ApiError(422, "Some answers are not valid; nothing was stored.", fields=fields)

    try:
        response, new = store_response(
            session,
            questionnaire,
            parsed.values,
            body.language,
            submission_key=submission_key,
            invitation=invitation,
            meta=meta,  # dropped for an anonymous questionnaire (store_response)
            channel="api",
            request_hash=request_hashes[1 if questionnaire.anonymous else 0],
            submitted_at=submitted_at,
            score=score_inline(),
        )
    except AlreadyAnswered:
        raise ApiError(
            409, "This invitation was already answered.", code="already_answered"
        ) from None
    if new and not score_inline():
        score_later(response)  # stored either way; `analyze` scores what the queue missed
    # Not new: a parallel request with the same key stored first.
    return as_output(response) if new else _replayed(response, request_hashes)
