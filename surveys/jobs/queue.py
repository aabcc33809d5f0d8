"""The queue seam: RQ on the `parcours` queue when REDIS_URL is set, inline otherwise.

Callers hand `enqueue` a module-level function and plain arguments (ids, strings, dicts):
RQ stores the function by its import path and pickles the arguments, and a worker in
another process (`flask --app surveys jobs worker`) imports and runs them there.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import redis
from flask import Flask, current_app
from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

log = logging.getLogger(__name__)

QUEUE_NAME = "parcours"
EXTENSION_KEY = "parcours.jobs.redis"
# Three more tries after a failure, 10 s, 1 min and 5 min later (the worker's scheduler
# moves them back to the queue; `jobs worker` runs one). Override in instance/config.py.
DEFAULT_RETRIES = 3
DEFAULT_RETRY_INTERVALS = (10, 60, 300)
# A job running longer is stopped and counts as failed (seconds).
DEFAULT_TIMEOUT = 600
# Failed jobs stay listed (and retryable) this long.
FAILURE_TTL = 30 * 24 * 3600
# Enqueueing gives up quickly when Redis does not answer: the caller is serving a page.
SOCKET_TIMEOUT = 2
PENDING = {JobStatus.QUEUED, JobStatus.STARTED, JobStatus.SCHEDULED, JobStatus.DEFERRED}


class QueueUnavailable(Exception):
    """REDIS_URL is set but Redis could not take the job."""


@dataclass(frozen=True)
class Outcome:
    """What `enqueue` did: queued as `job_id` (or found it already waiting), or ran inline
    and gave `result`."""

    job_id: str | None = None
    result: Any = None
    already_pending: bool = False

    @property
    def queued(self) -> bool:
        return self.job_id is not None


def background_enabled(app: Flask | None = None) -> bool:
    """Jobs go to RQ workers when REDIS_URL is set; without it they run in the caller."""
    return bool((app or current_app).config.get("REDIS_URL"))


def redis_connection(app: Flask | None = None) -> redis.Redis:
    """The app's connection to REDIS_URL, made once per app (its pool is thread-safe)."""
    app = app or current_app
    connection = app.extensions.get(EXTENSION_KEY)
    if connection is None:
        connection = redis.Redis.from_url(
            app.config["REDIS_URL"],
            socket_connect_timeout=SOCKET_TIMEOUT,
            health_check_interval=30,
        )
        app.extensions[EXTENSION_KEY] = connection
    return connection


def get_queue(app: Flask | None = None) -> Queue:
    return Queue(QUEUE_NAME, connection=redis_connection(app))


def retry_policy(app: Flask | None = None) -> Retry:
    config = (app or current_app).config
    return Retry(
        max=int(config.get("JOB_RETRIES", DEFAULT_RETRIES)),
        interval=list(config.get("JOB_RETRY_INTERVALS", DEFAULT_RETRY_INTERVALS)),
    )


def enqueue(
    func: Callable, *args: Any, job_id: str | None = None, timeout: int = DEFAULT_TIMEOUT
) -> Outcome:
    """Run `func(*args)` on a worker when REDIS_URL is set, else right now in this process.

    Queued jobs are retried with backoff, then kept in the failed registry for an admin
    (`flask jobs failed`, the Jobs page). With `job_id`, a job of that id already waiting or
    running is not queued twice (a double click, two researchers). Raises QueueUnavailable
    when Redis does not answer.
    """
    if not background_enabled():
        return Outcome(result=func(*args))
    queue = get_queue()
    try:
        if job_id is not None:
            if is_pending(job_id):
                return Outcome(job_id=job_id, already_pending=True)
            # A finished or failed run of the same id: the new run replaces it everywhere.
            stale = queue.fetch_job(job_id)
            if stale is not None:
                stale.delete()
        job = queue.enqueue(
            func,
            *args,
            job_id=job_id,
            retry=retry_policy(),
            job_timeout=timeout,
            failure_ttl=FAILURE_TTL,
            description=describe(func, args),
        )
    except redis.RedisError as error:
        raise QueueUnavailable(f"Redis did not take the job {func.__name__}: {error}") from error
    return Outcome(job_id=job.id)


def is_pending(job_id: str) -> bool:
    """Whether a job with this id is waiting, scheduled for a retry or running."""
    try:
        job = Job.fetch(job_id, connection=redis_connection())
    except NoSuchJobError:
        return False
    return job.get_status() in PENDING


def job_status(job_id: str | None) -> JobStatus | None:
    """The job's RQ status, or None when it is gone (expired) or Redis does not answer."""
    if not job_id or not background_enabled():
        return None
    try:
        return Job.fetch(job_id, connection=redis_connection()).get_status()
    except (NoSuchJobError, redis.RedisError):  # gone, or Redis away: show what is known
        return None


def describe(func: Callable, args: tuple) -> str:
    return f"{func.__name__}({', '.join(repr(a) for a in args)})"[:200]
