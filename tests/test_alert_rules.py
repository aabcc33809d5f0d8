"""Researchers' alert rules page: the defaults in one click, checked rules, edits, deletion."""

from __future__ import annotations

import pytest
from builders import a_live_questionnaire, a_user, an_alert_rule, answer_as_a_new_customer
from sqlalchemy import select

from surveys import scoring
from surveys.models import AlertRule, FollowUpCase


def rules(session) -> list[AlertRule]:
    session.expire_all()
    return list(session.scalars(select(AlertRule).order_by(AlertRule.id)))


def page_of(questionnaire) -> str:
    return f"/questionnaires/{questionnaire.id}/alert-rules"


def a_rule_form(**changes) -> dict:
    form = {
        "name": "Unhappy",
        "kind": "score",
        "question_key": "csat",
        "min_score": "1",
        "max_score": "2",
        "polarity_below": "",
        "owner": "",
        "due_amount": "2",
        "due_unit": "days",
        "active": "y",
    }
    form.update(changes)
    return form


@pytest.fixture
def csat(db_session):
    return a_live_questionnaire(db_session, "csat", "retention", touchpoint_key="delivery")


def test_the_default_rules_are_one_click_for_the_questionnaire_s_questions(
    auth, client, forms, db_session
):
    nps = a_live_questionnaire(db_session, "nps", "advocacy")
    auth.login()
    page = client.get(page_of(nps)).get_data(as_text=True)
    assert "No alert rule yet." in page and "nps from 0 to 6" in page
    done = forms.post(f"{page_of(nps)}/defaults", page_url=page_of(nps))
    assert done.status_code == 302
    [rule] = rules(db_session)
    assert (rule.kind, rule.question_key, rule.min_score, rule.max_score) == ("score", "nps", 0, 6)
    assert rule.name == "NPS detractor (0-6)" and rule.active and rule.due_in_hours == 48
    page = client.get(page_of(nps)).get_data(as_text=True)
    assert "Add the default rules" not in page  # nothing left to add
    again = forms.post(f"{page_of(nps)}/defaults", page_url=page_of(nps))
    assert again.status_code == 302 and len(rules(db_session)) == 1


def test_a_score_rule_is_checked_against_the_question_s_scale_and_keeps_what_was_typed(
    auth, forms, db_session, csat
):
    auth.login()
    url = f"{page_of(csat)}/new"
    outside = forms.post(url, a_rule_form(name="Way off", max_score="9"), page_url=page_of(csat))
    assert outside.status_code == 422
    text = outside.get_data(as_text=True)
    assert "within the question&#39;s scale, 1 to 5" in text
    assert 'value="Way off"' in text and 'value="9"' in text
    not_a_score = forms.post(url, a_rule_form(question_key="why"), page_url=page_of(csat))
    assert not_a_score.status_code == 422
    assert "Choose a score question" in not_a_score.get_data(as_text=True)
    no_range = forms.post(url, a_rule_form(min_score=""), page_url=page_of(csat))
    assert "Give both ends of the range." in no_range.get_data(as_text=True)
    no_due = forms.post(url, a_rule_form(due_amount=""), page_url=page_of(csat))
    assert no_due.status_code == 422
    assert rules(db_session) == []
    added = forms.post(url, a_rule_form(), page_url=page_of(csat))
    assert added.status_code == 302
    [rule] = rules(db_session)
    assert (rule.min_score, rule.max_score, rule.due_in_hours) == (1, 2, 48)


def test_owners_must_be_active_accounts_and_touchpoints_may_have_their_own(
    auth, forms, db_session, csat
):
    auth.login()
    gone = a_user(db_session, "gone@example.com", "cx_lead")
    gone.active = False
    lead = a_user(db_session, "lead@example.com", "cx_lead")
    ops = a_user(db_session, "ops@example.com", "cx_lead")
    db_session.commit()
    url = f"{page_of(csat)}/new"
    delivery = csat.touchpoint
    refused = forms.post(
        url,
        a_rule_form(owner=str(gone.id), **{f"tp_owner_{delivery.id}": str(gone.id)}),
        page_url=page_of(csat),
    )
    assert refused.status_code == 422
    assert refused.get_data(as_text=True).count("Choose an active account.") == 2
    added = forms.post(
        url,
        a_rule_form(owner=str(lead.id), **{f"tp_owner_{delivery.id}": str(ops.id)}),
        page_url=page_of(csat),
    )
    assert added.status_code == 302
    [rule] = rules(db_session)
    assert rule.owner_id == lead.id and rule.touchpoint_owners == {str(delivery.id): ops.id}


@pytest.mark.skipif(not scoring.analysis_available(), reason="text analysis not installed")
def test_a_text_rule_takes_themes_of_the_codebook_only(auth, forms, db_session, csat):
    auth.login()
    url = f"{page_of(csat)}/new"
    text_rule = a_rule_form(
        name="Parcel", kind="negative_text", question_key="why", min_score="", max_score=""
    )
    unknown = forms.post(url, {**text_rule, "themes": ["late_delivery", "no_such_theme"]})
    assert unknown.status_code == 422
    assert "Unknown themes: no_such_theme." in unknown.get_data(as_text=True)
    wrong_question = forms.post(url, {**text_rule, "question_key": "csat"}, page_url=page_of(csat))
    assert "Choose a text question, or any." in wrong_question.get_data(as_text=True)
    bad_polarity = forms.post(url, {**text_rule, "polarity_below": "-3"}, page_url=page_of(csat))
    assert "between -1 and 1" in bad_polarity.get_data(as_text=True)
    added = forms.post(
        url,
        {**text_rule, "themes": ["late_delivery", "lost_parcel"], "polarity_below": "-0.2"},
        page_url=page_of(csat),
    )
    assert added.status_code == 302
    [rule] = rules(db_session)
    assert rule.kind == "negative_text" and rule.question_key == "why"
    assert rule.theme_keys == ["late_delivery", "lost_parcel"]
    assert rule.polarity_below == pytest.approx(-0.2) and rule.min_score is None


def test_editing_a_rule_and_deleting_it_leaves_its_cases(
    app, auth, client, forms, db_session, csat
):
    rule = an_alert_rule(db_session, csat, name="Unhappy", due_in_hours=24)
    answer_as_a_new_customer(app, csat, {"q_csat": "1"})
    auth.login()
    url = f"/alert-rules/{rule.id}/edit"
    form = client.get(url).get_data(as_text=True)
    assert 'value="Unhappy"' in form and 'value="1"' in form
    saved = forms.post(url, a_rule_form(name="Very unhappy", max_score="1", due_amount="3"))
    assert saved.status_code == 302
    [changed] = rules(db_session)
    assert (changed.name, changed.max_score, changed.due_in_hours) == ("Very unhappy", 1, 72)
    refused = forms.post(url, a_rule_form(min_score="3", max_score="2"))
    assert refused.status_code == 422
    deleted = forms.post(f"/alert-rules/{rule.id}/delete", page_url=page_of(csat))
    assert deleted.status_code == 302
    assert rules(db_session) == []
    [case] = db_session.scalars(select(FollowUpCase)).all()
    assert case.rule_id is None and case.rule_name == "Unhappy"


def test_cx_leads_read_the_rules_but_cannot_change_them(auth, client, forms, db_session, csat):
    auth.login_as_cx_lead()
    page = client.get(page_of(csat))
    assert page.status_code == 200
    assert "Add a rule" not in page.get_data(as_text=True)
    refused = forms.post(f"{page_of(csat)}/new", a_rule_form(), page_url="/cases")
    assert refused.status_code == 403


@pytest.mark.parametrize(
    "changes",
    [
        {"kind": "bogus"},
        {"min_score": "abc"},
        {"due_unit": "weeks"},
        {"due_amount": "0"},
        {"due_amount": "91", "due_unit": "days"},
        {"name": ""},
        {"name": "x" * 121},
        {"question_key": "nope"},
    ],
)
def test_bad_rule_forms_are_refused_with_a_422_and_save_nothing(
    auth, forms, db_session, csat, changes
):
    auth.login()
    response = forms.post(f"{page_of(csat)}/new", a_rule_form(**changes), page_url=page_of(csat))
    assert response.status_code == 422
    assert rules(db_session) == []
