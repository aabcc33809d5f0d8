"""Jobs that run every few minutes on the RQ workers (when REDIS_URL is set).

Each periodic job is one chain of scheduled RQ jobs: a run does its work, then schedules
the next run `every_seconds` later (even when the work failed, so one bad run does not end
the chain). The worker start (`surveys.jobs.worker.run`) calls `schedule_periodic`, which
starts a chain that is missing: a fresh deployment, or a chain lost with Redis' data.

Run ids are `<job_id>-<slot>`, the slot being the run time divided by the interval: two
workers starting at once compute the same id (RQ keeps one job per id), and a Redis lock
around "is a run waiting? else schedule one" keeps a third from starting a second chain.
The id changes from run to run because a running job cannot schedule its successor under
its own id (RQ marks the id finished when the run ends).

Without REDIS_URL nothing is scheduled: cron runs the matching command instead (e.g.
`flask --app surveys send-reminders`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import redis
from flask import Flask
from redis.exceptions import LockError
from rq.registry import ScheduledJobRegistry, StartedJobRegistry

from .context import job_app
from .queue import QUEUE_NAME, get_queue, redis_connection

log = logging.getLogger(__name__)

LOCK_SECONDS = 30
LOCK_WAIT = 5  # seconds to wait for another worker's scheduling before leaving it to them
# A run that takes longer than this is stopped (and the next one is scheduled anyway).
RUN_TIMEOUT = 3600


def _send_reminders() -> object:
    from ..invitations.reminders import send_reminders_job

    return send_reminders_job()


def _deliver_webhooks() -> object:
    from ..webhooks.delivery import deliver_due

    return deliver_due()


@dataclass(frozen=True)
class PeriodicJob:
    job_id: str
    func: Callable
    every_seconds: int
    # A setting that overrides every_seconds (instance/config.py or the environment).
    config_key: str | None = None

    def interval(self, app: Flask) -> int:
        value = app.config.get(self.config_key) if self.config_key else None
        return max(int(value or self.every_seconds), 1)


PERIODIC: list[PeriodicJob] = [
    PeriodicJob("parcours-send-reminders", _send_reminders, 300, "REMINDER_INTERVAL_SECONDS"),
    # Webhook retries that fell due, and deliveries whose hand-off to the queue was lost.
    PeriodicJob("parcours-deliver-webhooks", _deliver_webhooks, 30),
]


def _find(job_id: str) -> PeriodicJob:
    for job in PERIODIC:
        if job.job_id == job_id:
            return job
    raise KeyError(job_id)


def run_id(job: PeriodicJob, when: datetime, every: int) -> str:
    return f"{job.job_id}-{int(when.timestamp()) // every}"


def pending_runs(app: Flask, job: PeriodicJob, *, besides: str | None = None) -> list[str]:
    """Ids of the job's runs that are scheduled, queued or running (other than `besides`)."""
    queue = get_queue(app)
    connection = redis_connection(app)
    ids = set(ScheduledJobRegistry(QUEUE_NAME, connection=connection).get_job_ids())
    ids |= set(StartedJobRegistry(QUEUE_NAME, connection=connection).get_job_ids())
    ids |= set(queue.get_job_ids())
    prefix = f"{job.job_id}-"
    return sorted(i for i in ids if i.startswith(prefix) and i != besides)


def _schedule_next(app: Flask, job: PeriodicJob, *, besides: str | None = None) -> str | None:
    """Schedule the job's next run unless one is already waiting; return its id if new."""
    connection = redis_connection(app)
    lock = connection.lock(
        f"parcours:periodic:{job.job_id}", timeout=LOCK_SECONDS, blocking_timeout=LOCK_WAIT
    )
    if not lock.acquire():  # another worker is scheduling it right now
        return None
    try:
        if pending_runs(app, job, besides=besides):
            return None
        every = job.interval(app)
        at = datetime.now(UTC) + timedelta(seconds=every)
        new_id = run_id(job, at, every)
        if new_id == besides:  # a run ending early within its own slot: the next slot
            at += timedelta(seconds=every)
            new_id = run_id(job, at, every)
        label = f"{job.job_id}/{every}s"  # for RQ's listings, not for people
        get_queue(app).enqueue_at(
            at, run_periodic, job.job_id, job_id=new_id, job_timeout=RUN_TIMEOUT, description=label
        )
        return new_id
    finally:
        # Held longer than LOCK_SECONDS: it expired, nothing to release.
        with suppress(LockError):
            lock.release()


def schedule_periodic(app: Flask) -> list[str]:
    """Make sure each periodic job has its next run scheduled (once); return the new ids.

    Does nothing without REDIS_URL. Safe to call from every worker start.
    """
    if not app.config.get("REDIS_URL"):
        return []
    started = []
    for job in PERIODIC:
        try:
            new_id = _schedule_next(app, job)
        except redis.RedisError:
            log.warning("Could not schedule the periodic job %s", job.job_id, exc_info=True)
            continue
        if new_id:
            started.append(new_id)
    return started


def run_periodic(job_id: str) -> object:
    """One run of a periodic job (on a worker): the work, then the next run's schedule."""
    from rq import get_current_job

    job = _find(job_id)
    current = get_current_job()
    try:
        return job.func()
    finally:
        try:
            _schedule_next(job_app(), job, besides=current.id if current else None)
        except redis.RedisError:  # the next worker start schedules it again
            log.warning("Could not schedule the next run of %s", job_id, exc_info=True)
