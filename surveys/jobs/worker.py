"""The worker process: `flask --app surveys jobs worker` (or `python -m surveys.jobs.worker`).

It builds the app once, then runs RQ's forking worker on the `parcours` queue inside the
app's context: each job runs in a fresh work horse that inherits the app (settings, engine),
and a horse killed mid-job cannot take the worker down with it. The scheduler runs along,
since retries wait 10 s, 1 min and 5 min on its schedule.

A bare `rq worker parcours --with-scheduler --url $REDIS_URL` works too: there each job
builds the app from the environment on its first use.
"""

from __future__ import annotations

from flask import Flask
from rq import Worker

from .. import db
from .periodic import schedule_periodic
from .queue import QUEUE_NAME, redis_connection


def run(app: Flask, *, burst: bool = False, with_scheduler: bool = True) -> bool:
    """Work the `parcours` queue until stopped (or until it is empty, with `burst`)."""
    if not app.config.get("REDIS_URL"):
        raise RuntimeError("REDIS_URL is not set: without it jobs run inline, no worker needed.")
    # The horses must not share the parent's pooled connections: start them with none.
    db.dispose(app)
    # A fresh deployment (or a Redis that lost its data) starts the periodic jobs' chains.
    schedule_periodic(app)
    worker = Worker([QUEUE_NAME], connection=redis_connection(app))
    with app.app_context():
        return worker.work(burst=burst, with_scheduler=with_scheduler)


if __name__ == "__main__":  # pragma: no cover - the process entry point
    from .. import create_app

    run(create_app())
