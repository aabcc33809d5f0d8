"""Scoring text answers in the background: one new response, or everything stale.

With REDIS_URL set, the survey page, the API and interviews store a response unscored and
queue `score_response` after their commit; a queue that is down costs nothing but a delay,
since `flask --app surveys analyze` scores whatever was left unscored.
"""

from __future__ import annotations

import logging

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from .. import response_events, scoring
from ..models import Answer, Response, TextAnalysis
from .context import job_session
from .queue import QueueUnavailable, background_enabled, enqueue

log = logging.getLogger(__name__)

RESCORE_JOB_ID = "parcours-rescore"
RESCORE_TIMEOUT = 6 * 3600  # a million answers take minutes; a new codebook, all of them


def score_response(response_id: int) -> int:
    """Score the response's text answers that have no analysis, or a stale one; commit.

    Idempotent: a second run (a retry after a crash, a duplicate job) finds every answer
    scored with the current analyzer and codebook and changes nothing, so each answer keeps
    one analysis and one set of themes. Returns how many answers were scored.
    """
    if not scoring.analysis_available():
        return 0
    with job_session() as session:
        # Two runs at once wait for each other here (PostgreSQL; SQLite writes one at a time).
        response = session.scalar(
            select(Response).where(Response.id == response_id).with_for_update()
        )
        if response is None:  # deleted since it was queued
            return 0
        codebook = scoring.current_codebook(session)
        version = scoring.analyzer_version(codebook)
        answers = session.scalars(
            select(Answer)
            .outerjoin(TextAnalysis)
            .where(
                Answer.response_id == response.id,
                Answer.text.is_not(None),
                Answer.text != "",
                or_(TextAnalysis.id.is_(None), TextAnalysis.analyzer_version != version),
            )
            .options(selectinload(Answer.analysis))
            .order_by(Answer.id)
        ).all()
        done = scoring.score_answers(session, answers, response.language, codebook)
        if done:
            response_events.scored(session, response)
        session.commit()
    return done


def rescore(rescore_all: bool = False) -> int:
    """What `flask analyze` does: score unscored and stale answers (or all), batch by batch.

    Each batch commits, so a retry after a crash carries on where the last batch ended.
    """
    with job_session() as session:
        return scoring.rescore(session, rescore_all)


def queue_rescore(rescore_all: bool = False):
    """`rescore` on a worker (one at a time), or inline without REDIS_URL."""
    return enqueue(rescore, rescore_all, job_id=RESCORE_JOB_ID, timeout=RESCORE_TIMEOUT)


def score_later(response: Response) -> bool:
    """After the commit of a response stored with `score=False`: queue its scoring.

    Never raises: the customer's answer is stored and acknowledged even when Redis is
    down; it is logged, and `flask --app surveys analyze` scores it later. Returns whether
    a job was queued (none for a response without text).
    """
    if not any(answer.text for answer in response.answers):
        return False
    try:
        enqueue(score_response, response.id)
    except QueueUnavailable:
        log.warning(
            "Response %s stored unscored: the job queue did not answer. "
            "`flask --app surveys analyze` will score it.",
            response.id,
            exc_info=True,
        )
        return False
    return True


def score_inline() -> bool:
    """Whether `store_response` should score in its own transaction (no REDIS_URL)."""
    return not background_enabled()
