"""Background work: RQ workers on the `parcours` queue when REDIS_URL is set, inline otherwise.

What runs as a job: scoring new responses' text (`scoring_jobs.score_response`),
re-scoring after a codebook or analyzer change (`scoring_jobs.rescore`), rendering the
XLSX/PDF pain-point report (`report_jobs.render_report`) and emailing invitations
(`mail_jobs.email_invitations`). `queue.enqueue` is the one door to the queue.
"""

from __future__ import annotations

from flask import Flask

from .queue import Outcome, QueueUnavailable, background_enabled, enqueue

__all__ = ["Outcome", "QueueUnavailable", "background_enabled", "enqueue", "init_app"]


def init_app(app: Flask) -> None:
    """The `jobs` commands, the report and failed-jobs pages, and a flag for templates."""
    from .cli import jobs
    from .views import bp

    app.cli.add_command(jobs)
    app.register_blueprint(bp)

    @app.context_processor
    def _background_flag() -> dict:
        return {"background_jobs": background_enabled(app)}
