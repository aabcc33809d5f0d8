"""/api/v1/invitations: a shop creates its customers' private links, one by one or in batches."""

from __future__ import annotations

from datetime import timedelta

import pytest
from builders import a_live_questionnaire, a_user, an_interview_guide, answer_as_a_new_customer
from sqlalchemy import func, select

from surveys.api_tokens import issue_token
from surveys.models import Invitation, utcnow


@pytest.fixture
def headers(db_session):
    user = a_user(db_session, "shop@example.com", "researcher")
    _token, raw = issue_token(db_session, user, ["invitations:write"], "Shop")
    return {"Authorization": f"Bearer {raw}"}


def count_invitations(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count(Invitation.id)))


def test_an_invitation_gets_an_unguessable_link_and_a_qr_code(client, db_session, headers):
    questionnaire = a_live_questionnaire(db_session, "csat")
    expires = (utcnow() + timedelta(days=14)).replace(microsecond=0)
    reply = client.post(
        "/api/v1/invitations",
        json={
            "questionnaire_id": questionnaire.id,
            "customer_ref": "C-77",
            "email": "Marie@Example.com",
            "metadata": {"order_id": "A-1", "channel": "web", "segment": "b2c"},
            "expires_at": expires.isoformat(),
            "language": "fr",
        },
        headers=headers,
    )
    assert reply.status_code == 201, reply.json
    body = reply.json
    assert len(body["token"]) >= 32  # 192 bits in URL-safe base64
    assert body["url"] == f"http://parcours.test/s/{questionnaire.slug}?t={body['token']}"
    assert (
        body["qr_svg_url"]
        == f"http://parcours.test/s/{questionnaire.slug}/qr.svg?t={body['token']}"
    )
    assert body["status"] == "created"
    assert body["email"] == "Marie@example.com"
    assert body["metadata"] == {"order_id": "A-1", "channel": "web", "segment": "b2c"}
    assert body["expires_at"].startswith(expires.strftime("%Y-%m-%dT%H:%M:%S"))
    stored = db_session.get(Invitation, body["id"])
    assert stored.language == "fr" and stored.customer_ref == "C-77"


def test_tokens_differ_between_invitations(client, db_session, headers):
    questionnaire = a_live_questionnaire(db_session, "csat")
    items = [{"questionnaire_id": questionnaire.id, "customer_ref": f"C-{i}"} for i in range(50)]
    reply = client.post("/api/v1/invitations:batch", json=items, headers=headers)
    assert reply.status_code == 201
    assert len({i["token"] for i in reply.json["items"]}) == 50


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"customer_ref": ""}, "customer_ref"),
        ({"email": "not-an-address"}, "email"),
        ({"expires_at": "2001-01-01T00:00:00Z"}, "expires_at"),
        ({"expires_at": "tomorrow"}, "expires_at"),
        ({"metadata": {"customer_ref": "x"}}, "metadata.customer_ref"),
        ({"metadata": {"order id": "x"}}, "metadata.order id"),
        ({"metadata": {"ok": True}}, "metadata.ok"),
        ({"questionnaire_id": 999999}, "questionnaire_id"),
        ({"questionnaire_id": "1"}, "questionnaire_id"),
        ({"language": "de"}, "language"),
    ],
)
def test_bad_fields_are_named_and_nothing_is_stored(client, db_session, headers, fields, field):
    questionnaire = a_live_questionnaire(db_session, "csat")
    body = {"questionnaire_id": questionnaire.id, "customer_ref": "C-1", **fields}
    reply = client.post("/api/v1/invitations", json=body, headers=headers)
    assert reply.status_code == 422
    assert reply.json["error"]["code"] == "validation_error"
    assert any(name.startswith(field) for name in reply.json["error"]["fields"]), reply.json
    assert count_invitations(db_session) == 0


@pytest.mark.parametrize("state", ["closed", "interview"])
def test_closed_questionnaires_and_interview_guides_take_no_invitations(
    client, db_session, headers, state
):
    if state == "interview":
        target = an_interview_guide(db_session)
    else:
        target = a_live_questionnaire(db_session, "csat")
        target.status = "closed"
        db_session.commit()
    reply = client.post(
        "/api/v1/invitations",
        json={"questionnaire_id": target.id, "customer_ref": "C-1"},
        headers=headers,
    )
    assert reply.status_code == 422
    assert "questionnaire_id" in reply.json["error"]["fields"]


def test_a_batch_with_one_bad_item_stores_none_and_names_it(client, db_session, headers):
    questionnaire = a_live_questionnaire(db_session, "csat")
    items = [{"questionnaire_id": questionnaire.id, "customer_ref": f"C-{i}"} for i in range(5)]
    items[3]["email"] = "broken@"
    reply = client.post("/api/v1/invitations:batch", json=items, headers=headers)
    assert reply.status_code == 422
    assert list(reply.json["error"]["fields"]) == ["[3].email"]
    assert count_invitations(db_session) == 0


def test_a_batch_over_the_limit_is_refused(client, db_session, headers):
    questionnaire = a_live_questionnaire(db_session, "csat")
    items = [{"questionnaire_id": questionnaire.id, "customer_ref": f"C-{i}"} for i in range(1001)]
    reply = client.post("/api/v1/invitations:batch", json=items, headers=headers)
    assert reply.status_code == 422
    assert count_invitations(db_session) == 0


def test_the_list_pages_with_a_cursor_and_reports_each_status(client, db_session, headers):
    questionnaire = a_live_questionnaire(db_session, "csat")
    items = [{"questionnaire_id": questionnaire.id, "customer_ref": f"C-{i}"} for i in range(7)]
    created = client.post("/api/v1/invitations:batch", json=items, headers=headers).json["items"]
    answered = db_session.get(Invitation, created[0]["id"])
    answered.used_at = utcnow()
    expired = db_session.get(Invitation, created[1]["id"])
    expired.expires_at = utcnow() - timedelta(hours=1)
    db_session.commit()

    seen, cursor = [], None
    while True:
        query = f"questionnaire_id={questionnaire.id}&limit=3" + (
            f"&cursor={cursor}" if cursor else ""
        )
        page = client.get(f"/api/v1/invitations?{query}", headers=headers)
        assert page.status_code == 200
        seen.extend(page.json["items"])
        cursor = page.json["next_cursor"]
        if cursor is None:
            break
    assert [i["customer_ref"] for i in seen] == [f"C-{i}" for i in range(7)]
    assert [i["status"] for i in seen[:3]] == ["answered", "expired", "created"]
    one = client.get(f"/api/v1/invitations/{created[0]['id']}", headers=headers)
    assert one.json["status"] == "answered" and one.json["answered_at"]


def test_a_forged_cursor_is_refused(client, db_session, headers):
    reply = client.get("/api/v1/invitations?cursor=not-a-cursor", headers=headers)
    assert reply.status_code == 422
    assert reply.json["error"]["fields"] == {"cursor": "invalid"}


def test_invitation_metadata_filter_the_journey_map(client, db_session, headers):
    """From the shop's invitation to a segment of the map, through the customer's answer."""
    questionnaire = a_live_questionnaire(db_session, "csat")
    made = client.post(
        "/api/v1/invitations:batch",
        json=[
            {"questionnaire_id": questionnaire.id, "customer_ref": "B-1",
             "metadata": {"segment": "b2b"}},
            {"questionnaire_id": questionnaire.id, "customer_ref": "C-1",
             "metadata": {"segment": "b2c"}},
        ],
        headers=headers,
    ).json["items"]  # fmt: skip
    for invitation, score in zip(made, ("5", "1"), strict=True):
        reply = answer_as_a_new_customer(
            client.application, questionnaire, {"q_csat": score}, t=invitation["token"]
        )
        assert reply.status_code == 303
    reader = a_user(db_session, "lead@example.com", "cx_lead")
    _t, raw = issue_token(db_session, reader, ["reports:read"])
    journey_map = client.get(
        f"/api/v1/journeys/{questionnaire.journey_id}/map?segment.segment=b2b",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert journey_map.status_code == 200
    assert journey_map.json["total"]["n"] == 1
    assert journey_map.json["total"]["csat"]["value"] == 100.0
