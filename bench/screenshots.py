"""The README screenshots, taken from the demo data in a real Chromium.

Usage (from the repo root): .venv/bin/python bench/screenshots.py [--responses 3000]
Seeds a fresh SQLite instance in a temporary folder (`flask init-db`, `flask seed-demo`),
serves it with `flask run --port 5055`, and saves into docs/screenshots/:
  customer-phone.png  a public survey link in French on a 375 px phone
  journey-map.png     the top of the journey map, as a CX lead, 1280 px wide
  pain-points.png     the top of the pain-point list, as a CX lead, 1280 px wide
Chromium is PARCOURS_CHROMIUM (default /usr/bin/chromium). The server is stopped at the end.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
PORT = 5055
BASE = f"http://127.0.0.1:{PORT}"
CHROMIUM = os.environ.get("PARCOURS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
FLASK = [str(Path(sys.executable).with_name("flask")), "--app", "surveys"]


def flask(env: dict, *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - the venv's flask, fixed arguments
        [*FLASK, *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode:
        sys.exit(f"flask {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def wait_for_server(server: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"flask run stopped with code {server.returncode}")
        try:
            with urllib.request.urlopen(f"{BASE}/login", timeout=2):  # noqa: S310 - http only
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.3)
    sys.exit(f"the server did not answer on {BASE} within {timeout:.0f} s")


def logins(instance: Path) -> dict[str, tuple[str, str]]:
    """role -> (email, password), from the demo-logins file seed-demo writes."""
    found = {}
    for line in (instance / "demo-logins.txt").read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if not line.startswith("#") and len(fields) == 3:
            found.setdefault(fields[2], (fields[0], fields[1]))
    return found


def questionnaires(env: dict) -> list[dict[str, str]]:
    lines = flask(env, "list-questionnaires").strip().splitlines()
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t"), strict=True)) for line in lines[1:]]


def log_in(page, email: str, password: str) -> None:
    page.goto(f"{BASE}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Log out").wait_for()


def shoot(browser, env: dict, instance: Path) -> None:
    rows = questionnaires(env)
    live = [r for r in rows if r["status"] == "live" and r["kind"] in ("csat", "nps", "ces")]
    survey = next((r for r in live if r["kind"] == "csat" and r["touchpoint"]), live[0])
    journey_id = survey["journey"]
    OUT.mkdir(parents=True, exist_ok=True)

    # A customer on a phone, in French.
    phone = browser.new_context(
        viewport={"width": 375, "height": 800},
        device_scale_factor=1,
        is_mobile=True,
        has_touch=True,
        locale="fr-FR",
        extra_http_headers={"Accept-Language": "fr"},
    )
    page = phone.new_page()
    page.goto(survey["url"])
    page.get_by_role("heading", level=1).wait_for()
    page.screenshot(path=str(OUT / "customer-phone.png"))
    phone.close()

    # The CX lead on a desktop screen.
    email, password = logins(instance)["cx_lead"]
    desktop = browser.new_context(
        viewport={"width": 1280, "height": 900}, device_scale_factor=1, locale="en-GB"
    )
    page = desktop.new_page()
    log_in(page, email, password)
    page.goto(f"{BASE}/journeys/{journey_id}/map")
    page.locator("table.jm-grid").wait_for()
    page.screenshot(path=str(OUT / "journey-map.png"))
    page.goto(f"{BASE}/journeys/{journey_id}/pain-points")
    page.get_by_role("heading", name="Pain points", level=1).wait_for()
    page.screenshot(path=str(OUT / "pain-points.png"))
    desktop.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=3000)
    args = parser.parse_args()
    if not os.path.exists(CHROMIUM):
        sys.exit(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="parcours-shots-") as tmp:
        instance = Path(tmp)
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "FLASK_APP")
        }
        env.update(PARCOURS_INSTANCE_PATH=tmp, PUBLIC_BASE_URL=BASE)
        flask(env, "init-db")
        print(f"Seeding {args.responses} responses...", flush=True)
        flask(env, "seed-demo", "--responses", str(args.responses))
        server = subprocess.Popen(  # noqa: S603 - the venv's flask, fixed arguments
            [*FLASK, "run", "--port", str(PORT)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for_server(server)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    shoot(browser, env, instance)
                finally:
                    browser.close()
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    for path in sorted(OUT.glob("*.png")):
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size / 1024:.0f} KB")


if __name__ == "__main__":
    main()
