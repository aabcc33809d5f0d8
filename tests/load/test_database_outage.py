"""The database goes away mid-load and comes back: nothing acknowledged is lost, nobody sees a
500, a customer who sends while it is away keeps every answer on a 503 page that says to try
again, and the same gunicorn (no restart) serves again once the database is back.

The test starts a PostgreSQL server of its own (initdb into a temporary folder, its own
port), stops it (`pg_ctl -m immediate`: connections cut mid-transaction, like a crash) while
customers and an API client keep sending, and starts it again. Every submission turned away
is sent again afterwards from what the 503 page holds (same submission key, same
Idempotency-Key), as the customer would: each must be stored once.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session, selectinload

from surveys.models import Response

from .kit import (
    Browser,
    OwnPostgres,
    app_url,
    create_database,
    form_fields,
    gunicorn,
    postgres_binaries,
    seed,
    wait_for,
)

pytestmark = pytest.mark.slow

FORM_CLIENTS = 12
API_CLIENTS = 2
DOWN_S = 4
ENOUGH = 2 * (FORM_CLIENTS + API_CLIENTS)  # answers stored before, and again after, the outage
TRY_AGAIN = "please send them again"  # the survey's "unavailable" notice, in English


def answers(number: int) -> dict[str, str]:
    return {
        "q_csat": str(1 + number % 5),
        "q_why": f"Order D-{number}: the parcel was late",
        "q_emotion": ("anger", "joy", "trust")[number % 3],
    }


@dataclass
class Pending:
    """A submission turned away with a 503, to send again once the database is back."""

    number: int
    kind: str  # "form" or "api"
    fields: list = field(default_factory=list)  # the form as the 503 page holds it
    cookies: dict = field(default_factory=dict)


class Load:
    def __init__(self, port: int, seeded):
        self.port = port
        self.seeded = seeded
        self.lock = threading.Lock()
        self.numbers = iter(range(1_000_000))
        self.stop = threading.Event()
        self.database_down = threading.Event()
        self.acknowledged: set[int] = set()
        self.acknowledged_while_down: set[int] = set()
        self.pending: list[Pending] = []
        self.failures: list[str] = []
        self.statuses: Counter = Counter()

    def next_number(self) -> int:
        with self.lock:
            return next(self.numbers)

    def record(self, what: str, status: int) -> None:
        with self.lock:
            self.statuses[(what, status)] += 1

    def fail(self, message: str) -> None:
        with self.lock:
            self.failures.append(message)

    def ack(self, number: int) -> None:
        with self.lock:
            self.acknowledged.add(number)
            if self.database_down.is_set():
                self.acknowledged_while_down.add(number)

    def guarded(self, work) -> None:
        """Run a client's loop; whatever breaks it is a failure of the test, not a lost thread."""
        try:
            work()
        except Exception as error:  # noqa: BLE001 - reported with the others
            self.fail(f"{work.__name__}: {error!r}")

    def customer(self) -> None:
        browser = Browser(self.port)
        path = self.seeded.path
        while not self.stop.is_set():
            number = self.next_number()
            browser.cookies.clear()
            status, page = browser.request("GET", path)
            self.record("GET", status)
            if status == 503:
                if "try again" not in page.lower() or "Retry-After" not in browser.headers:
                    self.fail(f"GET #{number}: a 503 without 'try again': {page[:300]}")
                time.sleep(0.2)  # the customer waits a moment and reloads
                continue
            if status != 200:
                self.fail(f"GET #{number}: {status} {page[:300]}")
                continue
            sent = [(k, v) for k, v in form_fields(page) if not k.startswith("q_")]
            sent += list(answers(number).items())
            status, page = browser.post_form(path, sent)
            self.record("POST", status)
            if status == 303:
                self.ack(number)
            elif status == 503:
                self.check_kept(number, sent, page, browser)
                kept = Pending(number, "form", form_fields(page), dict(browser.cookies))
                with self.lock:
                    self.pending.append(kept)
                time.sleep(0.2)
            else:
                self.fail(f"POST #{number}: {status} {page[:300]}")

    def check_kept(self, number: int, sent: list, page: str, browser: Browser) -> None:
        """The 503 page holds every answer and the submission key, and says to try again."""
        kept = form_fields(page)
        missing = [pair for pair in sent if pair[0] != "csrf_token" and pair not in kept]
        if missing:
            self.fail(f"POST #{number}: the 503 page lost {missing}: {page[:500]}")
        if TRY_AGAIN not in page or browser.headers.get("Retry-After") is None:
            self.fail(f"POST #{number}: the 503 page does not say to try again: {page[:500]}")

    def api_client(self) -> None:
        browser = Browser(self.port)
        while not self.stop.is_set():
            number = self.next_number()
            status, text = self.send_api(browser, number)
            self.record("API", status)
            if status == 201:
                self.ack(number)
            elif status == 503 and json.loads(text)["error"]["code"] == "unavailable":
                with self.lock:
                    self.pending.append(Pending(number, "api"))
                time.sleep(0.2)
            else:
                self.fail(f"API #{number}: {status} {text[:300]}")

    def send_api(self, browser: Browser, number: int) -> tuple[int, str]:
        given = answers(number)
        body = {
            "language": "en",
            "answers": {"csat": int(given["q_csat"]), "why": given["q_why"],
                        "emotion": given["q_emotion"]},
        }  # fmt: skip
        headers = {
            "Authorization": f"Bearer {self.seeded.token}",
            "Idempotency-Key": f"outage-{number}",
        }
        path = f"/api/v1/questionnaires/{self.seeded.questionnaire_id}/responses"
        return browser.post_json(path, body, headers)

    def send_again(self, pending: Pending) -> None:
        """What the customer does on the 503 page once the database is back: send it."""
        browser = Browser(self.port)
        if pending.kind == "api":
            status, text = self.send_api(browser, pending.number)
            expected = 201
        else:
            browser.cookies = dict(pending.cookies)
            status, text = browser.post_form(self.seeded.path, pending.fields)
            expected = 303
        self.record("again", status)
        if status == expected:
            self.ack(pending.number)
        else:
            self.fail(f"sent again #{pending.number} ({pending.kind}): {status} {text[:300]}")


def test_the_database_going_away_mid_load_loses_nothing(postgres_admin, tmp_path):
    binaries = postgres_binaries()
    if binaries is None:
        pytest.skip("no PostgreSQL server binaries under /usr/lib/postgresql (or PG_BIN)")
    own = OwnPostgres(binaries)
    try:
        own.init()
        own.start()
        database_url = app_url(create_database(own.admin_url(), "parcours_outage"))
        seeded = seed(database_url)
        with gunicorn(database_url, tmp_path) as server:
            port = int(server.base.rsplit(":", 1)[1])
            load = Load(port, seeded)
            clients = [load.customer] * FORM_CLIENTS + [load.api_client] * API_CLIENTS
            threads = [
                threading.Thread(target=load.guarded, args=(c,), daemon=True) for c in clients
            ]
            for thread in threads:
                thread.start()
            try:
                wait_for(lambda: len(load.acknowledged) >= ENOUGH, 90, "answers before the outage")
                load.database_down.set()
                own.stop("immediate")
                time.sleep(DOWN_S / 2)
                ready = Browser(port).request("GET", "/readyz")
                time.sleep(DOWN_S / 2)
                own.start()
                load.database_down.clear()
                acknowledged_back = len(load.acknowledged)
                wait_for(
                    lambda: len(load.acknowledged) >= acknowledged_back + ENOUGH,
                    90,
                    "answers after the outage, from the same gunicorn",
                )
            finally:
                load.stop.set()
                for thread in threads:
                    thread.join(timeout=60)
            for pending in load.pending:
                load.send_again(pending)
            # Sending again after it was stored changes nothing (the same keys).
            for pending in load.pending[:5]:
                load.send_again(pending)
            assert server.process.poll() is None, "gunicorn stopped"
            log = server.log_text()
        with_statuses = dict(load.statuses)
        print(f"statuses {with_statuses}; {len(load.pending)} sent again")
        assert not load.failures, f"{len(load.failures)} failures, e.g. {load.failures[:3]}"
        assert not [s for (_what, s) in load.statuses if s >= 500 and s != 503], with_statuses
        assert "Traceback" not in log, log[log.index("Traceback") :][:3000]
        # The outage was felt, by customers who had the page open and by new ones, and
        # answers were taken before and after it without restarting gunicorn.
        assert ready[0] == 503, ready
        assert load.statuses[("POST", 503)] > 0, with_statuses
        assert load.statuses[("GET", 503)] > 0, with_statuses

        engine = create_engine(database_url)
        with Session(engine) as session:
            stored = session.scalars(select(Response).options(selectinload(Response.answers))).all()
            numbers = Counter()
            wrong = []
            for response in stored:
                values = {a.question.key: a for a in response.answers}
                number = int(values["why"].text.split(":", 1)[0].removeprefix("Order D-"))
                numbers[number] += 1
                want = answers(number)
                got = {
                    "q_csat": str(int(values["csat"].number)),
                    "q_why": values["why"].text,
                    "q_emotion": values["emotion"].choice,
                }
                if got != want:
                    wrong.append((number, got, want))
        engine.dispose()
        assert not [n for n, count in numbers.items() if count > 1], "stored twice"
        assert set(numbers) == load.acknowledged, (
            sorted(load.acknowledged - set(numbers))[:10],
            sorted(set(numbers) - load.acknowledged)[:10],
        )
        assert not wrong, wrong[:5]
    finally:
        own.remove()
