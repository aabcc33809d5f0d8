"""The customer's pages, the error pages and the invitation emails speak French or English
through the catalog: the page's own language for every string on it, the skip link included;
each email in its invitation's language, whatever the page that sends it speaks."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from builders import (
    a_live_questionnaire,
    a_live_questionnaire_with_every_type,
    an_invitation,
    answer_as_a_new_customer,
    csrf_token_from,
    submission_key,
)

from surveys import i18n
from surveys.errors import login_pause_message
from surveys.invitations.mail import invitation_email
from surveys.question_types import LONG_TEXT_MAX
from surveys.respond.messages import translator

FRENCH = "fr-FR,fr;q=0.9,en;q=0.5"
ENGLISH = "en-GB,en;q=0.9"
NNBSP = "\u202f"  # French thousands separator

# Every fixed string of the survey page, with its French.
SURVEY_WORDS = {
    "Skip to content": "Aller au contenu",
    "Send my answers": "Envoyer mes réponses",
    "(optional)": "(facultatif)",
    'aria-label="required"': 'aria-label="obligatoire"',
    'aria-label="Language"': 'aria-label="Langue"',
    "Your answers are used only to improve our service.": (
        "Vos réponses servent uniquement à améliorer notre service."
    ),
    f"{LONG_TEXT_MAX:,} characters at most": (
        f"{LONG_TEXT_MAX:,}".replace(",", NNBSP) + " caractères au maximum"
    ),
}


def text_of(response) -> str:
    return response.get_data(as_text=True)


# The survey page


def test_the_survey_page_speaks_french_from_the_browser(client, db_session):
    questionnaire = a_live_questionnaire(db_session, "csat")  # required, optional, long text
    page = text_of(client.get(f"/s/{questionnaire.slug}", headers={"Accept-Language": FRENCH}))
    assert '<html lang="fr">' in page
    for english, french in SURVEY_WORDS.items():
        assert french in page, french
        assert english not in page, english
    # Its own language links; the staff switch is not on a customer's page.
    assert '<span aria-current="true" lang="fr">Français</span>' in page
    assert 'hreflang="en" lang="en">English</a>' in page
    assert "language-switch" not in page


def test_the_survey_page_speaks_english_from_the_browser(client, db_session):
    questionnaire = a_live_questionnaire(db_session, "csat")
    page = text_of(client.get(f"/s/{questionnaire.slug}", headers={"Accept-Language": ENGLISH}))
    assert '<html lang="en">' in page
    for english, french in SURVEY_WORDS.items():
        assert english in page, english
        assert french not in page, french
    assert "language-switch" not in page


def test_the_questionnaire_s_language_link_is_remembered_like_the_switch(client, db_session):
    questionnaire = a_live_questionnaire(db_session, "csat")
    client.get(f"/s/{questionnaire.slug}?lang=fr", headers={"Accept-Language": ENGLISH})
    assert client.get_cookie(i18n.COOKIE).value == "fr"
    # Later, without ?lang=, the remembered choice wins over the browser's English...
    later = text_of(client.get(f"/s/{questionnaire.slug}", headers={"Accept-Language": ENGLISH}))
    assert '<html lang="fr">' in later and "Envoyer mes réponses" in later
    # ...but only among the questionnaire's languages.
    questionnaire.languages = ["en"]
    db_session.commit()
    english_only = text_of(client.get(f"/s/{questionnaire.slug}"))
    assert '<html lang="en">' in english_only and "Send my answers" in english_only


def test_an_invitation_s_language_speaks_when_the_browser_asks_for_none_of_ours(client, db_session):
    questionnaire = a_live_questionnaire(db_session, "csat")
    questionnaire.languages = ["en", "fr"]
    db_session.commit()
    invitation = an_invitation(db_session, questionnaire, language="fr")
    url = f"/s/{questionnaire.slug}?t={invitation.token}"
    page = text_of(client.get(url, headers={"Accept-Language": "de"}))
    assert '<html lang="fr">' in page and "Aller au contenu" in page


def test_errors_are_shown_in_french(app, db_session):
    questionnaire = a_live_questionnaire_with_every_type(db_session, required=True)
    answers = {"q_csat": "4", "q_story": "y" * (LONG_TEXT_MAX + 1)}
    reply = answer_as_a_new_customer(app, questionnaire, answers, lang="fr")
    assert reply.status_code == 422
    page = text_of(reply)
    assert '<html lang="fr">' in page and "Aller au contenu" in page
    assert "Certaines réponses demandent votre attention :" in page
    assert "Merci de répondre à cette question." in page
    limit = f"{LONG_TEXT_MAX:,}".replace(",", NNBSP)
    assert f"Cette réponse est trop longue : {limit} caractères au maximum." in page
    assert "Please answer this question." not in page
    assert "Some answers need your attention" not in page


def test_an_expired_form_comes_back_in_french(client, db_session):
    questionnaire = a_live_questionnaire(db_session, "csat")
    reply = client.post(
        f"/s/{questionnaire.slug}",
        data={"q_csat": "4", "lang": "fr", "submission_key": submission_key()},
    )
    assert reply.status_code == 400
    page = text_of(reply)
    assert "Votre page avait expiré. Nous avons gardé vos réponses" in page
    assert '<html lang="fr">' in page


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("fr", ("Merci !", "Vos réponses ont bien été enregistrées.", "Aller au contenu")),
        ("en", ("Thank you!", "Your answers have been saved.", "Skip to content")),
    ],
)
def test_the_thank_you_page_speaks_the_language_answered_in(app, db_session, language, words):
    questionnaire = a_live_questionnaire(db_session, "csat")
    browser = app.test_client()
    url = f"/s/{questionnaire.slug}?lang={language}"
    token = csrf_token_from(text_of(browser.get(url)))
    sent = browser.post(url, data={"csrf_token": token, "q_csat": "5", "lang": language})
    assert sent.status_code == 303
    other = "en-US" if language == "fr" else "fr-FR"  # the page keeps the answered language
    page = text_of(browser.get(sent.headers["Location"], headers={"Accept-Language": other}))
    assert f'<html lang="{language}">' in page
    for word in words:
        assert word in page
    # Back on the survey: already answered, in the same language.
    again = text_of(browser.get(url))
    assert ("Déjà répondu" if language == "fr" else "Already answered") in again


def test_the_unavailable_page_speaks_french(client, db_session, database_away):
    questionnaire = a_live_questionnaire(db_session, "csat")
    database_away()
    reply = client.get(f"/s/{questionnaire.slug}", headers={"Accept-Language": FRENCH})
    assert reply.status_code == 503
    page = text_of(reply)
    assert '<html lang="fr">' in page and "Aller au contenu" in page
    assert "Indisponible pour un instant" in page
    assert "Merci de réessayer dans une minute." in page


# Error pages, for customers and staff alike


def test_a_missing_page_speaks_the_browser_s_language(client):
    french = client.get("/s/no-such-survey", headers={"Accept-Language": FRENCH})
    assert french.status_code == 404
    page = text_of(french)
    assert '<html lang="fr">' in page
    assert "<title>Page introuvable · Parcours</title>" in page
    assert "Vérifiez le lien, ou revenez à la page d'accueil." in page
    assert ">Accueil</a>" in page and "Aller au contenu" in page
    assert "Page not found" not in page

    english = text_of(client.get("/s/no-such-survey", headers={"Accept-Language": ENGLISH}))
    assert "Page not found" in english and ">Home</a>" in english
    assert "Page introuvable" not in english


def test_the_login_pause_names_its_wait_in_the_reader_s_language(app):
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "5 per hour"
    with app.test_request_context("/login", headers={"Accept-Language": FRENCH}):
        assert "Patientez 1\u00a0heure et réessayez" in login_pause_message()
    with app.test_request_context("/login", headers={"Accept-Language": ENGLISH}):
        assert "Wait 1 hour and try again" in login_pause_message()


# Invitation emails


@pytest.fixture
def invited(db_session):
    questionnaire = a_live_questionnaire(db_session, "csat")
    questionnaire.title = {"en": "Your purchase", "fr": "Votre achat"}
    questionnaire.languages = ["fr", "en"]
    db_session.commit()

    def invitation(language):
        made = an_invitation(db_session, questionnaire, email="anne@example.com", language=language)
        made.expires_at = datetime(2026, 11, 23, 18, 30)
        db_session.commit()
        return made

    return invitation


def bodies(message):
    return (
        message.get_body(("plain",)).get_content(),
        message.get_body(("html",)).get_content(),
    )


def test_a_french_invitation_is_written_in_french(app, invited):
    invitation = invited("fr")
    # Sent from a page read in English: the email still speaks its invitation's language.
    with app.test_request_context("/", headers={"Accept-Language": ENGLISH}):
        message = invitation_email(invitation, "Shop <shop@example.com>", "https://x.test/s/a")
    assert message["Subject"] == "Votre achat : une minute pour nous ?"
    assert message["Content-Language"] == "fr"
    plain, rich = bodies(message)
    for body in (plain, rich):
        assert "Bonjour," in body
        assert "Notre questionnaire « Votre achat » prend moins d'une minute." in body.replace(
            "&#39;", "'"
        )
        assert "Ce lien est personnel : il ne sert qu'une fois." in body.replace("&#39;", "'")
        assert "Il est valable jusqu'au 23 novembre 2026." in body.replace("&#39;", "'")
        assert "Merci !" in body
        assert "Hello" not in body and "November" not in body
    assert "Répondre au questionnaire" in rich
    assert '<html lang="fr">' in rich


def test_an_english_invitation_is_written_in_english(app, invited):
    invitation = invited("en")
    with app.test_request_context("/", headers={"Accept-Language": FRENCH}):
        message = invitation_email(invitation, "Shop <shop@example.com>", "https://x.test/s/a")
    assert message["Subject"] == "Your purchase: one minute of your time?"
    assert message["Content-Language"] == "en"
    plain, rich = bodies(message)
    for body in (plain, rich):
        assert "Hello," in body
        assert "Our questionnaire “Your purchase” takes less than a minute." in body
        assert "This link is personal: it can be used once." in body
        assert "It works until November 23, 2026." in body
        assert "Thank you!" in body
        assert not re.search(r"Bonjour|novembre|Merci", body)
    assert "Answer the questionnaire" in rich


def test_an_email_sent_by_a_job_speaks_its_language_too(app, invited):
    """A background job has an app context but no request."""
    invitation = invited("fr")
    with app.app_context():
        message = invitation_email(invitation, "Shop <shop@example.com>", "https://x.test/s/a")
    assert message["Subject"] == "Votre achat : une minute pour nous ?"


# What other pages read from here


def test_the_preview_reads_its_own_language(app):
    with app.test_request_context("/", headers={"Accept-Language": FRENCH}):
        assert translator("en")("required") == "Please answer this question."
        assert translator("fr")("preview_ok") == (
            "Aperçu : ces réponses sont valides. Rien n'a été enregistré."
        )
