"""The page's language: the switch (remembered), then Accept-Language; figures per locale."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from builders import a_live_questionnaire

from feedback import locale_format
from surveys import i18n


def test_a_new_visitor_reads_the_language_their_browser_asks_for(client):
    page = client.get("/login", headers={"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"})
    html = page.get_data(as_text=True)
    assert '<html lang="fr">' in html
    assert "Aller au contenu" in html
    assert '<html lang="en">' in client.get("/login").get_data(as_text=True)


def test_the_switch_wins_over_the_browser_and_is_remembered(client):
    page = client.get("/login?lang=fr", headers={"Accept-Language": "en"})
    assert '<html lang="fr">' in page.get_data(as_text=True)
    cookie = client.get_cookie(i18n.COOKIE)
    assert cookie is not None and cookie.value == "fr"
    assert cookie.http_only and cookie.same_site == "Lax"
    # Later pages, without ?lang=, keep the choice over the browser's English.
    later = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="fr">' in later
    # And switching back is remembered too.
    client.get("/login?lang=en")
    assert client.get_cookie(i18n.COOKIE).value == "en"
    assert '<html lang="en">' in client.get("/login", headers={"Accept-Language": "fr"}).get_data(
        as_text=True
    )


def test_an_unknown_language_is_ignored(client):
    page = client.get("/login?lang=de", headers={"Accept-Language": "de"})
    assert page.status_code == 200
    assert '<html lang="en">' in page.get_data(as_text=True)
    assert client.get_cookie(i18n.COOKIE) is None


def test_every_page_offers_the_other_language_keeping_its_query(client, app):
    with app.test_request_context("/journeys/3/map?period=30d&lang=en&segment.plan=pro"):
        url = i18n.switch_url("fr")
    assert url == "/journeys/3/map?period=30d&segment.plan=pro&lang=fr"
    html = client.get("/login").get_data(as_text=True)
    assert 'hreflang="fr" lang="fr">Français</a>' in html
    assert '<span aria-current="true" lang="en">English</span>' in html


@pytest.mark.parametrize(
    ("language", "share", "signed", "count", "day"),
    [
        ("en", "12.5%", "+0.42", "10,000", "Nov 23, 2026"),
        ("fr", "12,5\u00a0%", "+0,42", "10\u202f000", "23 nov. 2026"),
    ],
)
def test_figures_are_written_the_locale_s_way(language, share, signed, count, day):
    assert locale_format.percent(0.125, 1, language) == share
    assert locale_format.number(0.42, 2, language, signed=True) == signed
    assert locale_format.number(-0.42, 2, language, signed=True).endswith(
        "0,42" if language == "fr" else "0.42"
    )
    assert locale_format.number(10000, 0, language) == count
    assert locale_format.day(date(2026, 11, 23), language) == day
    assert locale_format.day(datetime(2026, 11, 23, 23, 59), language) == day
    assert locale_format.percent(None, 1, language) == "—"


def test_templates_format_through_the_page_s_language(app):
    template = "{{ 0.125|percent(1) }} {{ 1234.5|number(1) }} {{ -0.3|number(2, signed=True) }}"
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        assert app.jinja_env.from_string(template).render() == "12,5\u00a0% 1\u202f234,5 -0,30"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert app.jinja_env.from_string(template).render() == "12.5% 1,234.5 -0.30"


def test_previewing_a_questionnaire_in_french_keeps_the_researcher_s_language(
    client, auth, db_session
):
    questionnaire = a_live_questionnaire(db_session, "csat", "purchase")
    auth.login()
    client.get("/login?lang=en")
    preview = client.get(f"/questionnaires/{questionnaire.id}/preview?lang=fr")
    assert '<html lang="fr">' in preview.get_data(as_text=True)
    assert client.get_cookie(i18n.COOKIE).value == "en"
    page = client.get(f"/questionnaires/{questionnaire.id}", headers={"Accept-Language": "fr"})
    assert '<html lang="en">' in page.get_data(as_text=True)


def test_a_customer_s_language_choice_is_remembered(client, db_session):
    questionnaire = a_live_questionnaire(db_session, "csat", "purchase")
    survey = client.get(f"/s/{questionnaire.slug}?lang=en", headers={"Accept-Language": "fr"})
    assert '<html lang="en">' in survey.get_data(as_text=True)
    assert client.get_cookie(i18n.COOKIE).value == "en"
    again = client.get(f"/s/{questionnaire.slug}", headers={"Accept-Language": "fr"})
    assert '<html lang="en">' in again.get_data(as_text=True)


def test_the_api_speaks_english_and_its_lang_filter_is_not_a_language_choice(client):
    reply = client.get("/api/v1/journeys?lang=fr", headers={"Accept-Language": "fr"})
    assert reply.status_code == 401
    assert reply.get_json()["error"]["message"].isascii()
    assert client.get_cookie(i18n.COOKIE) is None


def test_the_api_reference_page_is_a_page_and_remembers_the_choice(client):
    page = client.get("/api/v1/docs?lang=fr", headers={"Accept-Language": "en"})
    assert '<html lang="fr">' in page.get_data(as_text=True)
    assert client.get_cookie(i18n.COOKIE).value == "fr"
