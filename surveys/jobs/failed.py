"""Jobs that failed for good (every retry spent, or abandoned by a dead worker), for an admin.

They stay in RQ's failed registry for FAILURE_TTL; `flask jobs failed` and the admin's
Jobs page list them, and a retry puts a job back on the queue for one more run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job
from rq.results import Result

from .queue import get_queue

ERROR_LINE_MAX = 300


class UnknownJob(Exception):
    """No failed job has this id."""


@dataclass(frozen=True)
class FailedJob:
    id: str
    function: str
    args: str
    error: str  # the traceback's last line: the exception and its message
    failed_at: datetime | None


def _last_line(text: str | None) -> str:
    lines = [line.strip() for line in (text or "").strip().splitlines() if line.strip()]
    return lines[-1][:ERROR_LINE_MAX] if lines else ""


def _describe(job: Job) -> FailedJob:
    result = job.latest_result()
    failed = result is not None and result.type == Result.Type.FAILED
    args = ", ".join(repr(a) for a in job.args)
    return FailedJob(
        id=job.id,
        function=(job.func_name or "?").rsplit(".", 1)[-1],
        args=args[:200],
        error=_last_line(result.exc_string if failed else None),
        failed_at=result.created_at if failed else job.ended_at,
    )


def failed_jobs() -> list[FailedJob]:
    """Failed jobs of the `parcours` queue, the latest first."""
    queue = get_queue()
    registry = queue.failed_job_registry
    ids = registry.get_job_ids(desc=True)
    jobs = Job.fetch_many(ids, connection=queue.connection)
    return [_describe(job) for job in jobs if job is not None]


def retry(job_id: str) -> None:
    """Put one failed job back on the queue."""
    registry = get_queue().failed_job_registry
    try:
        registry.requeue(job_id)
    except (InvalidJobOperation, NoSuchJobError):
        raise UnknownJob(job_id) from None


def retry_all() -> int:
    """Put every failed job back on the queue; return how many."""
    registry = get_queue().failed_job_registry
    done = 0
    for job_id in registry.get_job_ids():
        try:
            registry.requeue(job_id)
        except (InvalidJobOperation, NoSuchJobError):
            continue  # retried or expired meanwhile
        done += 1
    return done
