"""Researchers design questionnaires: stage templates, questions, preview, publish, versions."""

from __future__ import annotations

import pytest
from builders import (
    a_draft_questionnaire,
    a_journey,
    a_live_questionnaire,
    an_interview_guide,
    answer_as_a_new_customer,
    count_answers,
    count_responses,
    submission_key,
)
from sqlalchemy import func, select

from surveys.design_service import DesignError, add_question, publish, update_question
from surveys.models import Answer, Question, Questionnaire, QuestionnaireVersion, Response
from surveys.question_types import EMOTIONS


def reload(db_session, questionnaire) -> Questionnaire:
    db_session.expire_all()
    return db_session.get(Questionnaire, questionnaire.id)


def question_keys(db_session, questionnaire) -> list[str]:
    return [q.key for q in reload(db_session, questionnaire).current_version.questions]


def answer(app, questionnaire, data):
    response = answer_as_a_new_customer(app, questionnaire, data)
    assert response.status_code == 303


# Creating from stage templates


@pytest.mark.parametrize(
    "kind, follow_ups",
    [
        ("csat", [("went_wrong", "long_text")]),
        ("nps", [("fix", "long_text"), ("quote", "single_choice")]),
        ("ces", [("hard", "long_text")]),
    ],
    ids=str,
)
def test_one_click_gives_a_score_why_and_emotion_questionnaire(
    client, auth, forms, db_session, kind, follow_ups
):
    journey = a_journey(db_session)
    stage = journey.stage_by_key("purchase")
    auth.login()
    response = forms.post(
        f"/journeys/{journey.id}/questionnaires/new",
        {
            "stage": str(stage.id),
            "touchpoint": "0",
            "kind": kind,
            "languages": ["fr", "en"],
            "from_template": "y",
        },
    )
    assert response.status_code == 302
    questionnaire = db_session.scalars(select(Questionnaire)).one()
    assert (questionnaire.kind, questionnaire.status, questionnaire.stage_id) == (
        kind,
        "draft",
        stage.id,
    )
    questions = questionnaire.current_version.questions
    assert [(q.key, q.type) for q in questions] == [
        (kind, kind),
        ("why", "long_text"),
        ("emotion", "emotion"),
        *follow_ups,  # asked after some scores only (tests/test_question_rules_design.py)
    ]
    assert questions[0].required
    assert questions[0].prompt["fr"] and questions[0].prompt["en"]


def test_csat_template_for_a_touchpoint_names_the_touchpoint(db_session):
    questionnaire = a_draft_questionnaire(db_session, "csat", "retention", "delivery")
    assert questionnaire.touchpoint.key == "delivery"
    prompt = questionnaire.current_version.questions[0].prompt
    assert "delivery" in prompt["en"] and "livraison" in prompt["fr"]


def test_interview_guide_asks_what_they_felt_did_and_hesitated(db_session):
    guide = an_interview_guide(db_session)
    keys = [q.key for q in guide.current_version.questions]
    assert {"felt", "did", "hesitated"} <= set(keys)
    assert all(q.prompt["fr"] and q.prompt["en"] for q in guide.current_version.questions)


def test_custom_questionnaire_starts_empty(db_session):
    assert a_draft_questionnaire(db_session, "custom").current_version.questions == []


def test_questionnaire_can_be_english_only(client, auth, forms, db_session):
    journey = a_journey(db_session)
    auth.login()
    forms.post(
        f"/journeys/{journey.id}/questionnaires/new",
        {"stage": str(journey.stages[0].id), "touchpoint": "0", "kind": "nps", "languages": "en"},
    )
    assert db_session.scalars(select(Questionnaire)).one().languages == ["en"]


@pytest.mark.parametrize(
    "change",
    [
        {"kind": "poll"},
        {"languages": "de"},
        {"languages": []},
        {"stage": "999999"},
        {"stage": "abc"},
        {"touchpoint": "999999"},
    ],
    ids=["unknown-kind", "unknown-language", "no-language", "foreign-stage", "bad-stage", "tp"],
)
def test_bad_new_questionnaire_form_is_refused_and_stores_nothing(
    client, auth, forms, db_session, change
):
    journey = a_journey(db_session)
    auth.login()
    data = {"stage": str(journey.stages[0].id), "touchpoint": "0", "kind": "csat"}
    data["languages"] = ["fr", "en"]
    response = forms.post(f"/journeys/{journey.id}/questionnaires/new", {**data, **change})
    assert response.status_code == 422
    assert 'class="error"' in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count(Questionnaire.id))) == 0


def test_stage_of_another_journey_is_refused_by_the_service(db_session):
    from surveys.design_service import create_questionnaire

    ours, theirs = a_journey(db_session), a_journey(db_session, "aida", "Other")
    with pytest.raises(DesignError):
        create_questionnaire(db_session, ours, theirs.stages[0], "csat")
    with pytest.raises(DesignError):
        create_questionnaire(db_session, ours, ours.stages[0], "survey")


# Questions


QUESTION_FORM = {
    "key": "delivery_time",
    "type": "rating",
    "prompt_fr": "Notez le délai",
    "prompt_en": "Rate the delivery time",
    "scale": "5",
    "touchpoint": "0",
}


def test_researcher_adds_a_required_question_about_a_touchpoint(client, auth, forms, db_session):
    questionnaire = a_draft_questionnaire(db_session, "csat", "retention")
    delivery = questionnaire.journey.touchpoint_by_key("delivery")
    auth.login()
    response = forms.post(
        f"/questionnaires/{questionnaire.id}/questions/new",
        {**QUESTION_FORM, "required": "y", "touchpoint": str(delivery.id)},
    )
    assert response.status_code == 302
    question = reload(db_session, questionnaire).current_version.questions[-1]
    assert (question.key, question.type, question.required) == ("delivery_time", "rating", True)
    assert question.prompt == {"fr": "Notez le délai", "en": "Rate the delivery time"}
    assert question.touchpoint_id == delivery.id
    assert question.settings["scale"] == 5


def test_choice_question_keeps_its_options_in_both_languages(client, auth, forms, db_session):
    questionnaire = a_draft_questionnaire(db_session, "custom")
    auth.login()
    forms.post(
        f"/questionnaires/{questionnaire.id}/questions/new",
        {
            **QUESTION_FORM,
            "key": "carrier",
            "type": "single_choice",
            "options": "post | Post office | La Poste\nrelay | Pick-up point | Point relais",
        },
    )
    question = reload(db_session, questionnaire).current_version.questions[0]
    assert question.options == [
        {"value": "post", "label": {"en": "Post office", "fr": "La Poste"}},
        {"value": "relay", "label": {"en": "Pick-up point", "fr": "Point relais"}},
    ]


@pytest.mark.parametrize(
    "change, message",
    [
        ({"key": "csat"}, "already has a question"),
        ({"key": "Bad Key"}, "lower-case"),
        ({"key": ""}, "This field is required"),
        ({"type": "slider"}, "Not a valid choice"),
        ({"prompt_fr": "", "prompt_en": ""}, "at least one language"),
        ({"type": "single_choice", "options": "only"}, "at least two options"),
        ({"type": "multi_choice", "options": "a\na"}, "same value"),
        ({"type": "likert", "scale": "6"}, "5, 7"),
        ({"scale": "11"}, "between 3 and 10"),
        ({"scale": "lots"}, "Not a valid integer"),
        ({"touchpoint": "999999"}, "Not a valid choice"),
    ],
    ids=lambda v: str(v)[:30],
)
def test_bad_question_is_a_form_error_and_changes_nothing(
    client, auth, forms, db_session, change, message
):
    questionnaire = a_draft_questionnaire(db_session, "csat")
    before = question_keys(db_session, questionnaire)
    auth.login()
    response = forms.post(
        f"/questionnaires/{questionnaire.id}/questions/new", {**QUESTION_FORM, **change}
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert question_keys(db_session, questionnaire) == before


def test_researcher_edits_reorders_and_removes_questions(client, auth, forms, db_session):
    questionnaire = a_draft_questionnaire(db_session, "nps", "advocacy")
    auth.login()
    url = f"/questionnaires/{questionnaire.id}/questions"
    response = forms.post(
        f"{url}/why/edit",
        {
            "key": "why",
            "type": "short_text",
            "prompt_en": "Why?",
            "prompt_fr": "Pourquoi ?",
            "touchpoint": "0",
        },
    )
    assert response.status_code == 302
    forms.post(f"{url}/emotion/move", {"direction": "up"}, page_url=f"{url}/why/edit")
    assert question_keys(db_session, questionnaire) == ["nps", "emotion", "why", "fix", "quote"]
    forms.post(f"{url}/emotion/delete", page_url=f"{url}/why/edit")
    questionnaire = reload(db_session, questionnaire)
    assert [q.key for q in questionnaire.current_version.questions] == [
        "nps",
        "why",
        "fix",
        "quote",
    ]
    assert [q.position for q in questionnaire.current_version.questions] == [0, 1, 2, 3]
    assert questionnaire.current_version.questions[1].type == "short_text"
    # A draft without answers is edited in place.
    assert len(questionnaire.versions) == 1


def test_every_question_type_can_be_added(db_session):
    from builders import EVERY_TYPE

    questionnaire = a_draft_questionnaire(db_session, "custom")
    for spec in EVERY_TYPE:
        add_question(db_session, questionnaire, spec)
    types = {q.type for q in questionnaire.current_version.questions}
    assert types == {
        "nps",
        "csat",
        "ces",
        "rating",
        "likert",
        "single_choice",
        "multi_choice",
        "short_text",
        "long_text",
        "emotion",
    }


# Preview and publishing


def test_preview_shows_the_page_as_the_customer_sees_it(client, auth, db_session):
    questionnaire = a_draft_questionnaire(db_session, "nps", "advocacy")
    auth.login()
    preview = client.get(f"/questionnaires/{questionnaire.id}/preview?lang=en")
    assert preview.status_code == 200
    page = preview.get_data(as_text=True)
    assert "How likely are you to recommend us" in page
    assert page.count('type="radio" name="q_nps"') == 11
    assert "answers sent from this page are checked but not saved" in page


def test_posting_in_the_preview_checks_answers_but_stores_nothing(client, auth, forms, db_session):
    questionnaire = a_live_questionnaire(db_session, "nps", "advocacy")
    auth.login()
    url = f"/questionnaires/{questionnaire.id}/preview?lang=en"
    valid = forms.post(url, {"q_nps": "10", "q_why": "Great", "submission_key": submission_key()})
    assert valid.status_code == 200
    assert "these answers are valid. Nothing was saved" in valid.get_data(as_text=True)
    invalid = forms.post(url, {"q_nps": "11"})
    assert invalid.status_code == 422
    assert count_responses(db_session) == 0 and count_answers(db_session) == 0


def test_publishing_gives_a_public_link_that_customers_can_open(client, auth, forms, db_session):
    questionnaire = a_draft_questionnaire(db_session, "csat")
    assert client.get(f"/s/{questionnaire.slug}").status_code == 404
    auth.login()
    response = forms.post(
        f"/questionnaires/{questionnaire.id}/publish",
        page_url=f"/questionnaires/{questionnaire.id}",
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert f"/s/{questionnaire.slug}" in page
    assert reload(db_session, questionnaire).status == "live"
    auth.logout()
    assert client.get(f"/s/{questionnaire.slug}").status_code == 200


def test_empty_questionnaire_or_interview_guide_cannot_be_published(db_session):
    with pytest.raises(DesignError, match="at least one question"):
        publish(a_draft_questionnaire(db_session, "custom"))
    with pytest.raises(DesignError, match="no public link"):
        publish(an_interview_guide(db_session))


def test_closing_a_questionnaire_closes_its_public_link(client, auth, forms, db_session):
    questionnaire = a_live_questionnaire(db_session)
    auth.login()
    forms.post(
        f"/questionnaires/{questionnaire.id}/close",
        page_url=f"/questionnaires/{questionnaire.id}",
    )
    assert reload(db_session, questionnaire).status == "closed"
    assert client.get(f"/s/{questionnaire.slug}").status_code == 410


def test_questionnaire_with_responses_cannot_be_deleted(app, client, auth, forms, db_session):
    questionnaire = a_live_questionnaire(db_session, "ces", "purchase")
    answer(app, questionnaire, {"q_ces": "6"})
    auth.login()
    forms.post(
        f"/questionnaires/{questionnaire.id}/delete",
        page_url=f"/questionnaires/{questionnaire.id}",
    )
    assert reload(db_session, questionnaire) is not None


# Versioning


def test_editing_a_live_questionnaire_with_answers_makes_a_new_version(
    app, client, auth, forms, db_session
):
    questionnaire = a_live_questionnaire(db_session, "csat", "purchase")
    answer(app, questionnaire, {"q_csat": "2", "q_why": "Slow checkout", "q_emotion": "anger"})
    old_question = reload(db_session, questionnaire).current_version.questions[0]
    old_prompt = dict(old_question.prompt)
    auth.login()
    response = forms.post(
        f"/questionnaires/{questionnaire.id}/questions/csat/edit",
        {
            "key": "csat",
            "type": "csat",
            "prompt_en": "Rate your checkout",
            "prompt_fr": "Notez votre paiement",
            "required": "y",
            "touchpoint": "0",
        },
    )
    assert response.status_code == 302
    questionnaire = reload(db_session, questionnaire)
    assert [v.number for v in questionnaire.versions] == [1, 2]
    old, new = questionnaire.versions
    assert old.questions[0].prompt == old_prompt
    assert new.questions[0].prompt["en"] == "Rate your checkout"
    stored = db_session.scalars(select(Response)).one()
    assert stored.version_id == old.id
    assert {a.question.version_id for a in stored.answers} == {old.id}
    assert {a.question.key: a.number or a.text or a.choice for a in stored.answers} == {
        "csat": 2,
        "why": "Slow checkout",
        "emotion": "anger",
    }


def test_new_answers_go_to_the_new_version(app, client, auth, forms, db_session):
    questionnaire = a_live_questionnaire(db_session, "nps", "advocacy")
    answer(app, questionnaire, {"q_nps": "9"})
    add_question(
        db_session,
        questionnaire,
        {"key": "city", "type": "short_text", "prompt": {"en": "City", "fr": "Ville"}},
    )
    db_session.commit()
    answer(app, questionnaire, {"q_nps": "3", "q_city": "Lyon"})
    versions = [
        r.version.number for r in db_session.scalars(select(Response).order_by(Response.id)).all()
    ]
    assert versions == [1, 2]


def test_editing_options_of_an_answered_choice_question_keeps_old_options(app, db_session, forms):
    questionnaire = a_draft_questionnaire(db_session, "custom")
    options = [
        {"value": "post", "label": {"en": "Post", "fr": "Poste"}},
        {"value": "relay", "label": {"en": "Relay", "fr": "Relais"}},
    ]
    spec = {"key": "carrier", "type": "single_choice", "prompt": {"en": "Carrier?"}}
    add_question(db_session, questionnaire, {**spec, "options": options})
    publish(questionnaire)
    db_session.commit()
    answer(app, questionnaire, {"q_carrier": "relay"})
    db_session.expire_all()
    questionnaire = db_session.get(Questionnaire, questionnaire.id)
    update_question(
        db_session,
        questionnaire,
        "carrier",
        {
            **spec,
            "options": [{"value": "locker", "label": {"en": "Locker", "fr": "Casier"}}] * 1
            + [{"value": "home", "label": {"en": "Home", "fr": "Domicile"}}],
        },
    )
    db_session.commit()
    db_session.expire_all()
    stored = db_session.scalars(select(Answer)).one()
    assert stored.choice == "relay"
    assert stored.question.options == options
    assert stored.question.prompt["en"] == "Carrier?"


def test_removing_an_answered_question_keeps_it_in_the_old_version(app, client, db_session, forms):
    questionnaire = a_live_questionnaire(db_session, "ces", "retention")
    answer(app, questionnaire, {"q_ces": "5", "q_why": "Fine"})
    from surveys.design_service import remove_question

    db_session.expire_all()
    questionnaire = db_session.get(Questionnaire, questionnaire.id)
    remove_question(db_session, questionnaire, "why")
    db_session.commit()
    questionnaire = reload(db_session, questionnaire)
    assert [q.key for q in questionnaire.versions[0].questions] == ["ces", "why", "emotion", "hard"]
    assert [q.key for q in questionnaire.versions[1].questions] == ["ces", "emotion", "hard"]
    assert db_session.scalar(select(func.count(Question.id))) == 7


def test_second_edit_of_the_same_new_version_does_not_make_a_third(app, client, db_session, forms):
    questionnaire = a_live_questionnaire(db_session, "csat")
    answer(app, questionnaire, {"q_csat": "5"})
    db_session.expire_all()
    questionnaire = db_session.get(Questionnaire, questionnaire.id)
    spec = {"type": "long_text", "prompt": {"en": "Why?", "fr": "Pourquoi ?"}}
    update_question(db_session, questionnaire, "why", spec)
    update_question(db_session, questionnaire, "why", {**spec, "required": True})
    db_session.commit()
    assert db_session.scalar(select(func.count(QuestionnaireVersion.id))) == 2


# Interviews


def test_researcher_records_an_interview_with_free_notes(client, auth, forms, db_session):
    guide = an_interview_guide(db_session)
    auth.login()
    response = forms.post(
        f"/questionnaires/{guide.id}/interviews/new",
        {
            "interviewee": "P07",
            "language": "fr",
            "q_felt": "Soulagée quand le colis est arrivé",
            "q_did": "J'ai appelé le service client deux fois",
            "q_hesitated": "Les frais de retour",
            "q_emotion": "trust",
            "submission_key": submission_key(),
        },
    )
    assert response.status_code == 302
    stored = db_session.scalars(select(Response)).one()
    assert (stored.channel, stored.language, stored.meta) == (
        "interview",
        "fr",
        {"interviewee": "P07"},
    )
    notes = {a.question.key: a.text or a.choice for a in stored.answers}
    assert notes["did"] == "J'ai appelé le service client deux fois"
    assert notes["emotion"] == "trust"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Les frais de retour" in page


def test_empty_interview_is_refused(client, auth, forms, db_session):
    guide = an_interview_guide(db_session)
    auth.login()
    response = forms.post(f"/questionnaires/{guide.id}/interviews/new", {"q_felt": "  "})
    assert response.status_code == 422
    assert "Write at least one note" in response.get_data(as_text=True)
    assert count_responses(db_session) == 0


def test_interview_notes_over_the_limit_are_refused_and_kept(client, auth, forms, db_session):
    guide = an_interview_guide(db_session)
    auth.login()
    response = forms.post(
        f"/questionnaires/{guide.id}/interviews/new", {"q_felt": "x" * 5001, "q_did": "Called"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "too long" in page and "Called" in page
    assert count_responses(db_session) == 0


def test_interview_page_exists_only_for_interview_guides(client, auth, db_session):
    questionnaire = a_draft_questionnaire(db_session, "csat")
    auth.login()
    assert client.get(f"/questionnaires/{questionnaire.id}/interviews/new").status_code == 404


def test_interview_guide_has_no_public_page(client, db_session):
    guide = an_interview_guide(db_session)
    assert client.get(f"/s/{guide.slug}").status_code == 404


def test_emotion_question_offers_plutchiks_eight(client, db_session):
    questionnaire = a_live_questionnaire(db_session, "csat")
    page = client.get(f"/s/{questionnaire.slug}").get_data(as_text=True)
    for emotion in EMOTIONS:
        assert f'name="q_emotion" value="{emotion}"' in page


def test_interview_saved_twice_by_a_double_click_is_stored_once(client, auth, forms, db_session):
    guide = an_interview_guide(db_session)
    auth.login()
    url = f"/questionnaires/{guide.id}/interviews/new"
    data = {"q_felt": "Relieved", "submission_key": submission_key()}
    first, second = forms.post(url, data), forms.post(url, data)
    assert first.headers["Location"] == second.headers["Location"]
    assert count_responses(db_session) == 1


def test_interview_with_a_choice_question_offers_its_options(client, auth, forms, db_session):
    guide = an_interview_guide(db_session)
    add_question(
        db_session,
        guide,
        {
            "key": "channel",
            "type": "single_choice",
            "prompt": {"en": "Channel used", "fr": "Canal utilisé"},
            "options": [
                {"value": "phone", "label": {"en": "Phone", "fr": "Téléphone"}},
                {"value": "store", "label": {"en": "Store", "fr": "Magasin"}},
            ],
        },
    )
    db_session.commit()
    auth.login()
    page = client.get(f"/questionnaires/{guide.id}/interviews/new").get_data(as_text=True)
    assert 'type="radio" name="q_channel"' in page and "Téléphone" in page
    response = forms.post(
        f"/questionnaires/{guide.id}/interviews/new",
        {"language": "fr", "q_channel": "store", "submission_key": submission_key()},
    )
    assert response.status_code == 302
    stored = db_session.scalars(select(Response)).one()
    assert [a.choice for a in stored.answers] == ["store"]
