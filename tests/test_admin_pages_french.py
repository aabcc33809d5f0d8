"""The researcher's admin pages in French: invitations, themes, import, login, tokens, API
reference, home. The messages of the checks they share with the JSON API are shown in French
on the pages, while the API keeps answering in English whatever the client's language."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file
from builders import a_journey, a_live_questionnaire, a_user, an_invitation
from markupsafe import escape

from feedback import locale_format
from surveys import i18n, scoring
from surveys.api_tokens import TokenError, issue_token
from surveys.exchange import from_surveyjs
from surveys.invitations.csv_upload import UploadError, parse_invitations_csv
from surveys.messages import N_, Count, Message, translated
from surveys.models import utcnow

ROOT = Path(__file__).resolve().parent.parent
CREATOR_EXPORT = (ROOT / "tests" / "data" / "surveyjs_checkout_feedback.json").read_bytes()
NNBSP, NBSP = "\u202f", "\u00a0"  # French thousands separator, and before "%"
FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9"}


@pytest.fixture
def french(client):
    """A browser whose reader chose French with the switch (remembered in a cookie)."""
    client.get("/login?lang=fr")
    return client


@pytest.fixture
def questionnaire(db_session):
    return a_live_questionnaire(db_session, "csat", "purchase")


def page_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def upload_csv(forms, q, content: str):
    url = f"/questionnaires/{q.id}/invitations/upload"
    data = {"file": (io.BytesIO(content.encode("utf-8")), "invitations.csv")}
    return forms.post(url, data, url)


# --- the messages the pages and the API share -----------------------------------------------


def test_a_check_s_message_is_english_text_that_a_french_page_translates(app):
    message = N_("At most %(count)s characters.", count=200)
    assert message == "At most 200 characters." and isinstance(message, str)
    assert json.dumps({"email": message}) == '{"email": "At most 200 characters."}'
    with app.test_request_context("/", headers=FRENCH):
        assert translated(message) == "200 caractères au plus."
        assert str(message) == "At most 200 characters."  # the API's words stay English
        many = N_("Created %(count)s rows", count=Count(10000))
        assert str(many) == "Created 10,000 rows"
        assert many.translated().startswith(f"Created 10{NNBSP}000")  # no French: English words
        lowered = Message.of("Choose a question type.").with_lower_first()
        assert lowered == "choose a question type." and lowered.translated() == lowered
    with app.test_request_context("/"):
        assert translated(message) == "At most 200 characters."


def test_every_message_of_the_shared_checks_has_its_french():
    """`N_` marks what the API says in English and the pages in French; the catalog check of
    test_translations reads `_`/`_l` only, so this one reads `N_` in the modules that use it."""
    from babel.messages.pofile import read_po

    with open(i18n.TRANSLATIONS / "fr" / "LC_MESSAGES" / "messages.po", "rb") as source:
        catalog = read_po(source, locale="fr")
    modules = [
        *sorted((ROOT / "surveys" / "exchange").glob("*.py")),
        ROOT / "surveys" / "invitations" / "service.py",
        ROOT / "surveys" / "invitations" / "csv_upload.py",
        ROOT / "surveys" / "api_tokens.py",
    ]
    missing, found = [], 0
    for path in modules:
        for line, msgid, _c, _x in extract_from_file("python", path, keywords=DEFAULT_KEYWORDS):
            if msgid is None:
                continue
            found += 1
            entry = catalog.get(msgid)
            if entry is None or not entry.string or entry.fuzzy:
                missing.append(f"{path.relative_to(ROOT)}:{line}: {msgid!r}")
    assert found > 150
    assert not missing, "no French for:\n" + "\n".join(missing)


# --- invitations --------------------------------------------------------------------------


def test_the_invitation_list_in_french_and_in_english(client, auth, db_session, questionnaire):
    now = utcnow()
    an_invitation(db_session, questionnaire, customer_ref="done", sent_at=now, used_at=now)
    for ref in ("a", "b", "c"):
        an_invitation(db_session, questionnaire, customer_ref=ref, sent_at=now)
    auth.login()
    english = page_of(client, f"/questionnaires/{questionnaire.id}/invitations")
    assert "<dt>Sent</dt><dd>4</dd>" in english and "<dt>Response rate</dt><dd>25%</dd>" in english
    assert ">answered</span>" in english and "Page 1 of 1" in english

    client.get("/home?lang=fr")
    page = page_of(client, f"/questionnaires/{questionnaire.id}/invitations")
    assert "<dt>Envoyées</dt><dd>4</dd>" in page
    assert f"<dt>Taux de réponse</dt><dd>25{NBSP}%</dd>" in page
    assert ">répondue</span>" in page and ">Répondue</a>" in page  # the badge and the filter
    assert "Page 1 sur 1" in page and "Nouvelle invitation" in page
    assert locale_format.day(now, "fr") in page  # dates the French way
    empty = page_of(client, f"/questionnaires/{questionnaire.id}/invitations?status=expired")
    assert "Aucune invitation n'a le statut « expirée »." in empty


def test_the_invitation_form_says_what_is_wrong_in_french(french, auth, forms, questionnaire):
    auth.login()
    url = f"/questionnaires/{questionnaire.id}/invitations/new"
    page = forms.post(
        url,
        {"customer_ref": "C-1", "email": "not an address", "metadata": "bad key=1"},
    ).get_data(as_text=True)
    assert "Adresse e-mail non valide." in page
    assert "bad key : Les noms commencent par une lettre" in page
    assert "Not a valid email address." not in page

    reply = forms.post(url, {"customer_ref": "C-2"})
    assert reply.status_code == 302
    assert "Invitation créée pour C-2 :" in page_of(french, reply.headers["Location"])


def test_the_upload_page_and_its_preview_in_french(french, auth, forms, questionnaire):
    auth.login()
    upload_page = page_of(french, f"/questionnaires/{questionnaire.id}/invitations/upload")
    assert f"10{NNBSP}000 lignes et 8 Mo au plus" in upload_page
    assert "<code>customer_ref</code> (obligatoire)" in upload_page

    preview = upload_csv(
        forms, questionnaire, "customer_ref;email;order_id\nC-1;nope;A-1\nC-1;a@example.com;A-2;x\n"
    )
    assert preview.status_code == 422
    page = preview.get_data(as_text=True)
    assert "3 problèmes à corriger : rien n'a été créé" in page
    assert "<td>Adresse e-mail non valide.</td>" in page
    assert "« C-1 » figure déjà ligne 2." in page
    assert "<td>ligne</td><td>4 valeurs pour 3 colonnes" in page  # a word, not a column
    assert "<td><code>email</code></td>" in page  # the file's own column name

    refused = upload_csv(forms, questionnaire, "email\na@example.com\n")
    assert refused.status_code == 400
    assert "La première ligne doit nommer les colonnes, dont customer_ref (trouvées : email)" in (
        refused.get_data(as_text=True)
    )


def test_a_refused_file_is_explained_in_french_with_what_to_do(french, auth, forms, questionnaire):
    auth.login()
    url = f"/questionnaires/{questionnaire.id}/invitations/upload"
    xlsx = {"file": (io.BytesIO(b"PK\x03\x04 a workbook"), "clients.xlsx")}
    text = forms.post(url, xlsx, url).get_data(as_text=True)
    assert "C&#39;est un classeur (.xlsx), pas un fichier CSV. Dans Excel, enregistrez-le" in text


def test_the_same_checks_answer_the_api_in_english_even_to_a_french_client(
    client, db_session, questionnaire
):
    user = a_user(db_session, "shop@example.com", "researcher")
    _token, raw = issue_token(db_session, user, ["invitations:write"], "Shop")
    reply = client.post(
        "/api/v1/invitations",
        json={"questionnaire_id": questionnaire.id, "customer_ref": "C-1", "email": "nope"},
        headers={"Authorization": f"Bearer {raw}", **FRENCH},
    )
    assert reply.status_code == 422
    assert reply.json["error"]["fields"]["email"] == "Not a valid email address."
    # And the CSV reader, outside any page, speaks English too.
    with pytest.raises(UploadError, match="^The file is empty.$"):
        parse_invitations_csv(b"  \n", questionnaire)


# --- themes -------------------------------------------------------------------------------

needs_analysis = pytest.mark.skipif(
    not scoring.analysis_available(), reason="the text analysis is not installed"
)


@needs_analysis
def test_the_themes_page_in_french(french, auth, forms):
    auth.login()
    page = page_of(french, "/themes")
    assert "Thèmes par défaut" in page and "Quelques-uns de ses motifs" in page
    # The default themes' names in French first, English after; their emotion in French.
    assert 'Livraison en retard <span class="muted" lang="en">/ Late delivery</span>' in page
    assert '<span class="chip">colère</span>' in page
    assert '<abbr title="Anglais">EN</abbr>' in page

    reply = forms.post(
        "/themes/new",
        {
            "key": "store_parking",
            "label_en": "Store parking",
            "label_fr": "Parking du magasin",
            "keywords_fr": "stationnement",
        },
        page_url="/themes",
    )
    assert reply.status_code == 302
    assert "Thème ajouté : store_parking." in page_of(french, "/themes")

    bad = forms.post(
        "/themes/new", {"key": "Bad Key", "label_en": "x", "keywords_en": "x"}, page_url="/themes"
    )
    assert bad.status_code == 422
    assert "Clé non valide : &#39;Bad Key&#39; (utilisez lower_snake_case)" in bad.get_data(
        as_text=True
    )


@needs_analysis
def test_the_themes_page_stays_english_for_an_english_reader(client, auth):
    auth.login()
    page = page_of(client, "/themes")
    assert "Default themes" in page
    assert 'Late delivery <span class="muted" lang="fr">/ Livraison en retard</span>' in page


# --- importing a questionnaire ------------------------------------------------------------


def import_file(forms, journey, content: bytes, stage=""):
    url = f"/journeys/{journey.id}/questionnaires/import"
    data = {"stage": stage, "touchpoint": "", "file": (io.BytesIO(content), "survey.json")}
    return forms.post(url, data, content_type="multipart/form-data")


def test_an_import_s_report_and_refusals_read_in_french(french, auth, forms, db_session):
    journey = a_journey(db_session)
    auth.login()
    form = page_of(french, f"/journeys/{journey.id}/questionnaires/import")
    assert "Importer comme brouillon" in form and "— Comme dans le fichier —" in form
    assert "Fichiers de 512 Kio au plus." in form

    refused = import_file(forms, journey, CREATOR_EXPORT)
    assert refused.status_code == 422
    assert "Une enquête SurveyJS n&#39;a pas d&#39;étape de parcours" in refused.get_data(
        as_text=True
    )

    reply = import_file(forms, journey, CREATOR_EXPORT, stage="purchase")
    assert reply.status_code == 302
    page = page_of(french, "/home")  # the report is flashed: the next page shows it
    assert "Enquête SurveyJS importée comme brouillon avec 8 questions." in page
    assert "éléments n&#39;ont pas été repris :" in page
    assert "non importé —" in page and "not imported" not in page
    # The English lines, as the API returns them, are left for English readers.
    english = from_surveyjs(json.loads(CREATOR_EXPORT))[1]
    assert english and all("not imported" in line or "—" in line for line in english)
    assert not any(str(escape(line)) in page for line in english)


def test_the_import_api_keeps_its_report_in_english(app, client, db_session):
    from api_helpers import bearer

    journey = a_journey(db_session)
    reply = client.post(
        f"/api/v1/questionnaires?journey_id={journey.id}&stage=purchase",
        data=CREATOR_EXPORT,
        content_type="application/json",
        headers={**bearer(app, "researcher"), **FRENCH},
    )
    assert reply.status_code == 201, reply.json
    assert reply.json["report"] == [
        str(line) for line in from_surveyjs(json.loads(CREATOR_EXPORT))[1]
    ]
    assert any("not imported" in line for line in reply.json["report"])


# --- login, tokens, API reference, home ---------------------------------------------------


def test_logging_in_in_french(client, auth):
    page = page_of(client, "/login?lang=fr")
    assert "<h1>Se connecter</h1>" in page and ">Mot de passe</label>" in page
    refused = client.get("/home")
    assert "Connectez-vous pour voir cette page." in page_of(client, refused.headers["Location"])
    auth.create_user("researcher@example.com", "researcher")
    wrong = auth.forms.post("/login", {"email": "researcher@example.com", "password": "nope"})
    assert wrong.status_code == 401
    assert "E-mail ou mot de passe incorrect." in wrong.get_data(as_text=True)


def test_the_tokens_page_in_french(french, auth, forms, db_session):
    auth.login()
    made = forms.post("/account/tokens", {"name": "Boutique", "scopes": ["reports:read"]})
    assert made.status_code == 201
    page = made.get_data(as_text=True)
    assert "<strong>Votre nouveau jeton.</strong>" in page and "Vos jetons" in page
    assert locale_format.day(utcnow(), "fr") in page and ">jamais<" in page
    empty = forms.post("/account/tokens", {"name": "Sans portée"})
    assert empty.status_code == 422
    assert "Choisissez au moins une portée." in empty.get_data(as_text=True)


def test_a_refused_token_says_why_in_french_on_the_page_and_in_english_elsewhere(app, db_session):
    lead = a_user(db_session, "lead@example.com", "cx_lead")
    with pytest.raises(TokenError) as raised:
        issue_token(db_session, lead, ["invitations:write"])
    assert str(raised.value) == "A cx_lead account cannot grant: invitations:write."
    with app.test_request_context("/account/tokens", headers=FRENCH):
        assert translated(raised.value.message) == (
            "Un compte « responsable CX » ne peut pas accorder : invitations:write."
        )


def test_the_api_reference_page_in_french_keeps_the_operations_in_english(client):
    page = page_of(client, "/api/v1/docs?lang=fr")
    assert "<h2>Points de terminaison</h2>" in page and "<caption>Paramètres</caption>" in page
    assert "La référence ci-dessous est en anglais" in page
    assert '<p lang="en" translate="no">Create an invitation.' in page
    english = page_of(client, "/api/v1/docs?lang=en")
    assert "<h2>Endpoints</h2>" in english and "below is in English" not in english


def test_the_home_page_counts_in_french(client, auth, db_session):
    auth.login()
    assert "Aucun parcours pour l'instant." in page_of(client, "/home?lang=fr")
    a_journey(db_session)
    page = page_of(client, "/home")
    # French puts 0 and 1 in the singular.
    assert "5 étapes · " in page and " · 0 réponse</p>" in page
    english = page_of(client, "/home?lang=en")
    assert "5 stages · " in english and " · 0 responses</p>" in english


def test_an_invitation_that_expires_shows_its_moment_in_french(
    french, auth, db_session, questionnaire
):
    invitation = an_invitation(db_session, questionnaire, expires_in=timedelta(days=3))
    auth.login()
    page = page_of(french, f"/questionnaires/{questionnaire.id}/invitations")
    assert locale_format.moment(invitation.expires_at, "fr") in page
