"""Researchers build journey maps: templates, stages, touchpoints, moments of truth."""

from __future__ import annotations

import pytest
from builders import a_journey, a_live_questionnaire, count_answers, submission_key
from sqlalchemy import func, select

from surveys.journey_templates import TEMPLATES
from surveys.journeys import (
    JourneyError,
    add_stage,
    add_touchpoint,
    create_journey,
    move,
    remove_stage,
)
from surveys.models import Journey, Stage, Touchpoint


def reload_journey(db_session, journey_id: int) -> Journey:
    db_session.expire_all()
    return db_session.get(Journey, journey_id)


def stage_keys(db_session, journey_id: int) -> list[str]:
    return [s.key for s in reload_journey(db_session, journey_id).stages]


def touchpoint_keys(db_session, journey_id: int) -> list[str]:
    return [t.key for t in reload_journey(db_session, journey_id).touchpoints]


def count(db_session, model) -> int:
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(model))


# Templates


@pytest.mark.parametrize(
    "template, keys",
    [
        ("five-stage", ["awareness", "consideration", "purchase", "retention", "advocacy"]),
        ("b2b-three-stage", ["discovery", "consideration", "decision"]),
        (
            "post-purchase",
            ["discovery", "consideration", "decision", "purchase", "post_purchase"],
        ),
        ("aida", ["attention", "interest", "desire", "action"]),
    ],
)
def test_researcher_creates_a_journey_from_each_built_in_template(
    client, auth, forms, db_session, template, keys
):
    auth.login()
    response = forms.post("/journeys/new", {"name": "Our shop", "template": template})
    assert response.status_code == 302
    journey = db_session.scalars(select(Journey)).one()
    assert journey.template == template
    assert [s.key for s in journey.stages] == keys
    assert all(s.name_en and s.name_fr and s.goal and s.customer_status for s in journey.stages)
    assert all(s.kpi and s.touchpoints for s in journey.stages)


def test_five_stage_template_carries_french_names_metrics_and_typical_touchpoints(db_session):
    journey = a_journey(db_session, "five-stage")
    purchase = journey.stage_by_key("purchase")
    assert (purchase.name_en, purchase.name_fr) == ("Purchase", "Achat")
    assert purchase.customer_status and purchase.goal
    assert "Conversion" in purchase.kpi
    assert "checkout" in [t.key for t in purchase.touchpoints]
    assert "NPS" in journey.stage_by_key("advocacy").kpi
    assert journey.stage_by_key("retention").name_fr == "Fidélisation"
    assert journey.touchpoint_by_key("checkout").is_moment_of_truth
    assert not journey.touchpoint_by_key("website").is_moment_of_truth
    # A touchpoint shared by stages is one touchpoint of the journey.
    assert [t.key for t in journey.touchpoints].count("review_site") == 1


def test_default_template_on_the_new_journey_page_is_five_stage(client, auth):
    auth.login()
    page = client.get("/journeys/new").get_data(as_text=True)
    assert '<option selected value="five-stage">' in page


def test_journey_page_shows_goal_status_metric_and_moments_of_truth(client, auth, db_session):
    journey = a_journey(db_session)
    auth.login()
    page = client.get(f"/journeys/{journey.id}").get_data(as_text=True)
    assert "Make the purchase decision" in page
    assert "Conversion rate, sales" in page
    assert "Prospect, ready" in page
    assert 'class="chip mot">Checkout' in page


def test_empty_journey_has_no_stage(client, auth, forms, db_session):
    auth.login()
    forms.post("/journeys/new", {"name": "Blank", "template": ""}, page_url="/journeys/new")
    journey = db_session.scalars(select(Journey)).one()
    assert journey.stages == [] and journey.template is None


@pytest.mark.parametrize(
    "data",
    [
        {"name": "", "template": "five-stage"},
        {"name": "x" * 201, "template": "five-stage"},
        {"name": "Shop", "template": "seven-stage"},
    ],
    ids=["no-name", "name-too-long", "unknown-template"],
)
def test_bad_new_journey_form_is_refused_and_stores_nothing(client, auth, forms, db_session, data):
    auth.login()
    response = forms.post("/journeys/new", data)
    assert response.status_code == 422
    assert 'class="error"' in response.get_data(as_text=True)
    assert count(db_session, Journey) == 0


def test_unknown_template_in_the_service_is_refused(db_session):
    with pytest.raises(JourneyError, match="Unknown journey template"):
        create_journey(db_session, "Shop", "seven-stage")


def test_every_template_stage_has_french_and_english_names():
    for template in TEMPLATES.values():
        for stage in template.stages:
            assert stage.name_en and stage.name_fr, (template.key, stage.key)


# Stages


def test_researcher_adds_a_stage_with_goal_status_and_metric(client, auth, forms, db_session):
    journey = a_journey(db_session, "aida")
    auth.login()
    response = forms.post(
        f"/journeys/{journey.id}/stages",
        {
            "stage-key": "loyalty",
            "stage-name_en": "Loyalty",
            "stage-name_fr": "Fidélité",
            "stage-goal": "Come back",
            "stage-customer_status": "Customer",
            "stage-kpi": "Repurchase rate",
        },
        page_url=f"/journeys/{journey.id}",
    )
    assert response.status_code == 302
    stage = reload_journey(db_session, journey.id).stages[-1]
    assert (stage.key, stage.name_fr, stage.goal, stage.position) == (
        "loyalty",
        "Fidélité",
        "Come back",
        4,
    )
    assert (stage.customer_status, stage.kpi) == ("Customer", "Repurchase rate")


def test_stage_key_is_made_from_the_english_name_when_left_empty(client, auth, forms, db_session):
    journey = a_journey(db_session, "aida")
    auth.login()
    forms.post(
        f"/journeys/{journey.id}/stages",
        {"stage-name_en": "After Sales!", "stage-name_fr": "Après-vente"},
        page_url=f"/journeys/{journey.id}",
    )
    assert stage_keys(db_session, journey.id)[-1] == "after_sales"


@pytest.mark.parametrize(
    "key, message",
    [
        ("purchase", "already has a stage"),
        ("Purchase", "lower-case"),
        ("1st", "lower-case"),
        ("bad key", "lower-case"),
        ("clé", "lower-case"),
        ("k" * 41, "40"),
    ],
)
def test_duplicate_or_bad_stage_key_is_a_form_error_and_stores_nothing(
    client, auth, forms, db_session, key, message
):
    journey = a_journey(db_session)
    before = stage_keys(db_session, journey.id)
    auth.login()
    response = forms.post(
        f"/journeys/{journey.id}/stages",
        {"stage-key": key, "stage-name_en": "Again", "stage-name_fr": "Encore"},
        page_url=f"/journeys/{journey.id}",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'class="error"' in page and message in page
    assert stage_keys(db_session, journey.id) == before


def test_stage_without_names_is_a_form_error(client, auth, forms, db_session):
    journey = a_journey(db_session)
    auth.login()
    response = forms.post(
        f"/journeys/{journey.id}/stages",
        {"stage-key": "extra", "stage-name_en": "", "stage-name_fr": ""},
        page_url=f"/journeys/{journey.id}",
    )
    assert response.status_code == 422
    assert len(stage_keys(db_session, journey.id)) == 5


def test_researcher_renames_a_stage(client, auth, forms, db_session):
    journey = a_journey(db_session)
    stage = journey.stage_by_key("purchase")
    auth.login()
    response = forms.post(
        f"/stages/{stage.id}/edit",
        {"key": "order", "name_en": "Order", "name_fr": "Commande", "goal": "Order easily"},
    )
    assert response.status_code == 302
    db_session.expire_all()
    stage = db_session.get(Stage, stage.id)
    assert (stage.key, stage.name_en, stage.name_fr, stage.goal) == (
        "order",
        "Order",
        "Commande",
        "Order easily",
    )


@pytest.mark.parametrize("key", ["retention", "Order", ""])
def test_renaming_a_stage_to_a_taken_or_bad_key_changes_nothing(
    client, auth, forms, db_session, key
):
    journey = a_journey(db_session)
    stage = journey.stage_by_key("purchase")
    auth.login()
    response = forms.post(
        f"/stages/{stage.id}/edit", {"key": key, "name_en": "Renamed", "name_fr": "Renommé"}
    )
    assert response.status_code == 422
    db_session.expire_all()
    stage = db_session.get(Stage, stage.id)
    assert (stage.key, stage.name_en) == ("purchase", "Purchase")


def test_researcher_moves_a_stage_up_and_every_stage_is_kept(client, auth, forms, db_session):
    journey = a_journey(db_session)
    stage = journey.stage_by_key("purchase")
    auth.login()
    response = forms.post(
        f"/stages/{stage.id}/move", {"direction": "up"}, page_url=f"/journeys/{journey.id}"
    )
    assert response.status_code == 302
    assert stage_keys(db_session, journey.id) == [
        "awareness",
        "purchase",
        "consideration",
        "retention",
        "advocacy",
    ]
    positions = [s.position for s in reload_journey(db_session, journey.id).stages]
    assert positions == [0, 1, 2, 3, 4]


def test_moving_the_last_stage_down_changes_nothing(client, auth, forms, db_session):
    journey = a_journey(db_session)
    stage = journey.stage_by_key("advocacy")
    auth.login()
    forms.post(
        f"/stages/{stage.id}/move", {"direction": "down"}, page_url=f"/journeys/{journey.id}"
    )
    assert stage_keys(db_session, journey.id)[-1] == "advocacy"
    assert len(stage_keys(db_session, journey.id)) == 5


def test_move_in_the_service_keeps_both_neighbours(db_session):
    journey = a_journey(db_session)
    move(journey.stages, journey.stage_by_key("retention"), -1)
    db_session.commit()
    assert stage_keys(db_session, journey.id) == [
        "awareness",
        "consideration",
        "retention",
        "purchase",
        "advocacy",
    ]


def test_researcher_removes_an_unused_stage(client, auth, forms, db_session):
    journey = a_journey(db_session)
    stage = journey.stage_by_key("awareness")
    auth.login()
    forms.post(f"/stages/{stage.id}/delete", page_url=f"/journeys/{journey.id}")
    journey = reload_journey(db_session, journey.id)
    assert [s.key for s in journey.stages][0] == "consideration"
    assert [s.position for s in journey.stages] == [0, 1, 2, 3]
    # Its touchpoints stay on the journey.
    assert journey.touchpoint_by_key("search_ads") is not None


def test_removing_a_stage_that_has_answers_is_refused_with_a_clear_message(
    client, auth, forms, db_session
):
    questionnaire = a_live_questionnaire(db_session, "csat", "purchase")
    client.post(
        f"/s/{questionnaire.slug}",
        data={"q_csat": "4", "submission_key": submission_key()},
    )
    assert count_answers(db_session) == 0  # without a CSRF token nothing is stored
    forms.post(f"/s/{questionnaire.slug}", {"q_csat": "4", "submission_key": submission_key()})
    assert count_answers(db_session) == 1
    stage_id = questionnaire.stage_id
    auth.login()
    response = forms.post(
        f"/stages/{stage_id}/delete",
        page_url=f"/journeys/{questionnaire.journey_id}",
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "has 1 answer and cannot be removed" in page
    assert db_session.get(Stage, stage_id) is not None
    assert len(stage_keys(db_session, questionnaire.journey_id)) == 5
    assert count_answers(db_session) == 1


def test_removing_a_stage_with_answers_is_refused_by_the_service(db_session, client, forms):
    questionnaire = a_live_questionnaire(db_session, "nps", "advocacy")
    forms.post(f"/s/{questionnaire.slug}", {"q_nps": "9", "submission_key": submission_key()})
    db_session.expire_all()
    with pytest.raises(JourneyError, match="has 1 answer and cannot be removed"):
        remove_stage(db_session, db_session.get(Stage, questionnaire.stage_id))


def test_removing_a_stage_with_a_questionnaire_but_no_answers_is_refused(
    client, auth, forms, db_session
):
    questionnaire = a_live_questionnaire(db_session, "ces", "consideration")
    auth.login()
    response = forms.post(
        f"/stages/{questionnaire.stage_id}/delete",
        page_url=f"/journeys/{questionnaire.journey_id}",
        follow_redirects=True,
    )
    assert "has 1 questionnaire. Delete it or move it" in response.get_data(as_text=True)
    assert "consideration" in stage_keys(db_session, questionnaire.journey_id)


def test_duplicate_stage_key_is_refused_by_the_service(db_session):
    journey = a_journey(db_session)
    with pytest.raises(JourneyError, match="already has a stage"):
        add_stage(db_session, journey, "purchase", "Purchase", "Achat")


# Touchpoints


def test_researcher_adds_a_touchpoint_flagged_as_moment_of_truth(client, auth, forms, db_session):
    journey = a_journey(db_session)
    purchase = journey.stage_by_key("purchase")
    auth.login()
    response = forms.post(
        f"/journeys/{journey.id}/touchpoints",
        {
            "tp-key": "click_collect",
            "tp-name_en": "Click and collect",
            "tp-name_fr": "Retrait en magasin",
            "tp-channel": "physical",
            "tp-stages": [str(purchase.id)],
            "tp-is_moment_of_truth": "y",
        },
        page_url=f"/journeys/{journey.id}",
    )
    assert response.status_code == 302
    touchpoint = reload_journey(db_session, journey.id).touchpoint_by_key("click_collect")
    assert touchpoint.is_moment_of_truth
    assert touchpoint.channel == "physical"
    assert [s.key for s in touchpoint.stages] == ["purchase"]


@pytest.mark.parametrize(
    "data, message",
    [
        ({"tp-key": "checkout"}, "already has a touchpoint"),
        ({"tp-key": "Check-out"}, "lower-case"),
        ({"tp-channel": "pigeon"}, "Not a valid choice"),
        ({"tp-stages": ["999999"]}, "not a valid choice"),
        ({"tp-stages": ["abc"]}, "Invalid choice"),
        ({"tp-name_en": ""}, "This field is required"),
    ],
)
def test_bad_touchpoint_form_is_refused_and_stores_nothing(
    client, auth, forms, db_session, data, message
):
    journey = a_journey(db_session)
    before = touchpoint_keys(db_session, journey.id)
    auth.login()
    fields = {"tp-key": "kiosk", "tp-name_en": "Kiosk", "tp-name_fr": "Borne"}
    fields["tp-channel"] = "physical"
    response = forms.post(
        f"/journeys/{journey.id}/touchpoints",
        {**fields, **data},
        page_url=f"/journeys/{journey.id}",
    )
    assert response.status_code == 422
    assert message.lower() in response.get_data(as_text=True).lower()
    assert touchpoint_keys(db_session, journey.id) == before


def test_researcher_renames_a_touchpoint_and_flags_it(client, auth, forms, db_session):
    journey = a_journey(db_session)
    website = journey.touchpoint_by_key("website")
    consideration = journey.stage_by_key("consideration")
    auth.login()
    response = forms.post(
        f"/touchpoints/{website.id}/edit",
        {
            "key": "web_shop",
            "name_en": "Web shop",
            "name_fr": "Boutique en ligne",
            "channel": "digital",
            "stages": [str(consideration.id)],
            "is_moment_of_truth": "y",
        },
    )
    assert response.status_code == 302
    db_session.expire_all()
    touchpoint = db_session.get(Touchpoint, website.id)
    assert (touchpoint.key, touchpoint.name_fr) == ("web_shop", "Boutique en ligne")
    assert touchpoint.is_moment_of_truth
    assert [s.key for s in touchpoint.stages] == ["consideration"]


def test_renaming_a_touchpoint_to_a_taken_key_changes_nothing(client, auth, forms, db_session):
    journey = a_journey(db_session)
    website = journey.touchpoint_by_key("website")
    auth.login()
    response = forms.post(
        f"/touchpoints/{website.id}/edit",
        {"key": "checkout", "name_en": "Web", "name_fr": "Web", "channel": "digital"},
    )
    assert response.status_code == 422
    assert "already has a touchpoint" in response.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Touchpoint, website.id).key == "website"


def test_researcher_reorders_touchpoints_and_keeps_them_all(client, auth, forms, db_session):
    journey = a_journey(db_session)
    before = touchpoint_keys(db_session, journey.id)
    email = journey.touchpoint_by_key(before[1])
    auth.login()
    forms.post(
        f"/touchpoints/{email.id}/move", {"direction": "up"}, page_url=f"/journeys/{journey.id}"
    )
    after = touchpoint_keys(db_session, journey.id)
    assert after == [before[1], before[0], *before[2:]]


def test_researcher_removes_an_unused_touchpoint(client, auth, forms, db_session):
    journey = a_journey(db_session)
    touchpoint = journey.touchpoint_by_key("word_of_mouth")
    auth.login()
    forms.post(f"/touchpoints/{touchpoint.id}/delete", page_url=f"/journeys/{journey.id}")
    keys = touchpoint_keys(db_session, journey.id)
    assert "word_of_mouth" not in keys
    assert [t.position for t in reload_journey(db_session, journey.id).touchpoints] == list(
        range(len(keys))
    )


def test_removing_a_touchpoint_a_questionnaire_is_about_is_refused(client, auth, forms, db_session):
    questionnaire = a_live_questionnaire(db_session, "csat", "purchase", touchpoint_key="checkout")
    auth.login()
    response = forms.post(
        f"/touchpoints/{questionnaire.touchpoint_id}/delete",
        page_url=f"/journeys/{questionnaire.journey_id}",
        follow_redirects=True,
    )
    assert "cannot be removed" in response.get_data(as_text=True)
    assert "checkout" in touchpoint_keys(db_session, questionnaire.journey_id)


def test_duplicate_touchpoint_key_is_refused_by_the_service(db_session):
    journey = a_journey(db_session)
    with pytest.raises(JourneyError):
        add_touchpoint(db_session, journey, "email", "Email", "E-mail", "digital", [])


def test_unknown_stage_or_touchpoint_is_a_404_page(client, auth, forms):
    auth.login()
    assert client.get("/stages/999999/edit").status_code == 404
    assert client.get("/touchpoints/999999/edit").status_code == 404
    assert client.get("/journeys/999999").status_code == 404
    assert forms.post("/stages/999999/delete", page_url="/home").status_code == 404
