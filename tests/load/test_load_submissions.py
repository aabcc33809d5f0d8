"""10,000 submissions from 50 concurrent clients against gunicorn on PostgreSQL: every
acknowledged response is stored exactly once, with the answers that were sent, and no 5xx.

Most submissions go through the JSON API (one request each, an Idempotency-Key); a share
goes through the survey page like a browser (GET the page for its CSRF token and submission
key, POST the form), so the whole run stays within a couple of minutes on two cores. Some of
each are sent twice (the same key), as a double click or a client's retry would.
"""

from __future__ import annotations

import os
import threading
import time
from collections import Counter

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session, selectinload

from surveys.models import Response

from .kit import Browser, form_fields, gunicorn, seed

pytestmark = pytest.mark.slow

SUBMISSIONS = int(os.environ.get("LOAD_SUBMISSIONS", "10000"))
CLIENTS = 50
FORM_EVERY = 8  # one submission in 8 goes through the survey page
REPEAT_EVERY = 40  # and one in 40 is sent a second time with the same key
EMOTIONS = ("joy", "trust", "anger", "surprise", "sadness")


def expected(number: int) -> dict:
    """Distinct answers per submission: the order number sits in the text."""
    return {
        "csat": 1 + number % 5,
        "why": f"Order L-{number}: delivery took {number % 9 + 1} days",
        "emotion": EMOTIONS[number % len(EMOTIONS)],
        "channel": "web" if number % FORM_EVERY == 0 else "api",
    }


class Outcomes:
    def __init__(self):
        self.lock = threading.Lock()
        self.acknowledged: dict[int, int | None] = {}  # number -> the API's response id
        self.failures: list[str] = []
        self.statuses: Counter = Counter()

    def saw(self, status: int) -> None:
        with self.lock:
            self.statuses[status] += 1

    def failed(self, message: str) -> None:
        with self.lock:
            self.failures.append(message)


def by_form(browser: Browser, path: str, number: int, outcomes: Outcomes) -> None:
    browser.cookies.clear()  # a new customer
    status, page = browser.request("GET", path)
    outcomes.saw(status)
    if status != 200:
        return outcomes.failed(f"GET #{number}: {status} {page[:200]}")
    answers = expected(number)
    fields = [(name, value) for name, value in form_fields(page) if not name.startswith("q_")]
    fields += [
        ("q_csat", str(answers["csat"])),
        ("q_why", answers["why"]),
        ("q_emotion", answers["emotion"]),
    ]
    before = dict(browser.cookies)
    status, page = browser.post_form(path, fields)
    outcomes.saw(status)
    if status != 303:
        return outcomes.failed(f"POST #{number}: {status} {page[:200]}")
    with outcomes.lock:
        outcomes.acknowledged[number] = None
    if number % REPEAT_EVERY == 0:
        # The same form sent again from the page as it was (its cookie not yet "answered").
        browser.cookies = before
        status, page = browser.post_form(path, fields)
        outcomes.saw(status)
        if status != 303:
            outcomes.failed(f"POST again #{number}: {status} {page[:200]}")


def by_api(browser: Browser, seeded, number: int, outcomes: Outcomes) -> None:
    answers = expected(number)
    body = {
        "language": "en",
        "answers": {k: answers[k] for k in ("csat", "why", "emotion")},
        "metadata": {"order_id": f"L-{number}"},
    }
    headers = {"Authorization": f"Bearer {seeded.token}", "Idempotency-Key": f"load-{number}"}
    path = f"/api/v1/questionnaires/{seeded.questionnaire_id}/responses"
    for attempt in range(2 if number % REPEAT_EVERY == 0 else 1):
        status, text = browser.post_json(path, body, headers)
        outcomes.saw(status)
        if status != 201:
            return outcomes.failed(f"API #{number} (attempt {attempt + 1}): {status} {text[:200]}")
        stored_id = int(text.split('"id":', 1)[1].split(",", 1)[0])
        with outcomes.lock:
            first = outcomes.acknowledged.setdefault(number, stored_id)
        if first != stored_id:
            outcomes.failed(f"API #{number}: the retry got response {stored_id}, not {first}")


def test_ten_thousand_submissions_are_each_stored_once(scratch_database, tmp_path):
    database_url = scratch_database.set(drivername="postgresql+psycopg").render_as_string(
        hide_password=False
    )
    seeded = seed(database_url)
    outcomes = Outcomes()
    tickets = iter(range(SUBMISSIONS))
    tickets_lock = threading.Lock()

    with gunicorn(database_url, tmp_path) as server:
        port = int(server.base.rsplit(":", 1)[1])

        def client() -> None:
            browser = Browser(port)
            while True:
                with tickets_lock:
                    number = next(tickets, None)
                if number is None:
                    return
                try:
                    if number % FORM_EVERY == 0:
                        by_form(browser, seeded.path, number, outcomes)
                    else:
                        by_api(browser, seeded, number, outcomes)
                except Exception as error:  # noqa: BLE001 - reported with the others below
                    outcomes.failed(f"#{number}: {error!r}")
                    browser = Browser(port)

        started = time.monotonic()
        threads = [threading.Thread(target=client, daemon=True) for _ in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.monotonic() - started
        log = server.log_text()

    print(f"{SUBMISSIONS:,} submissions in {seconds:.0f} s; statuses {dict(outcomes.statuses)}")
    assert not [s for s in outcomes.statuses if s >= 500], outcomes.statuses
    assert not outcomes.failures, f"{len(outcomes.failures)} failed, e.g. {outcomes.failures[:5]}"
    assert "Traceback" not in log, log[log.index("Traceback") :][:3000]
    assert len(outcomes.acknowledged) == SUBMISSIONS

    engine = create_engine(database_url)
    with Session(engine) as session:
        stored = session.scalars(
            select(Response)
            .where(Response.questionnaire_id == seeded.questionnaire_id)
            .options(selectinload(Response.answers))
        ).all()
        numbers = Counter()
        wrong = []
        for response in stored:
            values = {a.question.key: a for a in response.answers}
            why = values["why"].text
            number = int(why.split(":", 1)[0].removeprefix("Order L-"))
            numbers[number] += 1
            want = expected(number)
            got = {
                "csat": int(values["csat"].number),
                "why": why,
                "emotion": values["emotion"].choice,
                "channel": response.channel,
            }
            if got != want:
                wrong.append((number, got, want))
            api_id = outcomes.acknowledged.get(number)
            if response.channel == "api" and (
                response.meta.get("order_id") != f"L-{number}" or api_id != response.id
            ):
                wrong.append((number, response.id, response.meta, api_id))
    engine.dispose()
    twice = [n for n, count in numbers.items() if count > 1]
    assert not twice, f"{len(twice)} stored more than once, e.g. {twice[:10]}"
    assert set(numbers) == set(outcomes.acknowledged)
    assert len(stored) == SUBMISSIONS
    assert not wrong, wrong[:5]
