"""The app and database session a job runs with.

Under `flask --app surveys jobs worker` the worker runs inside the app's context, and the
work horse it forks for each job inherits it. Under a bare `rq worker parcours`, a job
builds the app from the environment (DATABASE_URL, ...; as gunicorn does) the first time
its process needs one. Inline (no REDIS_URL), a job uses the app of the request or command
that called it. Either way the job opens its own session and commits its own work.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app, has_app_context
from sqlalchemy.orm import Session

from .. import db

_app: Flask | None = None


def job_app() -> Flask:
    """The current app, or one built from the environment, once per process."""
    global _app
    if has_app_context():
        return current_app._get_current_object()  # type: ignore[attr-defined]
    if _app is None:
        from .. import create_app

        _app = create_app()
    return _app


@contextmanager
def job_session() -> Iterator[Session]:
    """An app context (for settings and links) and a session of the job's own."""
    app = job_app()
    with app.app_context(), db.new_session(app) as session:
        yield session
