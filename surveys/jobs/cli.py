"""`flask --app surveys jobs ...`: run a worker, list and retry failed jobs."""

from __future__ import annotations

import click
import redis
from flask import current_app
from flask.cli import AppGroup

from . import failed
from .queue import background_enabled

jobs = AppGroup("jobs", help="Background jobs (RQ on Redis, when REDIS_URL is set).")


def _need_redis() -> None:
    if not background_enabled():
        raise click.ClickException("REDIS_URL is not set: jobs run inline, none can fail later.")


@jobs.command("worker")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
def worker(burst: bool) -> None:
    """Run a worker on the `parcours` queue (with the retry scheduler)."""
    from .worker import run

    _need_redis()
    run(current_app._get_current_object(), burst=burst)  # type: ignore[attr-defined]


@jobs.command("failed")
def list_failed() -> None:
    """List failed jobs: id, function, args, error (last line), failed at (tab-separated)."""
    _need_redis()
    try:
        rows = failed.failed_jobs()
    except redis.RedisError as error:
        raise click.ClickException(f"Redis does not answer: {error}") from None
    click.echo("\t".join(("id", "function", "args", "error", "failed_at")))
    for job in rows:
        when = job.failed_at.isoformat(timespec="seconds") if job.failed_at else ""
        click.echo("\t".join((job.id, job.function, job.args, job.error, when)))


@jobs.command("retry")
@click.argument("job_id", required=False)
@click.option("--all", "retry_all", is_flag=True, help="Retry every failed job.")
def retry(job_id: str | None, retry_all: bool) -> None:
    """Put a failed job (or --all) back on the queue for one more run."""
    _need_redis()
    if bool(job_id) == retry_all:
        raise click.UsageError("Give a job id or --all.")
    try:
        if retry_all:
            click.echo(f"Queued {failed.retry_all()} failed jobs again.")
            return
        failed.retry(job_id)
    except failed.UnknownJob:
        raise click.ClickException(f"No failed job has the id {job_id}.") from None
    except redis.RedisError as error:
        raise click.ClickException(f"Redis does not answer: {error}") from None
    click.echo(f"Queued {job_id} again.")
