"""Who may call what: every declared operation against missing, malformed, revoked and
under-scoped tokens, and missing objects; the tokens page and the create-token command.

The matrix is built from `spec.OPERATIONS`, so a new endpoint is covered by being declared.
"""

from __future__ import annotations

import hashlib
import re

import pytest
from api_helpers import (
    SAMPLE_BODIES,
    api_error,
    api_user,
    bearer_for,
    call,
    op_id,
    scoped_operations,
    url_of,
)
from sqlalchemy import func, select

from surveys.api.spec import OPERATIONS, PATH_PARAM
from surveys.api_tokens import TOKEN_MAX, TOKEN_PREFIX, issue_token, revoke_token
from surveys.models import ROLE_SCOPES, SCOPES, ApiToken, Base, User

SCOPED = scoped_operations()
WITH_ID = [op for op in SCOPED if PATH_PARAM.search(op.rule)]
scoped = pytest.mark.parametrize("op", SCOPED, ids=op_id)


def raw_of(headers: dict[str, str]) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


def assert_refused(response) -> None:
    """401 in the API's shape, with the Bearer challenge RFC 6750 asks for."""
    api_error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer "), response.headers


def passes_auth(response) -> bool:
    return response.status_code not in (401, 403)


# --- the declarations themselves ---------------------------------------------------------


def test_every_operation_declares_a_known_scope():
    # No endpoint is public by omission; the documents (openapi.json, docs) are plain routes.
    assert [op_id(op) for op in OPERATIONS if not op.scope] == []
    assert {op.scope for op in OPERATIONS} <= set(SCOPES)


def test_every_body_model_has_a_sample_body_for_these_tests():
    bodies = {op.body.__name__ for op in OPERATIONS if op.body is not None}
    assert bodies <= set(SAMPLE_BODIES), "add a valid body to api_helpers.SAMPLE_BODIES"


# --- tokens ------------------------------------------------------------------------------


@scoped
def test_no_token_is_401_with_a_bearer_challenge(client, op):
    assert_refused(call(client, op))


@scoped
@pytest.mark.parametrize(
    "authorization",
    [
        "Basic x",
        "Basic {raw}",  # a live token under another scheme
        "{raw}",  # no scheme at all
        "Bearer",
        "Bearer ",
        "Bearer pc_",
        "Bearer {raw}x",  # one character more than the live token
        "Bearer " + TOKEN_PREFIX + "a" * TOKEN_MAX,  # longer than any token: not even hashed
        "Bearer {raw}" + "a" * 10_000,
    ],
    ids=["basic", "basic-live", "no-scheme", "bearer-alone", "bearer-space", "prefix-only",
         "live-plus-one", "over-long", "live-plus-10k"],
)  # fmt: skip
def test_malformed_authorization_is_401(client, db_session, op, authorization):
    live = raw_of(bearer_for(db_session, api_user(db_session, "admin")))
    response = call(client, op, headers={"Authorization": authorization.format(raw=live)})
    assert_refused(response)


@scoped
def test_revoked_token_is_401(client, db_session, op):
    headers = bearer_for(db_session, api_user(db_session, "admin"))
    assert passes_auth(call(client, op, headers=headers))
    revoke_token(db_session, db_session.scalars(select(ApiToken)).one())
    assert_refused(call(client, op, headers=headers))


@scoped
def test_token_of_a_deactivated_account_is_401(client, db_session, op):
    user = api_user(db_session, "admin")
    headers = bearer_for(db_session, user)
    assert passes_auth(call(client, op, headers=headers))
    user.active = False
    db_session.commit()
    assert_refused(call(client, op, headers=headers))


@scoped
def test_token_without_the_scope_is_403_insufficient_scope(client, db_session, op):
    others = [scope for scope in SCOPES if scope != op.scope]
    headers = bearer_for(db_session, api_user(db_session, "admin"), others)
    error = api_error(call(client, op, headers=headers), 403, "insufficient_scope")
    assert op.scope in error["message"]


@scoped
def test_a_researcher_made_cx_lead_keeps_only_the_cx_lead_scopes(client, db_session, op):
    user = api_user(db_session, "researcher")
    headers = bearer_for(db_session, user, ROLE_SCOPES["researcher"])
    if op.scope in ROLE_SCOPES["researcher"]:
        assert passes_auth(call(client, op, headers=headers))
    user.role = "cx_lead"
    db_session.commit()
    response = call(client, op, headers=headers)
    if op.scope in ROLE_SCOPES["cx_lead"]:
        assert passes_auth(response), response.get_data(as_text=True)
    else:
        api_error(response, 403, "insufficient_scope")


@pytest.mark.parametrize("op", WITH_ID, ids=op_id)
@pytest.mark.parametrize("object_id", [999_999, 2**31 - 1, 2**31], ids=str)
def test_an_object_that_does_not_exist_is_a_json_404(client, db_session, op, object_id):
    headers = bearer_for(db_session, api_user(db_session, "admin"))
    api_error(call(client, op, object_id, headers=headers), 404, "not_found")


@pytest.mark.parametrize("op", WITH_ID, ids=op_id)
@pytest.mark.parametrize("object_id", ["0", "-1", "abc", "1.5", "99999999999999999999"])
def test_an_id_that_is_no_id_is_a_json_404(client, db_session, op, object_id):
    headers = bearer_for(db_session, api_user(db_session, "admin"))
    api_error(call(client, op, object_id, headers=headers), 404, "not_found")


# --- the tokens page ---------------------------------------------------------------------

NEW_TOKEN = re.compile(r'id="new-token"[^>]*value="([^"]+)"')


def every_stored_value(session) -> str:
    """Every value of every row of every table, as one text to search in."""
    session.expire_all()
    with session.get_bind().connect() as connection:
        return "\n".join(
            repr(tuple(row))
            for table in Base.metadata.sorted_tables
            for row in connection.execute(table.select())
        )


def make_token_on_the_page(forms, name: str, scopes: list[str]):
    return forms.post("/account/tokens", {"name": name, "scopes": scopes})


def test_a_token_made_on_the_page_is_shown_once_and_stored_hashed(
    app, client, auth, forms, db_session
):
    auth.login()
    response = make_token_on_the_page(forms, "Shop", ["invitations:write", "questionnaires:read"])
    assert response.status_code == 201
    raw = NEW_TOKEN.search(response.get_data(as_text=True)).group(1)
    assert raw.startswith(TOKEN_PREFIX) and len(raw) > 40

    token = db_session.scalars(select(ApiToken)).one()
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert (token.name, token.prefix) == ("Shop", raw[:10])
    assert token.scopes == ["invitations:write", "questionnaires:read"]
    assert raw not in every_stored_value(db_session)
    cookie = client.get_cookie("session")
    session_data = app.session_interface.get_signing_serializer(app).loads(cookie.value)
    assert raw not in repr(session_data)

    assert raw not in client.get("/account/tokens").get_data(as_text=True)
    api = client.get("/api/v1/questionnaires", headers={"Authorization": f"Bearer {raw}"})
    assert api.status_code == 200


@pytest.mark.parametrize(
    "scopes", [["invitations:write"], ["questionnaires:read", "invitations:write"]]
)
def test_a_cx_lead_cannot_grant_invitations_write(auth, forms, db_session, scopes):
    auth.login_as_cx_lead()
    response = make_token_on_the_page(forms, "CRM", scopes)
    assert response.status_code == 422
    assert NEW_TOKEN.search(response.get_data(as_text=True)) is None
    assert db_session.scalar(select(func.count(ApiToken.id))) == 0


def test_revoking_a_token_on_the_page_ends_its_api_access(client, auth, forms, db_session):
    auth.login()
    user = db_session.scalars(select(User)).one()
    headers = bearer_for(db_session, user, ["reports:read"])
    assert client.get("/api/v1/journeys/1/map", headers=headers).status_code == 404
    token = db_session.scalars(select(ApiToken)).one()

    response = forms.post(f"/account/tokens/{token.id}/revoke", page_url="/account/tokens")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/tokens")
    db_session.expire_all()
    assert token.revoked_at is not None
    assert_refused(client.get("/api/v1/journeys/1/map", headers=headers))


def test_another_users_token_cannot_be_revoked_and_does_not_leak(client, auth, forms, db_session):
    other = api_user(db_session, "researcher", "other@example.com")
    theirs, raw = issue_token(db_session, other, ["questionnaires:read"], "theirs")
    auth.login()
    response = forms.post(f"/account/tokens/{theirs.id}/revoke", page_url="/account/tokens")
    missing = forms.post(f"/account/tokens/{theirs.id + 1000}/revoke", page_url="/account/tokens")
    assert response.status_code == missing.status_code == 404
    db_session.expire_all()
    assert theirs.revoked_at is None
    api = client.get("/api/v1/questionnaires", headers={"Authorization": f"Bearer {raw}"})
    assert api.status_code == 200


def test_the_tokens_page_needs_a_login(client):
    response = client.get("/account/tokens")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- flask create-token ------------------------------------------------------------------


def test_create_token_prints_a_token_that_works(runner, client, db_session):
    api_user(db_session, "researcher", "ana@example.com")
    result = runner.invoke(
        args=["create-token", "Ana@Example.com", "--scope", "questionnaires:read",
              "--scope", "reports:read", "--name", "nightly export"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    raw = result.output.strip()
    assert raw.startswith(TOKEN_PREFIX) and "\n" not in raw

    token = db_session.scalars(select(ApiToken)).one()
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert (token.name, token.scopes) == ("nightly export", ["questionnaires:read", "reports:read"])
    assert raw not in every_stored_value(db_session)
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/journeys", headers=headers).status_code == 200
    api_error(client.get("/api/v1/invitations", headers=headers), 403, "insufficient_scope")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody@example.com", "--scope", "reports:read"], "No account has the email"),
        (["lead@example.com", "--scope", "reports:write"], "Invalid value for '--scope'"),
        (["lead@example.com", "--scope", "invitations:write"], "cannot grant: invitations:write"),
        (["lead@example.com"], "Missing option '--scope'"),
        (["gone@example.com", "--scope", "reports:read"], "deactivated"),
    ],
    ids=["unknown-email", "unknown-scope", "beyond-the-role", "no-scope", "deactivated"],
)
def test_create_token_refuses_with_a_usage_error(runner, db_session, args, message):
    api_user(db_session, "cx_lead", "lead@example.com")
    gone = api_user(db_session, "cx_lead", "gone@example.com")
    gone.active = False
    db_session.commit()
    result = runner.invoke(args=["create-token", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert TOKEN_PREFIX not in result.output
    assert db_session.scalar(select(func.count(ApiToken.id))) == 0


def test_urls_of_the_matrix_are_real_routes(app):
    # Guards the matrix itself: every URL it calls reaches its operation's view.
    adapter = app.url_map.bind("localhost")
    for op in OPERATIONS:
        endpoint, _args = adapter.match(url_of(op), method=op.method)
        assert endpoint == f"api.{op.name}"
