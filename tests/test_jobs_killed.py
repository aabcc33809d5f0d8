"""A worker killed in the middle of a scoring job: RQ hands the abandoned job to the next
worker, which scores the answers again, and each answer keeps exactly one analysis.

The worker is a real process (`surveys.jobs.worker.run`, RQ's forking worker) on the
machine's Redis (db 15), killed with SIGKILL with its work horse.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from builders import TEST_REDIS_URL, a_live_questionnaire, an_app, answer_as_a_new_customer
from rq import Queue, SimpleWorker
from rq.job import JobStatus
from sqlalchemy import func, select

from surveys import ROOT, scoring
from surveys.jobs.queue import QUEUE_NAME
from surveys.models import Answer, AnswerTheme, TextAnalysis

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not scoring.analysis_available(), reason="the text analysis is missing"),
]

TEXTS = {
    "q_csat": "1",
    "q_why": "La livraison a pris 12 jours et le colis est arrivé abîmé, inadmissible.",
}
START_TIMEOUT = 90  # seconds for the worker to start and reach the pause (a busy machine)


def start_worker(database_url: str, pause_at: str, mark: Path, instance: Path):
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": database_url,
        "REDIS_URL": TEST_REDIS_URL,
        "SECRET_KEY": "k" * 64,
        "PUBLIC_BASE_URL": "http://parcours.test",
        "PARCOURS_INSTANCE_PATH": str(instance),
        "PARCOURS_TEST_PAUSE": pause_at,
        "PARCOURS_TEST_MARK": str(mark),
    }
    script = Path(__file__).with_name("job_worker_process.py")
    # Its own process group: the worker and its work horse are killed together.
    return subprocess.Popen(
        [sys.executable, str(script)],
        env=env,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def wait_for(mark: Path, worker: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while not (mark.exists() and mark.read_text()):
        if worker.poll() is not None:
            pytest.fail(f"the worker stopped first:\n{worker.stdout.read().decode()}")
        if time.monotonic() > deadline:
            pytest.fail("the worker never reached the scoring job")
        time.sleep(0.1)


def kill(worker: subprocess.Popen, mark: Path) -> None:
    """SIGKILL the worker and its work horse (which RQ puts in a process group of its own)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(worker.pid, signal.SIGKILL)
    if mark.exists() and mark.read_text():
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(mark.read_text()), signal.SIGKILL)


def analyses(session) -> list[tuple[int, str]]:
    session.expire_all()
    return session.execute(
        select(TextAnalysis.answer_id, TextAnalysis.analyzer_version).order_by(
            TextAnalysis.answer_id
        )
    ).all()


def themes(session) -> list[tuple[int, str]]:
    session.expire_all()
    return session.execute(
        select(AnswerTheme.answer_id, AnswerTheme.theme_key).order_by(
            AnswerTheme.answer_id, AnswerTheme.theme_key
        )
    ).all()


@pytest.mark.parametrize("pause_at", ["scoring", "commit"])
def test_a_worker_killed_mid_job_leaves_the_job_retried_and_one_analysis(
    database_url, redis_db, db_session, tmp_path, pause_at
):
    with an_app(database_url, REDIS_URL=TEST_REDIS_URL, JOB_RETRY_INTERVALS=[0]) as app:
        questionnaire = a_live_questionnaire(db_session, "csat", "purchase")
        assert answer_as_a_new_customer(app, questionnaire, TEXTS).status_code == 303
        queue = Queue(QUEUE_NAME, connection=redis_db)
        (job,) = queue.jobs
        text_answers = db_session.scalar(
            select(func.count(Answer.id)).where(Answer.text.is_not(None))
        )
        assert text_answers == 1

        mark = tmp_path / "paused"
        worker = start_worker(database_url, pause_at, mark, tmp_path)
        try:
            wait_for(mark, worker)
        finally:
            kill(worker, mark)
        assert worker.wait(timeout=30) == -signal.SIGKILL

        # Killed before its commit, nothing of it is stored; after it, the analysis is there.
        assert len(analyses(db_session)) == (0 if pause_at == "scoring" else 1)
        assert job.get_status() == JobStatus.STARTED  # nobody is left to say otherwise
        started = queue.started_job_registry
        assert job.id in started.get_job_ids(cleanup=False)

        # The dead worker's heartbeat lapses (60 s and more later); the next worker's
        # maintenance then finds the job abandoned and, retries left, queues it again.
        expiry = max(score for _, score in redis_db.zrange(started.key, 0, -1, withscores=True))
        started.cleanup(timestamp=expiry + 1)
        assert queue.job_ids == [job.id] and job.get_status() == JobStatus.QUEUED
        job.refresh()
        assert job.retries_left == 2

        with app.app_context():
            SimpleWorker([queue], connection=redis_db).work(burst=True)
        assert job.get_status() == JobStatus.FINISHED
        assert queue.failed_job_registry.count == 0

        stored = analyses(db_session)
        assert len(stored) == 1 and stored[0][1] == scoring.analyzer_version(
            scoring.current_codebook(db_session)
        )
        found = themes(db_session)
        assert found and len(found) == len(set(found))  # each theme once per answer
        (analysis,) = db_session.scalars(select(TextAnalysis)).all()
        assert sorted(key for _, key in found) == sorted(set(analysis.themes))
