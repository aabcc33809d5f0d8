"""Stored XSS: what users type is shown as text on every page, never run as markup.

A researcher, a CX lead (an admin does both here) and a customer type the classic payloads
into every field a page shows, through the pages' own forms; then every page that shows
them is read with an HTML parser: the payload is there as text (escaped), and no <script>
element, event-handler attribute or javascript: link comes from it. The exports get
spreadsheet formulas instead, and no cell of the CSV or XLSX files starts one.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from types import SimpleNamespace
from xml.etree import ElementTree

import pytest
from builders import answer_as_a_new_customer, submission_key
from openpyxl import load_workbook
from sqlalchemy import select
from test_exports import assert_no_formula_text, read_csv

from surveys.models import Answer, Invitation, Questionnaire, Response, Stage, Touchpoint

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "</textarea><svg onload=alert(1)>",
    "{{7*7}}",
]
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}


class Scan(HTMLParser):
    """What a browser would run in a page: script elements, handlers, javascript: links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.dangers: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.dangers.append(f"<script {attrs}>")
        for name, value in attrs:
            value = value or ""
            self.texts.append(value)
            if name.startswith("on"):
                self.dangers.append(f"<{tag} {name}={value!r}>")
            squeezed = re.sub(r"[\s\x00-\x1f]", "", value).lower()
            if name in URL_ATTRIBUTES and squeezed.startswith(("javascript:", "vbscript:")):
                self.dangers.append(f"<{tag} {name}={value!r}>")

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.texts.append(data)


def scan(page: str) -> Scan:
    scanner = Scan()
    scanner.feed(page)
    scanner.close()
    return scanner


def assert_shown_as_text(url: str, page: str, payload: str, shown: bool = True) -> None:
    found = scan(page)
    assert found.dangers == [], f"{url}: {found.dangers}"
    if "<" in payload:
        assert payload not in page, f"{url} has the payload unescaped"
    if shown:
        assert any(payload in text for text in found.texts), f"{url} does not show the payload"


# --- filling every field ---------------------------------------------------------------------


def location_id(response) -> int:
    assert response.status_code in (302, 303), re.sub(r"\s+", " ", response.get_data(as_text=True))[
        -3000:
    ]
    return int(re.search(r"/(\d+)(?:[/?#]|$)", response.headers["Location"]).group(1))


def posted(response, status: int = 302):
    assert response.status_code == status, re.sub(r"\s+", " ", response.get_data(as_text=True))[
        -4000:
    ]
    return response


def keyword_ok(text: str) -> bool:
    from surveys.design.forms import keyword_problem

    return keyword_problem(text) is None


def everything_typed(app, auth, db_session, text: str) -> SimpleNamespace:
    """Every field a page shows, filled with `text` through the pages (an admin, a customer)."""
    auth.login("admin@example.com", "admin")
    post = auth.forms.post

    journey_id = location_id(
        post(
            "/journeys/new",
            {"name": f"Journey {text}", "description": text, "template": "five-stage"},
        )
    )
    journey_url = f"/journeys/{journey_id}"
    stage_fields = {
        "key": "odd_stage",
        "name_en": text,
        "name_fr": text,
        "customer_status": text,
        "goal": text,
        "kpi": text,
    }
    posted(
        post(
            f"{journey_url}/stages",
            {f"stage-{k}": v for k, v in stage_fields.items()},
            page_url=journey_url,
        )
    )
    stage = db_session.scalars(
        select(Stage).filter_by(journey_id=journey_id, key="odd_stage")
    ).one()
    posted(
        post(
            f"{journey_url}/touchpoints",
            {
                "tp-key": "odd_tp",
                "tp-name_en": text,
                "tp-name_fr": text,
                "tp-channel": "digital",
                "tp-stages": [stage.id],
                "tp-is_moment_of_truth": "y",
            },
            page_url=journey_url,
        )
    )
    touchpoint = db_session.scalars(select(Touchpoint).filter_by(key="odd_tp")).one()

    new_questionnaire = f"{journey_url}/questionnaires/new"
    qid = location_id(
        post(
            new_questionnaire,
            {
                "stage": stage.id,
                "touchpoint": touchpoint.id,
                "kind": "custom",
                "languages": ["fr", "en"],
            },
        )
    )
    settings_url = f"/questionnaires/{qid}/settings"
    settings = {
        "title_en": text,
        "title_fr": text,
        "intro_en": text,
        "intro_fr": text,
        "languages": ["fr", "en"],
        "redact_pii": "y",
        "privacy_note_en": text,
        "privacy_note_fr": text,
    }
    # The contact becomes a link: one that is not an address nor an https page is refused,
    # and given back in the form as text.
    hostile = {**settings, "privacy_contact": f"https://privacy.example/{text}"}
    refused = post(settings_url, hostile)
    if refused.status_code == 422:
        assert_shown_as_text("settings 422", refused.get_data(as_text=True), text)
    else:  # an https page indeed: a link on the survey, as its preview shows
        preview = auth.client.get(f"/questionnaires/{qid}/preview?lang=en")
        assert_shown_as_text("contact", preview.get_data(as_text=True), text, shown=False)
    settings["privacy_contact"] = "privacy@example.com"
    posted(post(settings_url, settings))
    question = f"/questionnaires/{qid}/questions/new"
    words = {
        "prompt_en": text,
        "prompt_fr": text,
        "help_en": text,
        "help_fr": text,
        "touchpoint": 0,
    }
    posted(post(question, {"key": "city", "type": "short_text", **words}))
    posted(post(question, {"key": "story", "type": "long_text", **words}))
    options = f"a | {text} | {text}\nb | Other | Autre"
    posted(post(question, {"key": "choice", "type": "single_choice", "options": options, **words}))
    ends = {f"{end}_label_{lang}": text for end in ("low", "high") for lang in ("en", "fr")}
    posted(post(question, {"key": "rate", "type": "rating", "scale": 5, **ends, **words}))
    posted(post(f"/questionnaires/{qid}/publish", {}, page_url=f"/questionnaires/{qid}"))
    questionnaire = db_session.get(Questionnaire, qid)

    customer = {
        "q_city": text,
        "q_story": f"The delivery was late, so annoying. {text}",
        "q_choice": "a",
        "q_rate": "2",
    }
    posted(answer_as_a_new_customer(app, questionnaire, customer, lang="en"), 303)
    response_id = db_session.scalars(select(Response.id).filter_by(questionnaire_id=qid)).one()

    guide_id = location_id(
        post(
            new_questionnaire,
            {
                "stage": stage.id,
                "touchpoint": touchpoint.id,
                "kind": "interview",
                "languages": ["en"],
                "from_template": "y",
            },
        )
    )
    interview_url = f"/questionnaires/{guide_id}/interviews/new"
    fields = set(
        re.findall(r'name="(q_[a-z0-9_]+)"', auth.client.get(interview_url).get_data(as_text=True))
    )
    notes = {name: f"Late delivery again. {text}" for name in fields if name != "q_emotion"}
    notes["q_emotion"] = "anger"  # a list of emotions, not a text
    interview_id = location_id(
        post(
            interview_url,
            {**notes, "interviewee": text, "language": "en", "submission_key": submission_key()},
        )
    )
    note = db_session.scalars(select(Answer).filter_by(response_id=interview_id)).first()

    keywords = "parcel box" + (f"\n{text}" if keyword_ok(text) else "")
    posted(
        post(
            "/themes/new",
            {
                "key": "odd_theme",
                "label_en": text,
                "label_fr": text,
                "description": text,
                "keywords_en": keywords,
                "keywords_fr": "",
            },
        )
    )
    place = {
        "journey_id": journey_id,
        "stage_id": stage.id,
        "touchpoint_id": touchpoint.id,
        "theme": "late_delivery",
    }
    pain_points = f"{journey_url}/pain-points"
    follow_up = {**place, "owner": text, "status": "in_progress", "note": text, "back": ""}
    posted(post("/pain-points/follow-up", follow_up, page_url=pain_points))
    posted(post("/pain-points/evidence", {**place, "answer_id": note.id}, page_url=pain_points))

    invitations = f"/questionnaires/{qid}/invitations"
    posted(
        post(
            f"{invitations}/new",
            {
                "customer_ref": text,
                "email": "",
                "expires_on": "",
                "language": "",
                "metadata": f"channel={text}",
            },
        )
    )
    invitation = db_session.scalars(select(Invitation)).one()
    posted(post("/account/tokens", {"name": text, "scopes": ["responses:write"]}), 201)
    return SimpleNamespace(
        journey_id=journey_id,
        stage=stage,
        touchpoint=touchpoint,
        questionnaire=questionnaire,
        response_id=response_id,
        guide_id=guide_id,
        interview_id=interview_id,
        invitation=invitation,
    )


def pages_showing(typed: SimpleNamespace) -> list[str]:
    """Every page where a field typed above is shown."""
    journey, qid = f"/journeys/{typed.journey_id}", typed.questionnaire.id
    place = f"stage={typed.stage.id}&touchpoint={typed.touchpoint.id}"
    slug = typed.questionnaire.slug
    return [
        "/home",
        journey,
        f"{journey}/map",
        f"{journey}/map?lang=fr",
        f"{journey}/map/answers?{place}",
        f"{journey}/map/answers?{place}&theme=late_delivery",
        f"{journey}/pain-points",
        f"{journey}/emerging-themes",
        f"{journey}/questionnaires/new",
        f"{journey}/questionnaires/import",
        f"/stages/{typed.stage.id}/edit",
        f"/touchpoints/{typed.touchpoint.id}/edit",
        f"/questionnaires/{qid}",
        f"/questionnaires/{qid}/settings",
        f"/questionnaires/{qid}/questions/city/edit",
        f"/questionnaires/{qid}/questions/choice/edit",
        f"/questionnaires/{qid}/questions/rate/edit",
        f"/questionnaires/{qid}/preview?lang=en",
        f"/questionnaires/{qid}/preview?lang=fr",
        f"/questionnaires/{qid}/responses",
        f"/responses/{typed.response_id}",
        f"/responses/{typed.interview_id}",
        f"/questionnaires/{typed.guide_id}/interviews/new",
        f"/questionnaires/{qid}/invitations",
        "/themes",
        "/account/tokens",
        "/admin/audit",
        f"/s/{slug}?lang=en",
        f"/s/{slug}?lang=fr",
        f"/s/{slug}?t={typed.invitation.token}&lang=en",
        f"/s/{slug}/thanks?lang=en",
    ]


# Pages that need not show a typed field (checked all the same): the thanks page, and the
# audit log, which names who did what (some events carry a name typed here).
SHOWING_NOTHING = {"/thanks", "/admin/audit"}


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_typed_field_is_shown_escaped_on_every_page(app, auth, db_session, payload):
    typed = everything_typed(app, auth, db_session, payload)
    for url in pages_showing(typed):
        browser = app.test_client() if url.startswith("/s/") else auth.client
        response = browser.get(url)
        assert response.status_code == 200, (url, response.status_code)
        page = response.get_data(as_text=True)
        shown = not any(part in url for part in SHOWING_NOTHING)
        assert_shown_as_text(url, page, payload, shown)
    # Pages reached by posting: an invalid survey given back, a form given back with errors.
    page = answer_as_a_new_customer(app, typed.questionnaire, {"q_rate": "9"}, lang="en")
    assert page.status_code == 422
    assert_shown_as_text("survey 422", page.get_data(as_text=True), payload)
    invitation_form = f"/questionnaires/{typed.questionnaire.id}/invitations/new"
    page = auth.forms.post(invitation_form, {"customer_ref": payload, "email": "nope"})
    assert page.status_code == 422
    assert_shown_as_text("invitation 422", page.get_data(as_text=True), payload)
    # The emotion curve names the stages in an SVG image of our origin.
    response = auth.client.get(f"/journeys/{typed.journey_id}/map/emotion-curve.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    root = ElementTree.fromstring(response.get_data())
    for element in root.iter():
        assert not element.tag.endswith("script")
        assert not [name for name in element.attrib if name.lower().startswith("on")]
    assert payload in "".join(root.itertext())


def test_the_invitation_email_shows_the_title_as_text(app, db_session, auth):
    from surveys.invitations.mail import invitation_email

    payload = "</textarea><svg onload=alert(1)>"
    typed = everything_typed(app, auth, db_session, payload)
    with app.test_request_context():
        invitation = db_session.get(Invitation, typed.invitation.id)
        message = invitation_email(invitation, "shop@example.com", "https://x.example/s/a?t=b")
    html_part = message.get_body(("html",)).get_content()
    assert_shown_as_text("email", html_part, payload)
    assert "\n" not in message["Subject"]


# --- exports ---------------------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"]


@pytest.mark.parametrize("formula", FORMULAS)
def test_typed_formulas_are_neutralised_in_every_export(app, auth, db_session, formula):
    typed = everything_typed(app, auth, db_session, formula)
    journey = f"/journeys/{typed.journey_id}"
    answers = read_csv(auth.client.get(f"{journey}/answers.csv").get_data())
    report = read_csv(auth.client.get(f"{journey}/report.csv").get_data())
    links_url = f"/questionnaires/{typed.questionnaire.id}/invitations/links.csv"
    links = read_csv(
        auth.forms.post(links_url, {}, page_url=links_url[: -len("/links.csv")]).get_data()
    )
    for name, rows in (("answers", answers), ("report", report), ("links", links)):
        cells = [cell for row in rows for cell in row]
        assert "'" + formula in cells, f"{name}.csv does not hold the typed text"
        for row in rows:
            assert_no_formula_text(row)
    book = load_workbook(io.BytesIO(auth.client.get(f"{journey}/report.xlsx").get_data()))
    cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
    assert "'" + formula in [cell.value for cell in cells]
    for cell in cells:
        assert cell.data_type != "f", f"{cell.parent.title}!{cell.coordinate} is a formula"
        assert_no_formula_text([cell.value])


@pytest.mark.parametrize("payload", PAYLOADS[:4])
def test_the_scan_finds_a_payload_left_unescaped(payload):
    """The checks above can fail: the same payloads, not escaped, are caught."""
    from markupsafe import escape

    page = f'<p>{payload}</p><a href="{payload}">x</a>'
    with pytest.raises(AssertionError):
        assert_shown_as_text("unescaped", page, payload)
    assert_shown_as_text("escaped", f"<p>{escape(payload)}</p>", payload)
