"""The load balancer's probes, and gunicorn serving the app with gunicorn.conf.py."""

from __future__ import annotations

import os
import runpy
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from builders import an_app
from sqlalchemy import create_engine

from surveys import create_app
from surveys.migrations import upgrade

ROOT = Path(__file__).resolve().parent.parent
REDIS_TEST_URL = "redis://127.0.0.1:6379/14"
CLOSED_PORT_DATABASE = "postgresql+psycopg://postgres@127.0.0.1:1/x"
CLOSED_PORT_REDIS = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_url():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {REDIS_TEST_URL}")
    yield REDIS_TEST_URL
    client.flushdb()
    client.close()


def an_app_without_database(**settings):
    """An app whose database cannot be reached (an_app would empty its tables at the end)."""
    return create_app(
        {"TESTING": True, "SECRET_KEY": "test-secret-key", "DATABASE_URL": CLOSED_PORT_DATABASE}
        | settings
    )


def assert_no_session(reply):
    assert "Set-Cookie" not in reply.headers
    assert "Vary" not in reply.headers


def test_healthz_says_the_process_is_up(client):
    reply = client.get("/healthz")
    assert reply.status_code == 200
    assert reply.json == {"status": "ok"}
    assert reply.headers["Cache-Control"] == "no-store"
    assert_no_session(reply)


def test_healthz_touches_no_database():
    reply = an_app_without_database().test_client().get("/healthz")
    assert reply.status_code == 200
    assert reply.json == {"status": "ok"}


def test_readyz_answers_when_the_database_does(client):
    reply = client.get("/readyz")
    assert reply.status_code == 200
    assert reply.json == {"status": "ok", "checks": {"database": "ok"}}
    assert reply.headers["Cache-Control"] == "no-store"
    assert_no_session(reply)


def test_probes_ignore_a_logged_in_browser(client, auth):
    auth.login()
    for path in ("/healthz", "/readyz"):
        reply = client.get(path)
        assert reply.status_code == 200
        assert_no_session(reply)
    assert client.get("/home").status_code == 200  # the login itself still holds


def test_probes_are_get_only(client):
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405


def test_readyz_names_the_database_when_it_is_down():
    client = an_app_without_database().test_client()
    started = time.perf_counter()
    reply = client.get("/readyz")
    assert time.perf_counter() - started < 5
    assert reply.status_code == 503
    assert reply.json == {
        "status": "unavailable",
        "checks": {"database": "failed"},
        "failed": ["database"],
    }
    assert "127.0.0.1" not in reply.get_data(as_text=True)  # the error goes to the log only
    assert_no_session(reply)


def test_readyz_gives_up_on_a_database_that_never_answers():
    """A server that accepts the connection and then says nothing: the probe answers anyway,
    within its own deadline."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        app = an_app_without_database(
            DATABASE_URL=f"postgresql+psycopg://postgres@127.0.0.1:{port}/x"
        )
        started = time.perf_counter()
        reply = app.test_client().get("/readyz")
        elapsed = time.perf_counter() - started
    assert reply.status_code == 503
    assert reply.json["checks"] == {"database": "timeout"}
    assert reply.json["failed"] == ["database"]
    assert elapsed < 4


def test_readyz_checks_redis_when_it_is_set(database_url, redis_url):
    with an_app(database_url, REDIS_URL=redis_url) as app:
        reply = app.test_client().get("/readyz")
    assert reply.status_code == 200
    assert reply.json == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


def test_readyz_names_redis_when_it_is_down(database_url):
    with an_app(database_url, REDIS_URL=CLOSED_PORT_REDIS) as app:
        started = time.perf_counter()
        reply = app.test_client().get("/readyz")
        assert time.perf_counter() - started < 5
    assert reply.status_code == 503
    assert reply.json == {
        "status": "unavailable",
        "checks": {"database": "ok", "redis": "failed"},
        "failed": ["redis"],
    }


def test_readyz_names_both_when_both_are_down():
    reply = an_app_without_database(REDIS_URL=CLOSED_PORT_REDIS).test_client().get("/readyz")
    assert reply.status_code == 503
    assert reply.json["failed"] == ["database", "redis"]


# gunicorn.conf.py


def gunicorn_settings(monkeypatch, **environ) -> dict:
    for name in ("WEB_CONCURRENCY", "PORT", "BIND", "GUNICORN_THREADS", "GUNICORN_MAX_REQUESTS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_gunicorn_runs_two_workers_per_core_plus_one(monkeypatch):
    settings = gunicorn_settings(monkeypatch)
    assert settings["workers"] == 2 * len(os.sched_getaffinity(0)) + 1
    assert settings["bind"] == ["0.0.0.0:8000"]
    assert settings["wsgi_app"] == "surveys:create_app()"
    assert (settings["timeout"], settings["graceful_timeout"], settings["keepalive"]) == (
        30,
        30,
        5,
    )
    assert settings["max_requests"] == 1000
    assert 0 < settings["max_requests_jitter"] < settings["max_requests"]
    assert settings["accesslog"] == "-"
    assert "%(M)s" in settings["access_log_format"]  # the request time
    assert settings["preload_app"] is False


def test_gunicorn_settings_come_from_the_environment(monkeypatch):
    settings = gunicorn_settings(
        monkeypatch, WEB_CONCURRENCY="3", PORT="9000", FORWARDED_ALLOW_IPS="10.0.0.0/8"
    )
    assert settings["workers"] == 3
    assert settings["bind"] == ["0.0.0.0:9000"]
    assert settings["forwarded_allow_ips"] == "10.0.0.0/8"
    settings = gunicorn_settings(monkeypatch, PORT="9000", BIND="127.0.0.1:9001")
    assert settings["bind"] == ["127.0.0.1:9001"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as reply:  # noqa: S310 (our own server)
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.mark.slow
def test_gunicorn_serves_the_app(tmp_path):
    gunicorn = Path(sys.executable).parent / "gunicorn"
    if not gunicorn.exists():
        pytest.skip("gunicorn is not installed (the worker extra)")
    database_url = "sqlite:///" + str(tmp_path / "parcours.sqlite")
    engine = create_engine(database_url)
    upgrade(engine)
    engine.dispose()
    port = free_port()
    environ = {
        name: value
        for name, value in os.environ.items()
        if name not in ("SECRET_KEY", "REDIS_URL", "DATABASE_REPLICA_URL", "PORT")
    } | {
        "WEB_CONCURRENCY": "1",
        "BIND": f"127.0.0.1:{port}",
        "PARCOURS_INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": database_url,
    }
    log = (tmp_path / "gunicorn.log").open("w+")
    server = subprocess.Popen(  # noqa: S603
        [str(gunicorn), "-c", "gunicorn.conf.py"],
        cwd=ROOT,
        env=environ,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 12
        while True:
            assert server.poll() is None, "gunicorn stopped:\n" + log_text(log)
            try:
                status, body = fetch(base + "/healthz")
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn never answered:\n" + log_text(log)
                time.sleep(0.1)
        assert (status, body.strip()) == (200, '{"status":"ok"}')
        status, body = fetch(base + "/readyz")
        assert status == 200, body
        assert '"database":"ok"' in body
        status, body = fetch(base + "/login")
        assert status == 200
        assert 'name="password"' in body
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
    text = log_text(log)
    assert "Booting worker" in text
    # The access log line: request line, status, and the request time in milliseconds.
    assert any('"GET /readyz HTTP/1.1" 200' in line and "ms " in line for line in text.splitlines())
    assert server.returncode == 0, text


def log_text(log) -> str:
    log.flush()
    log.seek(0)
    return log.read()
