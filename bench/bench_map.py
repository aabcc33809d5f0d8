"""Time of the journey map over 100k, 1M and 3M responses, next to a bare GROUP BY over answers.

Usage (from the repo root):

    .venv/bin/python bench/bench_map.py [--database sqlite|postgresql] [--sizes 100000,1000000]

Each size is seeded once with `flask seed-demo --responses N` (SQLite files under
/tmp/parcours-bench, PostgreSQL databases `parcours_bench_map_N` on --postgres) and reused;
the schema is upgraded and the rollups built first. Measured warm, best of --runs:
- the map as the page reads it (`journey_map()` from the rollups, no filter),
- the same with a period and a language (the rollups answer it too),
- the map from the answers (`use_rollups=False`, what a segment filter costs),
- the rest of the map page (drop-off) and the pain points page (figures and quotes),
- the baseline: one bare GROUP BY over all answers, in the same run.
Targets: the map under 0.5 s at 1,000,000 responses; at the largest size within 1.5x of
its time at the smallest. Prints OK or MISS per target and exits 1 on a miss.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from feedback.filters import Filters  # noqa: E402
from feedback.journey_map import drop_off, journey_map  # noqa: E402
from feedback.pain_points import pain_points  # noqa: E402
from surveys import rollups  # noqa: E402
from surveys.demo import DEMO_JOURNEY_NAME  # noqa: E402
from surveys.migrations import upgrade  # noqa: E402
from surveys.models import Journey, Response, utcnow  # noqa: E402

TARGET_SECONDS = 0.5
TARGET_AT = 1_000_000
GROWTH = 1.5  # the largest size's time over the smallest's
FOLDER = Path("/tmp/parcours-bench")  # noqa: S108 - scratch databases, rebuilt at will
BASELINE = "SELECT stage_id, touchpoint_id, count(*), avg(number) FROM answers GROUP BY 1, 2"
FLASK = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "surveys"]


def database_url(kind: str, responses: int, postgres: str) -> str:
    if kind == "sqlite":
        FOLDER.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{FOLDER / f'map-{responses}.sqlite'}"
    name = f"parcours_bench_map_{responses}"
    server = make_url(postgres)
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
        )
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server.set(database=name).render_as_string(hide_password=False)


def seeded(url: str, responses: int) -> str:
    """The database at `url` with the demo and `responses` responses, seeded once."""
    engine = create_engine(url)
    upgrade(engine)  # builds the tables and indexes of newer migrations on an older seed
    with Session(engine) as session:
        have = session.scalar(select(func.count(Response.id)))
    engine.dispose()
    if have < responses:
        env = {**os.environ, "DATABASE_URL": url, "PARCOURS_INSTANCE_PATH": str(FOLDER / "inst")}
        print(f"Seeding {responses - have:,} responses into {make_url(url).database} ...")
        started = time.perf_counter()
        # Our own virtualenv's flask with fixed arguments.
        seed = [*FLASK, "seed-demo", "--responses", str(responses - have)]
        subprocess.run(seed, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
        print(f"  seeded in {time.perf_counter() - started:.0f} s")
    engine = create_engine(url)
    with Session(engine) as session:
        if rollups.ensure_built(session):
            session.commit()
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


def measure(url: str, runs: int) -> dict[str, float]:
    engine = create_engine(url)
    today = utcnow().date()
    period = Filters(date_from=today - timedelta(days=29), date_to=today, language="fr")
    with Session(engine) as session:
        journey = session.scalar(select(Journey).where(Journey.name == DEMO_JOURNEY_NAME))

        def the_map(filters: Filters, use_rollups: bool = True) -> Callable[[], object]:
            return lambda: journey_map(session, journey, filters, use_rollups=use_rollups)

        the_map(Filters())()  # warm the caches once
        assert journey_map(session, journey, Filters()).source == "rollups"
        found = {
            "answers": session.scalar(text("SELECT count(*) FROM answers")),
            "baseline": best_of(runs, lambda: session.execute(text(BASELINE)).all()),
            "map": best_of(runs, the_map(Filters())),
            "period": best_of(runs, the_map(period)),
            "from_answers": best_of(min(runs, 2), the_map(Filters(), use_rollups=False)),
            "drop_off": best_of(runs, lambda: drop_off(session, journey, Filters())),
            "pain_points": best_of(runs, lambda: pain_points(session, journey, Filters())),
        }
        session.rollback()  # pain_points() may flag returns; the bench changes nothing
    engine.dispose()
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--sizes", default="100000,1000000,3000000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1:5432/")
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))

    results = {}
    for size in sizes:
        url = seeded(database_url(args.database, size, args.postgres), size)
        results[size] = measure(url, args.runs)

    misses = 0
    print(f"\nJourney map on {args.database}, warm, best of {args.runs} (seconds)")
    widths = {"responses": 10, "answers": 10, "baseline": 9, "map": 8, "30d fr": 8}
    widths |= {"drop-off": 9, "pain points": 12, "map from answers": 17}
    print(" ".join(f"{name:>{width}}" for name, width in widths.items()))
    for size, r in results.items():
        print(
            f"{size:>10,} {r['answers']:>10,} {r['baseline']:>9.3f} {r['map']:>8.4f} "
            f"{r['period']:>8.4f} {r['drop_off']:>9.4f} {r['pain_points']:>12.4f} "
            f"{r['from_answers']:>17.3f}"
        )
    for size, r in results.items():
        if size == TARGET_AT:
            ok = r["map"] < TARGET_SECONDS
            misses += not ok
            print(
                f"map at {size:,}: {r['map']:.4f} s, target < {TARGET_SECONDS} s "
                f"(baseline GROUP BY {r['baseline']:.3f} s)  {'OK' if ok else 'MISS'}"
            )
    if len(sizes) > 1:
        small, large = results[sizes[0]]["map"], results[sizes[-1]]["map"]
        ok = large <= GROWTH * small
        misses += not ok
        print(
            f"map at {sizes[-1]:,} / at {sizes[0]:,}: {large / small:.2f}x, target <= {GROWTH}x "
            f"(baseline {results[sizes[-1]]['baseline'] / results[sizes[0]]['baseline']:.1f}x)  "
            f"{'OK' if ok else 'MISS'}"
        )
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
