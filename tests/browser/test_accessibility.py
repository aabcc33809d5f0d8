"""Every page of the three users' flows, checked by axe-core at phone and desktop size.

The demo's data fill the pages (map cells coloured by sentiment, pain points, quotes), so
colour contrast is checked on what CX leads really see.
"""

from __future__ import annotations

import pytest
from builders import a_user, password_hash
from sqlalchemy import select

from surveys.demo import seed_demo_data
from surveys.models import Invitation, Journey, Questionnaire, Response, User, utcnow

from .accessibility import violations
from .pages import log_in

pytestmark = pytest.mark.browser

# axe-core is injected as an inline script, which the app's Content-Security-Policy refuses;
# the contexts of these tests let it through (the pages' own scripts are files it allows).


@pytest.fixture
def demo(app, db_session, tmp_path):
    """The demo journey with answers; its accounts get the tests' password.

    A low threshold lets a few answers colour the map's cells, whose contrast is checked.
    """
    app.config["MIN_ANSWERS_PER_CELL"] = 5
    seed_demo_data(db_session, responses=150, seed=3, echo=lambda _: None, instance_path=tmp_path)
    for user in db_session.scalars(select(User)):
        user.password_hash = password_hash()
    journey = db_session.scalar(select(Journey))
    survey = db_session.scalar(
        select(Questionnaire).where(Questionnaire.status == "live", Questionnaire.kind == "csat")
    )
    invitation = Invitation(
        questionnaire_id=survey.id, token="axe-token-" + "x" * 22, customer_ref="C-1", meta={}
    )
    answered = Invitation(
        questionnaire_id=survey.id, token="axe-used-" + "y" * 23, customer_ref="C-2",
        meta={}, used_at=utcnow(),
    )  # fmt: skip
    db_session.add_all([invitation, answered])
    db_session.commit()
    response = db_session.scalar(select(Response).where(Response.questionnaire_id == survey.id))
    return journey, survey, invitation, answered, response


def check(page, url: str, axe: str, problems: list[str]) -> None:
    page.goto(url)
    problems.extend(f"{url}: {line}" for line in violations(page, axe))


def test_customer_pages(server_url, contexts, axe, demo):
    _journey, survey, invitation, answered, _response = demo
    problems: list[str] = []
    for locale in ("fr-FR", "en-GB"):
        page = contexts.new(locale=locale, bypass_csp=True).new_page()
        link = f"{server_url}/s/{survey.slug}?t={invitation.token}"
        check(page, link, axe, problems)
        page.get_by_role("button").last.click()  # send with the required score missing
        problems.extend(f"{link} (errors): {line}" for line in violations(page, axe))
        check(page, f"{server_url}/s/{survey.slug}/thanks", axe, problems)
        check(page, f"{server_url}/s/{survey.slug}?t={answered.token}", axe, problems)
        check(page, f"{server_url}/s/{survey.slug}?t=no-such-token", axe, problems)
    assert problems == [], "\n".join(problems)


def test_researcher_pages(server_url, contexts, axe, demo):
    journey, survey, _invitation, _answered, response = demo
    page = contexts.new(locale="en-GB", bypass_csp=True).new_page()
    problems: list[str] = []
    check(page, server_url + "/login", axe, problems)
    log_in(page, server_url, "researcher@parcours.demo")
    question = survey.current_version.questions[0].key
    for path in (
        "/home",
        f"/journeys/{journey.id}",
        "/journeys/new",
        f"/journeys/{journey.id}/questionnaires/new",
        f"/journeys/{journey.id}/questionnaires/import",
        f"/journeys/{journey.id}/emerging-themes",
        f"/questionnaires/{survey.id}",
        f"/questionnaires/{survey.id}/settings",
        f"/questionnaires/{survey.id}/questions/new",
        f"/questionnaires/{survey.id}/questions/{question}/edit",
        f"/questionnaires/{survey.id}/preview",
        f"/questionnaires/{survey.id}/responses",
        f"/responses/{response.id}",
        f"/questionnaires/{survey.id}/invitations",
        f"/questionnaires/{survey.id}/invitations/new",
        f"/questionnaires/{survey.id}/invitations/upload",
        "/themes",
        "/themes/new",
        "/account/tokens",
        "/api/v1/docs",
    ):
        check(page, server_url + path, axe, problems)
    assert problems == [], "\n".join(problems)


def test_cx_lead_pages(server_url, contexts, axe, demo):
    journey, _survey, _invitation, _answered, _response = demo
    page = contexts.new(locale="en-GB", bypass_csp=True).new_page()
    problems: list[str] = []
    log_in(page, server_url, "cx@parcours.demo")
    stage = journey.stages[2]
    for path in (
        f"/journeys/{journey.id}/map",
        f"/journeys/{journey.id}/map?lang=fr&from=2026-01-01&to=2026-12-31",
        f"/journeys/{journey.id}/map/answers?stage={stage.id}",
        f"/journeys/{journey.id}/pain-points",
    ):
        check(page, server_url + path, axe, problems)
    assert problems == [], "\n".join(problems)


def test_admin_pages_in_french(server_url, contexts, axe, demo, db_session):
    a_user(db_session, "ada@example.com", "admin")
    researcher = db_session.scalar(select(User).where(User.role == "researcher"))
    page = contexts.new(locale="en-GB", bypass_csp=True).new_page()
    problems: list[str] = []
    log_in(page, server_url, "ada@example.com")
    page.goto(server_url + "/home?lang=fr")  # the switch: the pages below speak French
    for path in (
        "/admin/users",
        "/admin/users/new",
        f"/admin/users/{researcher.id}",
        "/admin/customers",
        "/admin/audit",
        "/admin/jobs",
    ):
        check(page, server_url + path, axe, problems)
    assert problems == [], "\n".join(problems)
