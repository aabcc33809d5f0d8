"""What the load and fault tests share: PostgreSQL scratch databases and servers, gunicorn,
and a small browser (keep-alive connection, cookie jar, the survey form's fields)."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import psycopg
from builders import a_live_questionnaire, a_user
from sqlalchemy import create_engine
from sqlalchemy.engine import URL

from surveys import create_app
from surveys.api_tokens import issue_token
from surveys.db import dispose, new_session
from surveys.migrations import upgrade

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"
# Environment of the test run that must not leak into the served app.
NOT_INHERITED = ("SECRET_KEY", "REDIS_URL", "DATABASE_REPLICA_URL", "PORT", "BIND")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(check, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"{what} did not happen within {seconds} s"
        time.sleep(0.1)


# --- PostgreSQL ---------------------------------------------------------------------------


def libpq(url: URL) -> str:
    """A SQLAlchemy URL as psycopg wants it (no +psycopg, the password kept)."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def app_url(url: URL) -> str:
    return url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def create_database(admin: URL, name: str) -> URL:
    """A new empty database `name` on the server of `admin`; dropped first if left over."""
    assert re.fullmatch(r"[a-z_][a-z0-9_]*", name) and name != "test", name
    with psycopg.connect(libpq(admin), autocommit=True, connect_timeout=5) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {name}")
    return admin.set(database=name)


def drop_database(admin: URL, name: str) -> None:
    with psycopg.connect(libpq(admin), autocommit=True, connect_timeout=5) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def postgres_binaries() -> Path | None:
    """The newest PostgreSQL server binaries of the machine (PG_BIN wins)."""
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name)
    )
    return found[-1].parent if found else None


class OwnPostgres:
    """A PostgreSQL server of the test's own: initdb into a temporary folder, its own port.

    initdb and pg_ctl refuse root: as root they run as the `postgres` account, which owns
    the folder.
    """

    def __init__(self, binaries: Path):
        self.binaries = binaries
        self.folder = Path(tempfile.mkdtemp(prefix="parcours-own-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self.port = free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            os.chown(self.folder, account.pw_uid, account.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]

    def run(self, tool: str, *args: str, timeout: float = 60) -> None:
        command = [*self.as_user, str(self.binaries / tool), *args]
        # The machine's own PostgreSQL tools with arguments made here.
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)  # noqa: S603
        assert done.returncode == 0, f"{tool} failed:\n{done.stdout}\n{done.stderr}"

    def init(self) -> None:
        self.run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8")

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={self.folder} -c max_connections=60"
        )
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")

    def stop(self, mode: str = "immediate") -> None:
        """`immediate` is the server going away: connections cut, no checkpoint."""
        self.run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def admin_url(self) -> URL:
        return URL.create(
            "postgresql", username="postgres", host="127.0.0.1", port=self.port, database="postgres"
        )

    def remove(self) -> None:
        """Stop the server if it runs and delete its folder, whatever state it is in."""
        if self.running():
            with contextlib.suppress(AssertionError, subprocess.TimeoutExpired):
                self.stop()
        if self.running():  # pg_ctl failed: kill the postmaster named in its pid file
            with contextlib.suppress(OSError, ValueError, IndexError):
                pid = int((self.data / "postmaster.pid").read_text().split()[0])
                os.kill(pid, signal.SIGKILL)
                time.sleep(0.5)
        shutil.rmtree(self.folder, ignore_errors=True)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


# --- The app on that database ---------------------------------------------------------------


@dataclass
class Seeded:
    path: str  # the public survey's path, in English
    questionnaire_id: int
    token: str  # a bearer token with responses:write


def seed(database_url: str) -> Seeded:
    """The schema by the migrations, a live purchase CSAT (score, why, emotion) and an API
    token, made with the app's own services."""
    engine = create_engine(database_url)
    upgrade(engine)
    engine.dispose()
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "x" * 32})
    with new_session(app) as session:
        questionnaire = a_live_questionnaire(session, "csat", "purchase")
        user = a_user(session, "load@example.com", "admin")
        _token, raw = issue_token(session, user, ["responses:write"], "load tests")
        seeded = Seeded(f"/s/{questionnaire.slug}?lang=en", questionnaire.id, raw)
    dispose(app)
    return seeded


@dataclass
class Server:
    base: str
    process: subprocess.Popen
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


@contextlib.contextmanager
def gunicorn(database_url: str, folder: Path, **settings: str) -> Iterator[Server]:
    """`gunicorn -c gunicorn.conf.py` serving the app on a free loopback port; stopped (and
    killed with its workers if it will not stop) when the block ends, even on failure."""
    port = free_port()
    environ = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED} | {
        "BIND": f"127.0.0.1:{port}",
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_hex(32),
        "PARCOURS_INSTANCE_PATH": str(folder / "instance"),
        # One token sends every API submission: the per-token budget is not under test.
        "API_RATE_LIMIT": "1000000 per minute",
        **settings,
    }
    log = folder / "gunicorn.log"
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603 (our own virtualenv's gunicorn)
            [str(GUNICORN), "-c", "gunicorn.conf.py"],
            cwd=ROOT,
            env=environ,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:

        def answers() -> bool:
            assert process.poll() is None, "gunicorn stopped:\n" + server.log_text()
            try:
                return Browser(port).request("GET", "/healthz")[0] == 200
            except OSError:
                return False

        wait_for(answers, 30, "gunicorn answering /healthz")
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=35)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


# --- A browser --------------------------------------------------------------------------------


class Browser:
    """One keep-alive connection (reopened when gunicorn closes it) and a cookie jar."""

    def __init__(self, port: int):
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}
        self.headers: http.client.HTTPMessage | None = None

    def request(
        self, method: str, path: str, body: str | None = None, headers: dict | None = None
    ) -> tuple[int, str]:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            self.connection.request(method, path, body=body, headers=headers)
            reply = self.connection.getresponse()
        except (ConnectionError, http.client.RemoteDisconnected, http.client.BadStatusLine):
            # A kept-alive connection the server had closed: send once more on a new one, as
            # browsers do (the submission and idempotency keys make a repeat harmless).
            self.connection.close()
            self.connection.request(method, path, body=body, headers=headers)
            reply = self.connection.getresponse()
        text = reply.read().decode()
        self.headers = reply.headers
        for cookie in reply.headers.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value
        return reply.status, text

    def post_form(self, path: str, fields: list[tuple[str, str]]) -> tuple[int, str]:
        content = {"Content-Type": "application/x-www-form-urlencoded"}
        return self.request("POST", path, urlencode(fields), content)

    def post_json(self, path: str, body: dict, headers: dict) -> tuple[int, str]:
        content = {"Content-Type": "application/json", **headers}
        return self.request("POST", path, json.dumps(body), content)


class FormFields(HTMLParser):
    """What a browser would send from the page's form: hidden and text inputs, checked radios
    and boxes, textareas."""

    def __init__(self):
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        name = attributes.get("name")
        if tag == "textarea" and name:
            self._textarea = name
            self.fields.append((name, ""))
        elif tag == "input" and name:
            kind = attributes.get("type", "text")
            if kind in ("radio", "checkbox"):
                if "checked" in attributes:
                    self.fields.append((name, attributes.get("value", "on")))
            elif kind != "submit":
                self.fields.append((name, attributes.get("value") or ""))

    def handle_data(self, data):
        if self._textarea:
            name, text = self.fields[-1]
            self.fields[-1] = (name, text + data)

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None


def form_fields(page: str) -> list[tuple[str, str]]:
    parser = FormFields()
    parser.feed(page)
    return parser.fields
