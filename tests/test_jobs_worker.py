"""Background work on the machine's Redis (db 15): jobs queued by the pages, run by a real
RQ worker in this process (SimpleWorker, burst mode), retried, failed, listed and retried.
"""

from __future__ import annotations

import io
import logging
import socket
from email import message_from_bytes, policy

import pytest
import redis
from aiosmtpd.controller import Controller
from builders import (
    TEST_REDIS_URL,
    a_live_questionnaire,
    a_user,
    an_app,
    an_interview_guide,
    an_invitation,
    answer_as_a_new_customer,
    submission_key,
)
from openpyxl import load_workbook
from rq import Queue, SimpleWorker
from sqlalchemy import func, select

from surveys import scoring
from surveys.api_tokens import issue_token
from surveys.jobs import queue as job_queue
from surveys.jobs.mail_jobs import email_invitations, queue_invitation_emails
from surveys.jobs.scoring_jobs import score_response
from surveys.models import AnswerTheme, Invitation, ReportFile, Response, TextAnalysis

pytestmark = pytest.mark.skipif(
    not scoring.analysis_available(), reason="the text analysis is not installed"
)

LATE = "La livraison a pris 12 jours et le colis est arrivé abîmé, inadmissible."
# Nothing listens here: Redis "down" (the login limits count in memory meanwhile).
CLOSED_PORT_REDIS = "redis://127.0.0.1:1/15"
REDIS_DOWN = {"REDIS_URL": CLOSED_PORT_REDIS, "RATELIMIT_STORAGE_URI": "memory://"}


@pytest.fixture
def app(redis_app):
    return redis_app


def queue_of(redis_db) -> Queue:
    return Queue(job_queue.QUEUE_NAME, connection=redis_db)


def work(app, redis_db) -> None:
    """A real RQ worker, in this process, until the queue is empty."""
    with app.app_context():
        SimpleWorker([queue_of(redis_db)], connection=redis_db).work(burst=True)


def count(db_session, model) -> int:
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(model))


def answer(app, questionnaire, text: str = LATE):
    reply = answer_as_a_new_customer(app, questionnaire, {"q_csat": "1", "q_why": text})
    assert reply.status_code == 303
    return reply


# --- the queue seam -------------------------------------------------------------------------


def test_jobs_go_to_the_parcours_queue_with_retries_and_backoff(database_url, redis_db):
    with an_app(database_url, REDIS_URL=TEST_REDIS_URL) as app, app.app_context():
        outcome = job_queue.enqueue(score_response, 42)
        assert outcome.queued and outcome.result is None
        job = queue_of(redis_db).fetch_job(outcome.job_id)
    assert job.func_name == "surveys.jobs.scoring_jobs.score_response" and job.args == (42,)
    assert job.origin == "parcours" and queue_of(redis_db).job_ids == [job.id]
    assert job.retries_left == 3 and job.retry_intervals == [10, 60, 300]


def test_a_job_id_already_waiting_is_not_queued_twice(app, redis_db):
    with app.app_context():
        first = job_queue.enqueue(score_response, 1, job_id="one-at-a-time")
        again = job_queue.enqueue(score_response, 1, job_id="one-at-a-time")
    assert first.queued and not first.already_pending and again.already_pending
    assert queue_of(redis_db).count == 1


# --- scoring --------------------------------------------------------------------------------


def test_the_survey_page_stores_unscored_and_the_worker_scores(app, db_session, redis_db):
    questionnaire = a_live_questionnaire(db_session, "csat", "purchase")
    answer(app, questionnaire)
    assert count(db_session, Response) == 1 and count(db_session, TextAnalysis) == 0
    (job,) = queue_of(redis_db).jobs
    assert job.func_name.endswith("score_response")
    work(app, redis_db)
    assert count(db_session, TextAnalysis) == 1
    analysis = db_session.scalar(select(TextAnalysis))
    assert analysis.label == "negative" and "late_delivery" in analysis.themes
    assert job.get_status() == "finished" and queue_of(redis_db).failed_job_registry.count == 0


def test_a_response_without_text_queues_nothing(app, db_session, redis_db):
    questionnaire = a_live_questionnaire(db_session, "csat", "purchase")
    answer_as_a_new_customer(app, questionnaire, {"q_csat": "5"})
    assert count(db_session, Response) == 1 and queue_of(redis_db).count == 0


def test_an_interview_is_stored_unscored_and_the_worker_scores_it(
    app, client, auth, forms, db_session, redis_db
):
    guide = an_interview_guide(db_session)
    auth.login()
    notes = {
        "language": "en",
        "q_felt": "Relieved when the parcel finally arrived",
        "q_did": "I called customer service twice and waited an hour, awful",
        "submission_key": submission_key(),
    }
    reply = forms.post(f"/questionnaires/{guide.id}/interviews/new", notes)
    assert reply.status_code == 302
    assert count(db_session, TextAnalysis) == 0 and queue_of(redis_db).count == 1
    work(app, redis_db)
    assert count(db_session, TextAnalysis) == 2


def test_an_api_response_is_stored_unscored_and_the_worker_scores_it(
    app, client, db_session, redis_db
):
    questionnaire = a_live_questionnaire(db_session, "csat", "purchase")
    user = a_user(db_session, "crm@example.com", "researcher")
    _token, raw = issue_token(db_session, user, ["responses:write"], "CRM")
    headers = {"Authorization": f"Bearer {raw}", "Idempotency-Key": "order-1"}
    body = {"language": "fr", "answers": {"csat": 2, "why": LATE}}
    url = f"/api/v1/questionnaires/{questionnaire.id}/responses"
    assert client.post(url, json=body, headers=headers).status_code == 201
    assert client.post(url, json=body, headers=headers).status_code == 201  # replayed
    assert count(db_session, Response) == 1 and count(db_session, TextAnalysis) == 0
    assert queue_of(redis_db).count == 1  # the replay queued nothing more
    work(app, redis_db)
    assert count(db_session, TextAnalysis) == 1


def test_the_same_job_run_twice_leaves_one_analysis(app, db_session, redis_db):
    questionnaire = a_live_questionnaire(db_session, "csat", "purchase")
    answer(app, questionnaire)
    response_id = db_session.scalar(select(Response.id))
    with app.app_context():
        job_queue.enqueue(score_response, response_id)  # a duplicate of the page's job
    assert queue_of(redis_db).count == 2
    work(app, redis_db)
    assert count(db_session, TextAnalysis) == 1
    themes = db_session.execute(select(AnswerTheme.answer_id, AnswerTheme.theme_key)).all()
    assert themes and len(themes) == len(set(themes))


def test_with_redis_down_the_answer_is_stored_and_acknowledged(database_url, db_session, caplog):
    with an_app(database_url, **REDIS_DOWN) as app:
        questionnaire = a_live_questionnaire(db_session, "csat", "purchase")
        with caplog.at_level(logging.WARNING, logger="surveys.jobs.scoring_jobs"):
            reply = answer(app, questionnaire)
        assert "/thanks" in reply.headers["Location"]
        assert count(db_session, Response) == 1 and count(db_session, TextAnalysis) == 0
        assert "stored unscored" in caplog.text and "analyze" in caplog.text
        # The command line catches up with what the queue missed.
        result = app.test_cli_runner().invoke(args=["analyze"])
        assert result.exit_code == 0, result.output
        assert count(db_session, TextAnalysis) == 1


def test_the_themes_page_queues_the_rescore(app, client, forms, auth, db_session, redis_db):
    questionnaire = a_live_questionnaire(db_session, "csat", "purchase")
    answer(app, questionnaire)
    queue_of(redis_db).empty()  # leave the answer unscored: the rescore is to find it
    auth.login()
    reply = forms.post("/themes/rescore", page_url="/themes", follow_redirects=True)
    assert "Re-scoring 1 answers in the background" in reply.get_data(as_text=True)
    assert [j.func_name.rsplit(".", 1)[-1] for j in queue_of(redis_db).jobs] == ["rescore"]
    work(app, redis_db)
    assert count(db_session, TextAnalysis) == 1


# --- failing for good, listed, retried -------------------------------------------------------


def test_a_failing_job_is_retried_then_listed_and_retried_by_an_admin(
    app, db_session, redis_db, monkeypatch
):
    questionnaire = a_live_questionnaire(db_session, "csat", "purchase")
    answer(app, questionnaire)
    tries = []

    def broken(*args, **kwargs):
        tries.append(1)
        raise RuntimeError("the analyzer's lexicon is missing")

    monkeypatch.setattr(scoring, "score_answers", broken)
    work(app, redis_db)
    assert len(tries) == 4  # the first run and three retries
    registry = queue_of(redis_db).failed_job_registry
    (job_id,) = registry.get_job_ids()
    assert count(db_session, TextAnalysis) == 0

    runner = app.test_cli_runner()
    listed = runner.invoke(args=["jobs", "failed"])
    assert listed.exit_code == 0, listed.output
    header, row = listed.output.strip().splitlines()
    assert header.split("\t") == ["id", "function", "args", "error", "failed_at"]
    fields = row.split("\t")
    assert fields[:3] == [job_id, "score_response", str(db_session.scalar(select(Response.id)))]
    assert fields[3] == "RuntimeError: the analyzer's lexicon is missing" and fields[4]

    monkeypatch.undo()  # the fault is fixed
    retried = runner.invoke(args=["jobs", "retry", job_id])
    assert retried.exit_code == 0 and "Queued" in retried.output
    assert registry.count == 0 and queue_of(redis_db).job_ids == [job_id]
    work(app, redis_db)
    assert count(db_session, TextAnalysis) == 1
    assert runner.invoke(args=["jobs", "failed"]).output.strip().count("\n") == 0


def test_retry_refuses_unknown_ids_and_needs_an_id_or_all(app, redis_db):
    runner = app.test_cli_runner()
    unknown = runner.invoke(args=["jobs", "retry", "nope"])
    assert unknown.exit_code != 0 and "No failed job has the id nope" in unknown.output
    assert runner.invoke(args=["jobs", "retry"]).exit_code != 0
    assert "Queued 0 failed jobs" in runner.invoke(args=["jobs", "retry", "--all"]).output


def test_the_admin_jobs_page_lists_failed_jobs_and_retries_them(
    app, client, auth, forms, db_session, redis_db, monkeypatch
):
    job_id = a_failed_job(app, db_session, redis_db, monkeypatch)
    auth.login("admin@example.com", "admin")
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert job_id in page and "score_response" in page and "RuntimeError: boom" in page
    reply = forms.post(
        "/admin/jobs/retry", {"job_id": job_id}, page_url="/admin/jobs", follow_redirects=True
    )
    assert f"Queued {job_id} again." in reply.get_data(as_text=True)
    assert queue_of(redis_db).job_ids == [job_id]
    assert queue_of(redis_db).failed_job_registry.count == 0


def a_failed_job(app, db_session, redis_db, monkeypatch) -> str:
    """A scoring job whose every run fails."""
    questionnaire = a_live_questionnaire(db_session, "csat", "purchase")
    answer(app, questionnaire)

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    with monkeypatch.context() as patch:
        patch.setattr(scoring, "score_answers", broken)
        work(app, redis_db)
    (job_id,) = queue_of(redis_db).failed_job_registry.get_job_ids()
    return job_id


@pytest.mark.parametrize("role", ["researcher", "cx_lead"])
def test_only_admins_see_the_jobs_page(app, client, auth, forms, role):
    auth.login(f"{role}@example.com", role)
    assert client.get("/admin/jobs").status_code == 403
    token = forms.token("/home")
    reply = client.post("/admin/jobs/retry", data={"csrf_token": token, "all": "1"})
    assert reply.status_code == 403
    assert 'href="/admin/jobs"' not in client.get("/home").get_data(as_text=True)


# --- reports --------------------------------------------------------------------------------


def test_the_report_is_prepared_by_a_worker_then_downloaded(
    app, client, auth, forms, db_session, redis_db
):
    questionnaire = a_live_questionnaire(db_session, "csat", "purchase")
    answer(app, questionnaire)
    work(app, redis_db)  # the answer's scoring
    journey_id = questionnaire.journey_id
    auth.login_as_cx_lead()
    list_url = f"/journeys/{journey_id}/pain-points?answer_language=fr"
    page = client.get(list_url).get_data(as_text=True)
    assert f'action="/journeys/{journey_id}/reports?answer_language=fr"' in page

    reply = forms.post(
        f"/journeys/{journey_id}/reports?answer_language=fr", {"fmt": "xlsx"}, list_url
    )
    assert reply.status_code == 303
    status_url = reply.headers["Location"]
    waiting = client.get(status_url)
    assert waiting.status_code == 200 and waiting.headers["Refresh"] == "3"
    assert "Being prepared" in waiting.get_data(as_text=True)
    row = db_session.scalar(select(ReportFile))
    assert (row.fmt, row.filters, row.status) == ("xlsx", {"lang": "fr"}, "pending")
    assert row.requested_by_id is not None and row.expires_at > row.created_at
    assert client.get(status_url + "/download").status_code == 302  # not ready yet

    work(app, redis_db)
    ready = client.get(status_url)
    assert "Refresh" not in ready.headers and "Download" in ready.get_data(as_text=True)
    download = client.get(status_url + "/download")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(download.data))
    assert book.sheetnames == ["Summary", "Pain points", "Answers"]
    answers = [row for row in book["Answers"].iter_rows(values_only=True)][1:]
    assert any(LATE in (cell or "") for row in answers for cell in row if isinstance(cell, str))


def test_a_pdf_report_and_its_owner(app, client, auth, forms, db_session, redis_db):
    questionnaire = a_live_questionnaire(db_session, "csat", "purchase")
    journey_id = questionnaire.journey_id
    auth.login_as_cx_lead()
    list_url = f"/journeys/{journey_id}/pain-points"
    status_url = forms.post(f"/journeys/{journey_id}/reports", {"fmt": "pdf"}, list_url).location
    work(app, redis_db)
    assert client.get(status_url + "/download").data.startswith(b"%PDF")
    # Another reader does not see it; an admin does.
    other = app.test_client()
    a_user(db_session, "other@example.com", "cx_lead")
    from conftest import AuthActions, Forms

    AuthActions(other, Forms(other), db_session).login("other@example.com", "cx_lead")
    assert other.get(status_url).status_code == 404
    admin = app.test_client()
    AuthActions(admin, Forms(admin), db_session).login("admin@example.com", "admin")
    assert admin.get(status_url + "/download").status_code == 200


def test_a_report_whose_job_failed_says_so(
    app, client, auth, forms, db_session, redis_db, monkeypatch
):
    questionnaire = a_live_questionnaire(db_session, "csat", "purchase")
    journey_id = questionnaire.journey_id
    auth.login_as_cx_lead()
    list_url = f"/journeys/{journey_id}/pain-points"
    status_url = forms.post(f"/journeys/{journey_id}/reports", {"fmt": "pdf"}, list_url).location

    def broken(*args, **kwargs):
        raise RuntimeError("matplotlib is gone")

    monkeypatch.setattr("surveys.jobs.report_jobs.write_report", broken)
    work(app, redis_db)
    page = client.get(status_url).get_data(as_text=True)
    assert "could not be prepared" in page and "Jobs" in page


def test_with_redis_down_the_report_page_says_try_again(database_url, db_session):
    with an_app(database_url, **REDIS_DOWN) as app:
        questionnaire = a_live_questionnaire(db_session, "csat", "purchase")
        client = app.test_client()
        from conftest import AuthActions, Forms

        forms = Forms(client)
        AuthActions(client, forms, db_session).login_as_cx_lead()
        url = f"/journeys/{questionnaire.journey_id}/pain-points"
        reply = forms.post(
            f"/journeys/{questionnaire.journey_id}/reports", {"fmt": "xlsx"}, url,
            follow_redirects=True,
        )  # fmt: skip
        assert "could not be queued" in reply.get_data(as_text=True)
        assert db_session.scalar(select(ReportFile.status)) == "failed"


# --- invitation emails ----------------------------------------------------------------------


class Sink:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"


@pytest.fixture
def smtp(app):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    yield sink
    controller.stop()


def test_invitation_emails_are_sent_by_a_worker(
    app, client, auth, forms, db_session, redis_db, smtp
):
    questionnaire = a_live_questionnaire(db_session, "csat", "purchase")
    for n in range(3):
        an_invitation(db_session, questionnaire, customer_ref=f"C-{n}", email=f"c{n}@example.com")
    auth.login()
    list_url = f"/questionnaires/{questionnaire.id}/invitations"
    reply = forms.post(list_url + "/email", page_url=list_url, follow_redirects=True)
    assert "Emailing 3 invitations in the background" in reply.get_data(as_text=True)
    assert smtp.messages == []
    # A second click while the job waits queues nothing more.
    forms.post(list_url + "/email", page_url=list_url)
    assert queue_of(redis_db).count == 1

    work(app, redis_db)
    assert sorted(m["To"] for m in smtp.messages) == [f"c{n}@example.com" for n in range(3)]
    db_session.expire_all()
    assert all(i.sent_at is not None for i in db_session.scalars(select(Invitation)))
    # Nothing is waiting any more: a new job sends nothing twice.
    with app.app_context():
        job_queue.enqueue(email_invitations, questionnaire.id)
    work(app, redis_db)
    assert len(smtp.messages) == 3


def test_a_mail_server_that_is_away_makes_the_job_retry(app, db_session, redis_db):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=dead_port)
    questionnaire = a_live_questionnaire(db_session, "csat", "purchase")
    an_invitation(db_session, questionnaire, email="anne@example.com")
    with app.app_context():
        queue_invitation_emails(questionnaire.id)
    work(app, redis_db)
    registry = queue_of(redis_db).failed_job_registry
    assert registry.count == 1  # after its retries
    db_session.expire_all()
    invitation = db_session.scalar(select(Invitation))
    assert invitation.sent_at is None and "Could not reach the mail server" in invitation.send_error


def test_with_redis_down_the_seam_says_so(database_url):
    with (
        an_app(database_url, **REDIS_DOWN) as app,
        app.app_context(),
        pytest.raises(job_queue.QueueUnavailable) as raised,
    ):
        job_queue.enqueue(score_response, 1)
    assert isinstance(raised.value.__cause__, redis.RedisError)
