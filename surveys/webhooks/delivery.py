"""Delivering webhook events: one attempt at a time, claimed so that it is sent once.

`deliver(delivery_id)` claims the delivery with a conditional UPDATE (only a pending one that
is due, or one whose sender vanished past its lease), commits the claim, sends, and records
the attempt. A failure schedules the next attempt in the database (BACKOFF); after
MAX_ATTEMPTS the delivery is `failed`. `deliver_due()` sends what is due: run by
`flask deliver-webhooks` (cron), the RQ periodic job and the background thread.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError

from ..jobs.context import job_session
from ..models import WebhookAttempt, WebhookDelivery, utcnow
from . import guard, sender

log = logging.getLogger(__name__)

# Seconds before the 2nd, 3rd, ... attempt; the 6th failure gives up.
BACKOFF = (30, 120, 600, 3600, 6 * 3600)
MAX_ATTEMPTS = len(BACKOFF) + 1
# A claim outlives any attempt (sender.TOTAL_TIMEOUT) by far: a claim older than this means
# its sender died, and the delivery may be tried again.
LEASE = timedelta(seconds=120)
SWEEP_BATCH = 50


def _due(now):
    return or_(
        and_(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now),
        and_(WebhookDelivery.status == "delivering", WebhookDelivery.claimed_until < now),
    )


def deliver(delivery_id: int) -> str | None:
    """Try delivery `delivery_id` once if it is due; its status afterwards (None: not ours)."""
    with job_session() as session:
        now = utcnow()
        claimed = session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id == delivery_id, _due(now))
            .values(
                status="delivering",
                claimed_until=now + LEASE,
                attempts=WebhookDelivery.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        session.commit()
        if claimed != 1:  # delivered, given up, not due, or another sender has it
            return None
        delivery = session.get(WebhookDelivery, delivery_id)
        if delivery is None:
            return None
        attempt = delivery.attempts
        webhook = delivery.webhook
        if not webhook.active:
            outcome = sender.Outcome(None, "the webhook is disabled", 0)
        else:
            try:
                outcome = _send(webhook.url, webhook.secret, delivery)
            except Exception as error:  # a bug must not hold the claim until its lease ends
                log.exception("webhook delivery %s", delivery_id)
                outcome = sender.Outcome(None, f"internal error: {type(error).__name__}", 0)
        session.add(
            WebhookAttempt(
                delivery_id=delivery.id,
                status_code=outcome.status_code,
                error=outcome.error,
                duration_ms=outcome.duration_ms,
            )
        )
        finished = utcnow()
        values: dict = {
            "last_status_code": outcome.status_code,
            "last_error": outcome.error,
            "claimed_until": None,
        }
        if outcome.ok:
            values.update(status="delivered", delivered_at=finished, next_attempt_at=None)
        elif attempt >= MAX_ATTEMPTS or not webhook.active:
            values.update(status="failed", next_attempt_at=None)
        else:
            delay = BACKOFF[min(attempt, len(BACKOFF)) - 1]
            values.update(status="pending", next_attempt_at=finished + timedelta(seconds=delay))
        # Only the claim of this attempt may finish it (a sender past its lease may not).
        session.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id == delivery.id,
                WebhookDelivery.status == "delivering",
                WebhookDelivery.attempts == attempt,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        try:
            session.commit()
        except IntegrityError:  # the webhook was deleted meanwhile, its log with it
            session.rollback()
            return None
        if not outcome.ok:
            log.info("webhook delivery %s, attempt %s: %s", delivery_id, attempt, outcome.error)
        return values["status"]


def _send(url: str, secret: str, delivery: WebhookDelivery) -> sender.Outcome:
    allowed = guard.allowed_hosts(current_app.config.get("WEBHOOK_ALLOWED_HOSTS"))
    try:
        target = guard.target(url, allowed)
    except guard.UrlRefused as refused:
        return sender.Outcome(None, str(refused)[:300], 0)
    body = delivery.body.encode()
    headers = {
        "X-Parcours-Event": delivery.event,
        "X-Parcours-Event-Id": delivery.event_id,
        "X-Parcours-Signature": sender.signature(secret, body),
    }
    return sender.post(target, body, headers)


def due_ids(limit: int = SWEEP_BATCH) -> list[int]:
    with job_session() as session:
        return list(
            session.scalars(
                select(WebhookDelivery.id)
                .where(_due(utcnow()))
                .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
                .limit(limit)
            )
        )


def deliver_due(limit: int = SWEEP_BATCH) -> int:
    """Try every delivery that is due (at most `limit`); how many were delivered."""
    return sum(deliver(delivery_id) == "delivered" for delivery_id in due_ids(limit))
