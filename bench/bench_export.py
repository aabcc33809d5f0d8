"""Peak memory of the streamed all-answers CSV and XLSX, against a bare SELECT of the same rows.

    .venv/bin/python bench/bench_export.py --responses 1000000

Seeds the demo journey into a fresh SQLite file under /tmp (skipped when the file is
there already, so a second run measures only), then runs each measure in its own process
so one's peak does not hide the other's: the CSV export and the XLSX workbook (answers
past 1,048,575 rows go on in another sheet) streamed to /dev/null, and the same answers
fetched with a bare SELECT streamed to /dev/null. Target: 250 MB peak RSS for each export.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MB = 250
KINDS = ("baseline", "csv", "xlsx")


def peak_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def environment(folder: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite'}",
        "PARCOURS_INSTANCE_PATH": str(folder),
    }


def seed(folder: Path, responses: int) -> None:
    if (folder / "bench.sqlite").exists():
        print(f"Reusing {folder / 'bench.sqlite'}")
        return
    folder.mkdir(parents=True, exist_ok=True)
    flask = [sys.executable, "-m", "flask", "--app", "surveys"]
    env = environment(folder)
    started = time.perf_counter()
    # Our own interpreter and arguments: nothing here comes from outside.
    subprocess.run(  # noqa: S603
        [*flask, "init-db"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL
    )
    subprocess.run(  # noqa: S603
        [*flask, "seed-demo", "--responses", str(responses)],
        env=env,
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    print(f"Seeded {responses:,} responses in {time.perf_counter() - started:.0f} s")


def measure_export(kind: str) -> tuple[int, int]:
    from sqlalchemy import text

    from feedback.exports import answers_csv, answers_xlsx
    from feedback.filters import Filters
    from surveys import create_app
    from surveys.db import new_session
    from surveys.models import Journey

    app = create_app()
    size = lines = 0
    with app.app_context(), new_session(app) as session, open(os.devnull, "wb") as sink:
        journey = session.get(Journey, 1)
        if kind == "xlsx":
            rows = session.scalar(text("SELECT count(*) FROM answers"))
            for chunk in answers_xlsx(session, journey, Filters()):
                sink.write(chunk)
                size += len(chunk)
            return size, rows
        for chunk in answers_csv(session, journey, Filters()):
            sink.write(chunk)
            size += len(chunk)
            lines += chunk.count(b"\n")
    return size, lines - 1


def measure_baseline() -> tuple[int, int]:
    """The same answers with a bare SELECT, rows written as they come."""
    from sqlalchemy import text

    from surveys.db import make_engine

    engine = make_engine(os.environ["DATABASE_URL"])
    size = rows = 0
    query = text(
        "SELECT a.id, a.response_id, r.submitted_at, r.language, a.number, a.choice, a.text, "
        "t.polarity, t.label, t.emotion, r.meta FROM answers a "
        "JOIN responses r ON r.id = a.response_id "
        "LEFT JOIN text_analyses t ON t.answer_id = a.id WHERE r.status = 'complete'"
    )
    with engine.connect() as connection, open(os.devnull, "w") as sink:
        result = connection.execution_options(stream_results=True, yield_per=5000).execute(query)
        for row in result:
            line = ",".join("" if v is None else str(v) for v in row) + "\n"
            sink.write(line)
            size += len(line)
            rows += 1
    return size, rows


def child(kind: str) -> None:
    started = time.perf_counter()
    size, rows = measure_baseline() if kind == "baseline" else measure_export(kind)
    seconds = time.perf_counter() - started
    figures = f"{rows:>10,} rows {size / 1e6:>8.1f} MB  {seconds:>6.1f} s"
    print(f"{kind:<8} {figures}  peak {peak_mb():.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--folder", default=str(Path(tempfile.gettempdir()) / "parcours-bench"))
    parser.add_argument("--child", choices=KINDS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    folder = Path(args.folder) / str(args.responses)
    seed(folder, args.responses)
    outputs = {}
    for kind in KINDS:
        result = subprocess.run(  # noqa: S603 - this script, run again as a child
            [sys.executable, __file__, "--child", kind],
            env=environment(folder),
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        outputs[kind] = result.stdout.strip()
        print(outputs[kind])
    for kind in KINDS[1:]:
        peak = float(outputs[kind].rsplit("peak", 1)[1].split()[0])
        verdict = "OK" if peak <= TARGET_MB else "OVER"
        print(f"{kind} peak {peak:.0f} MB against the {TARGET_MB} MB target: {verdict}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
