"""A real worker process (`surveys.jobs.worker.run`: RQ's forking Worker) for the fault
tests, which stops in the middle of a scoring job until it is killed.

PARCOURS_TEST_PAUSE says where: "scoring" (answers scored and flushed, not committed) or
"commit" (committed, before RQ hears the job is done). The work horse writes its pid to
PARCOURS_TEST_MARK when it gets there. The app comes from the environment, as in production.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from sqlalchemy.orm import Session

from surveys import create_app, scoring
from surveys.jobs.worker import run

PAUSE_AT = os.environ["PARCOURS_TEST_PAUSE"]
MARK = Path(os.environ["PARCOURS_TEST_MARK"])


def pause() -> None:
    MARK.write_text(str(os.getpid()))
    time.sleep(600)  # until the test kills this process


real_score_answers = scoring.score_answers
real_commit = Session.commit


def score_then_pause(*args, **kwargs):
    done = real_score_answers(*args, **kwargs)
    if PAUSE_AT == "scoring":
        pause()
    return done


def commit_then_pause(self):
    real_commit(self)
    if PAUSE_AT == "commit":
        pause()


scoring.score_answers = score_then_pause
Session.commit = commit_then_pause

if __name__ == "__main__":
    run(create_app(), burst=True, with_scheduler=False)
