"""Researchers download a questionnaire as a file and import one into a journey."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from builders import a_draft_questionnaire, a_journey
from markupsafe import escape
from sqlalchemy import func, select

from surveys.exchange import export_questionnaire, from_surveyjs, to_surveyjs
from surveys.models import Questionnaire

CREATOR_EXPORT = (Path(__file__).parent / "data" / "surveyjs_checkout_feedback.json").read_bytes()


def import_url(journey) -> str:
    return f"/journeys/{journey.id}/questionnaires/import"


def upload(forms, journey, content: bytes | None, stage="", touchpoint="", name="survey.json"):
    data = {"stage": stage, "touchpoint": touchpoint}
    if content is not None:
        data["file"] = (io.BytesIO(content), name)
    return forms.post(import_url(journey), data, content_type="multipart/form-data")


def count_questionnaires(db_session) -> int:
    db_session.expire_all()
    return db_session.scalar(select(func.count(Questionnaire.id)))


def selected(html: str, value: str) -> bool:
    return re.search(rf'<option selected value="{re.escape(value)}">', html) is not None


# Export


@pytest.mark.parametrize("flavour", ["parcours", "surveyjs"])
def test_the_questionnaire_page_offers_both_downloads(client, auth, db_session, flavour):
    questionnaire = a_draft_questionnaire(db_session, "nps", "advocacy", "word_of_mouth")
    auth.login()
    page = client.get(f"/questionnaires/{questionnaire.id}").get_data(as_text=True)
    url = f"/questionnaires/{questionnaire.id}/export/{flavour}"
    assert f'href="{url}"' in page

    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="would-you-recommend-us-{questionnaire.id}.{flavour}.json"'
    )
    expected = {"parcours": export_questionnaire, "surveyjs": to_surveyjs}[flavour]
    assert json.loads(response.get_data(as_text=True)) == expected(questionnaire)


def test_a_title_in_any_script_gives_a_safe_file_name(client, auth, db_session):
    questionnaire = a_draft_questionnaire(db_session, "csat", "purchase")
    questionnaire.title = {"en": 'Ça "marche"\r\n; filename=evil.exe', "fr": ""}
    db_session.commit()
    auth.login()
    response = client.get(f"/questionnaires/{questionnaire.id}/export/parcours")
    disposition = response.headers["Content-Disposition"]
    assert disposition == (
        f'attachment; filename="ca-marche-filename-evil-exe-{questionnaire.id}.parcours.json"'
    )


def test_a_cx_lead_may_download_but_an_unknown_questionnaire_or_format_is_404(
    client, auth, db_session
):
    questionnaire = a_draft_questionnaire(db_session)
    auth.login_as_cx_lead()
    assert client.get(f"/questionnaires/{questionnaire.id}/export/surveyjs").status_code == 200
    assert client.get(f"/questionnaires/{questionnaire.id}/export/xml").status_code == 404
    assert client.get("/questionnaires/999999/export/parcours").status_code == 404


def test_downloads_need_a_login(client, db_session):
    questionnaire = a_draft_questionnaire(db_session)
    assert client.get(f"/questionnaires/{questionnaire.id}/export/parcours").status_code == 302


# Import


def test_a_researcher_imports_our_file_into_another_journey(client, auth, forms, db_session):
    source = a_draft_questionnaire(db_session, "ces", "retention", "delivery")
    target = a_journey(db_session, name="Another shop")
    auth.login()
    assert import_url(target) in client.get(f"/journeys/{target.id}").get_data(as_text=True)
    content = json.dumps(export_questionnaire(source), ensure_ascii=False).encode()

    response = upload(forms, target, content)
    assert response.status_code == 302
    imported = db_session.scalars(
        select(Questionnaire).where(Questionnaire.journey_id == target.id)
    ).one()
    assert response.headers["Location"] == f"/questionnaires/{imported.id}"
    assert (imported.status, imported.stage.key, imported.touchpoint.key) == (
        "draft",
        "retention",
        "delivery",
    )
    assert export_questionnaire(imported)["questions"] == export_questionnaire(source)["questions"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Imported the questionnaire as a draft with 4 questions" in page  # with "hard"
    assert "did not come along" not in page


def test_a_researcher_imports_a_surveyjs_survey_and_reads_the_report(
    client, auth, forms, db_session
):
    journey = a_journey(db_session)
    auth.login()
    response = upload(forms, journey, CREATOR_EXPORT, stage="purchase", touchpoint="checkout")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Imported the SurveyJS survey as a draft with 8 questions" in page
    assert "things did not come along" in page
    for line in from_surveyjs(json.loads(CREATOR_EXPORT))[1]:
        assert str(escape(line)) in page
    imported = db_session.scalars(select(Questionnaire)).one()
    assert (imported.stage.key, imported.touchpoint.key) == ("purchase", "checkout")


def test_a_long_report_is_cut_short_to_fit_in_the_session_cookie(client, auth, forms, db_session):
    journey = a_journey(db_session)
    elements = [{"type": "html", "name": f"note_{i}"} for i in range(200)]
    survey = {"pages": [{"elements": [*elements, {"type": "text", "name": "city"}]}]}
    auth.login()
    response = upload(forms, journey, json.dumps(survey).encode(), stage="purchase")
    assert response.status_code == 302
    assert len(response.headers["Set-Cookie"]) < 4000
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "201 things did not come along" in page  # 200 notes, and the missing title
    assert re.search(r"… and 1[0-9]{2} more\.", page)


def test_a_surveyjs_survey_without_a_stage_asks_for_one_and_keeps_the_choices(
    client, auth, forms, db_session
):
    journey = a_journey(db_session)
    auth.login()
    response = upload(forms, journey, CREATOR_EXPORT, touchpoint="checkout")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "choose the stage it belongs to" in html
    assert selected(html, "checkout")
    assert count_questionnaires(db_session) == 0


BAD_FILES = [
    ("not JSON", b"pages: [", 422, "The file is not JSON: Expecting value at line 1"),
    ("not UTF-8", "{\"title\": \"Été\"}".encode("utf-16"), 422, "The file is not UTF-8"),
    ("latin-1", "{\"title\": \"Été\"}".encode("latin-1"), 422, "The file is not UTF-8"),
    ("a list", b"[1, 2]", 422, "a questionnaire file is a JSON object"),
    ("neither format", b'{"name": "x"}', 422, "neither a Parcours questionnaire"),
    ("wrong structure", json.dumps({
        "format": "parcours.questionnaire", "version": 1, "kind": "csat", "languages": ["en"],
        "stage": "purchase", "questions": [{"key": "a", "type": "slider", "prompt": {"en": "?"}}],
    }).encode(), 422, "questions[0].type"),
    ("newer version", b'{"format": "parcours.questionnaire", "version": 9}', 422,
     "written by a newer Parcours"),
    ("deeply nested", b"[" * 100_000 + b"]" * 100_000, 422, "not JSON"),
    ("a huge number", b"[" + b"9" * 5000 + b"]", 422, "not JSON"),
    ("too big", b'{"pages": [], "padding": "' + b"x" * 600_000 + b'"}', 413, "larger than 512 KiB"),
    ("empty", b"", 422, "The file is not JSON"),
]  # fmt: skip


@pytest.mark.parametrize(
    "content, status, message", [case[1:] for case in BAD_FILES], ids=[c[0] for c in BAD_FILES]
)
def test_a_bad_file_is_refused_with_a_clear_message_and_the_choices_kept(
    client, auth, forms, db_session, content, status, message
):
    journey = a_journey(db_session)
    auth.login()
    response = upload(forms, journey, content, stage="retention", touchpoint="delivery")
    assert response.status_code == status
    html = response.get_data(as_text=True)
    assert message in html.replace("&#34;", '"').replace("&#39;", "'")
    assert selected(html, "retention") and selected(html, "delivery")
    assert count_questionnaires(db_session) == 0


def test_no_file_is_a_form_error(client, auth, forms, db_session):
    journey = a_journey(db_session)
    auth.login()
    response = upload(forms, journey, None, stage="retention")
    assert response.status_code == 422
    assert "Choose a JSON file to import." in response.get_data(as_text=True)


def test_a_body_over_the_request_limit_is_refused_not_crashed(client, auth, forms, db_session):
    journey = a_journey(db_session)
    auth.login()
    response = upload(forms, journey, b"x" * (2 * 1024 * 1024))
    assert response.status_code == 413
    assert count_questionnaires(db_session) == 0


def test_an_import_without_its_csrf_token_is_refused(client, auth, db_session):
    journey = a_journey(db_session)
    auth.login()
    response = client.post(
        import_url(journey),
        data={"file": (io.BytesIO(CREATOR_EXPORT), "s.json"), "stage": "purchase"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert count_questionnaires(db_session) == 0


def test_a_cx_lead_may_not_import(client, auth, forms, db_session):
    journey = a_journey(db_session)
    auth.login_as_cx_lead()
    assert import_url(journey) not in client.get(f"/journeys/{journey.id}").get_data(as_text=True)
    assert client.get(import_url(journey)).status_code == 403
    token = forms.token(f"/journeys/{journey.id}")
    response = client.post(
        import_url(journey),
        data={"csrf_token": token, "file": (io.BytesIO(CREATOR_EXPORT), "s.json"), "stage": ""},
        content_type="multipart/form-data",
    )
    assert response.status_code == 403
    assert count_questionnaires(db_session) == 0


def test_a_journey_without_stages_sends_the_researcher_back(client, auth, db_session):
    journey = a_journey(db_session, template=None)
    auth.login()
    response = client.get(import_url(journey))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/journeys/{journey.id}"
