"""The database settings of production: the pool, PostgreSQL's statement timeout, SQLite's
pragmas, and the read replica of the journey map."""

from __future__ import annotations

import sqlite3

import pytest
from builders import PASSWORD, a_live_questionnaire, a_user, an_app, csrf_token_from
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from surveys.api_tokens import issue_token
from surveys.config import settings_from_environment
from surveys.db import (
    dispose,
    engine_for,
    get_read_session,
    get_session,
    make_engine,
    new_session,
    read_engine_for,
)
from surveys.models import Questionnaire, Response
from surveys.question_types import field_name, parse_form
from surveys.submissions import store_response


def only_on(database_url: str, backend: str) -> None:
    if make_url(database_url).get_backend_name() != backend:
        pytest.skip(f"{backend} only (this run is on {make_url(database_url).get_backend_name()})")


def test_the_pool_has_the_production_defaults(app):
    pool = engine_for(app).pool
    assert pool.size() == 5
    assert pool._max_overflow == 10
    assert pool._recycle == 1800
    assert pool._pre_ping is True


def test_the_pool_settings_reach_the_engine(database_url):
    settings = {"DB_POOL_SIZE": 3, "DB_MAX_OVERFLOW": 7, "DB_POOL_RECYCLE": 600}
    with an_app(database_url, **settings) as app:
        pool = engine_for(app).pool
        assert (pool.size(), pool._max_overflow, pool._recycle) == (3, 7, 600)
        assert pool._pre_ping is True


def test_the_settings_are_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("DB_POOL_SIZE", "8")
    monkeypatch.setenv("DB_MAX_OVERFLOW", "2")
    monkeypatch.setenv("DB_POOL_RECYCLE", "300")
    monkeypatch.setenv("DB_STATEMENT_TIMEOUT_MS", "0")
    monkeypatch.setenv("DATABASE_REPLICA_URL", "postgresql+psycopg://reader@replica/parcours")
    found = settings_from_environment()
    assert found["DB_POOL_SIZE"] == 8
    assert found["DB_MAX_OVERFLOW"] == 2
    assert found["DB_POOL_RECYCLE"] == 300
    assert found["DB_STATEMENT_TIMEOUT_MS"] == 0
    assert found["DATABASE_REPLICA_URL"] == "postgresql+psycopg://reader@replica/parcours"


def test_an_in_memory_sqlite_database_still_works():
    """Its one shared connection has no pool to size; the other settings do not break it."""
    engine = make_engine("sqlite://", pool_size=3, max_overflow=1)
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT 1")) == 1
    engine.dispose()


def test_sqlite_keeps_its_pragmas(app, database_url):
    only_on(database_url, "sqlite")
    with new_session(app) as session:
        assert session.scalar(text("PRAGMA journal_mode")) == "wal"
        assert session.scalar(text("PRAGMA foreign_keys")) == 1
        assert session.scalar(text("PRAGMA synchronous")) == 1  # NORMAL
        assert session.scalar(text("PRAGMA busy_timeout")) == 30000


def test_postgresql_connections_have_the_statement_timeout(database_url):
    only_on(database_url, "postgresql")
    with an_app(database_url, DB_STATEMENT_TIMEOUT_MS=1234) as app:
        for _ in range(2):  # a connection back from the pool keeps it
            with app.app_context():
                assert get_session().scalar(text("SHOW statement_timeout")) == "1234ms"
                get_session().rollback()


def test_the_default_statement_timeout_is_thirty_seconds(app, database_url):
    only_on(database_url, "postgresql")
    with new_session(app) as session:
        assert session.scalar(text("SHOW statement_timeout")) == "30s"


def test_a_statement_past_the_timeout_is_cancelled(database_url):
    only_on(database_url, "postgresql")
    with an_app(database_url, DB_STATEMENT_TIMEOUT_MS=200) as app, new_session(app) as session:
        with pytest.raises(OperationalError, match="statement timeout"):
            session.execute(text("SELECT pg_sleep(2)"))
        session.rollback()
        assert session.scalar(text("SELECT 1")) == 1


def test_no_statement_timeout_when_set_to_zero(database_url):
    only_on(database_url, "postgresql")
    with an_app(database_url, DB_STATEMENT_TIMEOUT_MS=0) as app, new_session(app) as session:
        assert session.scalar(text("SHOW statement_timeout")) == "0"


def test_postgresql_gives_up_connecting_after_a_while(database_url):
    only_on(database_url, "postgresql")
    for url, seconds in ((database_url, "10"), (database_url + "?connect_timeout=3", "3")):
        engine = make_engine(url)  # the URL's own value wins
        with engine.connect() as connection:
            parameters = connection.connection.dbapi_connection.info.get_parameters()
        engine.dispose()
        assert parameters["connect_timeout"] == seconds


# The read replica


def test_without_a_replica_reads_use_the_request_session(app):
    assert read_engine_for(app) is engine_for(app)
    with app.test_request_context():
        assert get_read_session() is get_session()


def a_replica_of(database_url: str, tmp_path) -> str:
    """On SQLite, a copy of the database (so the two can then differ); on PostgreSQL, the
    same database under another application_name (so the two connections can be told
    apart)."""
    if make_url(database_url).get_backend_name() == "sqlite":
        copy = tmp_path / "replica.sqlite"
        with (
            sqlite3.connect(make_url(database_url).database) as source,
            sqlite3.connect(copy) as target,
        ):
            source.backup(target)
        source.close()
        target.close()
        return "sqlite:///" + str(copy)
    return database_url + "?application_name=parcours-replica"


def test_reads_go_to_the_replica_when_it_is_set(database_url, tmp_path):
    replica_url = a_replica_of(database_url, tmp_path)
    with an_app(database_url, DATABASE_REPLICA_URL=replica_url) as app:
        try:
            assert read_engine_for(app).url == make_url(replica_url)
            assert read_engine_for(app).url != engine_for(app).url
            assert read_engine_for(app).pool.size() == engine_for(app).pool.size()
            with app.test_request_context():
                read, primary = get_read_session(), get_session()
                assert read is not primary
                assert read is get_read_session()  # one per request
                if make_url(database_url).get_backend_name() == "postgresql":
                    name = "SHOW application_name"
                    assert read.scalar(text(name)) == "parcours-replica"
                    assert primary.scalar(text(name)) != "parcours-replica"
                    assert read.scalar(text("SHOW statement_timeout")) == "30s"
                else:
                    path = read.execute(text("PRAGMA database_list")).all()[0][2]
                    assert path == make_url(replica_url).database
            # Closed at the end of the request, like the primary's.
            assert read.get_transaction() is None
        finally:
            dispose(app)


def test_the_journey_map_reads_the_replica(database_url, tmp_path):
    """Answers only the replica holds show on the map page and in the API's map; the pain
    points, which write their follow-up flags, stay on the primary."""
    only_on(database_url, "sqlite")  # two databases that differ: two SQLite files
    with an_app(database_url) as setup, new_session(setup) as session:
        questionnaire = a_live_questionnaire(session, "csat")
        journey_id, questionnaire_id = questionnaire.journey_id, questionnaire.id
        lead = a_user(session, "lead@example.com", "cx_lead")
        _token, raw = issue_token(session, lead, ["reports:read"])
        replica_url = a_replica_of(database_url, tmp_path)
        replica = create_engine(replica_url)
        with Session(replica) as replica_session:
            on_replica = replica_session.get(Questionnaire, questionnaire_id)
            questions = on_replica.current_version.questions
            for score in ("5", "4", "2"):
                form = {field_name(q): [score] if q.key == "csat" else [] for q in questions}
                parsed = parse_form(questions, form)
                store_response(replica_session, on_replica, parsed.values, "en")
                replica_session.commit()
        replica.dispose()

        with an_app(database_url, DATABASE_REPLICA_URL=replica_url) as app:
            try:
                headers = {"Authorization": f"Bearer {raw}"}
                client = app.test_client()
                reply = client.get(f"/api/v1/journeys/{journey_id}/map", headers=headers)
                assert reply.status_code == 200
                assert reply.json["total"]["n"] == 3
                pains = client.get(f"/api/v1/journeys/{journey_id}/pain-points", headers=headers)
                assert pains.status_code == 200

                token = csrf_token_from(client.get("/login").get_data(as_text=True))
                client.post(
                    "/login",
                    data={"email": "lead@example.com", "password": PASSWORD, "csrf_token": token},
                )
                page = client.get(f"/journeys/{journey_id}/map").get_data(as_text=True)
                assert "<strong>3</strong> responses" in page
                curve = client.get(f"/journeys/{journey_id}/map/emotion-curve.svg")
                assert curve.status_code == 200
                session.expire_all()
                assert session.scalar(select(func.count(Response.id))) == 0  # primary: none
            finally:
                dispose(app)
