"""Complete survey submissions through a real gunicorn on PostgreSQL, next to a bare insert.

    .venv/bin/python bench/bench_submit.py [--submissions 3000] [--clients 50]

Makes a fresh PostgreSQL database (`--database`, default parcours_bench_submit, on the
server of `--admin-url`), runs `flask init-db` and `flask seed-demo --responses 0`, then
serves `bench/baseline_app.py` (the real app plus one bench-only route) with
`gunicorn -c gunicorn.conf.py` on a free loopback port. Clients are threads, each a fresh
browser per submission: GET the purchase survey (CSRF token, submission key, session
cookie), then POST a complete answer (score, a unique "why" text, an emotion), which the
app validates, stores with its answers and scores inline before its 303. The baseline is the
same server's `POST /bench/bare`: one row inserted with raw SQL, nothing else.

Targets: submissions/s >= 60% of bare inserts/s; p99 of the submit POST < 100 ms; 0 errors.
The p99 is measured by the client, so it includes the wait in gunicorn's backlog; the
worker's own time (gunicorn's access log) is printed beside it. Prints OK or MISS per
target and exits 1 on a miss.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import psycopg

ROOT = Path(__file__).resolve().parents[1]
TARGET_RATIO = 0.60
TARGET_P99_MS = 100.0
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
# bench/baseline_app.py's table, made before the server starts (workers at once would race).
TABLE_DDL = "CREATE TABLE bench_bare (id bigserial PRIMARY KEY, body text NOT NULL)"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SUBMISSION_KEY = re.compile(r'name="submission_key" value="([0-9a-f]{32})"')
# gunicorn.conf.py's access log: '... "POST /s/slug HTTP/1.1" 303 189 12ms ...'
ACCESS = re.compile(r'"(GET|POST) (\S+) HTTP/[\d.]+" (\d{3}) \S+ (\d+)ms')
WHY = [
    "Checkout was quick and the card payment went through first time",
    "Le paiement a échoué deux fois avant de passer, pénible",
    "Delivery options were clear but the promo code did not apply",
    "Très simple, j'ai commandé en deux minutes",
]


class Browser:
    """One keep-alive connection and a cookie jar, like a browser tab (http.client, so the
    client's own cost stays small next to the server's on a shared machine)."""

    def __init__(self, base: str):
        parts = urlsplit(base)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connection.request(method, path, body=body, headers=headers)
            reply = self.connection.getresponse()
        except (ConnectionError, http.client.HTTPException):
            # gunicorn's sync workers close after each response: open a new connection once.
            self.connection.close()
            self.connection.request(method, path, body=body, headers=headers)
            reply = self.connection.getresponse()
        text = reply.read().decode()
        for cookie in reply.headers.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value
        return reply.status, text


@dataclass
class Run:
    """Latencies (seconds) per kind of request, and what went wrong."""

    seconds: float = 0.0
    done: int = 0
    times: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def timed(self, kind: str, work: Callable[[], tuple[int, str]]) -> tuple[int, str]:
        started = time.perf_counter()
        status, text = work()
        elapsed = time.perf_counter() - started
        with self.lock:
            self.times.setdefault(kind, []).append(elapsed)
        return status, text


def drive(count: int, clients: int, one: Callable[[Browser, int, Run], bool], base: str) -> Run:
    """`count` operations spread over `clients` threads, each with its own browser."""
    run = Run()
    tickets = iter(range(count))
    tickets_lock = threading.Lock()

    def client() -> None:
        browser = Browser(base)
        while True:
            with tickets_lock:
                number = next(tickets, None)
            if number is None:
                return
            try:
                ok = one(browser, number, run)
            except (OSError, http.client.HTTPException) as error:
                ok = False
                with run.lock:
                    run.errors.append(f"#{number}: {error!r}")
                browser = Browser(base)
            if ok:
                with run.lock:
                    run.done += 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.seconds = time.perf_counter() - started
    return run


def bare_insert(browser: Browser, number: int, run: Run) -> bool:
    status, _ = run.timed("bare", lambda: browser.request("POST", "/bench/bare", f"n={number}"))
    if status != 204:
        run.errors.append(f"bare #{number}: {status}")
    return status == 204


def submission(path: str) -> Callable[[Browser, int, Run], bool]:
    def submit(browser: Browser, number: int, run: Run) -> bool:
        browser.cookies.clear()  # a new customer: the last one's cookie says "answered"
        status, page = run.timed("get", lambda: browser.request("GET", path))
        if status != 200:
            run.errors.append(f"GET #{number}: {status}")
            return False
        form = {
            "csrf_token": CSRF.search(page)[1],
            "submission_key": SUBMISSION_KEY.search(page)[1],
            "lang": "en",
            "q_csat": str(1 + number % 5),
            "q_why": f"{WHY[number % len(WHY)]} (order B-{number})",
            "q_emotion": ("joy", "anger", "trust", "surprise")[number % 4],
        }
        status, _ = run.timed("post", lambda: browser.request("POST", path, urlencode(form)))
        if status != 303:
            run.errors.append(f"POST #{number}: {status}")
        return status == 303

    return submit


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile, in milliseconds."""
    ordered = sorted(values)
    return 1000 * ordered[max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fresh_database(admin_url: str, name: str) -> str:
    if name == "test" or not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SystemExit(f"Refusing database name {name!r}")
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {name}")
    parts = urlsplit(admin_url)
    return parts._replace(scheme="postgresql+psycopg", path=f"/{name}").geturl()


def flask(env: dict, *args: str) -> str:
    command = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "surveys", *args]
    # Our own virtualenv's flask with fixed arguments.
    done = subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True, text=True)  # noqa: S603
    return done.stdout


def purchase_survey(env: dict) -> str:
    """The public path of the demo's purchase questionnaire (score, why, emotion)."""
    for line in flask(env, "list-questionnaires").splitlines()[1:]:
        _id, _journey, stage, _touchpoint, kind, status, url = line.split("\t")
        if stage == "purchase" and kind != "interview" and status == "live":
            return urlsplit(url).path + "?lang=en"
    raise SystemExit("seed-demo made no live purchase questionnaire")


def start_gunicorn(env: dict, log_path: Path, base: str) -> subprocess.Popen:
    gunicorn = [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "gunicorn.conf.py"]
    with log_path.open("w") as log:
        # Our own virtualenv's gunicorn serving our own module.
        server = subprocess.Popen(  # noqa: S603
            [*gunicorn, "bench.baseline_app:app"],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn stopped:\n" + log_path.read_text())
        try:
            if Browser(base).request("GET", "/readyz")[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn never became ready:\n" + log_path.read_text())


def server_times(log_path: Path, since: int, method: str, prefix: str) -> list[float]:
    """The worker's own times (seconds) for matching requests logged after byte `since`."""
    with log_path.open() as log:
        log.seek(since)
        found = ACCESS.findall(log.read())
    return [int(ms) / 1000 for m, path, _s, ms in found if m == method and path.startswith(prefix)]


def stored_responses(database_url: str) -> int:
    with psycopg.connect(database_url.replace("+psycopg", "")) as connection:
        return connection.execute("SELECT count(*) FROM responses").fetchone()[0]


def line(label: str, count: int, seconds: float, times: list[float], errors: int) -> str:
    rate = f"{count / seconds:8.1f}/s" if seconds else " " * 10
    p50, p95, p99 = (percentile(times, s) for s in (0.50, 0.95, 0.99))
    return f"  {label:<34}{count:>7,} {rate}  {p50:6.1f} {p95:6.1f} {p99:6.1f} ms  {errors} errors"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=3000)
    parser.add_argument("--baseline", type=int, default=None, help="bare inserts (default: 2x)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--admin-url", default=os.environ.get("BENCH_ADMIN_URL", ADMIN_URL))
    parser.add_argument("--database", default="parcours_bench_submit")
    args = parser.parse_args()
    baseline_count = args.baseline or 2 * args.submissions

    folder = Path(tempfile.mkdtemp(prefix="parcours-bench-submit-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    database_url = fresh_database(args.admin_url, args.database)
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("REDIS_URL", "DATABASE_REPLICA_URL", "PORT", "WEB_CONCURRENCY")
    } | {
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_hex(32),
        "PARCOURS_INSTANCE_PATH": str(folder / "instance"),
        "BIND": f"127.0.0.1:{port}",
    }
    flask(env, "init-db")
    flask(env, "seed-demo", "--responses", "0")
    path = purchase_survey(env)
    with psycopg.connect(database_url.replace("+psycopg", ""), autocommit=True) as connection:
        connection.execute(TABLE_DDL)

    log_path = folder / "gunicorn.log"
    server = start_gunicorn(env, log_path, base)
    workers = log_path.read_text().count("Booting worker")  # before any max_requests recycling
    try:
        # Warm every worker (imports, the text analyzer's lexicons, pooled connections).
        drive(4 * args.clients, args.clients, submission(path), base)
        drive(4 * args.clients, args.clients, bare_insert, base)
        warm_responses = stored_responses(database_url)

        mark = log_path.stat().st_size
        bare = drive(baseline_count, args.clients, bare_insert, base)
        bare_server = server_times(log_path, mark, "POST", "/bench/bare")
        mark = log_path.stat().st_size
        submit = drive(args.submissions, args.clients, submission(path), base)
        time.sleep(0.5)  # the access log is written after the response
        post_server = server_times(log_path, mark, "POST", "/s/")
        get_server = server_times(log_path, mark, "GET", "/s/")
        stored = stored_responses(database_url) - warm_responses
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
            server.wait()

    print(
        f"gunicorn -c gunicorn.conf.py ({workers} sync workers), PostgreSQL "
        f"{database_url.rsplit('/', 1)[-1]}, {args.clients} client threads, "
        f"{os.cpu_count()} cores shared by clients, server and database"
    )
    print(f"  {'':<34}{'count':>7} {'rate':>10}  {'p50':>6} {'p95':>6} {'p99':>6}")
    print(line("baseline POST /bench/bare", bare.done, bare.seconds, bare.times["bare"],
               len(bare.errors)))  # fmt: skip
    print(line("  (worker time)", len(bare_server), 0, bare_server, 0))
    pairs = [g + p for g, p in zip(submit.times["get"], submit.times["post"], strict=False)]
    print(line("submission GET page + POST", submit.done, submit.seconds, pairs,
               len(submit.errors)))  # fmt: skip
    print(line("  GET survey page", len(submit.times["get"]), 0, submit.times["get"], 0))
    print(line("  POST answers (303)", len(submit.times["post"]), 0, submit.times["post"], 0))
    print(line("  (worker time, GET)", len(get_server), 0, get_server, 0))
    print(line("  (worker time, POST)", len(post_server), 0, post_server, 0))

    bare_rate = bare.done / bare.seconds
    submit_rate = submit.done / submit.seconds
    ratio = submit_rate / bare_rate
    p99 = percentile(submit.times["post"], 0.99)
    errors = len(submit.errors) + len(bare.errors) + abs(stored - submit.done)
    verdicts = {
        "throughput": ratio >= TARGET_RATIO,
        "p99": p99 < TARGET_P99_MS,
        "errors": errors == 0,
    }

    def ok(name: str) -> str:
        return "OK" if verdicts[name] else "MISS"

    print(
        f"  submissions/s vs bare inserts/s : {ratio:6.1%}  "
        f"target >= {TARGET_RATIO:.0%}  {ok('throughput')}"
    )
    print(f"  p99 of the submit POST          : {p99:6.1f} ms  target < {TARGET_P99_MS:.0f} ms  "
          f"{ok('p99')}")  # fmt: skip
    print(
        f"  errors (and stored {stored:,} for {submit.done:,} acknowledged): {errors}  "
        f"target 0  {ok('errors')}"
    )
    for error in (bare.errors + submit.errors)[:5]:
        print("   ", error)
    if errors:
        print(f"  gunicorn's log: {log_path}")
    else:
        shutil.rmtree(folder, ignore_errors=True)
    return 0 if all(verdicts.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
