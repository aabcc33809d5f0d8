"""The JSON API against its own OpenAPI document.

schemathesis generates requests from the document and calls every operation with an admin
token (every scope) on a database where id 1 exists for each kind of object. Checks: no 5xx,
and every answer documented (status code, content type, body schema); requests the document
calls invalid must be refused with a 4xx. Bounded and deterministic: a fixed seed, at most
MAX_EXAMPLES generated cases per operation besides the schema's boundary values.
"""

from __future__ import annotations

import copy
import json
import re
from datetime import datetime, timedelta, timezone

import jsonschema_rs
import pytest
import schemathesis
from api_helpers import api_user, bearer_for, restart_ids, seed_api_data
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from surveys.api import API_VERSION, BASE_PATH
from surveys.api.pagination import encode_cursor
from surveys.api.spec import openapi_document
from surveys.db import new_session
from surveys.models import utcnow

MAX_EXAMPLES = 25
SEED = 20261123
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
# The two routes that serve the document itself, as JSON and as a page.
SELF_DESCRIBING = {"api.openapi", "api.documentation"}

# schemathesis.pytest.from_fixture() cannot run under pytest 9 (it writes Node._nodeid, which
# pytest 9 no longer has), so the schema is loaded with the module, from the function the
# route serves; test_the_served_document_is_the_one_tested ties the two together.
DOCUMENT = openapi_document(BASE_PATH, API_VERSION)
CONFIG = {
    "seed": SEED,
    "generation": {
        "mode": "all",
        "max-examples": MAX_EXAMPLES,
        "deterministic": True,
        "with-security-parameters": False,
    },
    "phases": {"stateful": {"enabled": False}},
}
schema = schemathesis.openapi.from_dict(
    copy.deepcopy(DOCUMENT), config=schemathesis.Config.from_dict(CONFIG)
)


@pytest.fixture
def admin_headers(app, database_url) -> dict[str, str]:
    restart_ids(database_url)
    with new_session(app) as session:
        seed_api_data(session)
        return bearer_for(session, api_user(session, "admin"))


def operation(method: str, path: str):
    return schema[BASE_PATH + path][method]


# --- generated requests ------------------------------------------------------------------


@schema.parametrize()
# Seeded once per operation, on purpose: the examples build on one another's data.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_every_operation_answers_as_documented(case, app, admin_headers):
    case.call_and_validate(app=app, headers=admin_headers, checks=CHECKS)


# --- the document ------------------------------------------------------------------------


def test_the_served_document_is_the_one_tested(client):
    response = client.get(BASE_PATH + "/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_json() == json.loads(json.dumps(DOCUMENT))


def refs_in(value) -> list[str]:
    if isinstance(value, dict):
        own = [value["$ref"]] if "$ref" in value else []
        return own + [ref for item in value.values() for ref in refs_in(item)]
    if isinstance(value, list):
        return [ref for item in value for ref in refs_in(item)]
    return []


def test_the_document_is_valid_openapi_3_1():
    assert DOCUMENT["openapi"] == "3.1.0"
    schemathesis.openapi.from_dict(copy.deepcopy(DOCUMENT)).validate()
    broken = copy.deepcopy(DOCUMENT)
    del broken["info"]
    with pytest.raises(jsonschema_rs.ValidationError):  # the validation does validate
        schemathesis.openapi.from_dict(broken).validate()

    components = DOCUMENT["components"]["schemas"]
    for name, component in components.items():
        assert jsonschema_rs.meta.is_valid(component), name
    for ref in refs_in(DOCUMENT):
        assert ref.removeprefix("#/components/schemas/") in components, ref
    operation_ids = [op["operationId"] for ops in DOCUMENT["paths"].values() for op in ops.values()]
    assert len(operation_ids) == len(set(operation_ids))


def test_every_api_route_is_documented_and_every_documented_operation_routed(app):
    routes = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.") and rule.endpoint not in SELF_DESCRIBING
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    documented = {(path, method) for path, ops in DOCUMENT["paths"].items() for method in ops}
    assert routes == documented
    assert all(path.startswith(BASE_PATH + "/") for path, _method in documented)


# --- values at the edges, sent as the document describes them ----------------------------


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/journeys/{journey_id}/map", {"from": "0001-01-01"}),
        ("/journeys/{journey_id}/map", {"to": "0001-01-01"}),
        ("/journeys/{journey_id}/map", {"from": "9999-12-31"}),
        ("/journeys/{journey_id}/map", {"from": "2026-01-01", "to": "2026-01-31"}),
        ("/journeys/{journey_id}/pain-points", {"to": "0001-01-01"}),
        ("/journeys/{journey_id}/map", {"from": "0001-01-01", "to": "0001-01-05"}),
        ("/journeys/{journey_id}/map", {"to": "9999-12-31"}),
        ("/journeys/{journey_id}/pain-points", {"from": "0001-01-01", "to": "0001-01-05"}),
        ("/journeys/{journey_id}/pain-points", {"to": "9999-12-31"}),
    ],
    ids=lambda value: (
        value if isinstance(value, str) else "&".join(f"{k}={v}" for k, v in value.items())
    ),
)
def test_journey_filters_at_the_calendar_edges(app, admin_headers, path, query):
    case = operation("GET", path).Case(
        path_parameters={"journey_id": 1}, query=query, headers=admin_headers
    )
    case.call_and_validate(app=app, checks=CHECKS)


@pytest.mark.parametrize("path", ["/invitations", "/questionnaires"])
@pytest.mark.parametrize("after", [1, 2**31 - 1, 2**31, 9_999_999_999], ids=str)
def test_a_cursor_past_every_id_is_an_empty_page_or_a_422(app, admin_headers, path, after):
    query = {"cursor": encode_cursor(after)}
    case = operation("GET", path).Case(query=query, headers=admin_headers)
    response = case.call_and_validate(app=app, checks=CHECKS)
    assert response.status_code in (200, 422)
    if response.status_code == 200:
        assert all(item["id"] > after for item in response.json()["items"])


def test_a_response_dated_year_one_can_be_read_back(app, admin_headers):
    body = {
        "language": "en",
        "answers": {"nps": 2, "story": "Slow and rude delivery."},
        "submitted_at": "0001-01-01T00:00:00+01:00",
    }
    store = operation("POST", "/questionnaires/{questionnaire_id}/responses").Case(
        path_parameters={"questionnaire_id": 1},
        headers={**admin_headers, "Idempotency-Key": "year-one"},
        body=body,
        media_type="application/json",
    )
    first = store.call_and_validate(app=app, checks=CHECKS)
    if first.status_code == 422:
        assert "submitted_at" in first.json()["error"]["fields"]
        return
    assert first.status_code == 201
    replay = store.call_and_validate(app=app, checks=CHECKS)
    assert (replay.status_code, replay.json()["id"]) == (201, first.json()["id"])
    pain_points = operation("GET", "/journeys/{journey_id}/pain-points").Case(
        path_parameters={"journey_id": 1}, headers=admin_headers
    )
    assert pain_points.call_and_validate(app=app, checks=CHECKS).status_code == 200


def test_the_maps_304_is_documented(client, admin_headers):
    url = BASE_PATH + "/journeys/1/map"
    etag = client.get(url, headers=admin_headers).headers["ETag"]
    again = client.get(url, headers={**admin_headers, "If-None-Match": etag})
    assert again.status_code == 304
    documented = DOCUMENT["paths"][BASE_PATH + "/journeys/{journey_id}/map"]["get"]
    assert "304" in documented["responses"]
    assert "If-None-Match" in {p["name"] for p in documented["parameters"]}


@pytest.mark.parametrize("path", ["/map", "/pain-points"])
def test_the_segment_filter_works_as_documented(client, admin_headers, path):
    documented = DOCUMENT["paths"][BASE_PATH + "/journeys/{journey_id}" + path]["get"]
    (segment,) = [p for p in documented["parameters"] if p["name"] == "segment"]
    assert (segment["style"], segment["explode"]) == ("deepObject", True)
    response = client.get(
        BASE_PATH + f"/journeys/1{path}?segment[channel]=store", headers=admin_headers
    )
    assert response.status_code == 200
    assert response.get_json()["filters"] == {"segment.channel": "store"}


@pytest.mark.parametrize(
    ("method", "path", "field", "body"),
    [
        (
            "POST",
            "/invitations",
            "expires_at",
            {"questionnaire_id": 1, "customer_ref": "C-7"},
        ),
        (
            "POST",
            "/questionnaires/{questionnaire_id}/responses",
            "submitted_at",
            {"language": "en", "answers": {"nps": 8}},
        ),
    ],
    ids=["expires_at", "submitted_at"],
)
def test_a_moment_sent_with_an_offset_is_kept_as_that_moment(
    app, admin_headers, method, path, field, body
):
    moment = (utcnow() + timedelta(days=3 if field == "expires_at" else -3)).replace(microsecond=0)
    sent = moment.astimezone(timezone(timedelta(hours=2)))
    case = operation(method, path).Case(
        path_parameters={"questionnaire_id": 1} if "{" in path else None,
        headers={**admin_headers, "Idempotency-Key": "offset"},
        body={**body, field: sent.isoformat()},
        media_type="application/json",
    )
    first = case.call_and_validate(app=app, checks=CHECKS)
    assert first.status_code == 201, first.text
    assert datetime.fromisoformat(first.json()[field]) == moment
    if field == "submitted_at":
        again = case.call_and_validate(app=app, checks=CHECKS)  # read back from the database
    else:
        read = operation("GET", "/invitations/{invitation_id}").Case(
            path_parameters={"invitation_id": first.json()["id"]}, headers=admin_headers
        )
        again = read.call_and_validate(app=app, checks=CHECKS)
    assert datetime.fromisoformat(again.json()[field]) == moment
