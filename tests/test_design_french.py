"""The researcher's design pages in French: journeys, questionnaires, questions, interviews,
responses, their forms' labels and messages, and the service's refusals, with French figures."""

from __future__ import annotations

import re
from html import unescape

import pytest
from builders import (
    a_draft_questionnaire,
    a_journey,
    a_live_questionnaire,
    an_interview_guide,
    answer_as_a_new_customer,
    submission_key,
)
from sqlalchemy import select

from feedback import locale_format
from surveys.design_service import DesignError, publish
from surveys.journeys import JourneyError, check_key, remove_stage
from surveys.models import Response, Stage

FR = {"Accept-Language": "fr-FR,fr;q=0.9"}
EN = {"Accept-Language": "en"}


def text_of(response) -> str:
    """The page with its character references read (l&#39;étape -> l'étape)."""
    return unescape(response.get_data(as_text=True))


def page(client, url, headers=FR) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, url
    return text_of(response)


def test_journey_page_speaks_french_with_names_in_french_first(client, auth, db_session):
    journey = a_journey(db_session)
    auth.login()
    html = page(client, f"/journeys/{journey.id}")
    assert '<html lang="fr">' in html
    for text in ("Carte du parcours", "Étapes", "Points de contact", "Indicateur de réussite",
                 "Ajouter une étape", "Renommer ce parcours", "Moment de vérité"):  # fmt: skip
        assert text in html, text
    # Stage and touchpoint names in the page's language, the other one beside them.
    assert '<h3>Achat <span class="muted" lang="en">/ Purchase</span></h3>' in html
    assert 'class="chip mot">Paiement</span>' in html
    assert "<td>Paiement <span" in html and "<td>Physique</td>" in html
    # The forms' labels, choices and the stages of the touchpoint form.
    assert "Nom (anglais)" in html and "Objectif du client" in html
    assert '<option value="physical">Physique</option>' in html
    assert "Sensibilisation</label>" in html
    assert "Stages" not in html and "Add a stage" not in html

    english = page(client, f"/journeys/{journey.id}", EN)
    assert '<h3>Purchase <span class="muted" lang="fr">/ Achat</span></h3>' in english
    assert 'class="chip mot">Checkout</span>' in english
    assert "Add a stage" in english and "Étapes" not in english


def test_new_journey_page_offers_the_templates_by_their_french_names(client, auth):
    auth.login()
    html = page(client, "/journeys/new")
    assert "Nouveau parcours" in html and "Ce que contient chaque modèle" in html
    assert '<option selected value="five-stage">Parcours client en cinq étapes</option>' in html
    assert "Un parcours vide" in html and "Parcours B2B en trois étapes" in html
    assert '<strong>Sensibilisation</strong> / <span lang="en">Awareness</span>' in html
    english = page(client, "/journeys/new", EN)
    assert '<option selected value="five-stage">Five-stage customer journey</option>' in english


def test_questionnaire_page_in_french_with_its_french_title_and_types(
    app, client, auth, db_session
):
    questionnaire = a_live_questionnaire(db_session, "csat", "purchase")
    answer_as_a_new_customer(app, questionnaire, {"q_csat": "4"})
    auth.login()
    html = page(client, f"/questionnaires/{questionnaire.id}")
    assert "<h1>Votre satisfaction : Achat " in html
    assert "› Achat</p>" in html
    assert "CSAT · langues : fr, en · version 1" in html
    assert "Cette version a des réponses. Modifier une question crée la version 2" in html
    assert '<span class="chip">Texte long</span>' in html
    assert '<span class="chip">obligatoire</span>' in html
    assert "Lien public" in html and "Fermer</button>" in html
    invitations = f'<a href="/questionnaires/{questionnaire.id}/invitations">Invitations</a>'
    assert f"{invitations} : un lien personnel par client" in html
    # The prompt in the page's language first, the other beneath it.
    assert "<strong>Quelle est la principale raison de votre réponse ?</strong>" in html
    english = page(client, f"/questionnaires/{questionnaire.id}", EN)
    assert "<h1>Your satisfaction: Purchase " in english
    assert "CSAT · languages: fr, en · version 1" in english
    assert "<strong>What is the main reason for your answer?</strong>" in english


def test_new_questionnaire_form_in_french(client, auth, forms, db_session):
    journey = a_journey(db_session)
    auth.login()
    html = page(client, f"/journeys/{journey.id}/questionnaires/new")
    assert '<option value="0">— Toute l\'étape —</option>' in html
    assert '<option value="interview">Guide d\'entretien</option>' in html
    assert "Partir du modèle de l" in html and "Créer le brouillon" in html
    assert f'<option value="{journey.stage_by_key("purchase").id}">Achat</option>' in html
    # No language chosen: the form's own message, in French.
    response = forms.post(
        f"/journeys/{journey.id}/questionnaires/new",
        {"stage": str(journey.stages[0].id), "touchpoint": "0", "kind": "nps"},
        headers=FR,
    )
    assert response.status_code == 422
    assert "Choisissez au moins une langue." in response.get_data(as_text=True)


def test_wtforms_own_messages_are_french_too(client, auth, forms, db_session):
    """Flask-WTF translates WTForms' built-in messages through Flask-Babel's locale."""
    questionnaire = a_draft_questionnaire(db_session, "custom")
    auth.login()
    url = f"/questionnaires/{questionnaire.id}/questions/new"
    data = {"key": "", "type": "short_text", "scale": "2"}
    response = forms.post(url, data, headers=FR)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Ce champ est requis." in html  # DataRequired
    assert "Le nombre doit être compris entre 3 et 10." in html  # NumberRange
    response = forms.post(url, {**data, "key": "k" * 41, "type": "poll"}, headers=FR)
    html = response.get_data(as_text=True)
    assert "Le champ ne peut pas contenir plus de 40 caractères." in html  # Length
    assert "pas un choix valide" in html  # SelectField
    english = forms.post(url, data, headers=EN).get_data(as_text=True)
    assert "This field is required." in english and "Ce champ est requis." not in english
    assert "Number must be between 3 and 10." in english


def test_a_question_the_service_refuses_reads_in_french(client, auth, forms, db_session):
    questionnaire = a_draft_questionnaire(db_session, "custom")
    auth.login()
    url = f"/questionnaires/{questionnaire.id}/questions/new"
    response = forms.post(url, {"key": "city", "type": "short_text", "touchpoint": "0"}, headers=FR)
    assert response.status_code == 422
    assert "Rédigez la question dans au moins une langue." in response.get_data(as_text=True)
    english = {"key": "Bad Key", "type": "short_text", "touchpoint": "0", "prompt_en": "City?"}
    response = forms.post(url, english)
    assert "A key is 1 to 40 lower-case letters" in response.get_data(as_text=True)


def test_refusals_of_the_service_read_in_french_on_pages(client, auth, forms, db_session):
    journey = a_journey(db_session)
    auth.login()
    response = forms.post(
        f"/journeys/{journey.id}/stages",
        {"stage-key": "purchase", "stage-name_en": "Buy", "stage-name_fr": "Acheter"},
        page_url=f"/journeys/{journey.id}",
        headers=FR,
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Ce parcours a déjà une étape de clé « purchase »." in html
    assert "<h1>Ajouter une étape</h1>" in html

    questionnaire = a_draft_questionnaire(db_session, "custom", journey=journey)
    response = forms.post(
        f"/questionnaires/{questionnaire.id}/publish",
        page_url=f"/questionnaires/{questionnaire.id}",
        headers=FR,
        follow_redirects=True,
    )
    assert "Ajoutez au moins une question avant de publier." in response.get_data(as_text=True)


def test_a_stage_with_answers_is_refused_in_french_with_its_french_name(
    app, client, auth, forms, db_session
):
    questionnaire = a_live_questionnaire(db_session, "csat", "purchase")
    answer_as_a_new_customer(app, questionnaire, {"q_csat": "4"})
    auth.login()
    response = forms.post(
        f"/stages/{questionnaire.stage_id}/delete",
        page_url=f"/journeys/{questionnaire.journey_id}",
        headers=FR,
        follow_redirects=True,
    )
    assert "L'étape « Achat » a 1 réponse et ne peut pas être supprimée" in text_of(response)


def test_service_errors_stay_english_for_the_api_and_translate_for_pages(app, db_session):
    """str(error) is the API's and the import reports' English; translated() the page's."""
    questionnaire = a_live_questionnaire(db_session, "csat", "purchase")
    with app.test_request_context("/", headers=FR):
        with pytest.raises(JourneyError) as key_error:
            check_key("Bad Key")
        questionnaire.current_version.questions.clear()
        with pytest.raises(DesignError) as publish_error:
            publish(questionnaire)
        assert str(key_error.value).startswith("A key is 1 to 40 lower-case letters")
        assert key_error.value.translated().startswith("Une clé compte de 1 à 40 lettres")
        assert str(publish_error.value) == "Add at least one question before publishing."
        assert publish_error.value.translated() == "Ajoutez au moins une question avant de publier."
    db_session.rollback()


def test_counts_in_refusals_are_written_the_french_way(app, db_session, monkeypatch):
    questionnaire = a_live_questionnaire(db_session, "csat", "purchase")
    stage = db_session.get(Stage, questionnaire.stage_id)
    monkeypatch.setattr(db_session, "scalar", lambda *args, **kwargs: 12345)
    with pytest.raises(JourneyError) as error:
        remove_stage(db_session, stage)
    monkeypatch.undo()
    refused = error.value
    assert "has 12,345 answers" in str(refused)
    with app.test_request_context("/", headers=FR):
        assert "a 12\u202f345 réponses" in refused.translated()
        assert "L'étape « Achat »" in refused.translated()
        assert "has 12,345 answers" in str(refused)  # still English under a French page


def test_responses_and_response_pages_in_french_with_french_figures(app, client, auth, db_session):
    questionnaire = a_live_questionnaire(db_session, "csat", "purchase")
    answer_as_a_new_customer(
        app,
        questionnaire,
        {
            "q_csat": "1",
            "q_why": "Livraison en retard, service horrible, très déçu",
            "q_emotion": "anger",
        },
        lang="fr",
    )
    response = db_session.scalars(select(Response)).one()
    auth.login()
    listing = page(client, f"/questionnaires/{questionnaire.id}/responses")
    assert "<h1>Réponses <span" in listing and "Reçue (UTC)" in listing
    assert "Page 1 sur 1" in listing and "Ouvrir" in listing
    assert locale_format.moment(response.submitted_at, "fr") in listing
    detail = page(client, f"/responses/{response.id}")
    assert f"<h1>Réponse {response.id}</h1>" in detail
    assert locale_format.moment(response.submitted_at, "fr") + " UTC" in detail
    assert "😠 En colère" in detail  # the emotion the customer chose, in French
    polarity = re.search(r"négatif \((-\d+,\d\d)\)", detail)
    assert polarity is not None, "the sentiment, in French with a decimal comma"
    assert 'title="Langue lue par l\'analyse"' in detail
    english = page(client, f"/responses/{response.id}", EN)
    assert f"<h1>Response {response.id}</h1>" in english
    assert "😠 Angry" in english and "negative (-" in english


def test_interview_page_in_french(client, auth, forms, db_session):
    guide = an_interview_guide(db_session)
    auth.login()
    html = page(client, f"/questionnaires/{guide.id}/interviews/new")
    assert "<h1>Saisir un entretien</h1>" in html
    assert "Personne interrogée (une référence, pas un nom)" in html
    assert ">Français</option>" in html and "En colère (anger)" in html
    response = forms.post(
        f"/questionnaires/{guide.id}/interviews/new",
        {"q_felt": "  ", "submission_key": submission_key()},
        headers=FR,
    )
    assert response.status_code == 422
    assert "Rédigez au moins une note avant d'enregistrer l'entretien." in text_of(response)
    response = forms.post(
        f"/questionnaires/{guide.id}/interviews/new",
        {"q_felt": "x" * 5001, "submission_key": submission_key()},
        headers=FR,
    )
    too_long = "Cette réponse est trop longue : 5\u202f000 caractères au maximum."
    assert too_long in response.get_data(as_text=True)  # the respondent's words, in French
