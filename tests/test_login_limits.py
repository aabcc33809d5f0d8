"""Guessing passwords: failed logins are limited per address and per email, a lockout holds
even for the right password until its window passes, unknown emails look like wrong
passwords, successful logins are never counted, and the session is new after a login."""

from __future__ import annotations

import re
import time
from types import SimpleNamespace

import limits.storage.memory
import pytest
from builders import PASSWORD, TEST_REDIS_URL, a_user, an_app, csrf_token_from

from surveys.auth import routes as login_routes
from surveys.db import new_session

SMALL = {"LOGIN_LIMIT_PER_ADDRESS": "3 per 15 minutes", "LOGIN_LIMIT_PER_EMAIL": "100 per hour"}


class Browser:
    """One browser at one address, posting the login form with its CSRF token."""

    def __init__(self, app, address: str = "198.51.100.1", headers: dict | None = None):
        self.client = app.test_client()
        self.environ = {"REMOTE_ADDR": address}
        self.headers = headers or {}
        self.token = None

    def login(self, email: str, password: str = PASSWORD):
        if self.token is None:
            page = self.client.get("/login", environ_base=self.environ, headers=self.headers)
            self.token = csrf_token_from(page.get_data(as_text=True))
        data = {"csrf_token": self.token, "email": email, "password": password}
        return self.client.post(
            "/login", data=data, environ_base=self.environ, headers=self.headers
        )


def limited_app(database_url, **settings):
    return an_app(database_url, **{**SMALL, **settings})


@pytest.fixture
def limiter_clock(monkeypatch):
    """The limiter's clock (its in-memory storage), moved on by hand: no test waits 15 min."""
    clock = SimpleNamespace(offset=0.0)
    clock.time = lambda: time.time() + clock.offset
    monkeypatch.setattr(limits.storage.memory, "time", clock)
    return clock


def refused(response) -> int:
    """A lockout: the site's 429 page with Retry-After; returns the seconds to wait."""
    assert response.status_code == 429, response.status
    page = response.get_data(as_text=True)
    assert "Too many requests" in page and 'class="card narrow error-page"' in page
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    return int(response.headers["Retry-After"])


def test_the_eleventh_failure_from_one_address_is_429_with_the_default_limits(app, db_session):
    assert app.config["LOGIN_LIMIT_PER_ADDRESS"] == "10 per 15 minutes"
    a_user(db_session, "ana@example.com", "researcher")
    attacker = Browser(app, "203.0.113.5")
    # Ten different emails (none reaches the per-email limit), known and unknown alike.
    emails = ["ana@example.com"] + [f"nobody{i}@example.com" for i in range(9)]
    assert [attacker.login(email, "wrong password").status_code for email in emails] == [401] * 10
    assert 0 < refused(attacker.login("someone@example.com", "wrong password")) <= 15 * 60
    assert refused(attacker.login("ana@example.com"))  # the right password too
    assert Browser(app, "192.0.2.44").login("ana@example.com").status_code == 302


def test_the_sixth_failure_for_one_email_is_429_from_any_address_with_the_defaults(app, db_session):
    assert app.config["LOGIN_LIMIT_PER_EMAIL"] == "5 per 15 minutes"
    a_user(db_session, "ana@example.com", "researcher")
    a_user(db_session, "ben@example.com", "researcher")
    for i in range(5):  # a botnet: one try per address
        assert Browser(app, f"203.0.113.{i}").login("ana@example.com", "guess").status_code == 401
    fresh = Browser(app, "198.51.100.77")
    assert 0 < refused(fresh.login("ANA@example.com ", "guess")) <= 15 * 60  # the same account
    assert refused(fresh.login("ana@example.com"))  # locked, even for its owner
    assert fresh.login("ben@example.com").status_code == 302  # other accounts are not


def test_a_correct_password_after_the_lockout_is_429_until_the_window_passes(
    database_url, limiter_clock
):
    with limited_app(database_url) as app:
        with new_session(app) as session:
            a_user(session, "ana@example.com", "researcher")
        browser = Browser(app)
        for _ in range(3):
            assert browser.login("ana@example.com", "wrong password").status_code == 401
        wait = refused(browser.login("ana@example.com"))
        assert 14 * 60 < wait <= 15 * 60
        limiter_clock.offset = 10 * 60
        refused(browser.login("ana@example.com"))  # still locked, and not counted longer
        limiter_clock.offset = 15 * 60 + 1
        assert browser.login("ana@example.com").status_code == 302


def test_only_failures_count(database_url):
    with limited_app(database_url, LOGIN_LIMIT_PER_EMAIL="3 per 15 minutes") as app:
        with new_session(app) as session:
            a_user(session, "ana@example.com", "researcher")
        browser = Browser(app)
        for _ in range(5):  # more than the limit, all successful
            assert browser.login("ana@example.com").status_code == 302
            token = csrf_token_from(browser.client.get("/home").get_data(as_text=True))
            browser.client.post("/logout", data={"csrf_token": token})
            browser.token = None
        # Forms refused before any password is checked (a bad address, no CSRF token)
        # are not counted either.
        no_token = {"email": "ana@example.com", "password": "bad"}
        for _ in range(5):
            assert browser.login("not an address", "bad").status_code == 400
            post = browser.client.post("/login", data=no_token, environ_base=browser.environ)
            assert post.status_code == 400
        assert [browser.login("ana@example.com", "bad").status_code for _ in range(4)] == [
            401,
            401,
            401,
            429,
        ]


def page_of(response) -> str:
    return re.sub(r'name="csrf_token"[^>]*>', "", response.get_data(as_text=True))


def test_unknown_emails_get_the_same_answer_as_wrong_passwords(database_url, monkeypatch):
    checked = []
    real_check = login_routes.check_password_hash
    monkeypatch.setattr(
        login_routes,
        "check_password_hash",
        lambda known, password: checked.append(known) or real_check(known, password),
    )
    with limited_app(database_url) as app:
        with new_session(app) as session:
            a_user(session, "ana@example.com", "researcher")
        browser = Browser(app)
        wrong = browser.login("ana@example.com", "wrong password")
        unknown = browser.login("nobody@example.com", "wrong password")
        assert wrong.status_code == unknown.status_code == 401
        assert page_of(wrong) == page_of(unknown).replace("nobody@", "ana@")
        assert sorted(wrong.headers.keys()) == sorted(unknown.headers.keys())
        # Both paid for a password check (scrypt), so the time tells nothing either.
        assert len(checked) == 2 and all(known.startswith("scrypt:") for known in checked)
        # And both counted: the unknown email used the address's budget too.
        browser.login("nobody2@example.com", "x")
        refused(browser.login("ana@example.com"))


def test_forwarded_addresses_are_believed_only_behind_a_configured_proxy(database_url):
    with limited_app(database_url) as app:
        statuses = [
            Browser(app, headers={"X-Forwarded-For": f"192.0.2.{i}"})
            .login(f"nobody{i}@example.com", "x")
            .status_code
            for i in range(4)
        ]
        assert statuses == [401, 401, 401, 429]  # a made-up header is no new address
    with limited_app(database_url, PROXY_FIX=1) as app:
        behind_proxy = [
            Browser(app, "10.0.0.2", headers={"X-Forwarded-For": f"192.0.2.{i}"})
            .login(f"nobody{i}@example.com", "x")
            .status_code
            for i in range(4)
        ]
        assert behind_proxy == [401] * 4  # four clients behind one proxy


def test_the_session_is_new_after_login(client, db_session, forms):
    a_user(db_session, "ana@example.com", "researcher")
    with client.session_transaction() as planted:  # e.g. a session fixed by an attacker
        planted["planted"] = "by someone else"
    before = client.get_cookie("session").value
    response = forms.post("/login", {"email": "ana@example.com", "password": PASSWORD})
    assert response.status_code == 302
    after = client.get_cookie("session").value
    assert after != before
    with client.session_transaction() as session:
        assert "planted" not in session and session["_user_id"]


def test_with_redis_every_worker_sees_the_failures(database_url, redis_db):
    settings = {"REDIS_URL": TEST_REDIS_URL}
    with limited_app(database_url, **settings) as one, limited_app(database_url, **settings) as two:
        for app in (one, two, one):
            assert Browser(app).login("nobody@example.com", "x").status_code == 401
        refused(Browser(two).login("nobody@example.com", "x"))
        keys = [key.decode() for key in redis_db.keys("*")]
        assert keys and all("nobody" not in key for key in keys), keys  # emails are hashed


def test_the_lockout_page_says_how_long_to_wait_and_who_can_help(database_url):
    with limited_app(database_url, LOGIN_LIMIT_PER_ADDRESS="2 per 15 minutes") as app:
        browser = Browser(app)
        for _ in range(2):
            assert browser.login("nobody@example.com", "wrong").status_code == 401
        page = browser.login("nobody@example.com", "wrong").get_data(as_text=True)
    assert "Wait 15 minutes and try again" in page
    assert "ask an administrator to set a new one" in page
