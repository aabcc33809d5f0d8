"""/api/v1/journeys: the same journey map and pain points as the pages, as JSON."""

from __future__ import annotations

import pytest
from builders import a_live_questionnaire, a_user
from sqlalchemy import func, select

from feedback.filters import Filters
from feedback.journey_map import journey_map
from surveys.api_tokens import issue_token
from surveys.models import AnswerTheme, Journey


@pytest.fixture
def tokens(db_session):
    researcher = a_user(db_session, "crm@example.com", "researcher")
    lead = a_user(db_session, "lead@example.com", "cx_lead")
    _t, writer = issue_token(db_session, researcher, ["responses:write"])
    _t, reader = issue_token(db_session, lead, ["reports:read", "questionnaires:read"])
    return {
        "write": {"Authorization": f"Bearer {writer}"},
        "read": {"Authorization": f"Bearer {reader}"},
    }


def send(client, tokens, questionnaire, answers, language="en", key=None):
    reply = client.post(
        f"/api/v1/questionnaires/{questionnaire.id}/responses",
        json={"language": language, "answers": answers},
        headers={**tokens["write"], "Idempotency-Key": key or f"{language}:{answers}"},
    )
    assert reply.status_code == 201, reply.json
    return reply


def test_journeys_list_their_stage_and_touchpoint_keys(client, db_session, tokens):
    questionnaire = a_live_questionnaire(db_session, "csat")
    reply = client.get("/api/v1/journeys", headers=tokens["read"])
    assert reply.status_code == 200
    (journey,) = reply.json["items"]
    assert journey["id"] == questionnaire.journey_id
    assert [s["key"] for s in journey["stages"]] == [
        "awareness", "consideration", "purchase", "retention", "advocacy",
    ]  # fmt: skip
    assert "checkout" in [t["key"] for t in journey["touchpoints"]]


def test_the_map_is_the_pages_map(app, client, db_session, tokens):
    questionnaire = a_live_questionnaire(db_session, "csat")
    for index, score in enumerate((5, 4, 4, 2, 1)):
        send(client, tokens, questionnaire, {"csat": score}, key=f"en-{index}")
    send(client, tokens, questionnaire, {"csat": 3}, language="fr")
    reply = client.get(
        f"/api/v1/journeys/{questionnaire.journey_id}/map?lang=en", headers=tokens["read"]
    )
    assert reply.status_code == 200
    journey = db_session.get(Journey, questionnaire.journey_id)
    expected = journey_map(db_session, journey, Filters(language="en"), 30).to_dict()
    assert reply.json["total"]["n"] == 5
    assert reply.json["total"]["csat"]["value"] == pytest.approx(60.0)
    assert reply.json["cells"] == expected["cells"]
    assert reply.json["filters"] == {"lang": "en"}
    purchase = next(s for s in reply.json["stages"] if s["key"] == "purchase")
    assert purchase["total"]["n"] == 5 and purchase["total"]["enough"] is False


def test_the_map_carries_an_etag_that_changes_with_the_answers(client, db_session, tokens):
    questionnaire = a_live_questionnaire(db_session, "csat")
    send(client, tokens, questionnaire, {"csat": 5})
    url = f"/api/v1/journeys/{questionnaire.journey_id}/map"
    first = client.get(url, headers=tokens["read"])
    etag = first.headers["ETag"]
    unchanged = client.get(url, headers={**tokens["read"], "If-None-Match": etag})
    assert unchanged.status_code == 304
    assert unchanged.get_data() == b""
    send(client, tokens, questionnaire, {"csat": 1})
    changed = client.get(url, headers={**tokens["read"], "If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag


@pytest.mark.parametrize(
    "query",
    ["from=2026-12-01&to=2026-11-01", "lang=de", "from=yesterday", "questionnaire=x",
     "segment.1bad=x"],
)  # fmt: skip
def test_bad_filters_get_422(client, db_session, tokens, query):
    questionnaire = a_live_questionnaire(db_session, "csat")
    for path in ("map", "pain-points"):
        reply = client.get(
            f"/api/v1/journeys/{questionnaire.journey_id}/{path}?{query}", headers=tokens["read"]
        )
        assert reply.status_code == 422, (path, reply.json)
        assert reply.json["error"]["code"] == "validation_error"


def test_pain_points_come_from_the_answers_text(client, db_session, tokens):
    questionnaire = a_live_questionnaire(db_session, "csat")
    complaints = [
        "The delivery took two weeks, far too late.",
        "My parcel arrived very late, a week after the promised date.",
        "Late delivery again, I am disappointed.",
    ]
    for index, text in enumerate(complaints):
        send(client, tokens, questionnaire, {"csat": 1, "why": text}, key=f"k{index}")
    reply = client.get(
        f"/api/v1/journeys/{questionnaire.journey_id}/pain-points", headers=tokens["read"]
    )
    assert reply.status_code == 200
    late = next(p for p in reply.json["items"] if p["theme"] == "late_delivery")
    assert late["stage"] == "purchase"
    tagged = db_session.scalar(
        select(func.count())
        .select_from(AnswerTheme)
        .where(AnswerTheme.theme_key == "late_delivery")
    )
    assert late["frequency"] == tagged >= 2
    assert late["status"] == "open" and late["came_back"] is False
    assert late["severity"] == pytest.approx(late["frequency"] * late["negativity"])
    assert {q["text"] for q in late["quotes"]} <= set(complaints)


def test_an_unknown_journey_is_a_404(client, db_session, tokens):
    for path in ("map", "pain-points"):
        reply = client.get(f"/api/v1/journeys/424242/{path}", headers=tokens["read"])
        assert reply.status_code == 404
        assert reply.json["error"]["code"] == "not_found"
