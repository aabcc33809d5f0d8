"""Who may see what: every route of the app x five visitors, checked against one table.

The visitors: an anonymous browser; a respondent (an anonymous browser holding one
customer's invitation link); a researcher, a CX lead and an admin, each logged in. The routes
come from `app.url_map`, so a new route fails these tests until it has its line in EXPECTED
below:

    "blueprint.endpoint": POLICY,

one line per endpoint, kept sorted, with one of the policies defined here (PUBLIC, RESPONDENT,
INVITATION_HOLDER, LOGGED_IN, STAFF_READ, DESIGNERS, CX_LEADS, ADMINS, API_TOKEN). Every method
of the route but HEAD and OPTIONS is tried. A GET must answer 2xx/3xx to a visitor it is open
to; a POST carries a valid CSRF token and an empty or minimal body (MINIMAL_BODIES), so a
validation answer (400, 422) from the view proves the door opened, while a closed door is a
403 or a redirect to the login. The URL's parameters are real objects made in `world` (add a
name to `url_values` for a new kind of parameter; a route that changes or deletes its object
gets a spare one per visitor it is open to: CHANGES_ITS_OBJECT).

This install has one organisation: every staff member of the right role reads every journey
(README "What each user does"); what belongs to one user (their reports, their API tokens)
is checked object by object below the matrix.

The JSON API (/api/v1) takes bearer tokens, never cookies: its routes answer every browser 401
in the API's JSON shape, and each staff member's own token by the scopes of their role
(ROLE_SCOPES). Malformed, revoked and under-scoped tokens: tests/test_api_rights.py.
"""

from __future__ import annotations

import itertools
import re
import secrets
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from api_helpers import api_error, bearer_for, call
from builders import (
    PASSWORD,
    a_draft_questionnaire,
    a_journey,
    a_live_questionnaire,
    a_user,
    an_alert_rule,
    an_app,
    an_interview_guide,
    an_invitation,
    csrf_token_from,
)
from flask import request, url_for
from flask_wtf.csrf import CSRFError
from sqlalchemy import select

import surveys
from surveys.api.spec import OPERATIONS
from surveys.api_tokens import issue_token
from surveys.cases.opening import open_cases_for_existing
from surveys.db import new_session
from surveys.models import (
    ROLE_SCOPES,
    ApiToken,
    Invitation,
    Questionnaire,
    ReportFile,
    Response,
    Stage,
    Theme,
    Touchpoint,
    User,
    Webhook,
    utcnow,
)
from surveys.question_types import field_name, parse_form
from surveys.submissions import store_response

# The visitors (a Policy's fields have the same names).
VISITORS = ("anonymous", "respondent", "researcher", "cx_lead", "admin")
STAFF = ("researcher", "cx_lead", "admin")

# What a visitor meets at a door.
OPEN = "open"  # the view runs (see the module's docstring)
LOGIN = "login"  # 302 to /login?next=...
FORBIDDEN = "403"
NOT_FOUND = "404"
API_401 = "401 JSON"  # the API's error shape, with a Bearer challenge


@dataclass(frozen=True)
class Policy:
    name: str
    anonymous: str
    respondent: str
    researcher: str
    cx_lead: str
    admin: str
    # The status an open door answers when the feature is off in tests (no REDIS_URL, no
    # MAIL_SERVER): the view ran, so the door opened, and said so.
    status: int | None = None

    def expected(self, visitor: str) -> str:
        return getattr(self, visitor)

    def answering(self, status: int) -> Policy:
        return replace(self, status=status)

    def __repr__(self) -> str:
        return self.name + (f".answering({self.status})" if self.status else "")


# Anyone: the login, the probes, the home redirect, static files, the API's reference.
PUBLIC = Policy("PUBLIC", OPEN, OPEN, OPEN, OPEN, OPEN)
# A customer's pages: anyone with the questionnaire's link (the respondent's carries the
# invitation token as ?t=).
RESPONDENT = Policy("RESPONDENT", OPEN, OPEN, OPEN, OPEN, OPEN)
# Only with an invitation's token: without it the page does not exist.
INVITATION_HOLDER = Policy("INVITATION_HOLDER", NOT_FOUND, OPEN, NOT_FOUND, NOT_FOUND, NOT_FOUND)
# Any logged-in account, whatever its role (its own tokens, logging out).
LOGGED_IN = Policy("LOGGED_IN", LOGIN, LOGIN, OPEN, OPEN, OPEN)
# Reading journeys, questionnaires, responses, maps and reports: every staff role.
STAFF_READ = Policy("STAFF_READ", LOGIN, LOGIN, OPEN, OPEN, OPEN)
# Designing (journeys, questionnaires, invitations, themes, interviews): researchers, admins.
DESIGNERS = Policy("DESIGNERS", LOGIN, LOGIN, OPEN, FORBIDDEN, OPEN)
# Following pain points up (owner, status, note): CX leads, admins.
CX_LEADS = Policy("CX_LEADS", LOGIN, LOGIN, FORBIDDEN, OPEN, OPEN)
# Administrators only.
ADMINS = Policy("ADMINS", LOGIN, LOGIN, FORBIDDEN, FORBIDDEN, OPEN)
# /api/v1: bearer tokens only; every browser gets 401 JSON, cookies or not.
API_TOKEN = Policy("API_TOKEN", API_401, API_401, API_401, API_401, API_401)

# One line per endpoint, sorted by name.
EXPECTED: dict[str, Policy] = {
    "admin.audit_log": ADMINS,
    "admin.change_role": ADMINS,
    "admin.customers": ADMINS,
    "admin.deactivate_user": ADMINS,
    "admin.delete_webhook": ADMINS,
    "admin.erase_customer": ADMINS,
    "admin.export_customer": ADMINS,
    "admin.new_user": ADMINS,
    "admin.new_webhook": ADMINS,
    "admin.reactivate_user": ADMINS,
    "admin.revoke_user_token": ADMINS,
    "admin.revoke_user_tokens": ADMINS,
    "admin.test_webhook": ADMINS,
    "admin.toggle_webhook": ADMINS,
    "admin.user": ADMINS,
    "admin.users": ADMINS,
    "admin.webhook": ADMINS,
    "admin.webhooks": ADMINS,
    "api.create_invitation": API_TOKEN,
    "api.create_invitation_batch": API_TOKEN,
    "api.create_response": API_TOKEN,
    "api.create_webhook": API_TOKEN,
    "api.delete_webhook": API_TOKEN,
    "api.documentation": PUBLIC,
    "api.export_questionnaire": API_TOKEN,
    "api.get_invitation": API_TOKEN,
    "api.get_journey_map": API_TOKEN,
    "api.get_journey_trends": API_TOKEN,
    "api.get_pain_points": API_TOKEN,
    "api.import_questionnaire": API_TOKEN,
    "api.list_invitations": API_TOKEN,
    "api.list_journeys": API_TOKEN,
    "api.list_questionnaires": API_TOKEN,
    "api.list_webhooks": API_TOKEN,
    "api.openapi": PUBLIC,
    "auth.login": PUBLIC,
    "auth.logout": LOGGED_IN,
    "auth.revoke": LOGGED_IN,
    "auth.tokens": LOGGED_IN,
    "design.add_default_alert_rules": DESIGNERS,
    "design.alert_rules": STAFF_READ,
    "design.close_questionnaire": DESIGNERS,
    "design.confirm_invitations": DESIGNERS,
    "design.create_stage": DESIGNERS,
    "design.create_touchpoint": DESIGNERS,
    "design.delete_alert_rule": DESIGNERS,
    "design.delete_question": DESIGNERS,
    "design.delete_questionnaire": DESIGNERS,
    "design.delete_stage": DESIGNERS,
    "design.delete_theme": DESIGNERS,
    "design.delete_touchpoint": DESIGNERS,
    "design.download_links": DESIGNERS,
    "design.edit_alert_rule": DESIGNERS,
    "design.edit_journey": DESIGNERS,
    "design.edit_question": DESIGNERS,
    "design.edit_stage": DESIGNERS,
    "design.edit_theme": DESIGNERS,
    "design.edit_touchpoint": DESIGNERS,
    "design.email_invitations": DESIGNERS.answering(404),  # no MAIL_SERVER in tests
    "design.emerging_themes": STAFF_READ,
    "design.export_questionnaire_file": STAFF_READ,
    "design.import_questionnaire_page": DESIGNERS,
    "design.invitation_qr": STAFF_READ,
    "design.invitations": STAFF_READ,
    "design.journey": STAFF_READ,
    "design.move_question_view": DESIGNERS,
    "design.move_stage": DESIGNERS,
    "design.move_touchpoint": DESIGNERS,
    "design.new_alert_rule": DESIGNERS,
    "design.new_interview": DESIGNERS,
    "design.new_invitation": DESIGNERS,
    "design.new_journey": DESIGNERS,
    "design.new_question": DESIGNERS,
    "design.new_questionnaire": DESIGNERS,
    "design.new_theme": DESIGNERS,
    "design.preview": STAFF_READ,
    "design.publish_questionnaire": DESIGNERS,
    "design.questionnaire": STAFF_READ,
    "design.questionnaire_settings": DESIGNERS,
    "design.rescore_themes": DESIGNERS,
    "design.response": STAFF_READ,
    "design.responses": STAFF_READ,
    "design.themes": STAFF_READ,
    "design.upload_invitations": DESIGNERS,
    "health.healthz": PUBLIC,
    "health.readyz": PUBLIC,
    "insight.add_case_note": CX_LEADS,
    "insight.answers": STAFF_READ,
    "insight.attach_evidence": DESIGNERS,
    "insight.case": STAFF_READ,
    "insight.cases": STAFF_READ,
    "insight.emotion_curve_chart": STAFF_READ,
    "insight.follow_up": CX_LEADS,
    "insight.journey_map_page": STAFF_READ,
    "insight.journey_trends_page": STAFF_READ,
    "insight.map_answers": STAFF_READ,
    "insight.pain_points": STAFF_READ,
    "insight.report": STAFF_READ,
    "insight.trend_chart": STAFF_READ,
    "insight.update_case": CX_LEADS,
    "jobs.download_report": STAFF_READ,
    "jobs.failed_jobs": ADMINS,
    "jobs.new_report": STAFF_READ,
    "jobs.report_file": STAFF_READ,
    "jobs.retry_jobs": ADMINS.answering(404),  # no REDIS_URL in tests: no queue to retry
    "respond.invitation_qr": INVITATION_HOLDER,
    "respond.survey": RESPONDENT,
    "respond.thanks": RESPONDENT,
    "static": PUBLIC,
    "web.home": STAFF_READ,
    "web.index": PUBLIC,
}

HOW_TO_ADD = (
    'For each, add a line `"<endpoint>": POLICY,` to EXPECTED in '
    "tests/test_authorization_matrix.py (sorted by endpoint; policies: PUBLIC, RESPONDENT, "
    "INVITATION_HOLDER, LOGGED_IN, STAFF_READ, DESIGNERS, CX_LEADS, ADMINS, API_TOKEN)."
)

# A POST body beyond the CSRF token, where an empty one would stop before the view's work.
MINIMAL_BODIES = {
    "insight.attach_evidence": lambda w: {**w.cell, "answer_id": w.interview_note.id},
    "insight.follow_up": lambda w: {**w.cell, "status": "open", "owner": "", "note": ""},
    "jobs.new_report": lambda w: {"fmt": "xlsx"},
}

# Routes that change or delete the object in their URL: each visitor they are open to works
# on a spare one, so that the others still find theirs (those refused must leave it as it is).
CHANGES_ITS_OBJECT = {
    "admin.deactivate_user",
    "admin.delete_webhook",
    "admin.revoke_user_token",
    "admin.revoke_user_tokens",
    "admin.toggle_webhook",
    "auth.logout",  # on a browser of its own; it ends every session of the account
    "auth.revoke",
    "design.close_questionnaire",
    "design.delete_alert_rule",
    "design.delete_question",
    "design.delete_questionnaire",
    "design.delete_stage",
    "design.delete_theme",
    "design.delete_touchpoint",
    "design.publish_questionnaire",
}

# Routes whose questionnaire must be an interview guide.
ON_AN_INTERVIEW_GUIDE = {"design.new_interview"}


# --- the objects behind the URLs --------------------------------------------------------------

_spares = itertools.count(1)


def answered(questionnaire, form: dict[str, list[str]]) -> dict:
    questions = questionnaire.current_version.questions
    parsed = parse_form(questions, {field_name(q): form.get(q.key, []) for q in questions})
    assert not parsed.errors, parsed.errors
    return parsed.values


def interview_note(session, guide, interviewer) -> Response:
    values = answered(guide, {"felt": ["Lost: the delivery never came, nobody answered."]})
    response, _new = store_response(
        session, guide, values, "en", channel="interview", interviewer_id=interviewer.id
    )
    return response


def a_survey_response(session, questionnaire) -> Response:
    values = answered(questionnaire, {"csat": ["2"], "why": ["The parcel arrived a week late."]})
    response, _new = store_response(session, questionnaire, values, "en")
    return response


def a_report_file(session, journey, user) -> ReportFile:
    row = ReportFile(
        journey_id=journey.id,
        requested_by_id=user.id,
        fmt="xlsx",
        min_n=30,
        status="ready",
        file_name=f"pain-points-{user.role}.xlsx",
        content=b"PK\x03\x04 the report of " + user.email.encode(),
        size=40,
        finished_at=utcnow(),
        expires_at=utcnow() + timedelta(hours=1),
    )
    session.add(row)
    session.commit()
    return row


def a_theme(session, key: str) -> Theme:
    theme = Theme(
        key=key, label={"en": "Parking", "fr": "Stationnement"}, keywords={"en": ["parking"]}
    )
    session.add(theme)
    session.commit()
    return theme


def a_webhook(session) -> Webhook:
    # .invalid never resolves (RFC 6761): a test event fails at once, on any machine.
    webhook = Webhook(
        url="https://hooks.example.invalid/parcours",
        events=["response.completed"],
        secret="a-secret-of-the-matrix",
    )
    session.add(webhook)
    session.commit()
    return webhook


def a_case(session, questionnaire):
    """The follow-up case the survey's answer (CSAT 2) opens under its rule."""
    [case] = open_cases_for_existing(session, questionnaire, notify=False)
    session.commit()
    return case


def spare_objects(app, visitor: str) -> dict:
    """A journey of its own with a draft questionnaire, a theme and a token, for one visitor
    (made in a session of their own: the app deletes rows the test's session may hold)."""
    n = next(_spares)
    with new_session(app) as session:
        questionnaire = a_draft_questionnaire(session, "csat", "purchase")
        journey = questionnaire.journey
        user = session.scalar(select(User).where(User.email == f"{visitor}@example.com"))
        someone = a_user(session, f"spare-{n}@example.com", "researcher")
        return {
            "user_id": someone.id,
            "users_token_id": issue_token(session, someone, ["reports:read"], "theirs")[0].id,
            "journey_id": journey.id,
            "stage_id": journey.stage_by_key("advocacy").id,
            "touchpoint_id": journey.touchpoints[-1].id,
            "questionnaire_id": questionnaire.id,
            "theme_id": a_theme(session, f"spare_theme_{n}").id,
            "token_id": issue_token(session, user, ["reports:read"], f"spare {n}")[0].id,
            "webhook_id": a_webhook(session).id,
            "rule_id": an_alert_rule(session, questionnaire).id,
        }


@pytest.fixture
def world(app, db_session):
    """Every kind of object a URL names, made once; one browser per visitor."""
    session = db_session
    users = {role: a_user(session, f"{role}@example.com", role) for role in STAFF}
    other = a_user(session, "other.researcher@example.com", "researcher")
    survey = a_live_questionnaire(session, "csat", "purchase")
    journey = survey.journey
    other_survey = a_live_questionnaire(session, "nps", "advocacy", journey=journey)
    guide = an_interview_guide(session)
    invitation = an_invitation(session, survey, customer_ref="C-1001")
    other_invitation = an_invitation(session, other_survey, customer_ref="C-2002")
    response = a_survey_response(session, survey)
    note = interview_note(session, guide, users["researcher"])
    w = SimpleNamespace(
        app=app,
        session=session,
        users=users,
        other=other,
        journey=journey,
        stage=survey.stage,
        touchpoint=journey.touchpoints[0],
        survey=survey,
        other_survey=other_survey,
        guide=guide,
        invitation=invitation,
        other_invitation=other_invitation,
        response=response,
        interview=note,
        interview_note=next(a for a in note.answers if a.text),
        theme=a_theme(session, "parking"),
        # Each staff member's own report and token; another researcher's too.
        reports={role: a_report_file(session, journey, users[role]) for role in STAFF},
        others_report=a_report_file(session, journey, other),
        tokens={
            role: issue_token(session, users[role], ["questionnaires:read"], "mine")[0]
            for role in STAFF
        },
        others_token=issue_token(session, other, ["questionnaires:read"], "theirs")[0],
        webhook=a_webhook(session),
        rule=an_alert_rule(session, survey),
        cell={
            "journey_id": journey.id,
            "stage_id": survey.stage_id,
            "touchpoint_id": "",
            "theme": "late_delivery",
        },
    )
    w.case = a_case(session, survey)
    w.browsers = {visitor: a_browser(w, visitor) for visitor in VISITORS}
    return w


class Browser:
    """One visitor's browser: its cookies, and a CSRF token from a page of its session."""

    def __init__(self, client, csrf_token: str):
        self.client = client
        self.csrf_token = csrf_token


def log_in(app, email: str) -> Browser:
    client = app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login", data={"csrf_token": token, "email": email, "password": PASSWORD}
    )
    assert response.status_code == 302, f"{email} could not log in"
    return Browser(client, csrf_token_from(client.get("/account/tokens").get_data(as_text=True)))


def a_browser(w, visitor: str) -> Browser:
    if visitor in STAFF:
        return log_in(w.app, w.users[visitor].email)
    client = w.app.test_client()
    if visitor == "respondent":  # opens the link of the email they received
        page = client.get(f"/s/{w.survey.slug}?t={w.invitation.token}")
    else:
        page = client.get("/login")
    assert page.status_code == 200
    return Browser(client, csrf_token_from(page.get_data(as_text=True)))


# --- how each door is knocked on --------------------------------------------------------------


def url_values(w, endpoint: str, arguments, visitor: str, spare: dict | None) -> dict:
    """A real object for each parameter of the route (a spare one when given)."""
    own = visitor if visitor in STAFF else "researcher"
    questionnaire = w.guide if endpoint in ON_AN_INTERVIEW_GUIDE else w.survey
    known = {
        "journey_id": w.journey.id,
        "stage_id": w.stage.id,
        "touchpoint_id": w.touchpoint.id,
        "questionnaire_id": questionnaire.id,
        "key": "why" if endpoint in ON_AN_INTERVIEW_GUIDE else "csat",
        "theme_id": w.theme.id,
        "response_id": w.response.id,
        "invitation_id": w.invitation.id,
        # A visitor's own report and token (anonymous visitors: a researcher's).
        "report_id": w.reports[own].id,
        "token_id": w.tokens[own].id,
        # Administrators' pages: another account and its token.
        "user_id": w.other.id,
        "users_token_id": w.others_token.id,
        "webhook_id": w.webhook.id,
        "rule_id": w.rule.id,
        "case_id": w.case.id,
        "slug": w.survey.slug,
        "fmt": "csv",
        "flavour": "parcours",
        "filename": "css/parcours.css",
    }
    known.update(spare or {})
    if endpoint.startswith("admin."):
        known["token_id"] = known["users_token_id"]
    unknown = set(arguments) - set(known)
    assert not unknown, (
        f"{endpoint}: the matrix does not know which object to put in {sorted(unknown)}; "
        "add it to url_values() in tests/test_authorization_matrix.py"
    )
    return {name: known[name] for name in arguments}


def url_of(w, rule, visitor: str, spare: dict | None) -> str:
    values = url_values(w, rule.endpoint, rule.arguments, visitor, spare)
    if rule.endpoint.startswith("respond.") and visitor == "respondent":
        values["t"] = w.invitation.token
    with w.app.test_request_context():
        return url_for(rule.endpoint, **values)


def api_operation(endpoint: str):
    return next((op for op in OPERATIONS if op.scope and f"api.{op.name}" == endpoint), None)


def knock(w, browser: Browser, rule, method: str, url: str, visitor: str):
    """One request as that browser: a POST with the browser's CSRF token and a minimal body;
    an API call as test_api_rights makes it (its body and headers), without a token."""
    op = api_operation(rule.endpoint)
    if op is not None:
        return call(browser.client, op, api_object_id(w, rule, visitor))
    if method == "GET":
        return browser.client.get(url)
    body = MINIMAL_BODIES.get(rule.endpoint, lambda w: {})(w)
    return browser.client.open(url, method=method, data={"csrf_token": browser.csrf_token, **body})


def api_object_id(w, rule, visitor: str) -> int:
    """The real object behind the API route's one parameter (api_helpers.call fills them all)."""
    values = url_values(w, rule.endpoint, rule.arguments, visitor, None)
    assert len(values) <= 1, f"{rule.endpoint}: api_helpers.call puts one id in every parameter"
    return next(iter(values.values()), 0)


def sent_to_login(response) -> bool:
    location = response.headers.get("Location", "")
    return (
        response.status_code == 302 and urlsplit(location).path == "/login" and "next=" in location
    )


def outcome(response, method: str, policy: Policy) -> str:
    """What the visitor met, in the table's words (or the status when it is none of them)."""
    status = response.status_code
    if sent_to_login(response):
        return LOGIN
    if status == 401 and response.mimetype == "application/json":
        error = response.get_json().get("error", {})
        challenged = response.headers.get("WWW-Authenticate", "").startswith("Bearer ")
        return API_401 if error.get("code") == "unauthorized" and challenged else "401"
    if policy.status is not None and status == policy.status:
        return OPEN
    if status == 403:
        return FORBIDDEN
    if status == 404:
        return NOT_FOUND
    if status >= 500 or status in (401, 405):
        return str(status)
    if method == "GET":
        return OPEN if status < 400 else str(status)
    return OPEN  # a POST the view answered: done, or refused for what the body said


def methods_of(rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


# --- the table itself -------------------------------------------------------------------------


def test_every_route_has_one_line_in_the_sorted_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - set(EXPECTED))
    assert not missing, f"Routes with no line in EXPECTED: {', '.join(missing)}. {HOW_TO_ADD}"
    gone = sorted(set(EXPECTED) - endpoints)
    assert not gone, f"EXPECTED names routes that no longer exist: {gone}; remove their lines"
    assert list(EXPECTED) == sorted(EXPECTED), "keep EXPECTED sorted by endpoint"


def test_api_lines_agree_with_the_api_s_declarations():
    for op in OPERATIONS:
        policy = EXPECTED[f"api.{op.name}"]
        assert policy is (API_TOKEN if op.scope else PUBLIC), (op.name, op.scope, policy)


# --- the matrix -------------------------------------------------------------------------------


@pytest.fixture
def csrf_refusals(monkeypatch):
    """Requests refused for their CSRF token: the matrix's POSTs must have none (a 400 from
    a missing token would pass for the view's own validation answer)."""
    refused = []
    real = surveys.csrf.protect

    def protect(*args, **kwargs):
        try:
            return real(*args, **kwargs)
        except CSRFError:
            refused.append(f"{request.method} {request.full_path}")
            raise

    monkeypatch.setattr(surveys.csrf, "protect", protect)
    return refused


def test_every_route_answers_each_visitor_as_its_policy_says(world, csrf_refusals):
    w = world
    found = []
    for rule in sorted(w.app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule)):
        policy = EXPECTED.get(rule.endpoint)
        if policy is None:
            found.append(f"{rule.endpoint} ({rule.rule}) has no line in EXPECTED. {HOW_TO_ADD}")
            continue
        for method in methods_of(rule):
            for visitor in VISITORS:
                expected = policy.expected(visitor)
                browser = w.browsers[visitor]
                spare = None
                if rule.endpoint in CHANGES_ITS_OBJECT and expected == OPEN:
                    spare = spare_objects(w.app, visitor)
                    if rule.endpoint == "auth.logout":
                        browser = log_in(w.app, w.users[visitor].email)
                url = url_of(w, rule, visitor, spare)
                try:
                    response = knock(w, browser, rule, method, url, visitor)
                    # Read to the end, as a browser does: a streamed CSV runs its query here
                    # (and its request's context is let go only once it is closed).
                    response.get_data()
                    response.close()
                except Exception as error:  # a 500: TESTING lets the view's exception through
                    got, answer = "500", f"{type(error).__name__}: {error}"
                else:
                    got = outcome(response, method, policy)
                    answer = f"{response.status_code} {response.headers.get('Location', '')}"
                if rule.endpoint == "auth.logout" and spare is not None:
                    # A logout ends every session of the account: the visitor logs in again.
                    w.browsers[visitor] = log_in(w.app, w.users[visitor].email)
                if got != expected:
                    found.append(
                        f"{rule.endpoint}: {method} {url} as {visitor}: expected {expected} "
                        f"({policy!r}), got {got} ({answer.rstrip()})"
                    )
    assert not found, "\n".join(["Doors that do not answer as EXPECTED says:", *found])
    assert csrf_refusals == [], "these requests of the matrix lacked a valid CSRF token"
    # Those refused changed nothing: the shared objects are all there, as they were.
    w.session.expire_all()
    assert w.session.get(Stage, w.stage.id) and w.session.get(Touchpoint, w.touchpoint.id)
    assert w.session.get(Theme, w.theme.id) is not None
    assert w.session.get(Questionnaire, w.survey.id).status == "live"
    assert "csat" in {
        q.key for q in w.session.get(Questionnaire, w.survey.id).current_version.questions
    }
    assert w.session.get(Invitation, w.invitation.id).used_at is None
    assert w.session.get(ApiToken, w.others_token.id).revoked_at is None


def test_api_routes_answer_a_staff_member_s_own_token_by_the_scopes_of_their_role(world):
    """The API's rows, with a token: what each role may grant its tokens, it may call."""
    w = world
    client = w.app.test_client()  # no cookie: a script
    found = []
    for op in (op for op in OPERATIONS if op.scope):
        rule = next(r for r in w.app.url_map.iter_rules() if r.endpoint == f"api.{op.name}")
        for role in STAFF:
            headers = bearer_for(w.session, w.users[role])  # every scope the role may grant
            response = call(client, op, api_object_id(w, rule, role), headers)
            url = response.request.path
            status = response.status_code
            if op.scope in ROLE_SCOPES[role]:
                if status >= 400 and status not in (409, 422):  # a refusal of the body is fine
                    found.append(f"{op.method} {url} with a {role}'s token: {status}")
            elif status != 403 or response.get_json()["error"]["code"] != "insufficient_scope":
                found.append(f"{op.method} {url} with a {role}'s token: {status}, not 403")
    assert not found, "\n".join(found)


# --- what belongs to one user -----------------------------------------------------------------


def test_a_report_prepared_for_one_user_is_not_found_by_another_but_an_admin(world):
    w = world
    theirs = w.others_report
    for path in (f"/reports/{theirs.id}", f"/reports/{theirs.id}/download"):
        for role in ("researcher", "cx_lead"):
            assert w.browsers[role].client.get(path).status_code == 404, (role, path)
        assert sent_to_login(w.browsers["anonymous"].client.get(path))
    # The one who asked, and an administrator (who reads any report), get the file.
    owner = log_in(w.app, w.other.email)
    for browser in (owner, w.browsers["admin"]):
        download = browser.client.get(f"/reports/{theirs.id}/download")
        assert download.status_code == 200 and download.data.startswith(b"PK")
        assert w.other.email.encode() in download.data
    # Each staff member reads their own, and only theirs.
    for role in STAFF:
        own = w.browsers[role].client.get(f"/reports/{w.reports[role].id}/download")
        assert own.status_code == 200 and w.users[role].email.encode() in own.data


def test_a_report_asked_for_on_the_page_belongs_to_whoever_asked(world, monkeypatch):
    """As with a job queue (here the job runs at once): the report is the asker's."""
    w = world
    monkeypatch.setattr("surveys.jobs.views.background_enabled", lambda: True)
    cx = w.browsers["cx_lead"]
    response = cx.client.post(
        f"/journeys/{w.journey.id}/reports", data={"csrf_token": cx.csrf_token, "fmt": "xlsx"}
    )
    assert response.status_code == 303, response.status
    page = response.headers["Location"]
    assert cx.client.get(page + "/download").status_code == 200
    for path in (page, page + "/download"):
        assert w.browsers["researcher"].client.get(path).status_code == 404
        assert w.browsers["admin"].client.get(path).status_code == 200


def test_another_user_s_api_token_cannot_be_revoked_by_id_whatever_the_role(world):
    """Not even an admin's own tokens page revokes it: the admin's page for that account does
    (tests/test_admin_users.py); under another account's URL it is not found either."""
    w = world
    theirs = w.others_token
    for role in STAFF:
        browser = w.browsers[role]
        response = browser.client.post(
            f"/account/tokens/{theirs.id}/revoke", data={"csrf_token": browser.csrf_token}
        )
        assert response.status_code == 404, role
        listed = browser.client.get("/account/tokens").get_data(as_text=True)
        assert theirs.prefix not in listed and w.tokens[role].prefix in listed
    admin = w.browsers["admin"]
    researcher = w.users["researcher"]
    wrong_owner = admin.client.post(
        f"/admin/users/{researcher.id}/tokens/{theirs.id}/revoke",
        data={"csrf_token": admin.csrf_token},
    )
    assert wrong_owner.status_code == 404
    w.session.expire_all()
    assert w.session.get(ApiToken, theirs.id).revoked_at is None


def test_an_invitation_token_opens_only_its_own_questionnaire(world):
    w = world
    token_a, slug_b = w.invitation.token, w.other_survey.slug
    w.session.refresh(w.invitation)
    opened_at = w.invitation.opened_at  # by the respondent's browser
    browser = w.app.test_client()
    assert browser.get(f"/s/{slug_b}?t={token_a}").status_code == 404
    assert browser.get(f"/s/{slug_b}/qr.svg?t={token_a}").status_code == 404
    token = csrf_token_from(browser.get(f"/s/{slug_b}").get_data(as_text=True))
    answer = {"csrf_token": token, "submission_key": secrets.token_hex(16), "q_nps": "10"}
    sent = browser.post(f"/s/{slug_b}?t={token_a}", data=answer)
    assert sent.status_code == 404
    w.session.expire_all()
    invitation = w.session.get(Invitation, w.invitation.id)
    assert invitation.used_at is None and invitation.opened_at == opened_at
    assert (
        w.session.scalars(
            select(Response).where(Response.questionnaire_id == w.other_survey.id)
        ).all()
        == []
    )
    # Its own questionnaire opens with it.
    assert browser.get(f"/s/{w.survey.slug}?t={token_a}").status_code == 200


def test_a_staff_page_cannot_pair_an_invitation_with_another_questionnaire(world):
    w = world
    reader = w.browsers["cx_lead"].client
    own = f"/questionnaires/{w.survey.id}/invitations/{w.invitation.id}/qr.svg"
    crossed = f"/questionnaires/{w.survey.id}/invitations/{w.other_invitation.id}/qr.svg"
    assert reader.get(own).status_code == 200
    assert reader.get(crossed).status_code == 404


def test_interview_guides_and_surveys_keep_to_their_own_doors(world):
    """An interview guide is filled in by a researcher, never by a customer or a script; a
    survey takes no interview notes; an interview note's page is for staff only."""
    w = world
    researcher = w.browsers["researcher"]
    assert w.app.test_client().get(f"/s/{w.guide.slug}").status_code == 404
    assert researcher.client.get(f"/questionnaires/{w.guide.id}/invitations").status_code == 404
    assert researcher.client.get(f"/questionnaires/{w.survey.id}/interviews/new").status_code == 404
    api = w.app.test_client().post(
        f"/api/v1/questionnaires/{w.guide.id}/responses",
        json={"language": "en", "answers": {"felt": "Fine"}},
        headers={**bearer_for(w.session, w.users["researcher"]), "Idempotency-Key": "k-1"},
    )
    api_error(api, 409, "interview")
    for visitor in VISITORS:
        page = w.browsers[visitor].client.get(f"/responses/{w.interview.id}")
        if visitor in STAFF:
            assert page.status_code == 200 and "nobody answered" in page.get_data(as_text=True)
        else:
            assert sent_to_login(page), visitor
    # Only an interview note of the same journey is evidence for a pain point.
    survey_answer = next(a for a in w.response.answers if a.text)
    for answer_id in (survey_answer.id, w.interview_note.id + 10_000):
        refused = researcher.client.post(
            "/pain-points/evidence",
            data={"csrf_token": researcher.csrf_token, **w.cell, "answer_id": answer_id},
        )
        assert refused.status_code == 422, answer_id


def test_a_pain_point_follow_up_cannot_name_a_stage_of_another_journey(world):
    w = world
    elsewhere = a_journey(w.session, name="Another journey")
    cx = w.browsers["cx_lead"]
    response = cx.client.post(
        "/pain-points/follow-up",
        data={
            "csrf_token": cx.csrf_token,
            **w.cell,
            "stage_id": elsewhere.stages[0].id,
            "status": "open",
        },
    )
    assert response.status_code == 422


# --- logging in and out -----------------------------------------------------------------------


def test_the_session_from_before_the_login_is_not_logged_in(app, db_session):
    a_user(db_session, "ana@example.com", "researcher")
    browser = app.test_client()
    token = csrf_token_from(browser.get("/login").get_data(as_text=True))
    before = browser.get_cookie("session").value
    login = browser.post(
        "/login", data={"csrf_token": token, "email": "ana@example.com", "password": PASSWORD}
    )
    assert login.status_code == 302
    after = browser.get_cookie("session").value
    assert after != before
    assert browser.get("/home").status_code == 200
    stale = app.test_client()
    stale.set_cookie("session", before)  # someone who saw the cookie before the login
    assert sent_to_login(stale.get("/home"))


def login_with_remember(app, remember: bool, base_url: str = "http://localhost"):
    browser = app.test_client()
    token = csrf_token_from(browser.get("/login", base_url=base_url).get_data(as_text=True))
    data = {"csrf_token": token, "email": "ana@example.com", "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    # Over HTTPS, Flask-WTF checks that the form came from this site.
    headers = {"Referer": f"{base_url}/login"}
    response = browser.post("/login", data=data, base_url=base_url, headers=headers)
    assert response.status_code == 302
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token=")]
    return browser, cookies


def test_keep_me_logged_in_is_optional_and_its_cookie_is_guarded(app, db_session):
    a_user(db_session, "ana@example.com", "researcher")
    _browser, cookies = login_with_remember(app, remember=False)
    assert cookies == []  # off unless the box is ticked
    browser, [cookie] = login_with_remember(app, remember=True)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", cookie).group(1))
    assert expires - datetime.now(UTC) <= timedelta(days=30, minutes=1)
    # Logging out forgets it.
    token = csrf_token_from(browser.get("/home").get_data(as_text=True))
    logout = browser.post("/logout", data={"csrf_token": token})
    assert any(c.startswith("remember_token=;") for c in logout.headers.getlist("Set-Cookie"))
    assert sent_to_login(browser.get("/home"))


def test_keep_me_logged_in_is_secure_over_https(database_url):
    with an_app(database_url, PUBLIC_BASE_URL="https://parcours.example") as app:
        with new_session(app) as session:
            a_user(session, "ana@example.com", "researcher")
        _browser, [cookie] = login_with_remember(app, True, base_url="https://parcours.example")
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_session_cookie_copied_before_logging_out_no_longer_logs_in(app, db_session):
    a_user(db_session, "ana@example.com", "researcher")
    browser, _cookies = login_with_remember(app, remember=False)
    copied = browser.get_cookie("session").value
    token = csrf_token_from(browser.get("/home").get_data(as_text=True))
    assert browser.post("/logout", data={"csrf_token": token}).status_code == 302
    assert sent_to_login(browser.get("/home"))
    replay = app.test_client()
    replay.set_cookie("session", copied)
    assert sent_to_login(replay.get("/home"))
