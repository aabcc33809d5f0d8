"""The researcher's invitation pages, and what an invitation link does for the customer."""

from __future__ import annotations

import csv
import html
import io
import re
import time
from datetime import timedelta

import pytest
from builders import (
    a_live_questionnaire,
    an_interview_guide,
    an_invitation,
    answer_as_a_new_customer,
    csrf_token_from,
    survey_url,
)
from sqlalchemy import func, select

from surveys.models import Invitation, Response, aware, utcnow


@pytest.fixture
def questionnaire(db_session):
    return a_live_questionnaire(db_session, "csat", "purchase")


def page_url(q, suffix: str = "") -> str:
    return f"/questionnaires/{q.id}/invitations{suffix}"


def count_invitations(session, q=None) -> int:
    session.expire_all()
    query = select(func.count(Invitation.id))
    if q is not None:
        query = query.where(Invitation.questionnaire_id == q.id)
    return session.scalar(query)


def upload(forms, q, content: bytes | str, filename: str = "invitations.csv"):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return forms.post(
        page_url(q, "/upload"), {"file": (io.BytesIO(data), filename)}, page_url(q, "/upload")
    )


def hidden(page: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert tag, f"no hidden {name}"
    return html.unescape(re.search(r'value="([^"]*)"', tag.group(0)).group(1))


def confirm(client, q, preview_html: str):
    """Press the preview's button: its form is multipart, as a browser sends it."""
    return client.post(
        page_url(q, "/upload/confirm"),
        data={
            "csrf_token": csrf_token_from(preview_html),
            "content": hidden(preview_html, "content"),
            "upload_key": hidden(preview_html, "upload_key"),
        },
        content_type="multipart/form-data",
    )


def rows(n: int, start: int = 0, extra: str = "") -> str:
    return "".join(f"C-{i};c{i}@example.com;fr;A-{i}{extra}\n" for i in range(start, start + n))


HEADER = "customer_ref;email;language;order_id\n"


# --- who may do what ----------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, questionnaire):
    response = client.get(page_url(questionnaire))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_cx_lead_reads_the_list_but_cannot_create_export_or_email(
    app, client, auth, forms, db_session, questionnaire
):
    app.config["MAIL_SERVER"] = "127.0.0.1"
    invitation = an_invitation(db_session, questionnaire)
    auth.login_as_cx_lead()
    page = client.get(page_url(questionnaire))
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "C-1001" in text
    assert "New invitation" not in text and "Upload a CSV" not in text
    assert "Download the links" not in text and "Email the invitations" not in text
    assert client.get(page_url(questionnaire, "/new")).status_code == 403
    assert client.get(page_url(questionnaire, "/upload")).status_code == 403
    token = forms.token(page_url(questionnaire))
    for suffix, data in (
        ("/new", {"customer_ref": "C-9"}),
        ("/upload", {"file": (io.BytesIO(b"customer_ref\nC-9\n"), "x.csv")}),
        ("/upload/confirm", {"content": "customer_ref\nC-9\n"}),
        ("/links.csv", {}),
        ("/email", {}),
    ):
        response = client.post(page_url(questionnaire, suffix), data={"csrf_token": token, **data})
        assert response.status_code == 403, suffix
    assert count_invitations(db_session) == 1
    db_session.expire_all()
    assert db_session.get(Invitation, invitation.id).sent_at is None
    # Reading a QR code is reading.
    qr = client.get(page_url(questionnaire, f"/{invitation.id}/qr.svg"))
    assert qr.status_code == 200


def test_interview_guides_have_no_invitations(client, auth, db_session):
    guide = an_interview_guide(db_session)
    auth.login()
    assert client.get(page_url(guide)).status_code == 404
    assert "/invitations" not in client.get(f"/questionnaires/{guide.id}").get_data(as_text=True)


def test_the_questionnaire_page_links_to_its_invitations(client, auth, questionnaire):
    auth.login_as_cx_lead()
    page = client.get(f"/questionnaires/{questionnaire.id}").get_data(as_text=True)
    assert f'href="/questionnaires/{questionnaire.id}/invitations"' in page


# --- the list -----------------------------------------------------------------------------


def test_the_list_counts_statuses_and_the_response_rate(client, auth, db_session, questionnaire):
    now = utcnow()
    an_invitation(db_session, questionnaire, customer_ref="new")
    an_invitation(db_session, questionnaire, customer_ref="sent", sent_at=now)
    an_invitation(db_session, questionnaire, customer_ref="opened", sent_at=now, opened_at=now)
    an_invitation(
        db_session, questionnaire, customer_ref="done", sent_at=now, opened_at=now, used_at=now
    )
    an_invitation(
        db_session,
        questionnaire,
        customer_ref="late",
        sent_at=now,
        expires_in=timedelta(days=-1),
        send_error="Address refused by the mail server: 550 no such user",
    )
    auth.login_as_cx_lead()
    page = client.get(page_url(questionnaire)).get_data(as_text=True)
    counts = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", page))
    assert counts == {
        "Invitations": "5",
        "Sent": "4",
        "Opened": "2",
        "Answered": "1",
        "Expired": "1",
        "Reminded": "0",
        "Bounced": "0",
        "Not created (cooldown)": "0",
        "Response rate": "25%",
    }
    assert "550 no such user" in page
    for status, ref in (
        ("created", "new"),
        ("sent", "sent"),
        ("opened", "opened"),
        ("answered", "done"),
        ("expired", "late"),
    ):
        filtered = client.get(page_url(questionnaire, f"?status={status}")).get_data(as_text=True)
        refs = re.findall(r"<td>([a-z]+)(?:<br>|\s*</td>|\s)", filtered)
        assert refs == [ref], (status, refs)


def test_the_list_pages_by_fifty_and_escapes_what_it_shows(client, auth, db_session, questionnaire):
    for i in range(51):
        an_invitation(db_session, questionnaire, customer_ref=f"<b>C-{i:02}</b>", meta={})
    auth.login()
    first = client.get(page_url(questionnaire)).get_data(as_text=True)
    assert "Page 1 of 2" in first and first.count('class="inv-link"') == 50
    assert "<b>C-" not in first and "&lt;b&gt;C-50&lt;/b&gt;" in first
    second = client.get(page_url(questionnaire, "?page=2")).get_data(as_text=True)
    assert "Page 2 of 2" in second and second.count('class="inv-link"') == 1
    assert "&lt;b&gt;C-00&lt;/b&gt;" in second


# --- one invitation -----------------------------------------------------------------------


def test_a_researcher_creates_one_invitation(client, auth, forms, db_session, questionnaire):
    auth.login()
    day = (utcnow() + timedelta(days=30)).date()
    response = forms.post(
        page_url(questionnaire, "/new"),
        {
            "customer_ref": " C-77 ",
            "email": "anne@example.com",
            "expires_on": day.isoformat(),
            "language": "en",
            "metadata": "order_id=A-77\n\nchannel = store\n",
        },
    )
    assert response.status_code == 302
    invitation = db_session.scalars(select(Invitation)).one()
    assert invitation.customer_ref == "C-77" and invitation.language == "en"
    assert invitation.meta == {"order_id": "A-77", "channel": "store"}
    assert invitation.expires_at.date() == day
    assert f"/s/{questionnaire.slug}?t={invitation.token}" in client.get(
        page_url(questionnaire)
    ).get_data(as_text=True)


def test_a_bad_invitation_keeps_everything_typed_with_errors_by_the_fields(
    client, auth, forms, db_session, questionnaire
):
    auth.login()
    response = forms.post(
        page_url(questionnaire, "/new"),
        {
            "customer_ref": "C-<1>",
            "email": "not an address",
            "expires_on": "2020-01-01",
            "language": "fr",
            "metadata": "order_id=A-1\nno equals sign\nbad key=x",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="email-error">Not a valid email address.' in page
    assert 'id="expires_on-error">The expiry is in the past.' in page
    assert "Line 2: write name=value." in page
    assert "bad key: Names start with a letter" in page
    assert 'value="C-&lt;1&gt;"' in page and 'value="not an address"' in page
    assert 'value="2020-01-01"' in page and "no equals sign" in page
    assert count_invitations(db_session) == 0


def test_a_closed_questionnaire_takes_no_new_invitation(
    client, auth, forms, db_session, questionnaire
):
    questionnaire.status = "closed"
    db_session.commit()
    auth.login()
    response = forms.post(page_url(questionnaire, "/new"), {"customer_ref": "C-1"})
    assert response.status_code == 422 and "This questionnaire is closed." in response.get_data(
        as_text=True
    )
    assert count_invitations(db_session) == 0


# --- a CSV of invitations -----------------------------------------------------------------


def test_preview_then_confirm_creates_exactly_the_rows(client, auth, forms, db_session):
    questionnaire = a_live_questionnaire(db_session, "csat", "purchase")
    other = a_live_questionnaire(db_session, "nps", "advocacy", journey=questionnaire.journey)
    an_invitation(db_session, other)
    auth.login()
    preview = upload(forms, questionnaire, HEADER + rows(12))
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "12 rows read" in page and "<code>order_id</code>" in page
    assert "Create 12 invitations" in page and page.count("<td>C-") == 10  # the first rows
    assert count_invitations(db_session, questionnaire) == 0  # a preview stores nothing
    done = confirm(client, questionnaire, page)
    assert done.status_code == 303
    assert count_invitations(db_session, questionnaire) == 12
    stored = db_session.scalars(select(Invitation).where(Invitation.customer_ref == "C-3")).one()
    assert stored.email == "c3@example.com" and stored.meta == {"order_id": "A-3"}
    assert "Created 12 invitations." in client.get(done.headers["Location"]).get_data(as_text=True)
    # The same confirmation sent again (a double click, the back button) creates nothing more.
    assert confirm(client, questionnaire, page).status_code == 303
    assert count_invitations(db_session, questionnaire) == 12
    assert count_invitations(db_session) == 13


def test_a_bad_row_shows_the_report_and_stores_nothing(client, auth, forms, db_session):
    questionnaire = a_live_questionnaire(db_session)
    auth.login()
    text = HEADER + rows(5) + "C-7;not-an-email;fr;A-7\n" + rows(3, 8) + "C-1;;en;\n"
    preview = upload(forms, questionnaire, text)
    page = preview.get_data(as_text=True)
    assert preview.status_code == 422
    assert "2 problems to fix: nothing was created" in page
    assert re.search(r"<td>7</td><td><code>email</code></td><td>Not a valid email", page)
    assert re.search(
        r"<td>11</td><td><code>customer_ref</code></td><td>“C-1” is already on line 3", page
    )
    assert "Create " not in page and 'name="content"' not in page
    # A forged confirmation of the same file is checked again, and refused whole.
    forged = client.post(
        page_url(questionnaire, "/upload/confirm"),
        data={"csrf_token": csrf_token_from(page), "content": text},
    )
    assert forged.status_code == 422
    assert count_invitations(db_session) == 0


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (None, None, "Choose a CSV file to upload."),
        (b"", "empty.csv", "The file is empty."),
        ("customer_ref;ville\nC-1;Orléans\n".encode("cp1252"), "latin.csv", "not UTF-8"),
        (b"email\na@example.com\n", "x.csv", "customer_ref"),
        (
            ("customer_ref\n" + "".join(f"C-{i}\n" for i in range(10_001))).encode(),
            "x.csv",
            "more than 10,000",
        ),
    ],
)
def test_bad_uploads_get_a_clear_message_and_a_400(
    client, auth, forms, db_session, questionnaire, content, filename, message
):
    auth.login()
    data = {} if content is None else {"file": (io.BytesIO(content), filename)}
    response = forms.post(
        page_url(questionnaire, "/upload"), data, page_url(questionnaire, "/upload")
    )
    assert response.status_code == 400
    assert message in html.unescape(response.get_data(as_text=True))
    assert count_invitations(db_session) == 0


def test_a_file_over_the_upload_limit_is_a_413_with_the_upload_page(
    client, auth, forms, db_session, questionnaire
):
    auth.login()
    huge = b"customer_ref\n" + b"C-1\n" * (9 * 1024 * 1024 // 4)
    response = upload(forms, questionnaire, huge)
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "larger than 8 MB" in page and 'type="file"' in page


def test_a_file_over_the_app_wide_limit_fits_the_upload(client, auth, forms, questionnaire):
    """1 MiB is the app's limit for any request; the upload and its confirmation allow more."""
    auth.login()
    padding = ";" + "x" * 150
    text = "customer_ref;email;language;order_id;note\n" + rows(8000, extra=padding)
    assert len(text.encode()) > 1024 * 1024
    preview = upload(forms, questionnaire, text)
    assert preview.status_code == 200, preview.get_data(as_text=True)[:500]
    assert confirm(client, questionnaire, preview.get_data(as_text=True)).status_code == 303


def test_ten_thousand_rows_are_previewed_and_stored_together(
    client, auth, forms, db_session, questionnaire
):
    auth.login()
    started = time.perf_counter()
    preview = upload(forms, questionnaire, HEADER + rows(10_000))
    checked = time.perf_counter()
    assert preview.status_code == 200 and "Create 10,000 invitations" in preview.get_data(
        as_text=True
    )
    assert confirm(client, questionnaire, preview.get_data(as_text=True)).status_code == 303
    stored = time.perf_counter()
    assert count_invitations(db_session, questionnaire) == 10_000
    print(f"10,000 rows: preview {checked - started:.2f} s, confirm {stored - checked:.2f} s")
    assert stored - checked < 10


# --- links, QR codes ----------------------------------------------------------------------


def test_the_links_csv_neutralises_formulas_and_marks_the_links_sent(
    client, auth, forms, db_session, questionnaire
):
    sent_before = utcnow() - timedelta(days=2)
    injected = an_invitation(
        db_session,
        questionnaire,
        customer_ref='=HYPERLINK("http://evil.example","x")',
        meta={"order_id": "+33 6 12", "channel": "@store"},
        email="anne@example.com",
    )
    earlier = an_invitation(db_session, questionnaire, customer_ref="C-2", sent_at=sent_before)
    late = an_invitation(db_session, questionnaire, customer_ref="C-3", expires_in=timedelta(-1))
    auth.login()
    response = forms.post(page_url(questionnaire, "/links.csv"), page_url=page_url(questionnaire))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith("\ufeff".encode())
    table = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert list(table[0]) == [
        "customer_ref",
        "email",
        "status",
        "link",
        "qr_link",
        "expires_at",
        "channel",
        "order_id",
    ]
    first = table[0]
    assert first["customer_ref"] == '\'=HYPERLINK("http://evil.example","x")'
    assert first["order_id"] == "'+33 6 12" and first["channel"] == "'@store"
    assert first["link"] == f"http://parcours.test/s/{questionnaire.slug}?t={injected.token}"
    assert first["qr_link"].endswith(f"/s/{questionnaire.slug}/qr.svg?t={injected.token}")
    assert [row["status"] for row in table] == ["sent", "sent", "expired"]
    db_session.expire_all()
    assert db_session.get(Invitation, injected.id).sent_at is not None
    assert abs(aware(db_session.get(Invitation, earlier.id).sent_at) - sent_before) < timedelta(
        seconds=1
    )
    assert db_session.get(Invitation, late.id).sent_at is None
    page = client.get(page_url(questionnaire)).get_data(as_text=True)
    assert "marks every invitation not sent yet as sent" in page


def test_one_invitation_qr_code_downloads_as_svg(client, auth, db_session, questionnaire):
    invitation = an_invitation(db_session, questionnaire, customer_ref="Café/../12 é")
    other = an_invitation(db_session, a_live_questionnaire(db_session, "nps", "advocacy"))
    auth.login()
    response = client.get(page_url(questionnaire, f"/{invitation.id}/qr.svg"))
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    disposition = response.headers["Content-Disposition"]
    assert disposition == "attachment; filename=invitation-Caf-12.svg"
    assert b"<svg" in response.data and b"<title>Questionnaire link: Caf" in response.data
    assert client.get(page_url(questionnaire, f"/{other.id}/qr.svg")).status_code == 404


def test_the_email_button_is_there_only_with_a_mail_server(
    app, client, auth, forms, db_session, questionnaire
):
    an_invitation(db_session, questionnaire, email="anne@example.com")
    auth.login()
    assert "Email the invitations" not in client.get(page_url(questionnaire)).get_data(as_text=True)
    response = forms.post(page_url(questionnaire, "/email"), page_url=page_url(questionnaire))
    assert response.status_code == 404


# --- the customer's side ------------------------------------------------------------------


def test_opening_the_link_records_the_first_time_only(app, client, db_session, questionnaire):
    invitation = an_invitation(db_session, questionnaire)
    url = survey_url(questionnaire, t=invitation.token)
    assert client.get(url).status_code == 200
    db_session.expire_all()
    first = db_session.get(Invitation, invitation.id).opened_at
    assert first is not None
    assert app.test_client().get(url).status_code == 200
    db_session.expire_all()
    assert db_session.get(Invitation, invitation.id).opened_at == first


def test_a_bad_token_or_a_public_link_marks_nothing_opened(client, db_session, questionnaire):
    invitation = an_invitation(db_session, questionnaire)
    assert client.get(survey_url(questionnaire, t="nope")).status_code == 404
    assert client.get(survey_url(questionnaire)).status_code == 200
    db_session.expire_all()
    assert db_session.get(Invitation, invitation.id).opened_at is None


def test_the_page_speaks_the_invitation_language_unless_the_browser_asks(
    client, db_session, questionnaire
):
    invitation = an_invitation(db_session, questionnaire, language="en")
    url = survey_url(questionnaire, t=invitation.token)
    assert '<html lang="en"' in client.get(url).get_data(as_text=True)
    asked = client.get(url, headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert '<html lang="fr"' in asked.get_data(as_text=True)
    assert '<html lang="fr"' in client.get(url + "&lang=fr").get_data(as_text=True)
    plain = an_invitation(db_session, questionnaire)
    page = client.get(survey_url(questionnaire, t=plain.token)).get_data(as_text=True)
    assert '<html lang="fr"' in page  # no language: the questionnaire's first


def test_the_public_qr_code_of_an_invitation(client, db_session, questionnaire):
    invitation = an_invitation(db_session, questionnaire)
    other = an_invitation(db_session, a_live_questionnaire(db_session, "nps", "advocacy"))
    response = client.get(f"/s/{questionnaire.slug}/qr.svg?t={invitation.token}")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.data.startswith(b"<?xml") and b"<title>" in response.data
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert client.get(f"/s/{questionnaire.slug}/qr.svg?t=unknown").status_code == 404
    assert client.get(f"/s/{questionnaire.slug}/qr.svg").status_code == 404
    assert client.get(f"/s/{questionnaire.slug}/qr.svg?t={other.token}").status_code == 404


# --- end to end ---------------------------------------------------------------------------


def test_uploaded_metadata_travel_with_the_answer_to_the_map(app, client, auth, forms, db_session):
    questionnaire = a_live_questionnaire(db_session, "csat", "purchase", touchpoint_key="checkout")
    auth.login()
    preview = upload(forms, questionnaire, "customer_ref,region\nC-N,north\nC-S,south\n")
    assert confirm(client, questionnaire, preview.get_data(as_text=True)).status_code == 303
    north = db_session.scalars(select(Invitation).where(Invitation.customer_ref == "C-N")).one()
    answered = answer_as_a_new_customer(app, questionnaire, {"q_csat": "5"}, t=north.token)
    assert answered.status_code == 303
    response = db_session.scalars(select(Response)).one()
    assert response.meta == {"region": "north", "customer_ref": "C-N"}

    map_url = f"/journeys/{questionnaire.journey_id}/map?min_n=1&segment.region="
    assert "<dt>CSAT</dt><dd>100%" in client.get(map_url + "north").get_data(as_text=True)
    assert "<dt>CSAT</dt>" not in client.get(map_url + "south").get_data(as_text=True)
    picker = client.get(f"/journeys/{questionnaire.journey_id}/map").get_data(as_text=True)
    assert '<option value="region"' in picker
