"""The codebook page (/themes) and emerging themes (/journeys/<id>/emerging-themes)."""

from __future__ import annotations

import html
import re

import pytest
from builders import a_journey, a_live_questionnaire, answer_as_a_new_customer
from sqlalchemy import select

from surveys import scoring
from surveys.models import TextAnalysis, Theme

pytestmark = pytest.mark.skipif(
    not scoring.analysis_available(), reason="the text analysis is not installed"
)

PARKING_THEME = {
    "key": "store_parking",
    "label_en": "Store parking",
    "label_fr": "Parking du magasin",
    "description": "Customers cannot park near the store.",
    "keywords_en": "parking lot\npark*",
    "keywords_fr": "stationnement\ngarer",
}
PARKING_COMPLAINTS = [
    "Impossible de se garer, le parking du magasin est toujours plein, horrible",
    "Le parking du magasin est toujours plein, impossible de se garer, nul",
    "Aucune place de parking devant le magasin, parking plein, très pénible",
    "Parking du magasin saturé, impossible de se garer, énervant",
    "Encore une fois le parking du magasin plein, impossible de se garer, horrible",
]


def themes_in_db(db_session):
    db_session.expire_all()
    return {t.key: t for t in db_session.scalars(select(Theme))}


def add_theme(forms, **fields):
    return forms.post("/themes/new", {**PARKING_THEME, **fields}, page_url="/themes")


def customers_answer(app, questionnaire, texts):
    for text in texts:
        reply = answer_as_a_new_customer(app, questionnaire, {"q_csat": "1", "q_why": text})
        assert reply.status_code == 303


# The page


def test_the_page_lists_the_default_themes_in_both_languages(client, auth):
    auth.login()
    page = client.get("/themes").get_data(as_text=True)
    assert "late_delivery" in page and "Late delivery" in page and "Livraison en retard" in page
    assert "unhelpful_chatbot" in page
    assert "The order arrived later than promised" in page
    # Patterns in readable form: * for an ending, … for a gap, no regex syntax.
    assert html.escape("late deliver*") in page
    assert "[a-z]*" not in page and "(?:" not in page
    assert 'href="/themes"' in client.get("/home").get_data(as_text=True)  # in the nav


def test_a_researcher_adds_a_theme(client, forms, auth, db_session):
    auth.login()
    reply = add_theme(forms)
    assert reply.status_code == 302 and reply.headers["Location"].endswith("/themes")
    theme = themes_in_db(db_session)["store_parking"]
    assert theme.label == {"en": "Store parking", "fr": "Parking du magasin"}
    assert theme.keywords == {"en": ["parking lot", "park*"], "fr": ["stationnement", "garer"]}
    assert theme.description == "Customers cannot park near the store."

    page = client.get("/themes").get_data(as_text=True)
    assert "Theme added: store_parking" in page
    assert "store_parking" in page and "park*" in page and "stationnement" in page
    codebook = scoring.current_codebook(db_session)
    assert "store_parking" in codebook.keys
    assert (
        "store_parking" in scoring.analyze("Pas de place pour se garer", codebook=codebook).themes
    )


def test_keywords_added_to_a_default_key_are_merged_over_it(client, forms, auth, db_session):
    auth.login()
    reply = forms.post(
        "/themes/new",
        {"key": "late_delivery", "keywords_fr": "colis en rade\nà la traîne"},
        page_url="/themes",
    )
    assert reply.status_code == 302
    stored = themes_in_db(db_session)["late_delivery"]
    assert stored.keywords == {"fr": ["colis en rade", "à la traîne"]} and stored.label == {}

    codebook = scoring.current_codebook(db_session)
    theme = codebook["late_delivery"]
    assert theme.label["en"] == "Late delivery"  # the default's labels are kept
    assert len(codebook) == len(scoring.Codebook.default())
    assert scoring.analyze("Mon colis en rade depuis lundi", codebook=codebook).themes == [
        "late_delivery"
    ]
    assert "late_delivery" not in scoring.analyze("Mon colis en rade depuis lundi").themes

    # Adding again to the same key appends to the stored keywords.
    forms.post("/themes/new", {"key": "late_delivery", "keywords_en": "stuck"}, page_url="/themes")
    stored = themes_in_db(db_session)["late_delivery"]
    assert stored.keywords == {"fr": ["colis en rade", "à la traîne"], "en": ["stuck"]}
    assert "Keywords added to late_delivery" in client.get("/themes").get_data(as_text=True)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"key": "Store Parking"}, "Invalid key"),
        ({"key": "1st_theme"}, "Invalid key"),
        ({"key": ""}, "This field is required"),
        ({"keywords_en": "", "keywords_fr": "  \n "}, "at least one keyword"),
        ({"keywords_fr": "*"}, "no letter or digit"),
        ({"keywords_fr": "pa*"}, "at least 3 letters"),
        ({"keywords_fr": "re*mbourse"}, "only once, at the end"),
        ({"label_en": "", "label_fr": ""}, "Name the new theme"),
    ],
)
def test_a_bad_theme_is_refused_and_nothing_is_stored(forms, auth, db_session, fields, message):
    auth.login()
    reply = add_theme(forms, **fields)
    page = reply.get_data(as_text=True)
    assert reply.status_code == 422
    assert message in page
    assert 'class="error"' in page
    assert themes_in_db(db_session) == {}


def test_a_researcher_edits_a_theme_but_not_its_key(client, forms, auth, db_session):
    auth.login()
    add_theme(forms)
    theme = themes_in_db(db_session)["store_parking"]
    url = f"/themes/{theme.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert "stationnement" in page and "Store parking" in page

    reply = forms.post(
        url,
        {
            **PARKING_THEME,
            "key": "renamed",
            "label_en": "Parking",
            "keywords_fr": "stationnement\nse garer\nplace*",
        },
    )
    assert reply.status_code == 302
    themes = themes_in_db(db_session)
    assert list(themes) == ["store_parking"]
    assert themes["store_parking"].label["en"] == "Parking"
    assert themes["store_parking"].keywords["fr"] == ["stationnement", "se garer", "place*"]

    bad = forms.post(url, {**PARKING_THEME, "keywords_en": "", "keywords_fr": ""})
    assert bad.status_code == 422 and "at least one keyword" in bad.get_data(as_text=True)
    assert themes_in_db(db_session)["store_parking"].keywords["fr"][0] == "stationnement"


def test_a_researcher_deletes_a_theme(client, forms, auth, db_session):
    auth.login()
    add_theme(forms)
    theme_id = themes_in_db(db_session)["store_parking"].id
    reply = forms.post(f"/themes/{theme_id}/delete", page_url="/themes")
    assert reply.status_code == 302
    assert themes_in_db(db_session) == {}
    assert "Theme store_parking deleted" in client.get("/themes").get_data(as_text=True)
    assert client.get(f"/themes/{theme_id}/edit").status_code == 404


def test_a_cx_lead_reads_the_page_but_cannot_change_it(client, forms, auth, db_session):
    db_session.add(
        Theme(key="store_parking", label={"en": "Store parking"}, keywords={"fr": ["garer"]})
    )
    db_session.commit()
    theme_id = themes_in_db(db_session)["store_parking"].id
    auth.login_as_cx_lead()
    page = client.get("/themes").get_data(as_text=True)
    assert "store_parking" in page and "late_delivery" in page
    assert 'action="/themes/new"' not in page and "/edit" not in page
    for url in (
        "/themes/new",
        f"/themes/{theme_id}/edit",
        f"/themes/{theme_id}/delete",
        "/themes/rescore",
    ):
        assert forms.post(url, PARKING_THEME, page_url="/themes").status_code == 403, url
    assert client.get("/themes/new").status_code == 403
    assert list(themes_in_db(db_session)) == ["store_parking"]


def test_anonymous_visitors_are_sent_to_the_login_page(client, forms):
    for url in ("/themes", "/themes/new", "/journeys/1/emerging-themes"):
        reply = client.get(url)
        assert reply.status_code == 302 and "/login" in reply.headers["Location"]
    reply = forms.post("/themes/new", PARKING_THEME, page_url="/login")
    assert reply.status_code == 302 and "/login" in reply.headers["Location"]


def test_what_researchers_type_is_shown_as_text(client, forms, auth):
    auth.login()
    add_theme(
        forms,
        label_en="<b>Parking</b>",
        description="<script>alert('x')</script>",
        keywords_fr="<img src=x onerror=alert(1)>",
    )
    page = client.get("/themes").get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    assert "<b>Parking" not in page and "&lt;b&gt;Parking" in page
    assert "<img src=x" not in page


# Re-scoring after a change


def test_after_a_change_the_page_offers_to_rescore_and_does_it(
    app, client, forms, auth, db_session
):
    questionnaire = a_live_questionnaire(db_session, "csat", "purchase")
    customers_answer(app, questionnaire, PARKING_COMPLAINTS[:2])
    auth.login()
    assert "out of date" not in client.get("/themes").get_data(as_text=True)

    add_theme(forms)
    page = client.get("/themes").get_data(as_text=True)
    assert "2 text answers are out of date" in page
    assert "flask --app surveys analyze" in page and "Re-score now" in page

    reply = forms.post("/themes/rescore", page_url="/themes")
    assert reply.status_code == 302
    page = client.get("/themes").get_data(as_text=True)
    assert "Re-scored 2 answers" in page and "out of date" not in page
    db_session.expire_all()
    assert all(a.themes == ["store_parking"] for a in db_session.scalars(select(TextAnalysis)))


def test_too_many_stale_answers_are_left_to_the_command(app, client, forms, auth, db_session):
    app.config["INLINE_RESCORE_LIMIT"] = 1
    questionnaire = a_live_questionnaire(db_session, "csat", "purchase")
    customers_answer(app, questionnaire, PARKING_COMPLAINTS[:2])
    auth.login()
    add_theme(forms)
    page = client.get("/themes").get_data(as_text=True)
    assert "2 text answers are out of date" in page and "Re-score now" not in page
    assert "flask --app surveys analyze" in page

    forms.post("/themes/rescore", page_url="/themes")
    assert "too many to re-score here" in client.get("/themes").get_data(as_text=True)
    db_session.expire_all()
    assert all(a.themes == [] for a in db_session.scalars(select(TextAnalysis)))


# Emerging themes


def test_similar_unthemed_complaints_emerge_as_a_candidate(app, client, auth, db_session):
    questionnaire = a_live_questionnaire(db_session, "csat", "purchase")
    customers_answer(
        app,
        questionnaire,
        [
            *PARKING_COMPLAINTS,
            "Colis arrivé avec 10 jours de retard, inadmissible",  # has a theme: left out
            "Personnel très agréable, merci",  # positive: left out
        ],
    )
    auth.login()
    journey_page = client.get(f"/journeys/{questionnaire.journey_id}").get_data(as_text=True)
    url = f"/journeys/{questionnaire.journey_id}/emerging-themes"
    assert url in journey_page

    page = client.get(url).get_data(as_text=True)
    assert "Read 5 negative answers without a theme" in page
    assert "parking" in page and "Add as a theme" in page
    assert "Purchase (5)" in page  # the stage the answers came from
    quotes = re.findall(r"<q>(.*?)</q>", page)
    assert len(quotes) == 3 and all("parking" in html.unescape(q).lower() for q in quotes)
    assert "retard" not in page

    add_url = html.unescape(re.search(r'href="([^"]+)">Add as a theme', page).group(1))
    form = client.get(add_url).get_data(as_text=True)
    key = re.search(r'name="key"[^>]*value="([^"]*)"', form).group(1)
    assert re.fullmatch(r"[a-z][a-z0-9_]*", key)
    keywords = re.search(r'name="keywords_fr"[^>]*>\s*(.*?)</textarea>', form, re.S).group(1)
    assert "parking" in keywords or "garer" in keywords


def test_a_cx_lead_reads_emerging_themes_without_the_add_button(app, client, auth, db_session):
    questionnaire = a_live_questionnaire(db_session, "csat", "purchase")
    customers_answer(app, questionnaire, PARKING_COMPLAINTS)
    auth.login_as_cx_lead()
    page = client.get(f"/journeys/{questionnaire.journey_id}/emerging-themes")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "parking" in text and "<q>" in text and "Add as a theme" not in text


def test_with_nothing_to_group_the_page_says_so(app, client, auth, db_session):
    questionnaire = a_live_questionnaire(db_session, "csat", "purchase")
    customers_answer(app, questionnaire, ["Colis arrivé avec 10 jours de retard, inadmissible"])
    auth.login()
    page = client.get(f"/journeys/{questionnaire.journey_id}/emerging-themes")
    assert page.status_code == 200 and "Nothing to suggest" in page.get_data(as_text=True)

    empty = a_journey(db_session, name="Empty")
    page = client.get(f"/journeys/{empty.id}/emerging-themes").get_data(as_text=True)
    assert "Nothing to suggest" in page and "Add as a theme" not in page
    assert client.get("/journeys/999999/emerging-themes").status_code == 404
