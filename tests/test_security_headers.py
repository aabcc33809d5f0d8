"""Security headers on every kind of response, nothing inline for the CSP to refuse, HTTPS
seen only through a configured proxy, Secure cookies, and no start with a guessable key."""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from api_helpers import bearer
from builders import a_journey, a_live_questionnaire, an_app, an_invitation, csrf_token_from
from sqlalchemy import select

from surveys import create_app
from surveys.demo import DEMO_JOURNEY_NAME, demo_logins, seed_demo_data
from surveys.models import Journey, Questionnaire
from surveys.security import API_CSP, HSTS, HTML_CSP, SVG_CSP, InsecureSecretKey

QR_CSP = "default-src 'none'; style-src 'unsafe-inline'"


def html_headers(response, referrer: str = "strict-origin-when-cross-origin") -> None:
    assert response.mimetype == "text/html", response.status
    headers = response.headers
    assert headers["Content-Security-Policy"] == HTML_CSP
    assert "'unsafe-inline'" not in HTML_CSP and "'unsafe-eval'" not in HTML_CSP
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == referrer
    assert "Strict-Transport-Security" not in headers  # plain HTTP


def json_headers(response) -> None:
    assert response.mimetype == "application/json", response.status
    assert response.headers["Content-Security-Policy"] == API_CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# --- one page of each blueprint ------------------------------------------------------------


def test_the_respondent_pages_send_no_referrer(client, db_session):
    questionnaire = a_live_questionnaire(db_session)
    invitation = an_invitation(db_session, questionnaire)
    page = client.get(f"/s/{questionnaire.slug}?t={invitation.token}")
    assert page.status_code == 200
    html_headers(page, referrer="no-referrer")
    html_headers(client.get(f"/s/{questionnaire.slug}/thanks"), referrer="no-referrer")
    html_headers(client.get("/s/no-such-survey"), referrer="no-referrer")  # its 404


def test_the_qr_code_keeps_its_own_stricter_policy(client, db_session):
    questionnaire = a_live_questionnaire(db_session)
    invitation = an_invitation(db_session, questionnaire)
    svg = client.get(f"/s/{questionnaire.slug}/qr.svg?t={invitation.token}")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert svg.headers.getlist("Content-Security-Policy") == [QR_CSP]
    assert svg.headers["X-Content-Type-Options"] == "nosniff"
    assert svg.headers["Referrer-Policy"] == "no-referrer"


def test_researcher_and_cx_lead_pages(client, auth, db_session):
    journey = a_live_questionnaire(db_session).journey
    auth.login()
    html_headers(client.get("/home"))  # web
    html_headers(client.get(f"/journeys/{journey.id}"))  # design
    auth.logout()
    auth.login_as_cx_lead()
    html_headers(client.get(f"/journeys/{journey.id}/map"))  # insight
    curve = client.get(f"/journeys/{journey.id}/map/emotion-curve.svg")
    assert curve.status_code == 200 and curve.mimetype == "image/svg+xml"
    # matplotlib's SVG styles itself inline; it may never run script from our origin.
    assert curve.headers["Content-Security-Policy"] == SVG_CSP
    assert curve.headers["X-Content-Type-Options"] == "nosniff"


def test_the_login_page(client):
    html_headers(client.get("/login"))  # auth


def test_the_api_is_never_a_document(app, client):
    json_headers(client.get("/api/v1/journeys", headers=bearer(app)))
    json_headers(client.get("/api/v1/journeys"))  # its 401
    json_headers(client.get("/api/v1/nope"))  # its 404
    json_headers(client.get("/api/v1/openapi.json"))
    html_headers(client.get("/api/v1/docs"))  # the reference is a page


def test_error_pages(client):
    html_headers(client.get("/no-such-page"))
    assert client.get("/no-such-page").status_code == 404


def test_static_files_are_not_sniffed(client):
    css = client.get("/static/css/parcours.css")
    assert css.status_code == 200
    assert css.headers["X-Content-Type-Options"] == "nosniff"
    css.close()


# --- HTTPS ---------------------------------------------------------------------------------


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"] == HSTS
    api = client.get("/api/v1/journeys", base_url="https://localhost")
    assert api.headers["Strict-Transport-Security"] == HSTS


def test_x_forwarded_proto_is_believed_only_behind_a_configured_proxy(client, database_url):
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    assert "Strict-Transport-Security" not in client.get("/login", headers=forwarded).headers
    with an_app(database_url, PROXY_FIX=1) as proxied:
        response = proxied.test_client().get("/login", headers=forwarded)
        assert response.headers["Strict-Transport-Security"] == HSTS


@pytest.mark.parametrize(
    ("settings", "secure"),
    [
        ({}, False),
        ({"PUBLIC_BASE_URL": "https://parcours.example"}, True),
        ({"SESSION_COOKIE_SECURE": True}, True),
    ],
)
def test_the_session_cookie_is_secure_when_the_site_is_https(database_url, settings, secure):
    with an_app(database_url, **settings) as app:
        assert app.config["SESSION_COOKIE_SECURE"] is secure
        assert app.config["REMEMBER_COOKIE_SECURE"] is secure
        cookie = app.test_client().get("/login").headers["Set-Cookie"]
        assert ("; Secure" in cookie) is secure
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


# --- the secret key ------------------------------------------------------------------------


def production_app(tmp_path, monkeypatch, **settings):
    monkeypatch.setenv("PARCOURS_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    url = "sqlite:///" + str(tmp_path / "parcours.sqlite")
    app = create_app({"DATABASE_URL": url, **settings})
    app.extensions["parcours.db"].kw["bind"].dispose()
    return app


@pytest.mark.parametrize(
    "key",
    ["dev", "secret", "changeme", "test-secret-key", "Change-Me ", "a" * 31],
    ids=repr,
)
def test_production_refuses_a_short_or_default_secret_key(tmp_path, monkeypatch, key):
    with pytest.raises(InsecureSecretKey, match="SECRET_KEY is") as refused:
        production_app(tmp_path, monkeypatch, SECRET_KEY=key)
    assert key not in str(refused.value) or len(key) < 8  # the key itself is not printed


def test_production_refuses_an_empty_instance_key(tmp_path, monkeypatch):
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "secret_key").write_text("\n")
    with pytest.raises(InsecureSecretKey, match="SECRET_KEY is missing"):
        production_app(tmp_path, monkeypatch)


def test_production_starts_with_the_random_instance_key(tmp_path, monkeypatch):
    app = production_app(tmp_path, monkeypatch)  # no SECRET_KEY: written on first run
    written = (tmp_path / "instance" / "secret_key").read_text().strip()
    assert app.config["SECRET_KEY"] == written and re.fullmatch(r"[0-9a-f]{64}", written)
    assert production_app(tmp_path, monkeypatch).config["SECRET_KEY"] == written  # kept


def test_a_long_random_key_starts_and_debug_or_tests_may_use_any(tmp_path, monkeypatch):
    production_app(tmp_path, monkeypatch, SECRET_KEY="x7" * 16)
    production_app(tmp_path, monkeypatch, SECRET_KEY="dev", DEBUG=True)
    production_app(tmp_path, monkeypatch, SECRET_KEY="dev", TESTING=True)


def test_flask_debug_from_the_environment_allows_a_development_key(tmp_path, monkeypatch):
    monkeypatch.setenv("PARCOURS_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("FLASK_DEBUG", "1")
    url = "sqlite:///" + str(tmp_path / "parcours.sqlite")
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "dev"})
    app.extensions["parcours.db"].kw["bind"].dispose()
    assert app.debug


# --- nothing inline in any page of the demo -------------------------------------------------

# What the CSP refuses: style attributes and blocks, inline scripts, event handler attributes
# and javascript: links. Text typed by users is escaped, so it cannot match.
INLINE = re.compile(
    r"""<[a-z][^>]*\sstyle\s*=|<style[\s>]|<script(?![^>]*\ssrc=)[^>]*>|<[a-z][^>]*\son[a-z]+\s*=|"""
    r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""",
    re.IGNORECASE,
)


@pytest.mark.parametrize(
    "html",
    [
        '<p style="color:red">',
        "<div class=x\n  style='margin:0'>",
        "<style>p{}</style>",
        "<script>alert(1)</script>",
        '<script type="module">x()</script>',
        '<button onclick="x()">',
        '<a href="javascript:x()">',
    ],
)
def test_the_inline_detector_finds_what_the_csp_refuses(html):
    assert INLINE.search(html)


@pytest.mark.parametrize(
    "html",
    [
        '<script src="/static/app.js"></script>',
        '<link rel="stylesheet" href="/static/css/parcours.css">',
        "<p>&lt;script&gt; and style=&quot;x&quot; typed by a customer</p>",
        '<input name="onboarding" value="on">',
    ],
)
def test_the_inline_detector_lets_external_and_escaped_content_pass(html):
    assert not INLINE.search(html)


def inline_code(html: str) -> list[str]:
    return [html[max(0, m.start() - 60) : m.end() + 60] for m in INLINE.finditer(html)]


def links_on(html: str) -> set[str]:
    """Same-site GET links of a page (not the stylesheet, not logging out)."""
    found = set()
    for href in re.findall(r'href="([^"]+)"', html):
        href = href.replace("&amp;", "&")
        parts = urlsplit(href)
        if parts.netloc not in ("", "localhost", "parcours.test") or not parts.path.startswith("/"):
            continue
        if parts.path.startswith("/static/"):
            continue
        found.add(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def log_in(client, email: str, password: str) -> None:
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login", data={"csrf_token": token, "email": email, "password": password}
    )
    assert response.status_code == 302, email


def crawl(client, start: list[str]) -> dict[str, list[str]]:
    """Open the start pages and every page they link to; the inline code found per page."""
    found, opened = {}, set()
    queue = list(start)
    for depth in (0, 1):
        next_queue = []
        for url in queue:
            if url in opened:
                continue
            opened.add(url)
            response = client.get(url)
            assert response.status_code < 500, (url, response.status_code)
            if response.mimetype != "text/html":
                continue
            html = response.get_data(as_text=True)
            assert response.headers["Content-Security-Policy"] == HTML_CSP, url
            if inline_code(html):
                found[url] = inline_code(html)
            if depth == 0:
                next_queue.extend(links_on(html))
        queue = next_queue
    assert len(opened) > len(start)
    return found


def test_no_page_of_the_demo_has_inline_style_or_script(app, db_session, tmp_path):
    seed_demo_data(
        db_session, responses=300, seed=7, echo=lambda _: None, instance_path=str(tmp_path)
    )
    journey = db_session.scalar(select(Journey).where(Journey.name == DEMO_JOURNEY_NAME))
    live = db_session.scalars(
        select(Questionnaire).where(
            Questionnaire.journey_id == journey.id, Questionnaire.status == "live"
        )
    ).all()
    month_ago = (date.today() - timedelta(days=30)).isoformat()
    pages = [
        "/home",
        f"/journeys/{journey.id}",
        f"/journeys/{journey.id}/map",
        f"/journeys/{journey.id}/map?from={month_ago}",  # the changes against the last period
        f"/journeys/{journey.id}/pain-points",
    ]
    found = {}
    for email, password, _role in demo_logins(str(tmp_path)):
        client = app.test_client()
        log_in(client, email, password)
        found.update(crawl(client, pages))

    customer = app.test_client()
    public = ["/login", "/no-such-page", "/api/v1/docs"]
    for questionnaire in live:
        public += [f"/s/{questionnaire.slug}?lang={lang}" for lang in ("en", "fr")]
        public.append(f"/s/{questionnaire.slug}/thanks")
    for url in public:
        response = customer.get(url)
        if inline_code(response.get_data(as_text=True)):
            found[url] = inline_code(response.get_data(as_text=True))
    assert found == {}


def test_a_journey_built_by_hand_has_nothing_inline_either(client, auth, db_session):
    """The pages of an empty journey and a draft (not in the demo)."""
    journey = a_journey(db_session, template=None, name="Empty")
    auth.login()
    found = crawl(
        client, ["/journeys/new", f"/journeys/{journey.id}", "/themes", "/account/tokens"]
    )
    assert found == {}
