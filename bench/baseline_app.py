"""The real app plus one bench-only route, served by gunicorn for bench/bench_submit.py.

`POST /bench/bare` inserts one row into `bench_bare` (made by bench_submit.py) with raw SQL:
no CSRF, no validation, no scoring. It is the floor a submission is measured against on the
same server (same workers, pool, middleware and headers), and it never ships: only this
module registers it.

    gunicorn -c gunicorn.conf.py bench.baseline_app:app
"""

from __future__ import annotations

from flask import request
from sqlalchemy import text

from surveys import create_app, csrf
from surveys.db import get_session

app = create_app()


@app.post("/bench/bare")
@csrf.exempt
def bare():
    session = get_session()
    session.execute(
        text("INSERT INTO bench_bare (body) VALUES (:body)"),
        {"body": request.get_data(as_text=True)[:200]},
    )
    session.commit()
    return "", 204
