"""Follow-up cases: opened by alert rules from customers' answers, worked by CX leads."""

from __future__ import annotations

import re
import socket
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from builders import (
    a_live_questionnaire,
    a_user,
    an_alert_rule,
    an_invitation,
    answer_as_a_new_customer,
    csrf_token_from,
    submission_key,
    survey_url,
)
from sqlalchemy import func, select

from surveys import privacy, scoring
from surveys.cases import notify, opening
from surveys.cases.figures import cell_key, map_case_figures
from surveys.cases.opening import open_cases_for_existing
from surveys.cases.payloads import case_data
from surveys.db import new_session
from surveys.jobs.queue import get_queue
from surveys.jobs.scoring_jobs import score_response
from surveys.models import (
    AlertRule,
    AuditEvent,
    CaseEvent,
    FollowUpCase,
    Response,
    utcnow,
)
from surveys.question_types import field_name, parse_form
from surveys.submissions import store_response

LATE = "The parcel arrived two weeks late, terrible service."


# --- builders -------------------------------------------------------------------------------


def store(app, session, questionnaire, form: dict, ref: str | None = None, **kwargs):
    """Store a response through the app's service, as the API or an interview would."""
    questions = questionnaire.current_version.questions
    parsed = parse_form(questions, {field_name(q): form.get(q.key, []) for q in questions})
    assert not parsed.errors, parsed.errors
    meta = {"customer_ref": ref} if ref else None
    with app.app_context():
        response, _new = store_response(
            session, questionnaire, parsed.values, "en", meta=meta, **kwargs
        )
    return response


@pytest.fixture
def a_response(app, db_session):
    return lambda questionnaire, form, ref=None, **kwargs: store(
        app, db_session, questionnaire, form, ref, **kwargs
    )


def cases(session) -> list[FollowUpCase]:
    session.expire_all()
    return list(session.scalars(select(FollowUpCase).order_by(FollowUpCase.id)))


@pytest.fixture
def delivery(db_session):
    """A live CSAT questionnaire at retention x delivery, with a CSAT 1-2 rule: the default
    owner a CX lead, the delivery team's lead for the delivery touchpoint; due in 24 hours."""
    questionnaire = a_live_questionnaire(db_session, "csat", "retention", touchpoint_key="delivery")
    lead = a_user(db_session, "cx@example.com", "cx_lead")
    ops = a_user(db_session, "ops@example.com", "cx_lead")
    touchpoint = questionnaire.touchpoint
    rule = an_alert_rule(
        db_session,
        questionnaire,
        owner_id=lead.id,
        touchpoint_owners={str(touchpoint.id): ops.id},
        due_in_hours=24,
    )
    return questionnaire, rule, lead, ops


@pytest.fixture
def webhook_events(monkeypatch):
    """The webhook events recorded by the cases code (the recorder itself is tested apart)."""
    found = []
    monkeypatch.setattr(opening, "record", lambda session, event, data: found.append((event, data)))
    from surveys.cases import service

    monkeypatch.setattr(service, "record", lambda session, event, data: found.append((event, data)))
    return found


# --- opening -------------------------------------------------------------------------------


def test_a_detractor_s_web_answer_opens_one_case_owned_by_touchpoint_and_due_by_rule(
    app, db_session, delivery, webhook_events
):
    questionnaire, rule, _lead, ops = delivery
    invitation = an_invitation(
        db_session, questionnaire, customer_ref="C-77", meta={"order_id": "A-42"}
    )
    before = utcnow()
    page = answer_as_a_new_customer(
        app, questionnaire, {"q_csat": "1", "q_why": "Nobody told me."}, t=invitation.token
    )
    assert page.status_code in (302, 303)
    [case] = cases(db_session)
    assert case.rule_id == rule.id and case.rule_name == rule.name
    assert case.owner_id == ops.id  # the delivery touchpoint's owner, not the default one
    assert case.status == "open" and case.closed_at is None
    assert case.customer_ref == "C-77" and case.meta["order_id"] == "A-42"
    assert not case.anonymous
    assert case.stage.key == "retention" and case.touchpoint.key == "delivery"
    opened = case.opened_at.replace(tzinfo=UTC) if not case.opened_at.tzinfo else case.opened_at
    due = case.due_at.replace(tzinfo=UTC) if not case.due_at.tzinfo else case.due_at
    assert before - timedelta(seconds=1) <= opened <= utcnow()
    assert due - opened == timedelta(hours=24)
    assert [e.kind for e in case.events] == ["opened"]
    [(event, data)] = webhook_events
    assert event == "case.opened"
    assert data["id"] == case.id and data["customer_ref"] == "C-77"
    assert data["owner"] == "ops@example.com" and data["stage"] == "retention"
    assert data["touchpoint"] == "delivery" and data["url"].endswith(f"/cases/{case.id}")


def test_a_promoter_opens_no_case_and_an_inactive_owner_falls_back_to_the_default(
    app, db_session, delivery
):
    questionnaire, _rule, lead, ops = delivery
    answer_as_a_new_customer(app, questionnaire, {"q_csat": "5"})
    answer_as_a_new_customer(app, questionnaire, {"q_csat": "3"})
    assert cases(db_session) == []
    ops.active = False
    db_session.commit()
    answer_as_a_new_customer(app, questionnaire, {"q_csat": "2"})
    [case] = cases(db_session)
    assert case.owner_id == lead.id


def test_a_replayed_submission_opens_no_second_case(app, db_session, delivery):
    questionnaire = delivery[0]
    browser = app.test_client()
    url = survey_url(questionnaire)
    token = csrf_token_from(browser.get(url).get_data(as_text=True))
    data = {"csrf_token": token, "submission_key": submission_key(), "script": "1", "q_csat": "1"}
    assert browser.post(url, data=data).status_code in (302, 303)
    assert browser.post(url, data=data).status_code < 400  # the same thanks, nothing new
    assert len(cases(db_session)) == 1
    # Running the rules again over the stored responses opens nothing more either.
    assert open_cases_for_existing(db_session, questionnaire) == []
    db_session.commit()
    assert len(cases(db_session)) == 1


def test_a_paused_rule_opens_nothing(app, db_session, delivery):
    questionnaire, rule, _lead, _ops = delivery
    rule.active = False
    db_session.commit()
    answer_as_a_new_customer(app, questionnaire, {"q_csat": "1"})
    assert cases(db_session) == []


@pytest.mark.skipif(not scoring.analysis_available(), reason="text analysis not installed")
def test_a_text_rule_opens_its_case_once_the_scoring_job_has_scored_the_text(
    app, db_session, webhook_events, a_response
):
    questionnaire = a_live_questionnaire(db_session, "nps", "advocacy")
    an_alert_rule(
        db_session,
        questionnaire,
        name="Parcel problem",
        kind="negative_text",
        question_key=None,
        min_score=None,
        max_score=None,
        theme_keys=["late_delivery", "lost_parcel"],
    )
    response = a_response(questionnaire, {"nps": ["9"], "why": [LATE]}, score=False)
    assert cases(db_session) == []  # stored unscored: nothing to read yet
    with app.app_context():
        assert score_response(response.id) == 1
        assert score_response(response.id) == 0  # a duplicate job changes nothing
    [case] = cases(db_session)
    assert case.rule_name == "Parcel problem" and case.response_id == response.id
    assert [e for e, _d in webhook_events] == ["case.opened"]
    # A later run of the rules (a rescoring) opens no second case.
    with app.app_context():
        assert opening.open_cases_for(db_session, db_session.get(Response, response.id)) == []


@pytest.mark.skipif(not scoring.analysis_available(), reason="text analysis not installed")
def test_a_text_rule_skips_a_negative_text_about_another_theme(app, db_session, a_response):
    questionnaire = a_live_questionnaire(db_session, "nps", "advocacy")
    an_alert_rule(
        db_session,
        questionnaire,
        kind="negative_text",
        question_key="why",
        min_score=None,
        max_score=None,
        theme_keys=["rude_staff"],
    )
    a_response(questionnaire, {"nps": ["2"], "why": [LATE]})
    assert cases(db_session) == []


def test_an_anonymous_questionnaire_s_case_has_no_one_to_contact(
    app, auth, client, db_session, webhook_events
):
    questionnaire = a_live_questionnaire(db_session, "csat", "purchase")
    questionnaire.anonymous = True
    questionnaire.anonymous_since = utcnow()
    db_session.commit()
    an_alert_rule(db_session, questionnaire)
    invitation = an_invitation(db_session, questionnaire, customer_ref="C-9", meta={"x": "y"})
    answer_as_a_new_customer(app, questionnaire, {"q_csat": "1"}, t=invitation.token)
    [case] = cases(db_session)
    assert case.anonymous and case.customer_ref == "" and case.meta == {}
    [(_event, data)] = webhook_events
    assert "customer_ref" not in data and data["anonymous"] is True
    auth.login_as_cx_lead()
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "there is no one to contact" in page
    assert "C-9" not in page


# --- the list --------------------------------------------------------------------------------


@pytest.fixture
def listed(db_session, delivery, a_response):
    """Three cases: C-1 overdue and open, C-2 due tomorrow (the CX lead's), C-3 resolved."""
    questionnaire, _rule, lead, ops = delivery
    made = []
    for ref in ("C-1", "C-2", "C-3"):
        a_response(questionnaire, {"csat": ["1"]}, ref=ref)
    made = cases(db_session)
    now = utcnow()
    made[0].due_at = now - timedelta(hours=3)
    made[1].due_at = now + timedelta(days=1)
    made[1].owner_id = lead.id
    made[2].status, made[2].outcome, made[2].closed_at = "resolved", "Refunded.", now
    made[2].due_at = now - timedelta(days=2)
    db_session.commit()
    return made


def rows_of(page: str) -> list[str]:
    return re.findall(
        r"<tr(?: class=\"case-overdue\")?>\s*<td><a href=\"/cases/\d+\">.*?</tr>", page, re.S
    )


def test_the_list_shows_open_cases_soonest_due_first_and_marks_overdue_ones(auth, client, listed):
    auth.login_as_cx_lead()
    page = client.get("/cases").get_data(as_text=True)
    rows = rows_of(page)
    assert [r for r in ("C-1", "C-2", "C-3") if r in page] == ["C-1", "C-2"]
    assert "C-1" in rows[0] and "C-2" in rows[1]
    assert "Overdue" in rows[0] and "Overdue" not in rows[1]
    assert 'class="case-overdue"' in rows[0]
    # Counts per status, whatever status is shown.
    assert re.search(r"open: <strong>2</strong>", page)
    assert re.search(r"resolved: <strong>1</strong>", page)


def test_the_list_filters_by_status_owner_place_questionnaire_and_overdue(
    auth, client, db_session, listed, delivery
):
    questionnaire = delivery[0]
    auth.login_as_cx_lead()

    def refs(query: str) -> list[str]:
        page = client.get(f"/cases?{query}")
        assert page.status_code == 200, query
        text = page.get_data(as_text=True)
        shown = [r for r in ("C-1", "C-2", "C-3") if f">{r}<" in text]
        return sorted(shown, key=lambda r: text.index(f">{r}<"))

    assert refs("status=resolved") == ["C-3"]
    assert refs("status=all") == ["C-3", "C-1", "C-2"]
    assert refs("overdue=1") == ["C-1"]
    assert refs("owner=mine") == ["C-2"]
    assert refs("owner=none") == []
    stage, touchpoint = questionnaire.stage_id, questionnaire.touchpoint_id
    assert refs(f"journey={questionnaire.journey_id}&stage={stage}&touchpoint={touchpoint}") == [
        "C-1",
        "C-2",
    ]
    assert refs(f"stage={stage}&touchpoint=none") == []
    assert refs(f"questionnaire={questionnaire.id + 1000}") == []
    bad = client.get("/cases?journey=abc&status=lost")
    assert bad.status_code == 400
    text = bad.get_data(as_text=True)
    assert "Journey: choose one from the list." in text and "Status: choose" in text


# --- one case ------------------------------------------------------------------------------


def case_form(case, **changes) -> dict:
    data = {
        "status": case.status,
        "owner": str(case.owner_id or ""),
        "due_at": case.due_at.strftime("%Y-%m-%dT%H:%M"),
        "outcome": case.outcome or "",
    }
    data.update(changes)
    return data


def test_resolving_a_case_needs_an_outcome_and_keeps_what_was_typed(
    auth, client, forms, db_session, listed, webhook_events
):
    case = listed[0]
    auth.login_as_cx_lead()
    url = f"/cases/{case.id}"
    refused = forms.post(url, case_form(case, status="resolved", due_at="2031-05-04T10:30"))
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "before closing the case" in text
    assert 'value="2031-05-04T10:30"' in text
    assert re.search(r'<option selected value="resolved">|<option value="resolved" selected', text)
    db_session.expire_all()
    assert db_session.get(FollowUpCase, case.id).status == "open"
    assert webhook_events == []

    done = forms.post(url, case_form(case, status="resolved", outcome="Called back, refunded."))
    assert done.status_code == 302
    db_session.expire_all()
    saved = db_session.get(FollowUpCase, case.id)
    assert saved.status == "resolved" and saved.closed_at is not None
    assert saved.outcome == "Called back, refunded."
    assert [e.kind for e in saved.events] == ["opened", "status", "outcome"]
    audit = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "case_status_changed"))
    [event] = list(audit)
    assert event.details == {"case_id": case.id, "from": "open", "to": "resolved"}
    assert event.actor_email == "cx@example.com"
    assert [e for e, _d in webhook_events] == ["case.updated"]
    assert webhook_events[0][1]["status"] == "resolved"
    # Reopened: no longer closed.
    forms.post(url, case_form(saved, status="contacted"))
    db_session.expire_all()
    assert db_session.get(FollowUpCase, case.id).closed_at is None


def test_reassigning_and_moving_the_due_date_are_on_the_timeline(
    auth, client, forms, db_session, listed, delivery
):
    case, lead = listed[0], delivery[2]
    auth.login_as_cx_lead()
    url = f"/cases/{case.id}"
    response = forms.post(url, case_form(case, owner=str(lead.id), due_at="2031-01-02T09:00"))
    assert response.status_code == 302
    db_session.expire_all()
    saved = db_session.get(FollowUpCase, case.id)
    assert saved.owner_id == lead.id
    assert saved.due_at.strftime("%Y-%m-%d %H:%M") == "2031-01-02 09:00"
    page = client.get(url).get_data(as_text=True)
    assert "ops@example.com → cx@example.com" in page
    assert "Overdue" not in page
    unknown = forms.post(url, case_form(saved, owner="999999"))
    assert unknown.status_code == 422
    assert "Choose an active account." in unknown.get_data(as_text=True)


def test_notes_are_added_to_the_timeline_and_an_empty_note_is_refused(
    auth, client, forms, db_session, listed
):
    case = listed[0]
    auth.login_as_cx_lead()
    url = f"/cases/{case.id}"
    empty = forms.post(f"{url}/notes", {"text": "  "}, page_url=url)
    assert empty.status_code == 422
    assert "Write the note first." in empty.get_data(as_text=True)
    added = forms.post(f"{url}/notes", {"text": "Voicemail <left>."}, page_url=url)
    assert added.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Voicemail &lt;left&gt;." in page
    assert "cx@example.com" in page
    notes = db_session.scalars(select(CaseEvent).where(CaseEvent.kind == "note")).all()
    assert [n.text for n in notes] == ["Voicemail <left>."]


def test_the_case_page_shows_the_customer_answers_and_overdue_state(
    auth, client, db_session, listed
):
    auth.login("researcher@example.com", "researcher")
    page = client.get(f"/cases/{listed[0].id}").get_data(as_text=True)
    assert "C-1" in page and "Overdue" in page and "is not closed" in page
    assert "Retention" in page and "Delivery" in page.title()
    # Readers see; only CX leads and admins get the forms.
    assert 'name="outcome"' not in page and 'name="text"' not in page


# --- the journey map ---------------------------------------------------------------------------


def test_map_figures_count_open_cases_and_the_share_closed_in_time(
    db_session, delivery, a_response
):
    questionnaire = delivery[0]
    for ref in ("A", "B", "C", "D", "E"):
        a_response(questionnaire, {"csat": ["1"]}, ref=ref)
    a, b, c, d, e = cases(db_session)
    now = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
    for case in (a, b, c, d, e):
        case.opened_at = now - timedelta(days=3)
    a.due_at = now + timedelta(hours=5)  # open, not yet due: neither in time nor late
    b.due_at = now - timedelta(hours=1)  # open past due: late
    c.due_at, c.status, c.closed_at = now - timedelta(days=1), "resolved", now - timedelta(days=2)
    d.due_at, d.status, d.closed_at = now - timedelta(days=2), "wont_fix", now - timedelta(days=1)
    e.due_at, e.status, e.closed_at = now, "contacted", None  # due this very moment: not late
    db_session.commit()
    figures = map_case_figures(db_session, questionnaire.journey_id, now)
    cell = figures[cell_key(questionnaire.stage_id, questionnaire.touchpoint_id)]
    assert (cell.open, cell.closed_in_time, cell.judged) == (3, 1, 3)
    assert cell.share_in_time == pytest.approx(1 / 3)
    total = figures[cell_key(questionnaire.stage_id, None)]
    assert (total.open, total.closed_in_time, total.judged) == (3, 1, 3)
    # Cases opened before the period are not counted.
    later = map_case_figures(db_session, questionnaire.journey_id, now, date_from=now.date())
    assert later == {}


def test_the_map_cell_shows_open_cases_and_links_to_them(
    auth, client, db_session, delivery, a_response
):
    questionnaire = delivery[0]
    for ref in ("A", "B"):
        a_response(questionnaire, {"csat": ["1"]}, ref=ref)
    first = cases(db_session)[0]
    first.status, first.outcome, first.closed_at = "resolved", "Done.", utcnow()
    db_session.commit()
    auth.login_as_cx_lead()
    page = client.get(f"/journeys/{questionnaire.journey_id}/map").get_data(as_text=True)
    link = (
        f"/cases?journey={questionnaire.journey_id}&amp;stage={questionnaire.stage_id}"
        f"&amp;touchpoint={questionnaire.touchpoint_id}"
    )
    assert link in page
    assert "1 open case</a> · 100% closed in time" in page


# --- email -------------------------------------------------------------------------------------


class Sink:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 Message accepted"


@pytest.fixture
def sink():
    handler = Sink()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


def test_the_owner_is_emailed_after_the_commit_when_a_mail_server_is_set(
    app, db_session, delivery, sink
):
    handler, port = sink
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    questionnaire = delivery[0]
    invitation = an_invitation(db_session, questionnaire, customer_ref="C-77")
    answer_as_a_new_customer(app, questionnaire, {"q_csat": "2"}, t=invitation.token)
    notify.wait_for_emails()
    [case] = cases(db_session)
    [(to, message)] = handler.messages
    assert to == ["ops@example.com"]
    assert message["Subject"] == f"Follow-up case #{case.id}: Dissatisfied (CSAT 1-2)"
    body = message.get_content()
    assert "Customer: C-77" in body and f"/cases/{case.id}" in body
    assert "Retention · Delivery" in body


def test_no_email_without_a_mail_server_nor_for_a_rolled_back_case(
    app, db_session, delivery, sink, a_response
):
    handler, port = sink
    questionnaire = delivery[0]
    answer_as_a_new_customer(app, questionnaire, {"q_csat": "1"})
    notify.wait_for_emails()
    assert len(cases(db_session)) == 1 and handler.messages == []
    # With the server set, a case whose transaction rolls back is never announced.
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    with app.test_request_context():
        a_response(questionnaire, {"csat": ["1"]}, ref="kept")
        db_session.commit()
        notify.wait_for_emails()
        assert len(handler.messages) == 1
        response = db_session.scalars(select(Response).order_by(Response.id)).first()
        # Runs the rules as a new rule would, then gives up.
        extra = an_alert_rule(db_session, questionnaire, name="Another", max_score=3)
        assert opening.open_cases_for(db_session, response)
        db_session.rollback()
        notify.wait_for_emails()
    assert len(handler.messages) == 1
    assert (
        db_session.scalar(
            select(func.count(FollowUpCase.id)).where(FollowUpCase.rule_id == extra.id)
        )
        == 0
    )


# --- privacy -------------------------------------------------------------------------------------


def test_a_customer_s_cases_are_exported_then_erased_with_their_timelines(
    app, db_session, delivery, a_response
):
    questionnaire = delivery[0]
    a_response(questionnaire, {"csat": ["1"]}, ref="C-erase")
    a_response(questionnaire, {"csat": ["1"]}, ref="C-keep")
    erased, kept = cases(db_session)
    erased.events.append(CaseEvent(kind="note", text="Lives at 3 rue X"))
    db_session.commit()
    with app.test_request_context():
        document = privacy.export_customer(db_session, "C-erase")
        db_session.commit()
        [exported] = document["follow_up_cases"]
        assert exported["id"] == erased.id and exported["status"] == "open"
        assert [n["text"] for n in exported["notes"]] == ["Lives at 3 rue X"]
        counts = privacy.erase_customer(db_session, "C-erase")
        db_session.commit()
    assert counts["cases"] == 1
    assert [c.customer_ref for c in cases(db_session)] == ["C-keep"]
    left = db_session.scalars(select(CaseEvent.case_id)).all()
    assert set(left) == {kept.id}


def test_the_retention_purge_removes_the_cases_of_purged_responses(
    app, db_session, delivery, a_response
):
    questionnaire = delivery[0]
    questionnaire.retention_days = 30
    db_session.commit()
    old = a_response(
        questionnaire,
        {"csat": ["1"]},
        ref="C-old",
        submitted_at=utcnow() - timedelta(days=40),
    )
    a_response(questionnaire, {"csat": ["1"]}, ref="C-new")
    assert len(cases(db_session)) == 2
    with app.test_request_context():
        privacy.purge(db_session)
    assert db_session.get(Response, old.id) is None
    assert [c.customer_ref for c in cases(db_session)] == ["C-new"]


def test_case_data_names_the_case_for_a_crm(app, db_session, delivery, a_response):
    questionnaire = delivery[0]
    a_response(questionnaire, {"csat": ["1"]}, ref="C-5")
    [case] = cases(db_session)
    with app.app_context():
        data = case_data(case)
    assert data["status"] == "open" and data["customer_ref"] == "C-5"
    assert data["questionnaire_id"] == questionnaire.id
    assert data["journey_id"] == questionnaire.journey_id
    assert data["url"] == f"http://parcours.test/cases/{case.id}"
    assert data["closed_at"] is None and data["due_at"].endswith("+00:00")


def test_with_a_queue_the_email_is_a_job_queued_after_the_commit(redis_app, sink):
    handler, port = sink
    redis_app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    with new_session(redis_app) as session:
        questionnaire = a_live_questionnaire(session, "csat", "purchase")
        lead = a_user(session, "lead@example.com", "cx_lead")
        an_alert_rule(session, questionnaire, owner_id=lead.id)
        answer_as_a_new_customer(redis_app, questionnaire, {"q_csat": "1"})
        [case] = cases(session)
    with redis_app.app_context():
        jobs = [j for j in get_queue().jobs if j.func_name.endswith("email_case_opened")]
        assert [j.args for j in jobs] == [(case.id,)]
        assert handler.messages == []  # nothing sent by the customer's request
        assert jobs[0].func(*jobs[0].args) is True  # what the worker runs
    [(to, _message)] = handler.messages
    assert to == ["lead@example.com"]


def test_the_demo_opens_lifelike_cases_from_its_recent_unhappy_answers(
    app, runner, db_session, tmp_path
):
    app.instance_path = str(tmp_path)  # the demo's logins land there, not in the project
    for _run in range(2):
        result = runner.invoke(args=["seed-demo", "--responses", "300", "--seed", "3"])
        assert result.exit_code == 0, result.output
    assert "follow-up cases" in result.output
    rules = db_session.scalars(select(AlertRule)).all()
    assert {r.name for r in rules} >= {"Dissatisfied (CSAT 1-2)", "NPS detractor (0-6)"}
    assert len(rules) == len({(r.questionnaire_id, r.name) for r in rules})  # made once
    found = cases(db_session)
    statuses = {c.status for c in found}
    assert {"open", "resolved"} <= statuses
    now = utcnow()
    assert any(c.overdue(now) for c in found)
    assert all(c.outcome for c in found if c.closed)
    assert len({(c.rule_id, c.response_id) for c in found}) == len(found)


@pytest.mark.parametrize(
    "changes",
    [
        {"status": "lost"},
        {"due_at": "next week"},
        {"due_at": ""},
        {"owner": "abc"},
        {"outcome": "x" * 2001, "status": "resolved"},
    ],
)
def test_bad_case_forms_are_refused_with_a_422_and_change_nothing(
    auth, forms, db_session, listed, changes
):
    case = listed[0]
    auth.login_as_cx_lead()
    response = forms.post(f"/cases/{case.id}", case_form(case, **changes))
    assert response.status_code == 422
    db_session.expire_all()
    saved = db_session.get(FollowUpCase, case.id)
    assert saved.status == "open" and [e.kind for e in saved.events] == ["opened"]
