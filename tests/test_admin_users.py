"""Administrators manage the accounts: add one, change its role, deactivate and reactivate it,
revoke its API tokens; nobody else may, and Parcours never loses its last administrator."""

from __future__ import annotations

import re

import pytest
from api_helpers import bearer_for
from builders import PASSWORD, a_user
from sqlalchemy import func, select

from feedback import locale_format
from surveys.admin import users as user_views
from surveys.api_tokens import issue_token
from surveys.db import new_session
from surveys.models import MIN_PASSWORD_LENGTH, ApiToken, AuditEvent, User

FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9"}
API_READ = "/api/v1/questionnaires"  # questionnaires:read


@pytest.fixture
def admin(auth, db_session):
    auth.login("admin@example.com", "admin")
    return db_session.scalar(select(User).where(User.email == "admin@example.com"))


def events(session, action: str) -> list[AuditEvent]:
    session.expire_all()
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def fresh(session, user: User) -> User:
    session.expire_all()
    return session.get(User, user.id)


def user_count(session) -> int:
    return session.scalar(select(func.count()).select_from(User))


def login_status(app, email: str, password: str = PASSWORD) -> int:
    """Log in from another browser: 302 when it opens, 401 when refused."""
    browser = app.test_client()
    page = browser.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    data = {"csrf_token": token, "email": email, "password": password}
    return browser.post("/login", data=data).status_code


def token_for(session, user: User, scopes=None) -> dict[str, str]:
    return bearer_for(session, user, scopes)


# --- who may -------------------------------------------------------------------------------


def admin_pages(user_id: int, token_id: int):
    gets = ["/admin/users", "/admin/users/new", f"/admin/users/{user_id}", "/admin/audit"]
    posts = [
        "/admin/users/new",
        f"/admin/users/{user_id}/role",
        f"/admin/users/{user_id}/deactivate",
        f"/admin/users/{user_id}/reactivate",
        f"/admin/users/{user_id}/tokens/{token_id}/revoke",
        f"/admin/users/{user_id}/tokens/revoke-all",
    ]
    return gets, posts


@pytest.mark.parametrize("role", ["researcher", "cx_lead"])
def test_non_admins_get_403_on_every_admin_page_and_post(client, auth, forms, db_session, role):
    other = a_user(db_session, "other@example.com", "researcher")
    token, _raw = issue_token(db_session, other, ["reports:read"], "shop")
    auth.login(f"{role}@example.com", role)
    gets, posts = admin_pages(other.id, token.id)
    for url in gets:
        assert client.get(url).status_code == 403, url
    for url in posts:
        data = {"role": "admin", "email": "x@example.com"}
        assert forms.post(url, data, page_url="/home").status_code == 403, url
    assert fresh(db_session, other).role == "researcher" and fresh(db_session, other).active
    assert user_count(db_session) == 2
    db_session.expire_all()
    assert db_session.get(ApiToken, token.id).revoked_at is None
    home = client.get("/home").get_data(as_text=True)
    assert "/admin/users" not in home and "/admin/audit" not in home


def test_anonymous_visitors_are_sent_to_the_login(client, db_session):
    user = a_user(db_session, "someone@example.com", "researcher")
    gets, _posts = admin_pages(user.id, 1)
    for url in gets:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_admins_see_users_and_audit_log_in_the_top_bar(client, admin):
    home = client.get("/home").get_data(as_text=True)
    assert 'href="/admin/users">Users</a>' in home
    assert 'href="/admin/audit">Audit log</a>' in home


# --- the list --------------------------------------------------------------------------------


def test_the_list_shows_each_account_its_role_state_last_login_and_live_tokens(
    app, client, admin, db_session
):
    reader = a_user(db_session, "reader@example.com", "cx_lead")
    token_for(db_session, reader)
    token_for(db_session, reader)
    revoked, _raw = issue_token(db_session, reader, ["reports:read"], "old")
    revoked.revoked_at = revoked.created_at
    gone = a_user(db_session, "gone@example.com", "researcher")
    gone.active = False
    db_session.commit()
    assert login_status(app, "reader@example.com") == 302

    page = client.get("/admin/users").get_data(as_text=True)
    rows = {
        email: row
        for row in re.findall(r"<tr>(.*?)</tr>", page, re.S)
        for email in re.findall(r">([\w.@-]+@example\.com)</a>", row)
    }
    assert set(rows) == {"admin@example.com", "reader@example.com", "gone@example.com"}
    assert "CX lead" in rows["reader@example.com"] and "active" in rows["reader@example.com"]
    assert "deactivated" in rows["gone@example.com"]
    last_login = events(db_session, "login")[-1]
    assert locale_format.moment(last_login.at, "en") in rows["reader@example.com"]
    assert "never" in rows["gone@example.com"]
    assert rows["reader@example.com"].strip().endswith("<td>2</td>")
    assert "(you)" in rows["admin@example.com"]


# --- adding --------------------------------------------------------------------------------


def test_an_admin_adds_a_user_with_a_typed_password_who_can_then_log_in(
    app, client, forms, admin, db_session
):
    data = {"email": " New.Person@Example.com ", "role": "researcher", "password": "a long secret"}
    response = forms.post("/admin/users/new", data)
    assert response.status_code == 302
    created = db_session.scalar(select(User).where(User.email == "new.person@example.com"))
    assert created.role == "researcher" and created.active
    assert "a long secret" not in created.password_hash
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Account new.person@example.com created (researcher)." in page
    assert login_status(app, "new.person@example.com", "a long secret") == 302
    [event] = events(db_session, "user_created")
    assert (event.actor_email, event.target) == ("admin@example.com", "new.person@example.com")
    assert event.details == {"role": "researcher"}


def test_a_generated_password_is_shown_once_and_opens_the_account(
    app, client, forms, admin, db_session
):
    response = forms.post("/admin/users/new", {"email": "gen@example.com", "role": "cx_lead"})
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    password = re.search(r'id="new-password"[^>]*value="([^"]+)"', page).group(1)
    assert len(password) >= MIN_PASSWORD_LENGTH
    assert login_status(app, "gen@example.com", password) == 302
    assert password not in client.get("/admin/users").get_data(as_text=True)
    user = db_session.scalar(select(User).where(User.email == "gen@example.com"))
    assert password not in client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert len(events(db_session, "user_created")) == 1


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"email": "not-an-email", "role": "researcher"}, "email", "Enter an email address"),
        ({"email": "", "role": "researcher"}, "email", "Enter the person"),
        ({"email": "who@example.com", "role": "owner"}, "role", "Choose one of the roles."),
        (
            {"email": "who@example.com", "role": "researcher", "password": "short"},
            "password",
            f"At least {MIN_PASSWORD_LENGTH} characters.",
        ),
        ({"email": "ADMIN@example.com", "role": "researcher"}, "email", "already exists"),
    ],
)
def test_bad_input_gets_422_with_the_field_s_error_nothing_stored_what_was_typed_kept(
    client, forms, admin, db_session, data, field, message
):
    before = user_count(db_session)
    response = forms.post("/admin/users/new", data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(rf'<p class="error" id="{field}-error">[^<]*{re.escape(message)}', page)
    if data["email"]:
        assert f'value="{data["email"]}"' in page
    assert user_count(db_session) == before
    assert events(db_session, "user_created") == []
    assert "short" not in page  # a password is never written back into the page


def test_adding_a_user_without_the_csrf_token_stores_nothing(client, admin, db_session):
    data = {"email": "csrf@example.com", "role": "admin", "password": "a long secret"}
    assert client.post("/admin/users/new", data=data).status_code == 400
    assert db_session.scalar(select(User).where(User.email == "csrf@example.com")) is None


# --- roles ---------------------------------------------------------------------------------


def test_a_role_change_is_recorded_and_narrows_the_user_s_api_tokens_at_once(
    client, forms, admin, db_session
):
    researcher = a_user(db_session, "res@example.com", "researcher")
    headers = token_for(db_session, researcher)  # every researcher scope
    write = client.post("/api/v1/questionnaires", json={}, headers=headers)
    assert write.status_code not in (401, 403)  # allowed: the body is what is wrong

    url = f"/admin/users/{researcher.id}"
    response = forms.post(f"{url}/role", {"role": "cx_lead"}, page_url=url)
    assert response.status_code == 302
    assert "res@example.com is now CX lead" in client.get(url).get_data(as_text=True)
    assert fresh(db_session, researcher).role == "cx_lead"
    assert client.post("/api/v1/questionnaires", json={}, headers=headers).status_code == 403
    assert client.get(API_READ, headers=headers).status_code == 200
    assert "(not with this role)" in client.get(url).get_data(as_text=True)
    [event] = events(db_session, "role_changed")
    assert event.details == {"from": "researcher", "to": "cx_lead"}
    assert (event.actor_email, event.target) == ("admin@example.com", "res@example.com")

    forms.post(f"{url}/role", {"role": "researcher"}, page_url=url)
    assert client.post("/api/v1/questionnaires", json={}, headers=headers).status_code != 403


def test_an_unknown_role_gets_422_and_changes_nothing(client, forms, admin, db_session):
    researcher = a_user(db_session, "res@example.com", "researcher")
    url = f"/admin/users/{researcher.id}"
    response = forms.post(f"{url}/role", {"role": "superuser"}, page_url=url)
    assert response.status_code == 422
    assert "Choose one of the roles." in response.get_data(as_text=True)
    assert fresh(db_session, researcher).role == "researcher"
    assert events(db_session, "role_changed") == []


def test_an_admin_cannot_demote_themselves(client, forms, admin, db_session):
    a_user(db_session, "second-admin@example.com", "admin")
    url = f"/admin/users/{admin.id}"
    response = forms.post(f"{url}/role", {"role": "researcher"}, page_url=url)
    assert response.status_code == 422
    assert "You cannot change your own role" in response.get_data(as_text=True)
    assert fresh(db_session, admin).role == "admin"
    assert events(db_session, "role_changed") == []


def test_an_admin_cannot_deactivate_themselves(client, forms, admin, db_session):
    a_user(db_session, "second-admin@example.com", "admin")
    url = f"/admin/users/{admin.id}"
    response = forms.post(f"{url}/deactivate", page_url=url)
    assert response.status_code == 422
    assert "You cannot deactivate your own account." in response.get_data(as_text=True)
    assert fresh(db_session, admin).active
    assert events(db_session, "user_deactivated") == []


@pytest.mark.parametrize("action", ["role", "deactivate"])
def test_the_last_active_admin_cannot_be_removed_even_by_two_admins_at_once(
    app, client, forms, admin, db_session, monkeypatch, action
):
    """Two admins remove each other at the same moment: the other's removal commits while
    this request runs, before its check. The check sees it, and the last admin stays."""
    other = a_user(db_session, "other-admin@example.com", "admin")
    url = f"/admin/users/{other.id}"
    token = forms.token(url)
    original = user_views._lock_admins

    def the_other_admin_removes_me_first(session):
        with new_session(app) as elsewhere:
            me = elsewhere.get(User, admin.id)
            me.role = "researcher"
            elsewhere.commit()
        return original(session)

    monkeypatch.setattr(user_views, "_lock_admins", the_other_admin_removes_me_first)
    data = {"csrf_token": token, "role": "researcher"}
    response = client.post(f"{url}/{action}", data=data)
    assert response.status_code == 422
    assert "Parcours needs at least one active administrator." in response.get_data(as_text=True)
    other = fresh(db_session, other)
    assert other.role == "admin" and other.active
    assert events(db_session, "role_changed") == events(db_session, "user_deactivated") == []


# --- deactivating --------------------------------------------------------------------------


def test_a_deactivated_user_cannot_log_in_their_tokens_get_401_and_their_session_ends(
    app, client, forms, admin, db_session
):
    researcher = a_user(db_session, "res@example.com", "researcher")
    headers = token_for(db_session, researcher)
    their_browser = app.test_client()
    page = their_browser.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    their_browser.post("/login", data={"csrf_token": csrf, "email": "res@example.com",
                                       "password": PASSWORD})  # fmt: skip
    assert their_browser.get("/home").status_code == 200

    url = f"/admin/users/{researcher.id}"
    response = forms.post(f"{url}/deactivate", page_url=url)
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "res@example.com is deactivated" in page and "Reactivate the account" in page
    assert not fresh(db_session, researcher).active
    assert login_status(app, "res@example.com") == 401
    assert client.get(API_READ, headers=headers).status_code == 401
    assert their_browser.get("/home").status_code == 302  # sent to the login
    [event] = events(db_session, "user_deactivated")
    assert (event.actor_email, event.target) == ("admin@example.com", "res@example.com")

    response = forms.post(f"{url}/reactivate", page_url=url)
    assert response.status_code == 302
    assert fresh(db_session, researcher).active
    assert login_status(app, "res@example.com") == 302
    assert client.get(API_READ, headers=headers).status_code == 200
    assert len(events(db_session, "user_reactivated")) == 1


# --- tokens --------------------------------------------------------------------------------


def test_an_admin_revokes_one_token_of_a_user(client, forms, admin, db_session):
    researcher = a_user(db_session, "res@example.com", "researcher")
    kept, revoked = token_for(db_session, researcher), token_for(db_session, researcher)
    token = db_session.scalars(select(ApiToken).order_by(ApiToken.id.desc())).first()
    url = f"/admin/users/{researcher.id}"
    response = forms.post(f"{url}/tokens/{token.id}/revoke", page_url=url)
    assert response.status_code == 302
    assert f"Token {token.prefix}… of res@example.com revoked" in client.get(url).get_data(
        as_text=True
    )
    assert client.get(API_READ, headers=revoked).status_code == 401
    assert client.get(API_READ, headers=kept).status_code == 200
    [event] = events(db_session, "token_revoked")
    assert event.target == "res@example.com" and event.details["token"] == token.prefix
    assert event.actor_email == "admin@example.com"


def test_a_token_of_another_user_is_not_found(client, forms, admin, db_session):
    researcher = a_user(db_session, "res@example.com", "researcher")
    other = a_user(db_session, "other@example.com", "researcher")
    headers = token_for(db_session, other)
    token = db_session.scalars(select(ApiToken)).one()
    url = f"/admin/users/{researcher.id}"
    assert forms.post(f"{url}/tokens/{token.id}/revoke", page_url=url).status_code == 404
    assert client.get(API_READ, headers=headers).status_code == 200


def test_an_admin_revokes_every_token_of_a_user_in_one_go(client, forms, admin, db_session):
    researcher = a_user(db_session, "res@example.com", "researcher")
    first, second = token_for(db_session, researcher), token_for(db_session, researcher)
    theirs = token_for(db_session, admin)
    url = f"/admin/users/{researcher.id}"
    response = forms.post(f"{url}/tokens/revoke-all", page_url=url)
    assert response.status_code == 302
    assert "2 tokens of res@example.com revoked" in client.get(url).get_data(as_text=True)
    for headers in (first, second):
        assert client.get(API_READ, headers=headers).status_code == 401
    assert client.get(API_READ, headers=theirs).status_code == 200
    assert len(events(db_session, "token_revoked")) == 2
    forms.post(f"{url}/tokens/revoke-all", page_url=url)
    assert "res@example.com has no live token." in client.get(url).get_data(as_text=True)
    assert len(events(db_session, "token_revoked")) == 2


# --- French --------------------------------------------------------------------------------


def test_the_admin_pages_speak_french(client, forms, admin, db_session):
    researcher = a_user(db_session, "res@example.com", "researcher")
    for _ in range(2):
        token_for(db_session, researcher)
    users = client.get("/admin/users", headers=FRENCH).get_data(as_text=True)
    assert "Utilisateurs" in users and "Ajouter un utilisateur" in users
    assert "chargé d'études" in users or "chargé d&#39;études" in users
    assert locale_format.day(researcher.created_at, "fr") in users
    assert "Journal d'audit" in users or "Journal d&#39;audit" in users

    page = client.get(f"/admin/users/{researcher.id}", headers=FRENCH).get_data(as_text=True)
    assert "Désactiver le compte" in page and "Révoquer tous les jetons" in page

    response = forms.post("/admin/users/new", {"email": "x", "role": "researcher"}, headers=FRENCH)
    assert response.status_code == 422
    assert "Saisissez une adresse e-mail" in response.get_data(as_text=True)

    english = client.get("/admin/users").get_data(as_text=True)
    assert "Add a user" in english and "Ajouter un utilisateur" not in english
