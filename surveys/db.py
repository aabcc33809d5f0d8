"""Engines and sessions: one SQLAlchemy session per request, closed at teardown.

Every write goes to DATABASE_URL. With DATABASE_REPLICA_URL set, a second engine serves the
heavy read-only queries (the journey map) from a replica; `get_read_session()` falls back to
the request's own session without one.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

EXTENSION_KEY = "parcours.db"
READ_EXTENSION_KEY = "parcours.db.read"
# Seconds to wait for a PostgreSQL server that does not answer (unless the URL says otherwise).
CONNECT_TIMEOUT_S = 10


def make_engine(
    url: str,
    *,
    pool_size: int = 5,
    max_overflow: int = 10,
    pool_recycle: int = 1800,
    statement_timeout_ms: int = 30_000,
) -> Engine:
    """Create the engine with a pool of `pool_size` connections (and `max_overflow` more under
    load), each checked before use and replaced after `pool_recycle` seconds.

    SQLite gets WAL, foreign keys and a busy timeout; PostgreSQL cancels any statement
    running longer than `statement_timeout_ms` (0: never) and gives up connecting after
    CONNECT_TIMEOUT_S.
    """
    parsed = make_url(url)
    pool: dict = {"pool_pre_ping": True}
    if not _in_memory_sqlite(parsed):  # its single shared connection has no pool to size
        pool.update(pool_size=pool_size, max_overflow=max_overflow, pool_recycle=pool_recycle)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 30}, **pool)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    if parsed.get_backend_name() != "postgresql":
        return create_engine(url, **pool)
    connect_args = (
        {} if "connect_timeout" in parsed.query else {"connect_timeout": CONNECT_TIMEOUT_S}
    )
    engine = create_engine(url, connect_args=connect_args, **pool)
    if statement_timeout_ms:

        @event.listens_for(engine, "connect")
        def _statement_timeout(dbapi_connection, _record):
            # Outside a transaction, so the setting holds for the connection's whole life.
            autocommit = dbapi_connection.autocommit
            dbapi_connection.autocommit = True
            cursor = dbapi_connection.cursor()
            cursor.execute(f"SET statement_timeout = {int(statement_timeout_ms)}")
            cursor.close()
            dbapi_connection.autocommit = autocommit

    return engine


def _in_memory_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite" and (
        url.database in (None, "", ":memory:") or url.query.get("mode") == "memory"
    )


def engine_settings(config: Mapping) -> dict:
    """The pool and timeout settings of `make_engine`, from the app's config."""
    return {
        "pool_size": int(config.get("DB_POOL_SIZE", 5)),
        "max_overflow": int(config.get("DB_MAX_OVERFLOW", 10)),
        "pool_recycle": int(config.get("DB_POOL_RECYCLE", 1800)),
        "statement_timeout_ms": int(config.get("DB_STATEMENT_TIMEOUT_MS", 30_000)),
    }


def init_app(app: Flask) -> None:
    settings = engine_settings(app.config)
    engine = make_engine(app.config["DATABASE_URL"], **settings)
    app.extensions[EXTENSION_KEY] = sessionmaker(engine, expire_on_commit=False)
    replica_url = app.config.get("DATABASE_REPLICA_URL")
    if replica_url:
        replica = make_engine(replica_url, **settings)
        app.extensions[READ_EXTENSION_KEY] = sessionmaker(replica, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


def engine_for(app: Flask) -> Engine:
    return app.extensions[EXTENSION_KEY].kw["bind"]


def read_engine_for(app: Flask) -> Engine:
    """The replica's engine, or the primary's when DATABASE_REPLICA_URL is not set."""
    return app.extensions.get(READ_EXTENSION_KEY, app.extensions[EXTENSION_KEY]).kw["bind"]


def get_session() -> Session:
    """The session of the current request or CLI command."""
    if "db_session" not in g:
        g.db_session = current_app.extensions[EXTENSION_KEY]()
    return g.db_session


def get_read_session() -> Session:
    """A session for read-only queries: on the replica when DATABASE_REPLICA_URL is set (so
    what it reads may lag the primary by the replication delay), else `get_session()`.

    Objects loaded here belong to the replica: never change them or write through it.
    """
    factory = current_app.extensions.get(READ_EXTENSION_KEY)
    if factory is None:
        return get_session()
    if "db_read_session" not in g:
        g.db_read_session = factory()
    return g.db_read_session


@contextmanager
def new_session(app: Flask) -> Iterator[Session]:
    """A session outside any request, for commands and workers."""
    with app.extensions[EXTENSION_KEY]() as session:
        yield session


def dispose(app: Flask) -> None:
    """Close every pooled connection of the app's engines (primary and replica)."""
    engine_for(app).dispose()
    read_engine_for(app).dispose()


def _close_session(_exc: BaseException | None) -> None:
    for key in ("db_session", "db_read_session"):
        session = g.pop(key, None)
        if session is not None:
            try:
                session.close()
            except DBAPIError:
                # The server went away after the request's work: its ROLLBACK cannot reach
                # it. Drop the connection instead of turning a finished answer into a 500.
                session.invalidate()
