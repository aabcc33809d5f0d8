"""The reminders as an RQ periodic job (the machine's Redis, db 15)."""

from __future__ import annotations

from rq import Queue, SimpleWorker
from rq.registry import ScheduledJobRegistry

from surveys.jobs import queue as job_queue
from surveys.jobs.periodic import PERIODIC, run_periodic, schedule_periodic

JOB = "parcours-send-reminders"


def scheduled(redis_db) -> list[str]:
    registry = ScheduledJobRegistry(job_queue.QUEUE_NAME, connection=redis_db)
    return [i for i in registry.get_job_ids() if i.startswith(JOB + "-")]


def test_the_reminders_job_is_scheduled_once(redis_app, redis_db):
    assert JOB in [job.job_id for job in PERIODIC]
    started = [i for i in schedule_periodic(redis_app) if i.startswith(JOB + "-")]
    assert len(started) == 1
    # Several workers starting: still one run waiting.
    assert schedule_periodic(redis_app) == []
    assert schedule_periodic(redis_app) == []
    assert scheduled(redis_db) == started
    queue = Queue(job_queue.QUEUE_NAME, connection=redis_db)
    job = queue.fetch_job(started[0])
    assert job.func_name == "surveys.jobs.periodic.run_periodic" and job.args == (JOB,)
    when = ScheduledJobRegistry(job_queue.QUEUE_NAME, connection=redis_db).get_scheduled_time(job)
    assert when is not None


def test_a_run_sends_and_schedules_the_next_one(redis_app, redis_db):
    queue = Queue(job_queue.QUEUE_NAME, connection=redis_db)
    queue.enqueue(run_periodic, JOB, job_id=f"{JOB}-1")
    with redis_app.app_context():
        SimpleWorker([queue], connection=redis_db).work(burst=True)
    done = queue.fetch_job(f"{JOB}-1")
    assert done.get_status() == "finished"
    assert done.return_value()["mail_enabled"] is False  # no MAIL_SERVER here: nothing sent
    (following,) = scheduled(redis_db)
    assert following != f"{JOB}-1"


def test_without_redis_nothing_is_scheduled(app):
    assert schedule_periodic(app) == []
