"""Hostile input at every door: the survey page, the login, the JSON API and the uploads.

The cases live in tests/data/hostile/corpus.py. Each is answered with a 4xx and a clear
message (the site's page, or the API's JSON error) and stores nothing (rows counted before
and after); text that is taken is stored as typed, or without its control characters and
bidi overrides (`surveys.input_guard.clean_text`, shared by every door). Generated forms
and API bodies (hypothesis) never get a 5xx nor leave a half-written response.
"""

from __future__ import annotations

import csv
import html
import importlib.util
import io
import json
import re
import secrets
from pathlib import Path
from urllib.parse import parse_qsl, quote_from_bytes

import pytest
from api_helpers import api_error, bearer
from builders import (
    PASSWORD,
    a_journey,
    a_live_questionnaire_with_every_type,
    a_user,
    csrf_token_from,
    submission_key,
    survey_url,
)
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from surveys import rollups
from surveys.input_guard import clean_text
from surveys.models import (
    Answer,
    Invitation,
    Journey,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    Response,
)
from surveys.question_types import field_name, parse_form


def _load_corpus():
    path = Path(__file__).parent / "data" / "hostile" / "corpus.py"
    spec = importlib.util.spec_from_file_location("hostile_corpus", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


corpus = _load_corpus()

TABLES = (Response, Answer, Invitation, Journey, Questionnaire, QuestionnaireVersion, Question)
# The sentence each status shows on the site's pages (English, the default language).
PAGE_MESSAGES = {
    400: "This request could not be understood",
    404: "Page not found",
    405: "This action is not allowed here",
    413: "What you sent is too large",
    422: "Some answers need your attention",
}


def stored(session) -> dict[str, int]:
    """How many rows each table that a request could write holds."""
    session.expire_all()
    return {t.__name__: session.scalar(select(func.count()).select_from(t)) for t in TABLES}


def every_case(cases, check) -> None:
    """Run `check(*case)` for every case; report every case that failed, by name."""
    failed = []
    for case in cases:
        try:
            check(*case)
        except AssertionError as error:
            failed.append(f"{case[0]}: {str(error)[:600]}")
    assert not failed, "\n".join(failed)


def assert_page(response, status: int, message: str | None = None) -> str:
    """A page of the site (never a bare error) with `status` and a sentence saying what."""
    page = response.get_data(as_text=True)
    assert response.status_code == status, (response.status_code, page[:300])
    assert response.mimetype == "text/html"
    assert "<h1" in page, page[:300]
    expected = message or PAGE_MESSAGES[status]
    assert expected in page, page[:2000]
    return page


@pytest.fixture
def survey(db_session):
    return a_live_questionnaire_with_every_type(db_session)


def send_survey(app, questionnaire, extra: bytes = b"", **kwargs):
    """A fresh browser opens the page, then posts its token, a key, a valid answer and `extra`."""
    browser = app.test_client()
    url = survey_url(questionnaire, lang="en")
    token = csrf_token_from(browser.get(url).get_data(as_text=True))
    body = b"&".join(
        part
        for part in (
            b"csrf_token=" + token.encode(),
            b"submission_key=" + submission_key().encode(),
            corpus.VALID_ANSWERS,
            extra,
        )
        if part
    )
    kwargs.setdefault("content_type", "application/x-www-form-urlencoded")
    return browser.post(url, data=body, **kwargs)


# --- the survey page ---------------------------------------------------------------------


def test_the_valid_answer_alone_is_stored(app, db_session, survey):
    """The cases below add to this answer: stored alone, so a case ignored would store it."""
    before = stored(db_session)
    assert send_survey(app, survey).status_code == 303
    assert stored(db_session)["Response"] == before["Response"] + 1


def test_hostile_survey_forms_get_a_4xx_page_and_store_nothing(app, db_session, survey):
    def check(name, extra, status):
        before = stored(db_session)
        assert_page(send_survey(app, survey, extra), status)
        assert stored(db_session) == before

    every_case(corpus.SURVEY_FORMS, check)


def test_an_invalid_answer_keeps_what_was_typed(app, db_session, survey):
    extra = b"q_csat=" + b"9" * 5000 + b"&q_city=%27+OR+1%3D1+--"
    page = assert_page(send_survey(app, survey, extra), 422)
    assert 'value="&#39; OR 1=1 --"' in page  # the city, kept and escaped
    assert "Delivery was fine</textarea>" in page


def test_an_answer_of_an_earlier_version_is_ignored_not_refused(app, db_session, survey):
    """A page opened before the questionnaire changed still sends its removed question."""
    from surveys.design_service import remove_question

    assert send_survey(app, survey).status_code == 303  # answers: an edit makes a version
    remove_question(db_session, survey, "city")
    db_session.commit()
    assert survey.current_version.number == 2
    assert send_survey(app, survey, b"q_city=Lyon").status_code == 303
    assert "city" not in {a.question.key for a in db_session.scalars(select(Answer))}


def test_a_body_over_the_limit_is_a_413_page(app, db_session, survey):
    before = stored(db_session)
    assert_page(send_survey(app, survey, b"q_story=" + b"x" * (1024 * 1024)), 413)
    assert stored(db_session) == before


def test_bodies_that_are_not_forms_are_refused_even_with_a_csrf_header(app, db_session, survey):
    def check(name, body, content_type):
        browser = app.test_client()
        url = survey_url(survey, lang="en")
        token = csrf_token_from(browser.get(url).get_data(as_text=True))
        before = stored(db_session)
        headers = {"X-CSRFToken": token}
        assert_page(browser.post(url, data=body, content_type=content_type, headers=headers), 400)
        assert stored(db_session) == before

    every_case(corpus.SURVEY_CONTENT_TYPES, check)


def test_wrong_methods_on_the_survey_are_a_405_page(client, db_session, survey):
    for method in corpus.WRONG_METHODS:
        url = survey_url(survey, lang="en")
        assert_page(client.open(url, method=method, data=b"q_nps=9"), 405)
        assert_page(client.open(url, method=method, json={"q_nps": 9}), 405)
    assert stored(db_session)["Response"] == 0


def test_missing_or_forged_csrf_tokens_store_nothing_and_keep_the_answers(app, db_session, survey):
    def check(name, csrf):
        browser = app.test_client()
        url = survey_url(survey, lang="en")
        browser.get(url)
        data = {"submission_key": submission_key(), "q_nps": "9", "q_city": "{{7*7}}"}
        if csrf is not None:
            data["csrf_token"] = csrf
        before = stored(db_session)
        page = assert_page(browser.post(url, data=data), 400, "Your page had expired")
        assert 'value="{{7*7}}"' in page
        assert stored(db_session) == before

    every_case(
        [("missing", None), ("empty", ""), ("forged", "forged"), ("signed_look", "IjEi.x.y")],
        check,
    )


def test_path_tricks_in_slugs_are_a_4xx_page(client, db_session, survey):
    def check(path, status):
        for method in ("GET", "POST"):
            assert_page(client.open(path, method=method, data={"q_nps": "9"}), status)

    every_case(corpus.SLUG_TRICKS, check)
    assert stored(db_session)["Response"] == 0


def test_a_query_string_that_is_not_utf8_is_a_400_page(client, survey):
    for query in ("lang=%FF", "t=%C3", "y=1&x=%ED%A0%80"):
        assert_page(client.get(f"{survey_url(survey)}?{query}&lang=en"), 400)


# --- the login ---------------------------------------------------------------------------


def test_hostile_logins_get_a_4xx_page_and_log_nobody_in(app, db_session):
    a_user(db_session, "researcher@example.com", "researcher")

    def check(name, body, status):
        browser = app.test_client()
        token = csrf_token_from(browser.get("/login").get_data(as_text=True))
        response = browser.post(
            "/login",
            data=b"csrf_token=" + token.encode() + b"&" + body,
            content_type="application/x-www-form-urlencoded",
        )
        page = response.get_data(as_text=True)
        assert response.status_code == status, page[:500]
        assert response.mimetype == "text/html"
        sentences = ("Wrong email or password.", PAGE_MESSAGES[400], 'class="error"')
        assert any(sentence in page for sentence in sentences), page[:3000]
        assert browser.get("/home").status_code == 302  # still logged out

    every_case(corpus.LOGIN_FORMS, check)


def test_logins_without_the_form_and_its_token_are_refused(app, db_session):
    """Even with the right password: the CSRF token, in a form, is part of the login."""
    a_user(db_session, "researcher@example.com", "researcher")
    account = {"email": "researcher@example.com", "password": PASSWORD}

    def check(name, kwargs):
        browser = app.test_client()
        token = csrf_token_from(browser.get("/login").get_data(as_text=True))
        # A header may carry the token (Flask-WTF reads it), but only for a form.
        headers = {"X-CSRFToken": token} if "json" in kwargs else {}
        response = browser.post("/login", headers=headers, **kwargs)
        assert response.status_code == 400
        assert response.mimetype == "text/html"
        assert browser.get("/home").status_code == 302

    every_case(
        [
            ("no_csrf", {"data": account}),
            ("forged_csrf", {"data": {"csrf_token": "x", **account}}),
            ("json_list_with_csrf_header", {"json": [1, 2]}),
            ("json_object_with_csrf_header", {"json": account}),
        ],
        check,
    )


def test_wrong_methods_on_the_login_are_a_405_page(client):
    for method in corpus.WRONG_METHODS:
        assert_page(client.open("/login", method=method), 405)


# --- the JSON API ------------------------------------------------------------------------


@pytest.fixture
def admin(app) -> dict[str, str]:
    return bearer(app, "admin")


def api_post(client, url: str, body: bytes | str, headers: dict, **kwargs):
    kwargs.setdefault("content_type", "application/json")
    headers = {**headers, "Idempotency-Key": secrets.token_hex(8)}
    return client.post(url, data=body, headers=headers, **kwargs)


def test_hostile_response_bodies_get_the_json_error_and_store_nothing(
    client, admin, db_session, survey
):
    url = f"/api/v1/questionnaires/{survey.id}/responses"

    def check(name, body, status, code):
        before = stored(db_session)
        api_error(api_post(client, url, body, admin), status, code)
        assert stored(db_session) == before

    every_case(corpus.RESPONSE_BODIES, check)


def test_a_duplicated_key_is_named_in_the_error(client, admin, survey):
    body = b'{"language": "en", "answers": {"nps": 9, "nps": 0}}'
    response = api_post(client, f"/api/v1/questionnaires/{survey.id}/responses", body, admin)
    error = api_error(response, 400, "duplicate_key")
    assert error["message"] == 'The name "nps" appears twice in one object: send it once.'


def test_hostile_invitation_bodies_get_the_json_error_and_store_nothing(
    client, admin, db_session, survey
):
    def check(name, body, status, code):
        before = stored(db_session)
        body = body.replace("{qid}", str(survey.id))
        api_error(api_post(client, "/api/v1/invitations", body, admin), status, code)
        assert stored(db_session) == before

    every_case(corpus.INVITATION_BODIES, check)


def test_hostile_imports_get_the_json_error_and_store_nothing(client, admin, db_session):
    journey = a_journey(db_session)
    url = f"/api/v1/questionnaires?journey_id={journey.id}&stage=purchase"

    def check(name, body, status, code):
        before = stored(db_session)
        api_error(api_post(client, url, body, admin), status, code)
        assert stored(db_session) == before

    every_case(corpus.IMPORT_BODIES, check)


def test_api_bodies_of_another_type_are_415(client, admin, db_session, survey):
    urls = [
        f"/api/v1/questionnaires/{survey.id}/responses",
        "/api/v1/invitations",
        f"/api/v1/questionnaires?journey_id={survey.journey_id}",
    ]
    body = json.dumps({"questionnaire_id": survey.id, "customer_ref": "C", "language": "en"})
    types = ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data",
             "application/xml", "application/json-patch+json"]  # fmt: skip
    for url in urls:
        for content_type in types:
            api_error(api_post(client, url, body, admin, content_type=content_type), 415)
    assert stored(db_session)["Invitation"] == stored(db_session)["Response"] == 0


def test_wrong_methods_on_the_api_are_a_json_405(client, admin, survey):
    for method in corpus.WRONG_METHODS:
        response = client.open("/api/v1/invitations", method=method, headers=admin, json={})
        api_error(response, 405, "method_not_allowed")


def test_an_api_query_string_that_is_not_utf8_or_holds_nul_is_a_json_400(client, admin):
    for query in ("journey_id=1&stage=%FF", "journey_id=%00", "journey_id=1&stage=%ED%A0%80"):
        response = api_post(client, f"/api/v1/questionnaires?{query}", b"{}", admin)
        error = api_error(response, 400, "bad_request")
        assert "query string" in error["message"]


# --- uploads -----------------------------------------------------------------------------


def upload_csv(auth, questionnaire, content: bytes):
    url = f"/questionnaires/{questionnaire.id}/invitations/upload"
    token = csrf_token_from(auth.client.get(url).get_data(as_text=True))
    data = {"csrf_token": token, "file": (io.BytesIO(content), "invitations.csv")}
    return auth.client.post(url, data=data, content_type="multipart/form-data")


def test_hostile_invitation_files_get_a_page_saying_what_is_wrong(auth, db_session, survey):
    auth.login()

    def check(name, content, status, message):
        before = stored(db_session)
        response = upload_csv(auth, survey, content)
        page = response.get_data(as_text=True)
        assert response.status_code == status, page[:500]
        assert response.mimetype == "text/html"
        assert message in html.unescape(page), page[:3000]
        assert stored(db_session) == before

    every_case(corpus.CSV_FILES, check)


def test_an_upload_without_its_csrf_token_or_as_json_stores_nothing(auth, db_session, survey):
    auth.login()
    url = f"/questionnaires/{survey.id}/invitations/upload"
    data = {"file": (io.BytesIO(b"customer_ref\nC-1\n"), "x.csv")}
    response = auth.client.post(url, data=data, content_type="multipart/form-data")
    assert_page(response, 400, "This page has expired")
    token = csrf_token_from(auth.client.get(url).get_data(as_text=True))
    response = auth.client.post(
        url, json={"file": "customer_ref\nC-1\n"}, headers={"X-CSRFToken": token}
    )
    assert_page(response, 400)
    assert stored(db_session)["Invitation"] == 0


def import_file(auth, journey, content: bytes):
    url = f"/journeys/{journey.id}/questionnaires/import"
    token = csrf_token_from(auth.client.get(url).get_data(as_text=True))
    data = {"csrf_token": token, "stage": "purchase", "touchpoint": "",
            "file": (io.BytesIO(content), "survey.json")}  # fmt: skip
    return auth.client.post(url, data=data, content_type="multipart/form-data")


def test_hostile_questionnaire_files_get_a_page_saying_what_is_wrong(auth, db_session):
    journey = a_journey(db_session)
    auth.login()

    def check(name, content, status, message):
        before = stored(db_session)
        response = import_file(auth, journey, content)
        page = response.get_data(as_text=True)
        assert response.status_code == status, page[:500]
        assert message in page, page[:3000]
        assert stored(db_session) == before

    every_case(corpus.JSON_FILES, check)


def test_a_duplicated_key_in_a_questionnaire_file_is_named(auth, db_session):
    journey = a_journey(db_session)
    auth.login()
    page = import_file(auth, journey, b'{"title": "A", "pages": [], "title": "B"}')
    message = "The file names “title” twice in one object: keep one of them."
    assert message in page.get_data(as_text=True)
    auth.client.get("/home?lang=fr")  # the language switch, remembered
    page = import_file(auth, journey, b'{"pages": [{"elements": [], "elements": []}]}')
    message = "Le fichier contient deux fois le nom « elements » dans un même objet"
    assert message in html.unescape(page.get_data(as_text=True))


# --- text that is taken ------------------------------------------------------------------

TEXTS = [(name, text, text) for name, text in corpus.CODE_LOOKING_TEXTS] + corpus.CONTROL_TEXTS


def test_texts_from_the_survey_page_are_stored_as_typed_or_cleaned(app, db_session, survey):
    def check(name, typed, kept):
        browser = app.test_client()
        url = survey_url(survey)
        token = csrf_token_from(browser.get(url).get_data(as_text=True))
        data = {"csrf_token": token, "submission_key": submission_key(), "q_story": typed}
        assert browser.post(url, data=data).status_code == 303
        db_session.expire_all()
        newest = db_session.scalars(select(Response).order_by(Response.id.desc())).first()
        assert [a.text for a in newest.answers] == [kept]

    every_case(TEXTS, check)


def test_texts_from_the_api_are_stored_as_typed_or_cleaned(client, admin, db_session, survey):
    def check(name, typed, kept):
        body = {"language": "en", "answers": {"story": typed}, "metadata": {"note": typed}}
        url = f"/api/v1/questionnaires/{survey.id}/responses"
        response = api_post(client, url, json.dumps(body), admin)
        assert response.status_code == 201, response.get_json()
        db_session.expire_all()
        stored_response = db_session.get(Response, response.get_json()["id"])
        assert [a.text for a in stored_response.answers] == [kept]
        assert stored_response.meta == {"note": kept}
        invitation = {
            "questionnaire_id": survey.id,
            "customer_ref": typed,
            "metadata": {"n": typed},
            "force": True,  # two texts clean to the same reference: not the cooldown's case
        }
        response = api_post(client, "/api/v1/invitations", json.dumps(invitation), admin)
        if "\n" in kept:  # a customer reference is an identifier: one line, or refused
            assert response.status_code == 422, response.get_json()
            fields = response.get_json()["error"]["fields"]
            assert fields == {"customer_ref": "A customer reference is one line."}
            return
        assert response.status_code == 201, response.get_json()
        stored_invitation = db_session.get(Invitation, response.get_json()["id"])
        assert (stored_invitation.customer_ref, stored_invitation.meta) == (kept, {"n": kept})

    every_case(TEXTS, check)


def hidden_value(page: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert tag, f"no hidden {name}"
    return html.unescape(re.search(r'value="([^"]*)"', tag.group(0)).group(1))


def test_texts_from_an_uploaded_csv_are_stored_as_typed_or_cleaned(auth, db_session, survey):
    auth.login()
    out = io.StringIO()
    csv.writer(out).writerows(
        [["customer_ref", "note"], *[[name, typed] for name, typed, _ in TEXTS]]
    )
    preview = upload_csv(auth, survey, out.getvalue().encode())
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200, page[:3000]
    confirmed = auth.client.post(
        f"/questionnaires/{survey.id}/invitations/upload/confirm",
        data={
            "csrf_token": csrf_token_from(page),
            "content": hidden_value(page, "content"),
            "upload_key": hidden_value(page, "upload_key"),
        },
        content_type="multipart/form-data",
    )
    assert confirmed.status_code == 303, confirmed.get_data(as_text=True)[:3000]
    db_session.expire_all()
    notes = dict(db_session.execute(select(Invitation.customer_ref, Invitation.meta)).all())
    assert notes == {name: {"note": kept} for name, _typed, kept in TEXTS}


def test_texts_from_an_imported_questionnaire_are_stored_as_typed_or_cleaned(auth, db_session):
    journey = a_journey(db_session)
    auth.login()

    def check(name, typed, kept):
        document = {"title": typed, "pages": [{"elements": [
            {"type": "comment", "name": "why", "title": typed}]}]}  # fmt: skip
        response = import_file(auth, journey, json.dumps(document).encode())
        assert response.status_code == 302, response.get_data(as_text=True)[:3000]
        db_session.expire_all()
        newest = db_session.scalars(select(Questionnaire).order_by(Questionnaire.id.desc())).first()
        assert newest.title_in("en") == kept
        assert newest.current_version.questions[0].prompt["en"] == kept

    every_case(TEXTS, check)


def test_texts_from_the_researchers_forms_are_stored_as_typed_or_cleaned(auth, db_session):
    auth.login()

    def check(name, typed, kept):
        response = auth.forms.post(
            "/journeys/new", {"name": name, "description": typed, "template": ""}
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:3000]
        db_session.expire_all()
        assert db_session.scalars(select(Journey.description).filter_by(name=name)).one() == kept

    every_case(TEXTS, check)


def test_lone_surrogates_in_a_questionnaire_file_are_taken_out(auth, db_session):
    journey = a_journey(db_session)
    auth.login()
    document = (
        b'{"title": "caf\\ud800e", "pages": [{"elements": [{"type": "comment", '
        b'"name": "why", "title": "why\\udfff?"}]}]}'
    )
    named = document.replace(b'"name": "why"', b'"name": "why", "\\ud800": "x"')
    assert_page(import_file(auth, journey, named), 422, "The file is not JSON that can be read.")
    response = import_file(auth, journey, document)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    db_session.expire_all()
    questionnaire = db_session.scalars(select(Questionnaire)).one()
    assert questionnaire.title_in("en") == "cafe"
    assert questionnaire.current_version.questions[0].prompt["en"] == "why?"
    assert auth.client.get(f"/questionnaires/{questionnaire.id}").status_code == 200


def test_clean_text_is_the_rule_of_the_survey_parser_too():
    from surveys.question_types import clean_text as survey_clean_text

    for _name, typed, kept in TEXTS:
        assert clean_text(typed) == kept
        assert survey_clean_text("  " + typed + "\x07 ") == kept


# --- generated input (hypothesis) ---------------------------------------------------------

GENERATED = settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

ODD_CHARACTERS = "\x01\x07\x1b\x7f\x85\u202e\u2066\ufffd\r\n\t %&=+;'\"<>{}$é٤²"
odd_text = st.text(
    alphabet=st.one_of(st.sampled_from(ODD_CHARACTERS), st.characters(codec="utf-8")),
    max_size=30,
)
plausible_values = st.sampled_from(
    ["0", "1", "2", "3", "4", "5", "7", "9", "10", "", " 4 ", "web", "store", "case", "cable",
     "care", "joy", "anger", "Lyon", "Slow delivery"]
)  # fmt: skip
survey_values = st.one_of(
    *[plausible_values] * 6,
    st.sampled_from(["11", "-1", "3.5", "4e0", "٤", "nope", "9" * 5000, "x" * 5001, "a\x00"]),
    odd_text,
    st.binary(max_size=6),  # any bytes, UTF-8 or not
)


def _survey_names(questionnaire) -> list[str]:
    return [field_name(q) for q in questionnaire.current_version.questions]


def _encode(part: str | bytes) -> bytes:
    return quote_from_bytes(part.encode() if isinstance(part, str) else part).encode()


def expected_answers(questionnaire, body: bytes) -> int | None:
    """How many answers the page should store for `body`, computed apart from the app
    (None: it should store nothing)."""
    try:
        pairs = parse_qsl(body.decode("ascii"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        return None
    if any("\x00" in name + value for name, value in pairs):
        return None
    form: dict[str, list[str]] = {}
    for name, value in pairs:
        form.setdefault(name, []).append(clean_text(value))
    known = set(_survey_names(questionnaire))
    if any(name.startswith("q_") and name not in known for name in form):
        return None
    if form.get("t", [""])[0]:  # an invitation token that is no invitation's
        return None
    parsed = parse_form(questionnaire.current_version.questions, form)
    return None if parsed.errors else len(parsed.values)


@GENERATED
@given(data=st.data())
def test_generated_survey_forms_never_fail_nor_store_half_a_response(app, db_session, survey, data):
    known = st.sampled_from(_survey_names(survey))
    # Mostly the page's own fields (so that some forms are stored), sometimes anything.
    names = st.one_of(*[known] * 8, st.sampled_from(["lang", "t", "x", "q_"]), odd_text,
                      st.binary(max_size=4))  # fmt: skip
    pairs = data.draw(st.lists(st.tuples(names, survey_values), max_size=8), label="fields")
    extra = b"&".join(_encode(name) + b"=" + _encode(value) for name, value in pairs)
    before = stored(db_session)
    response = send_survey(app, survey, extra)
    event(f"status {response.status_code}")  # --hypothesis-show-statistics
    assert response.status_code < 500
    after = stored(db_session)
    expected = expected_answers(survey, corpus.VALID_ANSWERS + b"&" + extra)
    if response.status_code == 303:
        assert expected is not None, response.status_code
        assert after["Response"] == before["Response"] + 1
        assert after["Answer"] == before["Answer"] + expected
    else:
        assert 400 <= response.status_code < 500
        assert expected is None or response.status_code == 413
        assert after == before
    if not data.draw(st.integers(0, 9), label="check rollups"):  # about one example in ten
        assert rollups.differences(db_session) == []


json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False, allow_infinity=False), odd_text.filter(lambda s: "\x00" not in s),
)  # fmt: skip
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(odd_text, inner, max_size=4)
    ),
    max_leaves=10,
)
QUESTION_KEYS = ["nps", "csat", "ces", "rating", "likert", "channel", "extras", "city", "story",
                 "felt"]  # fmt: skip
answer_keys = st.one_of(st.sampled_from(QUESTION_KEYS), st.sampled_from(QUESTION_KEYS), odd_text)
plausible_answers = st.one_of(
    st.integers(0, 10), st.sampled_from(["web", "store", "joy", "Lyon", "Too slow", ""]),
    st.lists(st.sampled_from(["case", "cable", "care"]), max_size=3, unique=True),
)  # fmt: skip
answer_values = st.one_of(
    st.integers(-3, 12), st.sampled_from(["web", "case", "joy", "7", "3.5"]),
    st.lists(st.sampled_from(["case", "cable", "care", "nope"]), max_size=4), json_values,
)  # fmt: skip


some_text = odd_text.filter(lambda s: "\x00" not in s)
# A valid answer to each question of the every-type questionnaire.
VALID_ANSWER = {
    "nps": st.integers(0, 10),
    "csat": st.integers(1, 5),
    "ces": st.integers(1, 7),
    "rating": st.integers(1, 4),
    "likert": st.integers(1, 7),
    "channel": st.sampled_from(["web", "store"]),
    "extras": st.lists(st.sampled_from(["case", "cable", "care"]), min_size=1, unique=True),
    "city": some_text,
    "story": some_text,
    "felt": st.sampled_from(["joy", "anger", "trust"]),
}
plausible_body = st.fixed_dictionaries(
    {
        "language": st.sampled_from(["en", "fr"]),
        "answers": st.fixed_dictionaries(
            {},
            optional={
                key: st.one_of(valid, valid, plausible_answers)
                for key, valid in VALID_ANSWER.items()
            },
        ),
    }
)
any_body = st.fixed_dictionaries(
    {
        "answers": st.dictionaries(answer_keys, answer_values, max_size=6),
        "language": st.sampled_from(["en", "fr", "de", 1, None]),
    },
    optional={
        "metadata": st.dictionaries(odd_text, json_scalars, max_size=3),
        "invitation_token": odd_text,
        "submitted_at": st.sampled_from(["2026-01-01T00:00:00Z", "yesterday", 3]),
        "extra": json_values,
    },
)


@GENERATED
@given(data=st.data())
def test_generated_api_bodies_never_fail_nor_store_half_a_response(
    client, admin, db_session, survey, data
):
    body = data.draw(st.one_of(plausible_body, any_body), label="body")
    before = stored(db_session)
    response = api_post(
        client, f"/api/v1/questionnaires/{survey.id}/responses", json.dumps(body), admin
    )
    event(f"status {response.status_code}")
    assert response.status_code < 500, response.get_json()
    after = stored(db_session)
    if response.status_code == 201:
        assert after["Response"] == before["Response"] + 1
        assert after["Answer"] == before["Answer"] + len(response.get_json()["answers"])
    else:
        api_error(response, response.status_code)
        assert response.status_code in (400, 409, 422)
        assert after == before
