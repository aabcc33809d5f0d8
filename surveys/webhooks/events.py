"""Recording webhook events in the caller's transaction, and sending them after its commit.

`record` adds one delivery per active webhook listening to the event, in the caller's
session: the event commits with the change that caused it, or not at all (a transactional
outbox). Once that session commits, its new deliveries are handed on without keeping the
caller (often a customer submitting a questionnaire) waiting on a remote server:

- to RQ (`surveys.jobs.queue.enqueue`) when REDIS_URL is set;
- else to a background thread of this process, which also sends what falls due later;
- or, with WEBHOOK_DELIVERY = "inline" (the default of TESTING apps), right after the commit.

Whatever is lost on the way (a process stopped, Redis away) stays pending in the database
and is sent by the next sweep (`flask deliver-webhooks`, the RQ periodic job).
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import uuid

from flask import Flask, current_app, has_app_context
from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Webhook, WebhookDelivery, utcnow

log = logging.getLogger(__name__)

EVENTS = (
    "response.completed",
    "response.partial",
    "case.opened",
    "case.updated",
    "pain_point.updated",
)
# Sent only to the webhook whose "Send a test event" button was pressed.
TEST_EVENT = "webhook.test"
PENDING_KEY = "parcours.webhook_deliveries"
# How often the background thread looks for retries that fell due.
SWEEP_SECONDS = 30


def new_event_id() -> str:
    return uuid.uuid4().hex


def body_of(event_id: str, event: str, created_at, data: dict) -> str:
    return json.dumps(
        {"id": event_id, "event": event, "created_at": created_at.isoformat(), "data": data},
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    )


def record(session: Session, event: str, data: dict) -> None:
    """Record `event` for every webhook listening to it, in the session's transaction."""
    if event not in EVENTS:
        raise ValueError(f"unknown webhook event {event!r}")
    webhooks = [
        hook
        for hook in session.scalars(select(Webhook).where(Webhook.active.is_(True)))
        if event in (hook.events or [])
    ]
    if not webhooks:
        return
    event_id, created_at = new_event_id(), utcnow()
    body = body_of(event_id, event, created_at, data)
    _add(session, [(hook, event, event_id, body) for hook in webhooks], created_at)


def record_test(session: Session, webhook: Webhook) -> WebhookDelivery:
    """A test event for `webhook` alone, sent after the session commits."""
    event_id, created_at = new_event_id(), utcnow()
    data = {"webhook_id": webhook.id, "message": "A test event from Parcours."}
    body = body_of(event_id, TEST_EVENT, created_at, data)
    (delivery,) = _add(session, [(webhook, TEST_EVENT, event_id, body)], created_at)
    return delivery


def _add(session: Session, rows, created_at) -> list[WebhookDelivery]:
    deliveries = [
        WebhookDelivery(
            webhook_id=hook.id,
            event=event,
            event_id=event_id,
            body=body,
            status="pending",
            attempts=0,
            next_attempt_at=created_at,
            created_at=created_at,
        )
        for hook, event, event_id, body in rows
    ]
    session.add_all(deliveries)
    session.flush()  # their ids, to hand on after the commit
    session.info.setdefault(PENDING_KEY, []).extend(d.id for d in deliveries)
    return deliveries


# --- after the commit ----------------------------------------------------------------------


@sa_event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    ids = session.info.pop(PENDING_KEY, None)
    if ids and has_app_context():
        dispatch(current_app._get_current_object(), ids)  # type: ignore[attr-defined]


@sa_event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)


def delivery_mode(app: Flask) -> str:
    mode = app.config.get("WEBHOOK_DELIVERY")
    if mode:
        return mode
    if app.config.get("REDIS_URL"):
        return "queue"
    return "inline" if app.testing else "thread"


def dispatch(app: Flask, ids: list[int]) -> None:
    """Hand committed deliveries on to be sent; never raises into the caller."""
    from .delivery import deliver

    mode = delivery_mode(app)
    try:
        if mode == "queue":
            from ..jobs.queue import enqueue

            for delivery_id in ids:
                enqueue(deliver, delivery_id, job_id=f"webhook-delivery-{delivery_id}")
        elif mode == "inline":
            for delivery_id in ids:
                deliver(delivery_id)
        else:
            _background(app).put(ids)
    except Exception:  # the sweep sends them later; the caller's change is committed
        log.exception("webhook deliveries %s could not be handed on (%s)", ids, mode)


# --- the background thread (no Redis) ------------------------------------------------------

_STOP: list[int] = []  # handed to a sender thread, ends it
_threads: dict[int, tuple[queue.Queue, threading.Thread]] = {}
_threads_lock = threading.Lock()


def _background(app: Flask) -> queue.Queue:
    """The app's sender thread's queue; the thread is started on first use."""
    with _threads_lock:
        if id(app) not in _threads:
            waiting: queue.Queue = queue.Queue()
            thread = threading.Thread(
                target=_run, args=(app, waiting), name="parcours-webhooks", daemon=True
            )
            thread.start()
            _threads[id(app)] = (waiting, thread)
        return _threads[id(app)][0]


def stop_background(app: Flask, timeout: float = 15) -> None:
    """End the app's sender thread, if it runs, once it has sent what it was given."""
    with _threads_lock:
        running = _threads.pop(id(app), None)
    if running is not None:
        waiting, thread = running
        waiting.put(_STOP)
        thread.join(timeout)


def _run(app: Flask, waiting: queue.Queue) -> None:
    from .delivery import deliver, deliver_due

    while True:
        try:
            ids = waiting.get(timeout=SWEEP_SECONDS)
        except queue.Empty:
            ids = None
        if ids is _STOP:
            return
        try:
            with app.app_context():
                if ids is None:
                    deliver_due()
                else:
                    for delivery_id in ids:
                        deliver(delivery_id)
        except Exception:  # keep the thread alive: the next sweep tries again
            log.exception("webhook sender thread")
