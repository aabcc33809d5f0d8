"""Load and fault tests: gunicorn on PostgreSQL, marked `slow` (`make test FAST=1` skips them).

They need PostgreSQL: a scratch database is made next to TEST_DATABASE_URL's (same server,
its name plus `_load_<pid>`) and dropped afterwards; the outage test also starts a server of
its own with the machine's binaries (/usr/lib/postgresql/*/bin, or PG_BIN). Without
TEST_DATABASE_URL (a SQLite-only run) or a reachable server, they skip and say why.
LOAD_SUBMISSIONS changes the size of the 10,000-submission run.
"""

from __future__ import annotations

import os
import signal

import psycopg
import pytest
from sqlalchemy.engine import make_url

from .kit import GUNICORN, create_database, drop_database, libpq


@pytest.fixture(autouse=True)
def _finalizers_run_on_sigterm():
    """`timeout` and CI cancel with SIGTERM, which would end pytest without its finalizers
    and leave gunicorn and PostgreSQL running: turn it into an interrupt, which runs them."""

    def interrupt(_signum, _frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    yield
    signal.signal(signal.SIGTERM, previous)


@pytest.fixture(scope="session")
def postgres_admin():
    """The URL of TEST_DATABASE_URL's server, on its `postgres` maintenance database."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        pytest.skip("load tests need PostgreSQL: set TEST_DATABASE_URL (this run is SQLite only)")
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        pytest.skip(f"load tests need PostgreSQL; TEST_DATABASE_URL is {parsed.drivername}")
    if not GUNICORN.exists():
        pytest.skip("gunicorn is not installed (the worker extra)")
    admin = parsed.set(database="postgres")
    try:
        psycopg.connect(libpq(admin), connect_timeout=3).close()
    except psycopg.Error as error:
        pytest.skip(f"no PostgreSQL reachable at {parsed.host}:{parsed.port or 5432}: {error}")
    return admin, parsed.database


@pytest.fixture
def scratch_database(postgres_admin):
    """A fresh database beside the test database (never the test database itself)."""
    admin, base = postgres_admin
    name = f"{base}_load_{os.getpid()}".lower()
    try:
        url = create_database(admin, name)
    except psycopg.Error as error:
        pytest.skip(f"cannot create a scratch database on {admin.host}: {error}")
    try:
        yield url
    finally:
        drop_database(admin, name)
