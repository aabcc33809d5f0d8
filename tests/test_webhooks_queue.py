"""Webhooks with REDIS_URL: deliveries leave through RQ, never in the customer's request."""

from __future__ import annotations

from builders import a_live_questionnaire, answer_as_a_new_customer
from rq import Queue, SimpleWorker
from sqlalchemy import select
from test_webhooks import SECRET, Sink

from surveys.db import new_session
from surveys.jobs import queue as job_queue
from surveys.jobs.periodic import PERIODIC, run_periodic
from surveys.models import Webhook, WebhookDelivery, utcnow


def test_a_delivery_is_queued_then_sent_once_by_a_worker(redis_app, redis_db):
    sink = Sink()
    try:
        redis_app.config["WEBHOOK_ALLOWED_HOSTS"] = "127.0.0.1"
        with new_session(redis_app) as session:
            questionnaire = a_live_questionnaire(session, "csat")
            session.add(Webhook(url=sink.url, events=["response.completed"], secret=SECRET))
            session.commit()
        answered = answer_as_a_new_customer(redis_app, questionnaire, {"q_csat": "4"})
        assert answered.status_code == 303
        assert sink.received == []  # the customer's request sent nothing itself
        with new_session(redis_app) as session:
            delivery = session.scalar(select(WebhookDelivery))
            assert (delivery.status, delivery.attempts) == ("pending", 0)
        queue = Queue(job_queue.QUEUE_NAME, connection=redis_db)
        assert f"webhook-delivery-{delivery.id}" in queue.get_job_ids()
        with redis_app.app_context():
            SimpleWorker([queue], connection=redis_db).work(burst=True)
        assert len(sink.received) == 1
        assert sink.bodies()[0]["event"] == "response.completed"
        with new_session(redis_app) as session:
            delivery = session.get(WebhookDelivery, delivery.id)
            assert (delivery.status, delivery.last_status_code) == ("delivered", 200)
    finally:
        sink.close()


def test_the_periodic_sweep_sends_retries_that_fell_due(redis_app, redis_db):
    sink = Sink()
    try:
        redis_app.config["WEBHOOK_ALLOWED_HOSTS"] = "127.0.0.1"
        with new_session(redis_app) as session:
            hook = Webhook(url=sink.url, events=["pain_point.updated"], secret=SECRET)
            session.add(hook)
            session.commit()
            # A retry that fell due (its first attempt failed earlier).
            session.add(
                WebhookDelivery(
                    webhook_id=hook.id, event_id="e" * 32, event="pain_point.updated",
                    body='{"id":"' + "e" * 32 + '"}', attempts=1, next_attempt_at=utcnow(),
                )
            )  # fmt: skip
            session.commit()
        assert "parcours-deliver-webhooks" in [job.job_id for job in PERIODIC]
        queue = Queue(job_queue.QUEUE_NAME, connection=redis_db)
        queue.enqueue(run_periodic, "parcours-deliver-webhooks", job_id="sweep-1")
        with redis_app.app_context():
            SimpleWorker([queue], connection=redis_db).work(burst=True)
        assert queue.fetch_job("sweep-1").return_value() == 1
        assert [r["raw"] for r in sink.received] == [b'{"id":"' + b"e" * 32 + b'"}']
    finally:
        sink.close()
