"""Time of `journey_map()` on a seeded SQLite database, next to a bare GROUP BY over answers.

Usage (from the repo root): .venv/bin/python bench/bench_map.py [--responses 1000000]
The database is /tmp/parcours-bench/map-N.sqlite, seeded once with `flask seed-demo
--responses N` and reused (the schema is upgraded first, so new indexes are built).
Target: journey_map() under 1 s at 1,000,000 responses, warm. Prints OK or MISS per line
and exits 1 on a miss. "Cold" is the first call after opening a new connection (the page
cache of the operating system may still hold the file).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from feedback.filters import Filters  # noqa: E402
from feedback.journey_map import journey_map  # noqa: E402
from surveys.demo import DEMO_JOURNEY_NAME  # noqa: E402
from surveys.migrations import upgrade  # noqa: E402
from surveys.models import Journey  # noqa: E402

TARGET_SECONDS = 1.0
TARGET_AT = 1_000_000
FOLDER = Path("/tmp/parcours-bench")  # noqa: S108 - a scratch database, rebuilt at will
BASELINE = "SELECT stage_id, touchpoint_id, count(*), avg(number) FROM answers GROUP BY 1, 2"


def seeded_database(responses: int) -> str:
    """The URL of a database holding the demo with `responses` responses, seeded once."""
    FOLDER.mkdir(parents=True, exist_ok=True)
    path = FOLDER / f"map-{responses}.sqlite"
    url = f"sqlite:///{path}"
    done = FOLDER / f"map-{responses}.seeded"
    if not done.exists():
        path.unlink(missing_ok=True)
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "PARCOURS_INSTANCE_PATH": str(FOLDER / "instance"),
        }
        flask = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "surveys"]
        print(f"Seeding {responses:,} responses into {path} ...", flush=True)
        # Our own virtualenv's flask with fixed arguments.
        subprocess.run([*flask, "init-db"], env=env, cwd=ROOT, check=True)  # noqa: S603
        seed = [*flask, "seed-demo", "--responses", str(responses)]
        subprocess.run(seed, env=env, cwd=ROOT, check=True)  # noqa: S603
        done.touch()
    engine = create_engine(url)
    upgrade(engine)  # builds the indexes of newer migrations on an older seed
    with engine.connect() as connection:
        connection.execute(text("ANALYZE"))
        connection.commit()
    engine.dispose()
    return url


def best_of(runs: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=TARGET_AT)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    url = seeded_database(args.responses)
    engine = create_engine(url)

    def map_once(session: Session) -> object:
        journey = session.scalar(select(Journey).where(Journey.name == DEMO_JOURNEY_NAME))
        return journey_map(session, journey, Filters())

    def cold() -> None:
        engine.dispose()  # a new connection: SQLite's own page cache starts empty
        with Session(engine) as session:
            map_once(session)

    cold_map = best_of(args.runs, cold)
    with Session(engine) as session:
        map_once(session)
        warm_map = best_of(args.runs, lambda: map_once(session))
        warm_base = best_of(args.runs, lambda: session.execute(text(BASELINE)).all())
        answers = session.scalar(text("SELECT count(*) FROM answers"))

    # The target is set at 1M responses; smaller databases are held to a prorated share.
    target = TARGET_SECONDS * max(args.responses, 1) / TARGET_AT
    print(f"{args.responses:,} responses, {answers:,} answers (SQLite, best of {args.runs})")
    print(f"  baseline bare GROUP BY over answers : {warm_base:7.3f} s")
    print(f"  journey_map() cold                  : {cold_map:7.3f} s")
    verdict = "OK" if warm_map < target else "MISS"
    goal = f"target < {target:.3f} s  {verdict}"
    print(f"  journey_map() warm                  : {warm_map:7.3f} s  {goal}")
    print(f"  journey_map() / baseline            : {warm_map / warm_base:7.1f} x")
    return 0 if verdict == "OK" else 1


if __name__ == "__main__":
    sys.exit(main())
