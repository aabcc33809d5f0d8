"""What customers read about their data under a questionnaire, the researcher's privacy
settings, and the retention purge (`surveys.privacy.purge`, `flask purge`)."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from builders import a_journey, a_live_questionnaire, count_responses
from sqlalchemy import func, select

from feedback.filters import Filters
from feedback.journey_map import journey_map
from surveys import privacy, rollups
from surveys.db import new_session
from surveys.models import (
    Answer,
    AnswerTheme,
    AuditEvent,
    Questionnaire,
    Response,
    TextAnalysis,
    utcnow,
)
from surveys.question_types import AnswerValue
from surveys.submissions import store_response

FRENCH = "fr-FR,fr;q=0.9"
ENGLISH = "en-GB,en;q=0.9"
SCORES = {"nps": 3, "csat": 2, "ces": 2}


def a_response(session, questionnaire, days_ago: float = 0, language: str = "en", **kwargs):
    """A complete response, scored (a text with themes), `days_ago` days old."""
    values = {}
    for question in questionnaire.current_version.questions:
        if question.show_if:
            continue  # the stage templates' optional follow-ups, left unanswered
        if question.type in SCORES:
            values[question.key] = AnswerValue(number=SCORES[question.type])
        elif question.type == "emotion":
            values[question.key] = AnswerValue(choice="anger")
        elif question.type == "long_text":
            values[question.key] = AnswerValue(
                text="The parcel arrived late and the box was damaged."
            )
    response, new = store_response(
        session,
        questionnaire,
        values,
        language,
        submitted_at=utcnow() - timedelta(days=days_ago),
        **kwargs,
    )
    assert new
    return response


def settle(session, questionnaire, **settings) -> Questionnaire:
    for name, value in settings.items():
        setattr(questionnaire, name, value)
    session.commit()
    return questionnaire


def page_of(client, questionnaire, accept: str = ENGLISH) -> str:
    response = client.get(f"/s/{questionnaire.slug}", headers={"Accept-Language": accept})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def map_total(session, journey) -> int:
    session.expire_all()
    return journey_map(session, journey, Filters(), min_n=1).total.n


# --- the note on the survey page ------------------------------------------------------------


def test_the_default_note_says_why_what_is_removed_and_how_long_in_english(client, db_session):
    questionnaire = a_live_questionnaire(db_session, "csat")
    settle(db_session, questionnaire, retention_days=365, privacy_contact="dpo@shop.example")
    page = page_of(client, questionnaire)
    assert '<aside class="privacy" aria-label="Your answers and your data">' in page
    assert "Your answers are used only to improve our service." in page
    assert "IBANs and card numbers you type are removed before your answers are stored." in page
    assert "Your answers are deleted 365 days after you send them." in page
    assert (
        "Questions about your answers, or to have them deleted: "
        '<a href="mailto:dpo@shop.example">dpo@shop.example</a>'
    ) in page
    # Below the form, after the submit button.
    assert page.index("Send my answers") < page.index('class="privacy"')


def test_the_default_note_in_french_with_a_contact_page(client, db_session):
    questionnaire = a_live_questionnaire(db_session, "csat")
    settle(
        db_session,
        questionnaire,
        retention_days=1,
        privacy_contact="https://shop.example/privacy",
        redact_pii=False,
    )
    page = page_of(client, questionnaire, FRENCH)
    assert 'aria-label="Vos réponses et vos données"' in page
    assert "Vos réponses servent uniquement à améliorer notre service." in page
    assert "Vos réponses sont supprimées 1 jour après leur envoi." in page
    assert (
        "Une question sur vos réponses, ou pour les faire supprimer : "
        '<a href="https://shop.example/privacy">contactez-nous</a>'
    ) in page
    # Redaction off: the note does not promise it.
    assert "numéros de carte" not in page
    assert "Your answers" not in page


def test_a_note_without_retention_or_contact_says_neither(client, db_session):
    questionnaire = a_live_questionnaire(db_session, "csat")
    page = page_of(client, questionnaire)
    assert "deleted" not in page.split('class="privacy"')[1]
    assert "mailto:" not in page and "contact us" not in page


def test_the_researcher_s_note_replaces_the_default_in_each_language(client, db_session):
    questionnaire = a_live_questionnaire(db_session, "csat")
    settle(
        db_session,
        questionnaire,
        privacy_note={"fr": "Vos réponses restent chez <Boutique>.", "en": "Kept by <Shop>."},
        privacy_contact="dpo@shop.example",
        retention_days=30,
    )
    english = page_of(client, questionnaire)
    assert "<p>Kept by &lt;Shop&gt;.</p>" in english  # escaped, never markup
    assert "used only to improve" not in english
    assert '<a href="mailto:dpo@shop.example">dpo@shop.example</a>' in english
    french = page_of(client, questionnaire, FRENCH)
    assert "Vos réponses restent chez &lt;Boutique&gt;." in french
    assert "Kept by" not in french


def test_a_note_written_in_one_language_leaves_the_default_in_the_other(client, db_session):
    questionnaire = a_live_questionnaire(db_session, "csat")
    settle(db_session, questionnaire, privacy_note={"fr": "Note en français."})
    assert "Your answers are used only to improve our service." in page_of(client, questionnaire)
    assert "Note en français." in page_of(client, questionnaire, FRENCH)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("dpo@shop.example", "dpo@shop.example"),
        (" mailto:DPO@Shop.Example ", "DPO@shop.example"),
        (
            "https://shop.example/privacy?lang=fr#contact",
            "https://shop.example/privacy?lang=fr#contact",
        ),
        ("", ""),
        ("javascript:alert(1)", None),
        ("http://shop.example/privacy", None),
        ("https://user:pw@shop.example/", None),
        ("https://localhost/", None),
        ('https://shop.example/"><script>', None),
        ("not an address", None),
        ("dpo@", None),
        ("a@b@c.example", None),
        ("x" * 250 + "@shop.example", None),
    ],
)
def test_a_contact_is_an_email_address_or_an_https_page(typed, stored):
    assert privacy.clean_contact(typed) == stored


# --- the settings page -----------------------------------------------------------------------


def settings_url(questionnaire) -> str:
    return f"/questionnaires/{questionnaire.id}/settings"


def settings_form(questionnaire, **changes) -> dict:
    form = {
        "title_fr": "Votre achat",
        "title_en": "Your purchase",
        "intro_fr": "",
        "intro_en": "",
        "languages": ["fr", "en"],
        "privacy_note_fr": "",
        "privacy_note_en": "",
        "privacy_contact": "",
        "redact_pii": "y",
        "retention_days": "",
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def test_a_researcher_sets_the_privacy_of_a_questionnaire(auth, forms, db_session):
    auth.login()
    questionnaire = a_live_questionnaire(db_session, "csat")
    page = forms.client.get(settings_url(questionnaire)).get_data(as_text=True)
    # Redaction on by default, retention empty, the default notes shown in both languages.
    assert "checked" in re.search(r'<input[^>]*id="redact_pii"[^>]*>', page).group(0)
    assert re.search(r'<input[^>]*id="retention_days"[^>]*value=""', page)
    assert "Your answers are used only to improve our service." in page
    assert "Vos réponses servent uniquement à améliorer notre service." in page
    response = forms.post(
        settings_url(questionnaire),
        settings_form(
            questionnaire,
            privacy_note_fr="  Vos réponses restent chez nous.  ",
            privacy_note_en="",
            privacy_contact="mailto:dpo@shop.example",
            redact_pii=None,  # unchecked
            retention_days="90",
        ),
    )
    assert response.status_code == 302
    db_session.expire_all()
    saved = db_session.get(Questionnaire, questionnaire.id)
    assert saved.privacy_note == {"fr": "Vos réponses restent chez nous."}
    assert saved.privacy_contact == "dpo@shop.example"
    assert saved.redact_pii is False
    assert saved.retention_days == 90
    # Emptied again: no contact, kept forever, redaction back on.
    forms.post(settings_url(questionnaire), settings_form(questionnaire))
    db_session.expire_all()
    saved = db_session.get(Questionnaire, questionnaire.id)
    assert (saved.privacy_contact, saved.retention_days, saved.redact_pii) == (None, None, True)
    assert saved.privacy_note == {}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"privacy_contact": "javascript:alert(1)"}, "starting with https://"),
        ({"privacy_contact": "http://shop.example"}, "starting with https://"),
        ({"retention_days": "0"}, "Between 1 and 3650 days."),
        ({"retention_days": "3651"}, "Between 1 and 3650 days."),
        ({"retention_days": "-5"}, "Between 1 and 3650 days."),
        ({"retention_days": "soon"}, "Not a valid integer value."),
        ({"privacy_note_en": "x" * 1001}, "1000"),
    ],
)
def test_bad_privacy_settings_are_refused_with_what_was_typed_kept(
    auth, forms, db_session, changes, message
):
    auth.login()
    questionnaire = a_live_questionnaire(db_session, "csat")
    before = (questionnaire.title, questionnaire.privacy_contact, questionnaire.retention_days)
    typed = settings_form(questionnaire, title_en="A new title", **changes)
    response = forms.post(settings_url(questionnaire), typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page
    assert 'value="A new title"' in page
    for value in changes.values():
        assert value[:50] in page
    db_session.expire_all()
    saved = db_session.get(Questionnaire, questionnaire.id)
    assert (saved.title, saved.privacy_contact, saved.retention_days) == before


def test_the_settings_page_speaks_french(auth, forms, db_session):
    auth.login()
    questionnaire = a_live_questionnaire(db_session, "csat")
    page = forms.client.get(settings_url(questionnaire) + "?lang=fr").get_data(as_text=True)
    assert "Note de confidentialité (français)" in page
    assert "Conserver les réponses pendant (jours)" in page
    assert "Remplacer les e-mails, numéros de téléphone, IBAN et numéros de carte" in page
    response = forms.post(
        settings_url(questionnaire),
        settings_form(questionnaire, retention_days="4000", privacy_contact="nope"),
        page_url=settings_url(questionnaire),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Entre 1 et 3650 jours." in page
    assert "Saisissez une adresse e-mail ou une adresse web commençant par https://." in page


def test_cx_leads_cannot_change_privacy_settings(auth, forms, db_session):
    questionnaire = a_live_questionnaire(db_session, "csat")
    auth.login_as_cx_lead()
    assert forms.client.get(settings_url(questionnaire)).status_code == 403


# --- the retention purge ---------------------------------------------------------------------


@pytest.fixture
def kept_30_days(db_session):
    """Two questionnaires of one journey: one keeps responses 30 days, one forever."""
    journey = a_journey(db_session)
    short = a_live_questionnaire(db_session, "csat", "purchase", journey=journey)
    forever = a_live_questionnaire(db_session, "nps", "advocacy", journey=journey)
    settle(db_session, short, retention_days=30)
    old = [a_response(db_session, short, days_ago=d) for d in (31, 45, 400)]
    young = [a_response(db_session, short, days_ago=d) for d in (0, 29.9)]
    ancient = [a_response(db_session, forever, days_ago=900)]
    return journey, short, forever, old, young, ancient


def response_ids(session) -> set[int]:
    session.expire_all()
    return set(session.scalars(select(Response.id)))


def test_purge_deletes_exactly_the_responses_past_retention(db_session, kept_30_days):
    journey, short, forever, old, young, ancient = kept_30_days
    answers_of_old = db_session.scalar(
        select(func.count(Answer.id)).where(Answer.response_id.in_([r.id for r in old]))
    )
    assert answers_of_old == 9
    total_before = map_total(db_session, journey)
    assert rollups.differences(db_session) == []

    counts = privacy.purge(db_session)

    assert counts == {short.id: 3}
    assert response_ids(db_session) == {r.id for r in young + ancient}
    # Their answers, text analyses and themes went with them.
    old_ids = [r.id for r in old]
    assert not db_session.scalar(
        select(func.count(Answer.id)).where(Answer.response_id.in_(old_ids))
    )
    assert db_session.scalar(select(func.count(TextAnalysis.id))) == 3
    assert db_session.scalar(select(func.count()).select_from(AnswerTheme)) == 3 * len(
        {t.theme_key for t in db_session.scalars(select(AnswerTheme))}
    )
    # The journey map counts them no more, and its rollups agree with the answers.
    assert rollups.differences(db_session) == []
    assert map_total(db_session, journey) == total_before - 3
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "purge")).all()
    assert len(events) == 1
    assert events[0].details == {"responses": 3, "questionnaires": {str(short.id): 3}}
    assert events[0].actor_id is None


def test_a_dry_run_counts_and_deletes_nothing(db_session, kept_30_days):
    journey, short, *_ = kept_30_days
    before = response_ids(db_session)
    assert privacy.purge(db_session, dry_run=True) == {short.id: 3}
    assert response_ids(db_session) == before
    assert not db_session.scalar(select(func.count(AuditEvent.id)))


def test_two_purges_in_a_row_delete_once(db_session, kept_30_days):
    journey, short, *_ = kept_30_days
    assert privacy.purge(db_session) == {short.id: 3}
    left = response_ids(db_session)
    assert privacy.purge(db_session) == {short.id: 0}
    assert response_ids(db_session) == left
    assert rollups.differences(db_session) == []
    assert db_session.scalar(select(func.count(AuditEvent.id))) == 2


def test_purge_works_in_small_batches_and_at_a_given_moment(db_session, kept_30_days):
    journey, short, forever, old, young, ancient = kept_30_days
    later = utcnow() + timedelta(days=1)  # tomorrow the 29.9-day-old one is past 30 days too
    assert privacy.purge(db_session, now=later, batch=1) == {short.id: 4}
    assert response_ids(db_session) == {young[0].id, ancient[0].id}
    assert rollups.differences(db_session) == []


def test_two_purges_at_once_delete_each_response_once(app, db_session):
    journey = a_journey(db_session)
    questionnaire = a_live_questionnaire(db_session, "csat", journey=journey)
    settle(db_session, questionnaire, retention_days=10)
    for days in range(11, 51):
        a_response(db_session, questionnaire, days_ago=days)
    keep = a_response(db_session, questionnaire, days_ago=1)
    total_before = map_total(db_session, journey)
    start = threading.Barrier(2)
    results, errors = [], []

    def run() -> None:
        try:
            with new_session(app) as session:
                start.wait()
                results.append(privacy.purge(session, batch=7))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sum(r[questionnaire.id] for r in results) == 40
    assert response_ids(db_session) == {keep.id}
    assert rollups.differences(db_session) == []
    assert map_total(db_session, journey) == total_before - 40


def test_the_purge_command_prints_the_counts(runner, db_session, kept_30_days):
    journey, short, forever, *_ = kept_30_days
    dry = runner.invoke(args=["purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"questionnaire {short.id} (" in dry.output
    assert "kept 30 days): 3 responses would be deleted" in dry.output
    assert count_responses(db_session) == 6
    real = runner.invoke(args=["purge"])
    assert real.exit_code == 0, real.output
    assert "3 responses deleted." in real.output
    assert count_responses(db_session) == 3
    again = runner.invoke(args=["purge"])
    assert again.exit_code == 0 and "0 responses deleted." in again.output
    assert rollups.differences(db_session) == []


def test_the_purge_command_without_any_retention_period(runner, db_session):
    a_response(db_session, a_live_questionnaire(db_session, "csat"), days_ago=5000)
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0
    assert "No questionnaire has a retention period" in result.output
    assert count_responses(db_session) == 1
