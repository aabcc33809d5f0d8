"""The audit log: logins (and failed ones), logouts and token revocations are recorded with
the work they record; administrators read it newest first, filtered, 50 events a page."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from builders import PASSWORD, a_user, csrf_token_from
from sqlalchemy import func, select

from feedback import locale_format
from surveys import audit
from surveys.api_tokens import issue_token
from surveys.models import AuditEvent, User, utcnow

FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9"}


def events(session, action: str | None = None) -> list[AuditEvent]:
    session.expire_all()
    query = select(AuditEvent).order_by(AuditEvent.id)
    if action:
        query = query.where(AuditEvent.action == action)
    return list(session.scalars(query))


@pytest.fixture
def admin(auth, db_session):
    auth.login("admin@example.com", "admin")
    return db_session.scalar(select(User).where(User.email == "admin@example.com"))


def rows_of(page: str) -> list[str]:
    body = page.split("<tbody>", 1)[1] if "<tbody>" in page else ""
    return re.findall(r"<tr>(.*?)</tr>", body, re.S)


def old_events(session, count: int, start=None) -> list[AuditEvent]:
    """`count` events a minute apart, the newest first written (ids do not follow time)."""
    start = start or utcnow() - timedelta(days=1)
    made = []
    for i in range(count):
        event = audit.record(
            session, "logout", target=f"event-{i:03}@example.com", details={"n": i}
        )
        event.at = start - timedelta(minutes=i)
        made.append(event)
    session.commit()
    return made


# --- what is recorded ----------------------------------------------------------------------


def test_a_login_is_recorded_with_who_and_from_where(client, auth, db_session):
    auth.login("res@example.com", "researcher")
    [event] = events(db_session, "login")
    user = db_session.scalar(select(User).where(User.email == "res@example.com"))
    assert (event.actor_id, event.actor_email) == (user.id, "res@example.com")
    assert event.address == "127.0.0.1"
    assert event.at is not None


@pytest.mark.parametrize("email", ["res@example.com", "nobody@example.com"])
def test_a_failed_login_is_recorded_with_the_email_tried_and_never_the_password(
    client, auth, forms, db_session, email
):
    auth.create_user("res@example.com", "researcher")
    wrong = "Tr0ub4dor&3-wrong"
    response = forms.post("/login", {"email": f" {email.upper()} ", "password": wrong})
    assert response.status_code == 401
    [event] = events(db_session, "login_failed")
    assert event.actor_id is None and event.actor_email == ""
    assert event.details == {"email": email.upper()}
    assert event.target == email.upper()
    stored = json.dumps([event.details, event.target, event.actor_email, event.address])
    assert wrong not in stored and PASSWORD not in stored
    assert events(db_session, "login") == []


def test_a_deactivated_account_s_login_is_a_failed_login(client, auth, forms, db_session):
    user = auth.create_user("gone@example.com", "researcher")
    user.active = False
    db_session.commit()
    response = forms.post("/login", {"email": "gone@example.com", "password": PASSWORD})
    assert response.status_code == 401
    assert [e.details["email"] for e in events(db_session, "login_failed")] == ["gone@example.com"]


def test_a_malformed_login_form_records_nothing(client, forms, db_session):
    assert forms.post("/login", {"email": "my password", "password": "x"}).status_code == 400
    assert events(db_session) == []


def test_a_logout_is_recorded(client, auth, db_session):
    auth.login("res@example.com", "researcher")
    auth.logout()
    [event] = events(db_session, "logout")
    assert event.actor_email == "res@example.com"


def test_a_user_revoking_their_own_token_is_recorded_once(client, auth, forms, db_session):
    auth.login("res@example.com", "researcher")
    user = db_session.scalar(select(User).where(User.email == "res@example.com"))
    token, _raw = issue_token(db_session, user, ["reports:read"], "Shop")
    url = f"/account/tokens/{token.id}/revoke"
    assert forms.post(url, page_url="/account/tokens").status_code == 302
    assert forms.post(url, page_url="/account/tokens").status_code == 302  # already revoked
    [event] = events(db_session, "token_revoked")
    assert (event.actor_email, event.target) == ("res@example.com", "res@example.com")
    assert event.details == {"token": token.prefix, "name": "Shop"}


def test_an_event_commits_with_its_work_only(app, db_session):
    """`record` adds to the caller's transaction: rolled back work leaves no event."""
    user = a_user(db_session, "res@example.com", "researcher")
    user.role = "cx_lead"
    audit.record(db_session, "role_changed", target=user.email, details={"to": "cx_lead"})
    db_session.rollback()
    assert events(db_session) == []
    assert db_session.get(User, user.id).role == "researcher"


# --- the page ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["researcher", "cx_lead"])
def test_only_admins_read_the_audit_log(client, auth, role):
    auth.login(f"{role}@example.com", role)
    assert client.get("/admin/audit").status_code == 403


def test_anonymous_visitors_are_sent_to_the_login(client):
    response = client.get("/admin/audit")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_newest_first_with_who_what_about_whom_and_readable_details(
    app, client, forms, admin, db_session
):
    researcher = a_user(db_session, "res@example.com", "researcher")
    url = f"/admin/users/{researcher.id}"
    forms.post(f"{url}/role", {"role": "cx_lead"}, page_url=url)
    elsewhere = app.test_client()  # someone else, not logged in
    token = csrf_token_from(elsewhere.get("/login").get_data(as_text=True))
    data = {"csrf_token": token, "email": "ghost@example.com", "password": "whatever it is"}
    assert elsewhere.post("/login", data=data).status_code == 401
    page = client.get("/admin/audit").get_data(as_text=True)
    rows = rows_of(page)
    assert len(rows) == 3
    assert "Failed login" in rows[0] and "Email tried: ghost@example.com" in rows[0]
    assert "Role changed" in rows[1] and "From researcher to CX lead." in rows[1]
    assert "admin@example.com" in rows[1] and "res@example.com" in rows[1]
    assert "Login" in rows[2] and "<code>127.0.0.1</code>" in rows[2]
    [changed] = events(db_session, "role_changed")
    assert locale_format.moment(changed.at, "en") in rows[1]


def test_details_written_by_other_pages_are_shown_escaped(client, admin, db_session):
    details = {"format": "csv", "note": "<script>x</script>", "ids": [1, 2]}
    audit.record(db_session, "export", target="<b>journey</b>", details=details)
    db_session.commit()
    page = client.get("/admin/audit?action=export").get_data(as_text=True)
    [row] = rows_of(page)
    assert "Data export" in row and "&lt;b&gt;journey&lt;/b&gt;" in row
    assert "<code>note</code>: &lt;script&gt;x&lt;/script&gt;" in row
    assert "<code>ids</code>: 1, 2" in row and "<script>" not in page


def test_filter_by_action_and_by_actor_email(client, auth, admin, db_session):
    a_user(db_session, "res@example.com", "researcher")
    old_events(db_session, 3)
    audit.record(db_session, "login", actor=db_session.scalar(
        select(User).where(User.email == "res@example.com")))  # fmt: skip
    db_session.commit()

    logins = rows_of(client.get("/admin/audit?action=login").get_data(as_text=True))
    assert len(logins) == 2 and all("Login" in row for row in logins)
    theirs = rows_of(client.get("/admin/audit?actor=RES@").get_data(as_text=True))
    assert len(theirs) == 1 and "res@example.com" in theirs[0]
    both = client.get("/admin/audit?action=logout&actor=res").get_data(as_text=True)
    assert rows_of(both) == [] and "No event matches these filters." in both
    about = rows_of(client.get("/admin/audit?target=event-001").get_data(as_text=True))
    assert len(about) == 1 and "event-001@example.com" in about[0]
    # LIKE's wildcards are taken literally
    assert rows_of(client.get("/admin/audit?actor=%25").get_data(as_text=True)) == []


@pytest.mark.parametrize(
    "query", ["action=drop_table", "actor=" + "x" * 300, "before=abc", "before=-1"]
)
def test_bad_filters_get_400_with_the_reason(client, admin, query):
    response = client.get(f"/admin/audit?{query}")
    assert response.status_code == 400
    if query.startswith("action"):
        assert "Choose an action in the list." in response.get_data(as_text=True)


def test_fifty_events_a_page_then_the_older_ones_with_no_gap_or_repeat(client, admin, db_session):
    made = old_events(db_session, 120)  # plus the admin's login: 121 events
    first = client.get("/admin/audit?action=logout").get_data(as_text=True)
    seen = []
    page, pages = first, 0
    while True:
        pages += 1
        rows = rows_of(page)
        assert len(rows) <= 50
        seen += [re.search(r"event-\d{3}@example\.com", row).group(0) for row in rows]
        older = re.search(r'href="(/admin/audit\?[^"]*before=\d+[^"]*)">Older events', page)
        if not older:
            break
        assert "action=logout" in older.group(1)  # the filters stay on the next page
        page = client.get(older.group(1).replace("&amp;", "&")).get_data(as_text=True)
        assert "Newest events" in page
    assert pages == 3
    assert seen == [e.target for e in sorted(made, key=lambda e: e.at, reverse=True)]
    assert "Newest events" not in first


def test_an_unknown_page_start_is_404(client, admin):
    assert client.get("/admin/audit?before=999999").status_code == 404


def test_the_audit_log_speaks_french(client, forms, admin, db_session):
    researcher = a_user(db_session, "res@example.com", "researcher")
    url = f"/admin/users/{researcher.id}"
    forms.post(f"{url}/role", {"role": "cx_lead"}, page_url=url)
    page = client.get("/admin/audit", headers=FRENCH).get_data(as_text=True)
    assert "Journal d'audit" in page or "Journal d&#39;audit" in page
    assert "Rôle modifié" in page and "De chargé d" in page and "responsable CX" in page
    assert "Connexion" in page
    [changed] = events(db_session, "role_changed")
    assert locale_format.moment(changed.at, "fr") in page
    assert locale_format.moment(changed.at, "fr") != locale_format.moment(changed.at, "en")
    assert "Role changed" not in page
    bad = client.get("/admin/audit?action=nope", headers=FRENCH).get_data(as_text=True)
    assert "Choisissez une action dans la liste." in bad
    english = client.get("/admin/audit").get_data(as_text=True)
    assert "Role changed" in english and "Rôle modifié" not in english


def test_the_log_keeps_its_count_when_only_read(client, admin, db_session):
    before = db_session.scalar(select(func.count()).select_from(AuditEvent))
    client.get("/admin/audit")
    client.get("/admin/users")
    assert db_session.scalar(select(func.count()).select_from(AuditEvent)) == before
