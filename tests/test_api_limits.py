"""What the API refuses before any work: bodies of the wrong type, broken, too large or
carrying NUL characters, unknown fields, paths and methods, and too many calls per token."""

from __future__ import annotations

import copy

import pytest
from api_helpers import (
    SAMPLE_BODIES,
    api_error,
    bearer,
    op_id,
    url_of,
)
from builders import TEST_REDIS_URL, a_live_questionnaire, an_app
from pydantic import RootModel
from sqlalchemy import func, select

from surveys.api.spec import OPERATIONS
from surveys.models import Invitation, Response

WITH_BODY = [op for op in OPERATIONS if op.body is not None]
with_body = pytest.mark.parametrize("op", WITH_BODY, ids=op_id)
# Bodies with declared fields (a questionnaire document is free-form: any key may come).
CLOSED_BODY = [
    op
    for op in WITH_BODY
    if not (issubclass(op.body, RootModel) and isinstance(SAMPLE_BODIES[op.body.__name__], dict))
]


@pytest.fixture
def admin(app) -> dict[str, str]:
    return bearer(app, "admin")


def send(client, op, headers, **kwargs):
    """POST-like call of `op` with its required headers and the given body."""
    headers = {**headers, **{h.name: "limits-test" for h in op.headers if h.required}}
    return client.open(url_of(op), method=op.method, headers=headers, **kwargs)


def with_nul(body):
    """The body with its first text value holding a NUL, and where that value sits."""
    body = copy.deepcopy(body)
    item = body[0] if isinstance(body, list) else body
    key = next(k for k, v in item.items() if isinstance(v, str))
    item[key] = "before\x00after"
    return body, (f"[0].{key}" if isinstance(body, list) else key)


# --- bodies ------------------------------------------------------------------------------


@with_body
@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml", None]
)
def test_a_body_that_is_not_json_is_415(client, admin, op, content_type):
    response = send(client, op, admin, data='{"a": 1}', content_type=content_type)
    api_error(response, 415, "unsupported_media_type")


@with_body
@pytest.mark.parametrize(
    "data", [b"{", b"", b"{'single': 'quotes'}", b'{"a": 1,}', b"\xff\xfe{}", b"[1, 2"]
)
def test_a_body_that_is_not_json_is_400_invalid_json(client, admin, op, data):
    response = send(client, op, admin, data=data, content_type="application/json")
    api_error(response, 400, "invalid_json")


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(client, admin, db_session, number):
    questionnaire = a_live_questionnaire(db_session)
    fields = f'"questionnaire_id": {questionnaire.id}, "customer_ref": "C"'
    data = f'{{{fields}, "metadata": {{"n": {number}}}}}'
    response = client.post(
        "/api/v1/invitations", data=data, content_type="application/json", headers=admin
    )
    api_error(response, 400, "invalid_json")
    assert db_session.scalar(select(func.count(Invitation.id))) == 0


@with_body
@pytest.mark.parametrize("depth", [3_000, 100_000], ids=str)
def test_deeply_nested_json_is_refused_not_a_500(client, admin, op, depth):
    data = "[" * depth + "]" * depth
    response = send(client, op, admin, data=data, content_type="application/json")
    assert response.status_code in (400, 422)
    api_error(response, response.status_code)


@with_body
def test_a_body_over_max_content_length_is_413(app, client, admin, op):
    size = app.config["MAX_CONTENT_LENGTH"] + 1
    response = send(client, op, admin, data=b" " * size, content_type="application/json")
    api_error(response, 413, "payload_too_large")


def test_a_body_just_under_the_limit_is_read(app, client, admin, db_session):
    questionnaire = a_live_questionnaire(db_session)
    padding = "x" * (app.config["MAX_CONTENT_LENGTH"] - 200)
    body = {"questionnaire_id": questionnaire.id, "customer_ref": "C", "metadata": {"n": padding}}
    response = client.post("/api/v1/invitations", json=body, headers=admin)
    error = api_error(response, 422, "validation_error")
    assert list(error["fields"]) == ["metadata.n"]  # read and judged, not refused as too large


@with_body
def test_nul_characters_are_422_and_nothing_reaches_the_database(client, admin, db_session, op):
    body, where = with_nul(SAMPLE_BODIES[op.body.__name__])
    error = api_error(send(client, op, admin, json=body), 422, "validation_error")
    assert list(error["fields"]) == [where]
    assert "NUL characters" in error["fields"][where]


@pytest.mark.parametrize(
    ("path", "body", "where"),
    [
        ("/invitations", {"customer_ref": "C", "email": "a\x00@example.com"}, "email"),
        ("/invitations", {"customer_ref": "C", "metadata": {"k": "v\x00"}}, "metadata.k"),
        ("/invitations", {"customer_ref": "C", "metadata": {"k\x00": "v"}}, "metadata.k\x00"),
        ("/questionnaires/{qid}/responses", {"answers": {"why": "slow\x00"}}, "answers.why"),
        ("/questionnaires/{qid}/responses", {"answers": {"why\x00": "x"}}, "answers.why\x00"),
        ("/questionnaires/{qid}/responses", {"invitation_token": "\x00"}, "invitation_token"),
    ],
)
def test_nul_characters_anywhere_in_the_body_are_422(client, admin, db_session, path, body, where):
    questionnaire = a_live_questionnaire(db_session)
    if "responses" in path:
        body = {"language": "en", "answers": {"csat": 4}, **body}
    else:
        body = {"questionnaire_id": questionnaire.id, **body}
    response = client.post(
        "/api/v1" + path.format(qid=questionnaire.id),
        json=body,
        headers={**admin, "Idempotency-Key": "nul-test"},
    )
    fields = api_error(response, 422, "validation_error")["fields"]
    assert list(fields) == [where]
    assert "NUL characters" in fields[where]
    assert db_session.scalar(select(func.count(Invitation.id))) == 0
    assert db_session.scalar(select(func.count(Response.id))) == 0


def test_nul_characters_in_the_query_or_path_are_400(client, admin):
    api_error(client.get("/api/v1/invitations?cursor=%00", headers=admin), 400, "bad_request")
    api_error(client.get("/api/v1/journeys/1%00/map", headers=admin), 400, "bad_request")


@pytest.mark.parametrize("op", CLOSED_BODY, ids=op_id)
def test_unknown_body_fields_are_422_naming_them(client, admin, op):
    body = copy.deepcopy(SAMPLE_BODIES[op.body.__name__])
    item = body[0] if isinstance(body, list) else body
    item["colour"] = "red"
    error = api_error(send(client, op, admin, json=body), 422, "validation_error")
    assert [key for key in error["fields"] if "colour" in key] != [], error


def test_batch_errors_name_items_as_documented(client, admin, db_session):
    questionnaire = a_live_questionnaire(db_session)
    item = {"questionnaire_id": questionnaire.id, "customer_ref": "C"}

    def fields(second_item) -> list[str]:
        response = client.post("/api/v1/invitations:batch", json=[item, second_item], headers=admin)
        return list(api_error(response, 422, "validation_error")["fields"])

    assert fields({**item, "email": "not an address"}) == ["[1].email"]  # the service's check
    assert fields({**item, "colour": "red"}) == ["[1].colour"]  # the model's check


# --- paths and methods -------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/api/v1/nope", "/api/v1/", "/api/v2/journeys", "/api", "/api/v1/journeys/1/nope"]
)
def test_an_unknown_api_path_is_a_json_404(client, admin, path):
    api_error(client.get(path, headers=admin), 404, "not_found")


def test_a_wrong_method_is_a_json_405_with_allow(client, admin):
    for op in OPERATIONS:
        wrong = "DELETE" if op.method != "DELETE" else "PATCH"
        response = client.open(url_of(op), method=wrong, headers=admin)
        api_error(response, 405, "method_not_allowed")
        assert op.method in response.headers["Allow"]


# --- rate limits -------------------------------------------------------------------------


@pytest.fixture
def limited_app(database_url):
    with an_app(database_url, API_RATE_LIMIT="3 per minute") as app:
        yield app


def test_the_fourth_call_in_a_minute_is_429_for_that_token_only(limited_app):
    client = limited_app.test_client()
    first, second = bearer(limited_app), bearer(limited_app)
    for _ in range(3):
        assert client.get("/api/v1/journeys", headers=first).status_code == 200
    response = client.get("/api/v1/journeys", headers=first)
    api_error(response, 429, "rate_limited")
    assert 0 < int(response.headers["Retry-After"]) <= 60
    assert response.headers["X-RateLimit-Limit"] == "3"
    assert response.headers["X-RateLimit-Remaining"] == "0"
    assert client.get("/api/v1/journeys", headers=second).status_code == 200


def test_calls_without_a_token_are_counted_per_address(limited_app):
    client = limited_app.test_client()
    for _ in range(3):
        assert client.get("/api/v1/journeys").status_code == 401
    api_error(client.get("/api/v1/journeys"), 429, "rate_limited")
    other = limited_app.test_client()
    response = other.get("/api/v1/journeys", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert response.status_code == 401


def test_made_up_tokens_do_not_escape_the_limit(limited_app):
    client = limited_app.test_client()
    made_up = [{"Authorization": f"Bearer pc_made-up-{i}"} for i in range(4)]
    statuses = [client.get("/api/v1/journeys", headers=h).status_code for h in made_up]
    assert statuses == [401, 401, 401, 429]


def test_with_redis_the_counts_are_shared_between_workers(database_url, redis_db):
    settings = {"API_RATE_LIMIT": "3 per minute", "REDIS_URL": TEST_REDIS_URL}
    with an_app(database_url, **settings) as one, an_app(database_url, **settings) as two:
        assert one.config["RATELIMIT_STORAGE_URI"] == TEST_REDIS_URL
        headers = bearer(one)
        raw = headers["Authorization"].removeprefix("Bearer ")
        for app in (one, two, one):
            assert app.test_client().get("/api/v1/journeys", headers=headers).status_code == 200
        api_error(two.test_client().get("/api/v1/journeys", headers=headers), 429, "rate_limited")
        keys = [key.decode() for key in redis_db.keys("*")]
        assert keys and all(raw not in key for key in keys), keys
