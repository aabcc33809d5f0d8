"""Fixtures that read like the product's users.

Every test that uses the app runs on SQLite, and also on PostgreSQL when
TEST_DATABASE_URL is set (as CI does). The schema is built once per database by the
migrations, and each test starts from empty tables.
"""

from __future__ import annotations

import os

import pytest
import redis
from aiosmtpd.controller import Controller
from builders import PASSWORD, TEST_REDIS_URL, Sink, a_user, an_app, csrf_token_from, free_port
from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import OperationalError

from surveys.db import new_session
from surveys.migrations import upgrade
from surveys.models import User


def pytest_sessionstart(session):
    """`make test` compiles the catalogs; a bare `pytest` after a .po edit gets them too."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    from surveys.i18n import TRANSLATIONS

    for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with open(po, "rb") as source, open(mo, "wb") as target:
                write_mo(target, read_po(source, locale=po.parent.parent.name))


BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, tmp_path_factory):
    if request.param == "sqlite":
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "parcours.sqlite")
    else:
        url = os.environ["TEST_DATABASE_URL"]
        engine = create_engine(url)
        with engine.begin() as connection:  # the test database's schema is ours to reset
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    engine = create_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture
def app(database_url):
    with an_app(database_url) as app:
        yield app


@pytest.fixture(autouse=True)
def _push_request_context():
    """Replace pytest-flask's context around each test: under it every request of a test
    shares one `g` (its database session, its CSRF token), which no browser ever sees."""
    yield


@pytest.fixture
def redis_db():
    """The machine's Redis on a test database, emptied before and after; skips without it."""
    connection = redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=0.5, socket_timeout=2)
    try:
        connection.ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis does not answer at {TEST_REDIS_URL} ({error}): start redis-server")
    connection.flushdb()
    yield connection
    connection.flushdb()
    connection.close()


@pytest.fixture
def redis_app(database_url, redis_db):
    """The app with REDIS_URL on the test database; retries at once, so a burst sees them."""
    from surveys.jobs import queue as job_queue

    with an_app(database_url, REDIS_URL=TEST_REDIS_URL, JOB_RETRY_INTERVALS=[0]) as app:
        yield app
        connection = app.extensions.get(job_queue.EXTENSION_KEY)
        if connection is not None:
            connection.close()


@pytest.fixture
def client(app):
    """pytest-flask's client keeps the last request's context pushed (`with client:`), so
    another browser's requests would share its `g` and CSRF token; this one keeps nothing."""
    return app.test_client()


@pytest.fixture
def db_session(app):
    with new_session(app) as session:
        yield session


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class Forms:
    """Post forms the way a browser does: open the page, then send its CSRF token."""

    def __init__(self, client):
        self.client = client

    def token(self, page_url: str) -> str:
        return csrf_token_from(self.client.get(page_url).get_data(as_text=True))

    def post(self, url: str, data: dict | None = None, page_url: str | None = None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.token(page_url or url))
        return self.client.post(url, data=data, **kwargs)


@pytest.fixture
def forms(client):
    return Forms(client)


class AuthActions:
    def __init__(self, client, forms, session):
        self.client = client
        self.forms = forms
        self.session = session

    def create_user(self, email: str, role: str) -> User:
        return a_user(self.session, email, role)

    def login(self, email: str = "researcher@example.com", role: str = "researcher"):
        if self.session.query(User).filter_by(email=email).first() is None:
            self.create_user(email, role)
        return self.forms.post("/login", {"email": email, "password": PASSWORD})

    def login_as_cx_lead(self):
        return self.login("cx@example.com", "cx_lead")

    def logout(self):
        return self.forms.post("/logout", page_url="/home")


@pytest.fixture
def auth(client, forms, db_session):
    return AuthActions(client, forms, db_session)


@pytest.fixture
def database_away(app):
    """Every statement fails as when the server is gone; call it to bring the server back."""
    engine = app.extensions["parcours.db"].kw["bind"]

    def refuse(conn, cursor, statement, parameters, context, executemany):
        raise OperationalError(statement, parameters, Exception("connection refused"))

    def back():
        if event.contains(engine, "before_cursor_execute", refuse):
            event.remove(engine, "before_cursor_execute", refuse)

    def away():
        event.listen(engine, "before_cursor_execute", refuse)
        return back

    yield away
    back()


@pytest.fixture
def smtp(app):
    """A real SMTP server on a loopback port for the app (MAIL_SERVER set); yields what it
    received as (recipients, message), refusing the mailbox REFUSED."""
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    yield sink
    controller.stop()
