"""Accounts: who may design, who may read, and how people log in and out."""

from __future__ import annotations

import re
from urllib.parse import quote, urljoin, urlsplit

import pytest
from builders import (
    PASSWORD,
    a_draft_questionnaire,
    a_journey,
    a_live_questionnaire,
    an_interview_guide,
)
from sqlalchemy import func, select

from surveys.models import Journey, Questionnaire, User


def without_csrf_token(page: str) -> str:
    """The page with its CSRF token blanked: the token carries a timestamp."""
    return re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "", page)


def design_pages(db_session):
    """GET pages only designers may open, with a page that carries a CSRF token."""
    questionnaire = a_draft_questionnaire(db_session, "csat")
    guide = an_interview_guide(db_session)
    stage = questionnaire.stage
    touchpoint = questionnaire.journey.touchpoints[0]
    return [
        "/journeys/new",
        f"/stages/{stage.id}/edit",
        f"/touchpoints/{touchpoint.id}/edit",
        f"/journeys/{questionnaire.journey_id}/questionnaires/new",
        f"/questionnaires/{questionnaire.id}/settings",
        f"/questionnaires/{questionnaire.id}/questions/new",
        f"/questionnaires/{questionnaire.id}/questions/csat/edit",
        f"/questionnaires/{guide.id}/interviews/new",
    ], [
        "/journeys/new",
        f"/journeys/{questionnaire.journey_id}/edit",
        f"/journeys/{questionnaire.journey_id}/stages",
        f"/stages/{stage.id}/edit",
        f"/stages/{stage.id}/move",
        f"/stages/{stage.id}/delete",
        f"/journeys/{questionnaire.journey_id}/touchpoints",
        f"/touchpoints/{touchpoint.id}/edit",
        f"/touchpoints/{touchpoint.id}/move",
        f"/touchpoints/{touchpoint.id}/delete",
        f"/journeys/{questionnaire.journey_id}/questionnaires/new",
        f"/questionnaires/{questionnaire.id}/settings",
        f"/questionnaires/{questionnaire.id}/questions/new",
        f"/questionnaires/{questionnaire.id}/questions/csat/edit",
        f"/questionnaires/{questionnaire.id}/questions/csat/move",
        f"/questionnaires/{questionnaire.id}/questions/csat/delete",
        f"/questionnaires/{questionnaire.id}/publish",
        f"/questionnaires/{questionnaire.id}/close",
        f"/questionnaires/{questionnaire.id}/delete",
        f"/questionnaires/{guide.id}/interviews/new",
    ]


def reader_pages(db_session):
    questionnaire = a_live_questionnaire(db_session, "nps", "advocacy")
    return [
        "/home",
        f"/journeys/{questionnaire.journey_id}",
        f"/questionnaires/{questionnaire.id}",
        f"/questionnaires/{questionnaire.id}/preview",
        f"/questionnaires/{questionnaire.id}/responses",
    ]


# Roles


def test_cx_lead_reads_journeys_questionnaires_and_responses(client, auth, db_session):
    pages = reader_pages(db_session)
    auth.login_as_cx_lead()
    for url in pages:
        assert client.get(url).status_code == 200, url


def test_cx_lead_gets_403_on_every_design_page_and_design_post(client, auth, forms, db_session):
    get_pages, post_urls = design_pages(db_session)
    auth.login_as_cx_lead()
    for url in get_pages:
        assert client.get(url).status_code == 403, url
    for url in post_urls:
        response = forms.post(url, {"name": "Renamed", "direction": "up"}, page_url="/home")
        assert response.status_code == 403, url
    db_session.expire_all()
    assert db_session.scalar(select(func.count(Journey.id))) == 2
    assert {q.status for q in db_session.scalars(select(Questionnaire))} == {"draft"}
    assert all(j.name == "Shop journey" for j in db_session.scalars(select(Journey)))


def test_forbidden_page_is_in_the_site_style(client, auth):
    auth.login_as_cx_lead()
    page = client.get("/journeys/new").get_data(as_text=True)
    assert "You may not see this page" in page and "/static/css/parcours.css" in page


def test_cx_lead_sees_no_design_buttons(client, auth, db_session):
    questionnaire = a_live_questionnaire(db_session)
    auth.login_as_cx_lead()
    page = client.get(f"/journeys/{questionnaire.journey_id}").get_data(as_text=True)
    assert "Add a stage" not in page and "New questionnaire" not in page


def test_researcher_and_admin_may_design(client, auth):
    auth.login()
    assert client.get("/journeys/new").status_code == 200
    auth.logout()
    auth.login("admin@example.com", "admin")
    assert client.get("/journeys/new").status_code == 200


def test_anonymous_visitor_is_sent_to_the_login_from_every_other_page(client, db_session):
    get_pages, _ = design_pages(db_session)
    for url in [*get_pages, *reader_pages(db_session)]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login?next="), url


def test_anonymous_post_to_a_design_url_stores_nothing(client, forms, db_session):
    journey = a_journey(db_session)
    response = forms.post(
        f"/journeys/{journey.id}/stages",
        {"stage-key": "x", "stage-name_en": "X", "stage-name_fr": "X"},
        page_url="/login",
    )
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert len(journey.stages) == 5
    db_session.expire_all()
    assert len(db_session.get(Journey, journey.id).stages) == 5


def test_anonymous_visitor_reaches_the_customer_pages_and_the_login(client, db_session):
    questionnaire = a_live_questionnaire(db_session)
    assert client.get(f"/s/{questionnaire.slug}").status_code == 200
    assert client.get(f"/s/{questionnaire.slug}/thanks").status_code == 200
    assert client.get("/login").status_code == 200
    assert client.get("/").headers["Location"] == "/login"


# Login


def test_login_with_the_right_password_opens_the_home_page(client, auth):
    response = auth.login()
    assert response.status_code == 302 and response.headers["Location"] == "/home"
    assert "researcher@example.com" in client.get("/home").get_data(as_text=True)


def test_unknown_email_and_wrong_password_get_the_same_message(client, auth, forms):
    auth.create_user("known@example.com", "researcher")
    wrong = forms.post("/login", {"email": "known@example.com", "password": "not it at all"})
    unknown = forms.post("/login", {"email": "nobody@example.com", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    wrong_page, unknown_page = (
        without_csrf_token(r.get_data(as_text=True)) for r in (wrong, unknown)
    )
    assert "Wrong email or password." in wrong_page
    assert wrong_page.replace("known@", "nobody@") == unknown_page
    assert client.get("/home").status_code == 302


def test_inactive_account_cannot_log_in(client, auth, forms, db_session):
    user = auth.create_user("gone@example.com", "researcher")
    user.active = False
    db_session.commit()
    response = forms.post("/login", {"email": "gone@example.com", "password": PASSWORD})
    assert response.status_code == 401


def test_email_is_matched_whatever_its_case(client, auth, forms):
    auth.create_user("mixed@example.com", "cx_lead")
    response = forms.post("/login", {"email": "  Mixed@Example.COM ", "password": PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize(
    "data",
    [{"email": "", "password": PASSWORD}, {"email": "not-an-email", "password": PASSWORD}],
)
def test_malformed_login_form_is_refused(client, forms, data):
    assert forms.post("/login", data).status_code == 400


def test_passwords_are_stored_hashed(auth, db_session):
    user = auth.create_user("hash@example.com", "researcher")
    db_session.expire_all()
    stored = db_session.get(User, user.id).password_hash
    assert PASSWORD not in stored and stored.startswith("scrypt:")


@pytest.mark.parametrize("target", ["/questionnaires/1", "/home?tab=2"])
def test_next_redirect_goes_to_a_local_path(client, auth, forms, target):
    auth.create_user("r@example.com", "researcher")
    response = forms.post(f"/login?next={target}", {"email": "r@example.com", "password": PASSWORD})
    assert response.headers["Location"] == target


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        "/%09/evil.example",
        "javascript:alert(1)",
        "home",
    ],
)
def test_next_redirect_never_leaves_the_site(client, auth, forms, target):
    auth.create_user("r@example.com", "researcher")
    response = forms.post(
        f"/login?next={quote(target, safe='')}", {"email": "r@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    # Where a browser would go from the login page.
    landing = urlsplit(urljoin("http://parcours.test/login", response.headers["Location"]))
    assert landing.scheme == "http" and landing.netloc == "parcours.test"


# Logout


def test_logout_is_a_post_with_a_csrf_token(client, auth):
    auth.login()
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/home").status_code == 200
    response = auth.logout()
    assert response.status_code == 302
    assert client.get("/home").status_code == 302


def test_missing_csrf_token_on_a_researcher_form_explains_to_reload(client, auth, db_session):
    journey = a_journey(db_session)
    auth.login()
    response = client.post(f"/journeys/{journey.id}/stages", data={"stage-key": "x"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Reload the page" in page and "/static/css/parcours.css" in page
    assert "This page has expired" in page


def test_after_login_the_researcher_lands_on_the_page_they_asked_for(
    client, forms, auth, db_session
):
    journey = a_journey(db_session)
    auth.create_user("r@example.com", "researcher")
    login_url = client.get(f"/journeys/{journey.id}").headers["Location"]
    response = forms.post(login_url, {"email": "r@example.com", "password": PASSWORD})
    assert response.headers["Location"] == f"/journeys/{journey.id}"
