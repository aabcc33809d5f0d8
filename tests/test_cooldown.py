"""The per-customer cooldown: no new invitation for a customer surveyed recently (any
questionnaire), unless forced; from the API, the form and the CSV upload."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from builders import a_live_questionnaire, a_user, an_invitation
from sqlalchemy import event, func, select
from test_invitations_pages import confirm, page_url, upload

from surveys.api_tokens import issue_token
from surveys.db import engine_for
from surveys.invitations import InvitationRequest
from surveys.invitations.cooldown import apply_cooldown, last_surveyed
from surveys.models import Invitation, Response, SuppressedInvitation, utcnow


@pytest.fixture
def questionnaire(db_session):
    return a_live_questionnaire(db_session, "csat", "purchase")


@pytest.fixture
def other(db_session):
    """Another questionnaire: the cooldown spans all of them."""
    return a_live_questionnaire(db_session, "nps", "advocacy")


@pytest.fixture
def headers(db_session):
    user = a_user(db_session, "shop@example.com", "researcher")
    _token, raw = issue_token(db_session, user, ["invitations:write"], "Shop")
    return {"Authorization": f"Bearer {raw}"}


def invitations_of(session, ref: str) -> int:
    session.expire_all()
    return session.scalar(
        select(func.count()).select_from(Invitation).where(Invitation.customer_ref == ref)
    )


def suppressed(session, questionnaire) -> list[SuppressedInvitation]:
    session.expire_all()
    return list(
        session.scalars(
            select(SuppressedInvitation)
            .where(SuppressedInvitation.questionnaire_id == questionnaire.id)
            .order_by(SuppressedInvitation.id)
        )
    )


# --- the API --------------------------------------------------------------------------------


def test_the_api_refuses_a_customer_surveyed_recently_with_409(
    client, db_session, headers, questionnaire, other
):
    an_invitation(db_session, other, customer_ref="C-9")
    reply = client.post(
        "/api/v1/invitations",
        json={"questionnaire_id": questionnaire.id, "customer_ref": "C-9"},
        headers=headers,
    )
    assert reply.status_code == 409, reply.json
    error = reply.json["error"]
    assert error["code"] == "cooldown"
    today = utcnow().date().isoformat()
    assert error["message"].startswith(f"C-9 was surveyed on {today}; ")
    assert error["fields"] == {"customer_ref": error["message"]}
    assert invitations_of(db_session, "C-9") == 1
    (row,) = suppressed(db_session, questionnaire)
    assert (row.customer_ref, row.source, row.reason) == ("C-9", "api", "cooldown")

    forced = client.post(
        "/api/v1/invitations",
        json={"questionnaire_id": questionnaire.id, "customer_ref": "C-9", "force": True},
        headers=headers,
    )
    assert forced.status_code == 201 and invitations_of(db_session, "C-9") == 2


def test_a_response_counts_and_old_surveys_do_not(
    app, client, db_session, headers, questionnaire, other
):
    old = an_invitation(db_session, other, customer_ref="OLD")
    old.created_at = utcnow() - timedelta(days=31)
    db_session.commit()
    fresh = client.post(
        "/api/v1/invitations",
        json={"questionnaire_id": questionnaire.id, "customer_ref": "OLD"},
        headers=headers,
    )
    assert fresh.status_code == 201
    # An answer (carrying the reference in its metadata) 2 days ago: surveyed.
    response = Response(
        questionnaire_id=other.id,
        version_id=other.current_version.id,
        language="fr",
        meta={"customer_ref": "ANSWERED"},
        submitted_at=utcnow() - timedelta(days=2),
    )
    db_session.add(response)
    db_session.commit()
    refused = client.post(
        "/api/v1/invitations",
        json={"questionnaire_id": questionnaire.id, "customer_ref": "ANSWERED"},
        headers=headers,
    )
    assert refused.status_code == 409
    assert (utcnow() - timedelta(days=2)).date().isoformat() in refused.json["error"]["message"]
    # The setting: 0 turns the cooldown off.
    app.config["CUSTOMER_COOLDOWN_DAYS"] = 0
    again = client.post(
        "/api/v1/invitations",
        json={"questionnaire_id": questionnaire.id, "customer_ref": "ANSWERED"},
        headers=headers,
    )
    assert again.status_code == 201


def test_a_batch_creates_the_others_and_lists_the_suppressed(
    client, db_session, headers, questionnaire, other
):
    an_invitation(db_session, other, customer_ref="SEEN")
    items = [
        {"questionnaire_id": questionnaire.id, "customer_ref": "NEW-1"},
        {"questionnaire_id": questionnaire.id, "customer_ref": "SEEN"},
        {"questionnaire_id": other.id, "customer_ref": "NEW-1"},  # twice in one batch
        {"questionnaire_id": questionnaire.id, "customer_ref": "NEW-2"},
    ]
    reply = client.post("/api/v1/invitations:batch", json=items, headers=headers)
    assert reply.status_code == 201, reply.json
    body = reply.json
    assert [i["customer_ref"] for i in body["items"]] == ["NEW-1", "NEW-2"]
    assert [(s["index"], s["customer_ref"], s["code"]) for s in body["suppressed"]] == [
        (1, "SEEN", "cooldown"),
        (2, "NEW-1", "cooldown"),
    ]
    assert invitations_of(db_session, "SEEN") == 1 and invitations_of(db_session, "NEW-1") == 1
    assert [s.customer_ref for s in suppressed(db_session, questionnaire)] == ["SEEN"]
    assert [s.customer_ref for s in suppressed(db_session, other)] == ["NEW-1"]

    # A validation error still stores nothing, suppressions included.
    bad = [
        {"questionnaire_id": questionnaire.id, "customer_ref": "SEEN"},
        {"questionnaire_id": questionnaire.id, "customer_ref": "X", "email": "not-an-address"},
    ]
    refused = client.post("/api/v1/invitations:batch", json=bad, headers=headers)
    assert refused.status_code == 422 and "[1].email" in refused.json["error"]["fields"]
    assert len(suppressed(db_session, questionnaire)) == 1

    forced = client.post(
        "/api/v1/invitations:batch",
        json=[{"questionnaire_id": questionnaire.id, "customer_ref": "SEEN", "force": True}],
        headers=headers,
    )
    assert forced.status_code == 201 and forced.json["suppressed"] == []
    assert invitations_of(db_session, "SEEN") == 2


def test_force_must_be_a_boolean(client, db_session, headers, questionnaire):
    reply = client.post(
        "/api/v1/invitations",
        json={"questionnaire_id": questionnaire.id, "customer_ref": "C-1", "force": "yes"},
        headers=headers,
    )
    assert reply.status_code == 422


# --- the pages ------------------------------------------------------------------------------


def test_the_form_refuses_with_the_reason_and_keeps_the_input(
    auth, forms, db_session, questionnaire, other
):
    auth.login()
    an_invitation(db_session, other, customer_ref="C-5")
    fields = {"customer_ref": "C-5", "email": "c5@example.com", "metadata": "order_id=A-1"}
    reply = forms.post(page_url(questionnaire, "/new"), fields)
    assert reply.status_code == 409
    page = reply.get_data(as_text=True)
    assert "C-5 was surveyed on" in page or "C-5 a été interrogé" in page
    assert 'value="c5@example.com"' in page and "order_id=A-1" in page
    assert 'name="force"' in page
    assert invitations_of(db_session, "C-5") == 1
    assert len(suppressed(db_session, questionnaire)) == 1

    forced = forms.post(page_url(questionnaire, "/new"), {**fields, "force": "y"})
    assert forced.status_code == 302
    assert invitations_of(db_session, "C-5") == 2


def test_a_csv_upload_leaves_out_customers_surveyed_recently(
    auth, forms, client, db_session, questionnaire, other
):
    auth.login()
    an_invitation(db_session, other, customer_ref="C-1")
    an_invitation(db_session, other, customer_ref="C-3")
    content = "customer_ref;email\n" + "".join(f"C-{i};c{i}@example.com\n" for i in range(5))
    preview = upload(forms, questionnaire, content)
    assert preview.status_code == 200
    page = preview.get_data(as_text=True)
    assert "inv-held" in page and ">C-1<" in page and ">C-3<" in page
    assert 'name="force"' in page
    reply = confirm(client, questionnaire, page)
    assert reply.status_code == 303
    for ref, expected in (("C-0", 1), ("C-1", 1), ("C-2", 1), ("C-3", 1), ("C-4", 1)):
        assert invitations_of(db_session, ref) == expected
    db_session.expire_all()
    created = db_session.scalars(
        select(Invitation.customer_ref).where(Invitation.questionnaire_id == questionnaire.id)
    ).all()
    assert sorted(created) == ["C-0", "C-2", "C-4"]
    assert sorted(s.customer_ref for s in suppressed(db_session, questionnaire)) == ["C-1", "C-3"]

    listing = client.get(page_url(questionnaire)).get_data(as_text=True)
    assert "inv-suppressed" in listing and "C-3" in listing


def test_a_forced_csv_upload_invites_everyone(
    auth, forms, client, db_session, questionnaire, other
):
    auth.login()
    an_invitation(db_session, other, customer_ref="C-1")
    content = "customer_ref\nC-1\nC-2\n"
    page = upload(forms, questionnaire, content).get_data(as_text=True)
    from builders import csrf_token_from
    from test_invitations_pages import hidden

    reply = client.post(
        page_url(questionnaire, "/upload/confirm"),
        data={
            "csrf_token": csrf_token_from(page),
            "content": hidden(page, "content"),
            "upload_key": hidden(page, "upload_key"),
            "force": "y",
        },
        content_type="multipart/form-data",
    )
    assert reply.status_code == 303
    assert invitations_of(db_session, "C-1") == 2 and suppressed(db_session, questionnaire) == []


def test_the_lookup_goes_by_chunks_not_by_row(app, db_session, questionnaire):
    for ref in ("R-10", "R-1999"):
        an_invitation(db_session, questionnaire, customer_ref=ref)
    requests = [InvitationRequest(f"R-{i}") for i in range(2000)]
    statements = []

    def count(*_args):
        statements.append(1)

    engine = engine_for(app)
    event.listen(engine, "before_cursor_execute", count)
    try:
        kept, held = apply_cooldown(db_session, requests, app.config)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert sorted(h.customer_ref for h in held) == ["R-10", "R-1999"]
    assert len(kept) == 1998
    assert len(statements) <= 3 * 4  # 3 lookups per chunk of 500


def test_last_surveyed_reads_invitations_and_answers(db_session, questionnaire):
    invitation = an_invitation(db_session, questionnaire, customer_ref="X")
    since = utcnow() - timedelta(days=30)
    assert set(last_surveyed(db_session, ["X", "Y"], since)) == {"X"}
    assert last_surveyed(db_session, [], since) == {}
    assert invitation.id


def test_the_upload_form_is_unchanged_without_a_file(auth, forms, questionnaire):
    auth.login()
    reply = forms.post(
        page_url(questionnaire, "/upload"),
        {"file": (io.BytesIO(b""), "")},
        page_url(questionnaire, "/upload"),
    )
    assert reply.status_code == 400
