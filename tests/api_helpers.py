"""What the JSON API tests share: bearer headers, the declared operations' URLs, the error
shape, a seeded database and an app with its own settings."""

from __future__ import annotations

import itertools
import secrets
from types import SimpleNamespace

from builders import a_live_questionnaire_with_every_type, a_user, an_invitation
from sqlalchemy import create_engine, text

from surveys.api import BASE_PATH
from surveys.api.spec import OPERATIONS, PATH_PARAM, Operation
from surveys.api_tokens import issue_token
from surveys.db import new_session
from surveys.models import ROLE_SCOPES, Base
from surveys.question_types import field_name, parse_form
from surveys.submissions import store_response

_emails = itertools.count(1)


def api_user(session, role: str = "admin", email: str | None = None):
    return a_user(session, email or f"{role}-{next(_emails)}@example.com", role)


def bearer_for(session, user, scopes=None, name: str = "tests") -> dict[str, str]:
    """Headers carrying a new token of `user` (every scope its role allows by default)."""
    _token, raw = issue_token(
        session, user, ROLE_SCOPES[user.role] if scopes is None else scopes, name
    )
    return {"Authorization": f"Bearer {raw}"}


def bearer(app, role: str = "admin", scopes=None, email: str | None = None) -> dict[str, str]:
    """Headers with the token of a new `role` user."""
    with new_session(app) as session:
        return bearer_for(session, api_user(session, role, email), scopes)


def scoped_operations() -> list[Operation]:
    return [op for op in OPERATIONS if op.scope]


def op_id(op: Operation) -> str:
    return f"{op.method} {op.rule}"


def url_of(op: Operation, object_id: int | str = 1) -> str:
    """The operation's URL with every path parameter set to `object_id`."""
    return BASE_PATH + PATH_PARAM.sub(str(object_id), op.rule)


# A body each declared model accepts; test_api_rights checks that every body model has one.
SAMPLE_BODIES = {
    "InvitationIn": {"questionnaire_id": 1, "customer_ref": "C-1"},
    "InvitationBatchIn": [{"questionnaire_id": 1, "customer_ref": "C-1"}],
    "ResponseIn": {"language": "en", "answers": {"nps": 9}},
    "QuestionnaireDocument": {"format": "parcours.questionnaire"},
    "WebhookIn": {
        "url": "https://hooks.example.invalid/parcours",
        "events": ["response.completed"],
        "secret": "a-secret-of-16-characters",
    },
}


def call(client, op: Operation, object_id: int | str = 1, headers=None):
    """Call `op` as a well-behaved client would: a valid body and its required headers."""
    headers = dict(headers or {})
    for header in op.headers:
        if header.required:
            headers[header.name] = secrets.token_hex(8)
    kwargs = {}
    if op.body is not None:
        kwargs["json"] = SAMPLE_BODIES[op.body.__name__]
    return client.open(url_of(op, object_id), method=op.method, headers=headers, **kwargs)


def api_error(response, status: int, code: str | None = None) -> dict:
    """The response's error after checking the status and the JSON shape; returns `error`."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    assert response.mimetype == "application/json", response.mimetype
    body = response.get_json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) <= {"code", "message", "fields"} and error["message"], error
    if code is not None:
        assert error["code"] == code, error
    return error


def seed_api_data(session) -> SimpleNamespace:
    """A journey, a live questionnaire (nps, csat, choices, texts...), one invitation and
    one response, so that id 1 exists for each (ids restart on PostgreSQL: see restart_ids)."""
    questionnaire = a_live_questionnaire_with_every_type(session)
    invitation = an_invitation(session, questionnaire)
    form = {
        "nps": ["9"],
        "csat": ["4"],
        "channel": ["web"],
        "extras": ["case", "cable"],
        "city": ["Lyon"],
        "story": ["Delivery was slow but the staff were kind."],
    }
    questions = questionnaire.current_version.questions
    parsed = parse_form(questions, {field_name(q): form.get(q.key, []) for q in questions})
    assert not parsed.errors, parsed.errors
    response, _new = store_response(session, questionnaire, parsed.values, "en", channel="api")
    return SimpleNamespace(
        journey=questionnaire.journey,
        questionnaire=questionnaire,
        invitation=invitation,
        response=response,
    )


def restart_ids(database_url: str) -> None:
    """On PostgreSQL, sequences go on after the tables are emptied: restart them at 1."""
    if not database_url.startswith("postgresql"):
        return
    engine = create_engine(database_url)
    names = ", ".join(table.name for table in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()
