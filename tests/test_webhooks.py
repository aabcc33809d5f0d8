"""Webhooks: events recorded with their change, delivered signed to a real HTTP receiver.

The receiver (`sink`) is an http.server on 127.0.0.1 in a thread of the test; the app lists
127.0.0.1 in WEBHOOK_ALLOWED_HOSTS so that it may call it. TESTING apps deliver right after
the commit (WEBHOOK_DELIVERY "inline"), so every test sees the result at once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from api_helpers import api_error
from builders import (
    a_live_questionnaire,
    a_user,
    an_app,
    answer_as_a_new_customer,
    csrf_token_from,
    submission_key,
)
from sqlalchemy import func, select, update

from surveys.api_tokens import issue_token
from surveys.models import AuditEvent, Response, Webhook, WebhookAttempt, WebhookDelivery, utcnow
from surveys.webhooks import delivery as webhook_delivery
from surveys.webhooks import events as webhook_events
from surveys.webhooks import guard

SECRET = "s3cret-of-the-shop-0123456789"


class Sink:
    """A webhook receiver: answers each POST with the next of `statuses` (200 when none is
    left) and keeps what it received."""

    def __init__(self):
        self.received: list[dict] = []
        self.statuses: list[int] = []
        self.headers_to_send: dict[str, str] = {}
        self.delay = 0.0
        self.lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802  (http.server's name)
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with sink.lock:
                    sink.received.append(
                        {"path": self.path, "headers": dict(self.headers), "raw": raw}
                    )
                    status = sink.statuses.pop(0) if sink.statuses else 200
                time.sleep(sink.delay)
                self.send_response(status)
                for name, value in sink.headers_to_send.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks/parcours"

    def bodies(self) -> list[dict]:
        return [json.loads(r["raw"]) for r in self.received]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def sink():
    receiver = Sink()
    yield receiver
    receiver.close()


@pytest.fixture
def app(database_url):
    with an_app(database_url, WEBHOOK_ALLOWED_HOSTS="127.0.0.1") as app:
        yield app


def a_webhook(session, url: str, events=("response.completed",), active=True) -> Webhook:
    webhook = Webhook(url=url, events=list(events), secret=SECRET, active=active)
    session.add(webhook)
    session.commit()
    return webhook


def deliveries(session) -> list[WebhookDelivery]:
    session.expire_all()
    return list(session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def attempts_of(session, delivery) -> list[int | None]:
    return list(
        session.scalars(
            select(WebhookAttempt.status_code)
            .where(WebhookAttempt.delivery_id == delivery.id)
            .order_by(WebhookAttempt.id)
        )
    )


def make_due(session) -> None:
    """Bring every scheduled retry to now, as time passing would."""
    session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.status == "pending")
        .values(next_attempt_at=utcnow() - timedelta(1))
    )
    session.commit()


# --- a customer's answer, delivered --------------------------------------------------------


def test_a_completed_response_is_delivered_once_signed_with_its_data(app, db_session, sink):
    questionnaire = a_live_questionnaire(db_session, "csat")
    a_webhook(db_session, sink.url, events=("response.completed", "pain_point.updated"))
    answered = answer_as_a_new_customer(
        app, questionnaire, {"q_csat": "2", "q_why": "Late again."}, lang="en"
    )
    assert answered.status_code == 303
    assert len(sink.received) == 1
    request = sink.received[0]
    assert request["path"] == "/hooks/parcours"
    headers = {name.lower(): value for name, value in request["headers"].items()}
    assert headers["content-type"] == "application/json"
    expected = hmac.new(SECRET.encode(), request["raw"], hashlib.sha256).hexdigest()
    assert headers["x-parcours-signature"] == "sha256=" + expected
    wrong = hmac.new(b"another secret", request["raw"], hashlib.sha256).hexdigest()
    assert headers["x-parcours-signature"] != "sha256=" + wrong
    body = json.loads(request["raw"])
    assert set(body) == {"id", "event", "created_at", "data"}
    assert body["event"] == "response.completed" == headers["x-parcours-event"]
    assert len(body["id"]) == 32 and body["id"] == headers["x-parcours-event-id"]
    response = db_session.scalar(select(Response))
    data = body["data"]
    assert data["id"] == response.id and data["questionnaire_id"] == questionnaire.id
    assert data["journey_id"] == questionnaire.journey_id and data["stage_key"] == "purchase"
    assert data["touchpoint_key"] is None and data["status"] == "complete"
    assert data["language"] == "en" and data["submitted_at"].startswith("20")
    assert data["answers"] == {"csat": 2, "why": "Late again."}
    assert "metadata" in data and "customer_ref" in data
    (delivery,) = deliveries(db_session)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)
    # Delivered: no sweep sends it again.
    make_due(db_session)
    with app.app_context():
        assert webhook_delivery.deliver(delivery.id) is None
        assert webhook_delivery.deliver_due() == 0
    assert len(sink.received) == 1


def test_an_anonymous_questionnaire_sends_no_customer_data(app, db_session, sink):
    questionnaire = a_live_questionnaire(db_session, "csat")
    questionnaire.anonymous = True
    db_session.commit()
    a_webhook(db_session, sink.url)
    answer_as_a_new_customer(app, questionnaire, {"q_csat": "5"}, order="A-1")
    (body,) = sink.bodies()
    assert "customer_ref" not in body["data"] and "metadata" not in body["data"]


def test_only_active_webhooks_listening_to_the_event_get_it(app, db_session, sink):
    questionnaire = a_live_questionnaire(db_session, "csat")
    a_webhook(db_session, sink.url, events=("response.partial",))
    a_webhook(db_session, sink.url, active=False)
    answer_as_a_new_customer(app, questionnaire, {"q_csat": "4"})
    assert sink.received == [] and deliveries(db_session) == []


def test_a_replayed_form_or_api_call_makes_no_second_event(app, client, forms, db_session, sink):
    questionnaire = a_live_questionnaire(db_session, "csat")
    a_webhook(db_session, sink.url)
    url = f"/s/{questionnaire.slug}"
    data = {"q_csat": "5", "submission_key": submission_key()}
    token = forms.token(url)
    client.post(url, data={**data, "csrf_token": token})
    client.delete_cookie("session")
    forms.post(url, data)  # the same rendered form, sent again
    assert len(sink.received) == 1
    # The API: the same Idempotency-Key and body again.
    user = a_user(db_session, "crm@example.com", "researcher")
    _token, raw = issue_token(db_session, user, ["responses:write"], "CRM")
    headers = {"Authorization": f"Bearer {raw}", "Idempotency-Key": "order-77"}
    body = {"language": "en", "answers": {"csat": 3}}
    api_url = f"/api/v1/questionnaires/{questionnaire.id}/responses"
    first = client.post(api_url, json=body, headers=headers)
    again = client.post(api_url, json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json["id"] == again.json["id"]
    assert len(sink.received) == 2
    assert len({b["id"] for b in sink.bodies()}) == 2
    assert len(deliveries(db_session)) == 2


def test_a_rolled_back_change_sends_nothing(app, db_session, sink):
    hook = a_webhook(db_session, sink.url, events=("pain_point.updated",))
    with app.app_context():
        webhook_events.record(db_session, "pain_point.updated", {"id": 1})
        db_session.rollback()
    assert sink.received == []
    assert db_session.scalar(select(func.count(WebhookDelivery.id))) == 0
    with app.app_context():
        webhook_events.record(db_session, "pain_point.updated", {"id": 1})
        db_session.commit()
    assert [b["data"] for b in sink.bodies()] == [{"id": 1}]
    assert deliveries(db_session)[0].webhook_id == hook.id


def test_an_unknown_event_is_a_programming_error(app, db_session):
    with pytest.raises(ValueError):
        webhook_events.record(db_session, "response.deleted", {})


# --- failures, retries, once only ----------------------------------------------------------


def test_a_failing_receiver_is_tried_again_later_and_gets_it_once(app, db_session, sink):
    questionnaire = a_live_questionnaire(db_session, "csat")
    a_webhook(db_session, sink.url)
    sink.statuses = [500]
    answer_as_a_new_customer(app, questionnaire, {"q_csat": "3"})
    (delivery,) = deliveries(db_session)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    assert delivery.last_error == "HTTP 500"
    wait = delivery.next_attempt_at.replace(tzinfo=None) - utcnow().replace(tzinfo=None)
    assert timedelta(seconds=20) < wait <= timedelta(seconds=30)
    with app.app_context():
        assert webhook_delivery.deliver_due() == 0  # not due yet: nothing sent
    assert len(sink.received) == 1
    make_due(db_session)
    with app.app_context():
        assert webhook_delivery.deliver_due() == 1
    (delivery,) = deliveries(db_session)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 2, 200)
    assert attempts_of(db_session, delivery) == [500, 200]
    first, second = sink.bodies()
    assert first == second  # the same event, the same bytes
    assert sink.received[0]["raw"] == sink.received[1]["raw"]
    make_due(db_session)
    with app.app_context():
        assert webhook_delivery.deliver_due() == 0
    assert len(sink.received) == 2


def test_it_gives_up_after_the_last_attempt(app, db_session, sink):
    hook = a_webhook(db_session, sink.url, events=("pain_point.updated",))
    sink.statuses = [503] * webhook_delivery.MAX_ATTEMPTS
    with app.app_context():
        webhook_events.record(db_session, "pain_point.updated", {"id": 7})
        db_session.commit()
        for _ in range(webhook_delivery.MAX_ATTEMPTS + 2):
            make_due(db_session)
            webhook_delivery.deliver_due()
    (delivery,) = deliveries(db_session)
    assert delivery.webhook_id == hook.id
    assert (delivery.status, delivery.attempts) == ("failed", webhook_delivery.MAX_ATTEMPTS)
    assert delivery.next_attempt_at is None
    assert len(sink.received) == webhook_delivery.MAX_ATTEMPTS


def test_two_senders_at_once_send_once(app, db_session, sink):
    a_webhook(db_session, sink.url, events=("pain_point.updated",))
    app.config["WEBHOOK_DELIVERY"] = "thread"  # recorded here, sent by the two below
    events_thread = webhook_events._background
    webhook_events._background = lambda app: _Nowhere()
    try:
        with app.app_context():
            webhook_events.record(db_session, "pain_point.updated", {"id": 3})
            db_session.commit()
    finally:
        webhook_events._background = events_thread
    (delivery,) = deliveries(db_session)
    assert delivery.status == "pending"
    barrier = threading.Barrier(4)
    results = []

    def send():
        barrier.wait()
        with app.app_context():
            results.append(webhook_delivery.deliver(delivery.id))

    senders = [threading.Thread(target=send) for _ in range(4)]
    for thread in senders:
        thread.start()
    for thread in senders:
        thread.join(timeout=30)
    assert results.count("delivered") == 1 and results.count(None) == 3
    assert len(sink.received) == 1


class _Nowhere:
    def put(self, ids):
        pass


def test_a_claim_left_by_a_dead_sender_is_taken_again_after_its_lease(app, db_session, sink):
    a_webhook(db_session, sink.url, events=("pain_point.updated",))
    with app.app_context():
        webhook_events.record(db_session, "pain_point.updated", {"id": 3})
        db_session.flush()
        # The process died mid-send: claimed, never finished.
        db_session.execute(update(WebhookDelivery).values(status="delivering", attempts=1))
        db_session.info.pop(webhook_events.PENDING_KEY)
        db_session.execute(update(WebhookDelivery).values(claimed_until=utcnow() + timedelta(1)))
        db_session.commit()
        assert webhook_delivery.deliver_due() == 0  # the lease still runs
        db_session.execute(
            update(WebhookDelivery).values(claimed_until=utcnow() - timedelta(seconds=1))
        )
        db_session.commit()
        assert webhook_delivery.deliver_due() == 1
    (delivery,) = deliveries(db_session)
    assert (delivery.status, delivery.attempts) == ("delivered", 2)


# --- where webhooks may not go -------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://127.1.2.3:8080/hook",
        "http://10.0.0.5/hook",
        "http://172.16.0.1/hook",
        "http://192.168.1.10/hook",
        "http://100.64.0.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[fd00:ec2::254]/hook",
        "http://[fc00::1]/hook",
        "http://[fe80::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://[64:ff9b::a00:1]/hook",
        "http://0.0.0.0/hook",
        "http://224.0.0.1/hook",
        "http://240.0.0.1/hook",
        "http://localhost:5000/hook",
        "http://LOCALHOST./hook",
    ],
)
def test_inner_addresses_are_refused(url):
    with pytest.raises(guard.UrlRefused):
        guard.check_registration(url, set())
    with pytest.raises(guard.UrlRefused):
        guard.target(url, set())


@pytest.mark.parametrize(
    "url",
    ["ftp://example.com/x", "file:///etc/passwd", "https://user:pw@example.com/", "https://", ""],
)
def test_only_plain_http_and_https_urls(url):
    with pytest.raises(guard.UrlRefused):
        guard.check_registration(url, set())


def test_public_addresses_and_allowed_hosts_pass():
    assert guard.check_registration("https://93.184.216.34/hook", set())
    target = guard.target("https://93.184.216.34:8443/in?x=1", set())
    assert (target.address, target.port, target.path) == ("93.184.216.34", 8443, "/in?x=1")
    allowed = guard.allowed_hosts(" 127.0.0.1 , Hooks.Internal,[::1]")
    assert allowed == {"127.0.0.1", "hooks.internal", "::1"}
    assert guard.target("http://127.0.0.1:9/x", allowed).address == "127.0.0.1"
    assert guard.target("http://[::1]:9/x", allowed).address == "::1"
    # A name that does not resolve may be registered; its delivery fails until it does.
    assert guard.check_registration("https://hooks.example.invalid/x", set())
    with pytest.raises(guard.UrlRefused, match="does not resolve"):
        guard.target("https://hooks.example.invalid/x", set())


def test_a_delivery_to_a_refused_address_is_a_failed_attempt(app, db_session, sink):
    """The address is checked again when sending: what was allowed then refused is not sent."""
    a_webhook(db_session, sink.url.replace("127.0.0.1", "localhost"), ("pain_point.updated",))
    with app.app_context():
        webhook_events.record(db_session, "pain_point.updated", {"id": 1})
        db_session.commit()
    (delivery,) = deliveries(db_session)
    assert delivery.status == "pending" and delivery.last_status_code is None
    assert "localhost" in delivery.last_error and "WEBHOOK_ALLOWED_HOSTS" in delivery.last_error
    assert sink.received == []


def test_a_redirect_is_a_failed_attempt_not_followed(app, db_session, sink):
    a_webhook(db_session, sink.url, events=("pain_point.updated",))
    sink.statuses = [302]
    sink.headers_to_send = {"Location": "http://169.254.169.254/latest/meta-data/"}
    with app.app_context():
        webhook_events.record(db_session, "pain_point.updated", {"id": 1})
        db_session.commit()
    (delivery,) = deliveries(db_session)
    assert (delivery.status, delivery.last_status_code) == ("pending", 302)
    assert delivery.last_error == "redirects are not followed"
    assert len(sink.received) == 1


def test_a_disabled_webhook_sends_nothing_more(app, db_session, sink):
    hook = a_webhook(db_session, sink.url, events=("pain_point.updated",))
    sink.statuses = [500]
    with app.app_context():
        webhook_events.record(db_session, "pain_point.updated", {"id": 1})
        db_session.commit()
        hook.active = False
        db_session.commit()
        make_due(db_session)
        webhook_delivery.deliver_due()
    (delivery,) = deliveries(db_session)
    assert (delivery.status, delivery.last_error) == ("failed", "the webhook is disabled")
    assert len(sink.received) == 1


# --- the API -------------------------------------------------------------------------------


@pytest.fixture
def admin_token(db_session) -> dict[str, str]:
    admin = a_user(db_session, "admin@example.com", "admin")
    _token, raw = issue_token(db_session, admin, ["webhooks:write"], "hooks")
    return {"Authorization": f"Bearer {raw}"}


def test_the_api_registers_lists_and_deletes_webhooks(client, db_session, admin_token, sink):
    body = {"url": sink.url, "events": ["response.completed", "case.opened"], "secret": SECRET}
    created = client.post("/api/v1/webhooks", json=body, headers=admin_token)
    assert created.status_code == 201, created.json
    webhook_id = created.json["id"]
    assert "secret" not in created.json
    listed = client.get("/api/v1/webhooks", headers=admin_token)
    assert listed.status_code == 200
    (item,) = listed.json["items"]
    assert item["id"] == webhook_id and item["url"] == sink.url and "secret" not in item
    assert item["events"] == ["response.completed", "case.opened"] and item["active"] is True
    assert SECRET not in listed.get_data(as_text=True)
    assert db_session.get(Webhook, webhook_id).secret == SECRET  # kept to sign with
    gone = client.delete(f"/api/v1/webhooks/{webhook_id}", headers=admin_token)
    assert gone.status_code == 204 and gone.data == b""
    assert client.get("/api/v1/webhooks", headers=admin_token).json["items"] == []
    api_error(client.delete(f"/api/v1/webhooks/{webhook_id}", headers=admin_token), 404)
    actions = db_session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["webhook_created", "webhook_deleted"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "http://10.1.2.3/hook"}, "url"),
        ({"url": "http://169.254.169.254/"}, "url"),
        ({"url": "http://[::1]:8080/"}, "url"),
        ({"url": "http://localhost/"}, "url"),
        ({"url": "ftp://example.com/"}, "url"),
        ({"events": []}, "events"),
        ({"events": ["response.deleted"]}, "events[0]"),
        ({"secret": "short"}, "secret"),
        ({"secret": "x" * 201}, "secret"),
        ({"secret": None}, "secret"),
    ],
)
def test_the_api_refuses_bad_webhooks_with_422(client, db_session, admin_token, body, field):
    good = {"url": "https://93.184.216.34/hook", "events": ["response.completed"]}
    good["secret"] = SECRET
    reply = client.post("/api/v1/webhooks", json={**good, **body}, headers=admin_token)
    error = api_error(reply, 422, "validation_error")
    assert field in error["fields"], error
    if field == "secret" and body["secret"] is not None:
        assert "16 to 200 characters" in error["fields"]["secret"]
    if field == "url" and body["url"].startswith("http://"):
        assert "public addresses" in error["fields"]["url"]
    assert db_session.scalar(select(func.count(Webhook.id))) == 0


def test_the_api_needs_a_token_with_the_webhooks_scope(client, db_session):
    body = {"url": "https://93.184.216.34/hook", "events": ["case.opened"], "secret": SECRET}
    api_error(client.post("/api/v1/webhooks", json=body), 401, "unauthorized")
    api_error(client.get("/api/v1/webhooks"), 401)
    admin = a_user(db_session, "admin@example.com", "admin")
    _token, raw = issue_token(db_session, admin, ["reports:read"], "reports")
    headers = {"Authorization": f"Bearer {raw}"}
    api_error(client.post("/api/v1/webhooks", json=body, headers=headers), 403)
    api_error(client.get("/api/v1/webhooks", headers=headers), 403)
    api_error(client.delete("/api/v1/webhooks/1", headers=headers), 403)
    assert db_session.scalar(select(func.count(Webhook.id))) == 0


# --- the admin pages -----------------------------------------------------------------------


def test_an_admin_adds_a_webhook_tests_it_and_reads_the_log(client, forms, auth, db_session, sink):
    auth.login("admin@example.com", "admin")
    page = client.get("/admin/webhooks/new")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'name="secret"' in html and "response.completed" in html
    added = forms.post(
        "/admin/webhooks/new",
        {"url": sink.url, "events": ["response.completed", "pain_point.updated"], "secret": SECRET},
    )
    assert added.status_code == 302
    hook = db_session.scalar(select(Webhook))
    assert added.headers["Location"].endswith(f"/admin/webhooks/{hook.id}")
    assert hook.events == ["response.completed", "pain_point.updated"] and hook.secret == SECRET
    listing = client.get("/admin/webhooks").get_data(as_text=True)
    assert sink.url in listing and SECRET not in listing
    detail = client.get(f"/admin/webhooks/{hook.id}").get_data(as_text=True)
    assert SECRET not in detail and "Nothing sent yet." in detail
    tested = forms.post(f"/admin/webhooks/{hook.id}/test", page_url=f"/admin/webhooks/{hook.id}")
    assert tested.status_code == 302
    (body,) = sink.bodies()
    assert body["event"] == "webhook.test" and body["data"]["webhook_id"] == hook.id
    log = client.get(f"/admin/webhooks/{hook.id}").get_data(as_text=True)
    assert "webhook.test" in log and body["id"] in log and "delivered" in log
    assert ">200<" in log
    # Disabled, enabled, deleted; each in the audit log.
    hook_id = hook.id
    page_url = f"/admin/webhooks/{hook_id}"
    forms.post(f"/admin/webhooks/{hook_id}/active", {"active": "0"}, page_url=page_url)
    db_session.expire_all()
    assert db_session.get(Webhook, hook_id).active is False
    forms.post(f"/admin/webhooks/{hook_id}/active", {"active": "1"}, page_url=page_url)
    db_session.expire_all()
    assert db_session.get(Webhook, hook_id).active is True
    deleted = forms.post(f"/admin/webhooks/{hook_id}/delete", page_url=page_url)
    assert deleted.status_code == 302
    db_session.expire_all()
    assert db_session.get(Webhook, hook_id) is None
    assert db_session.scalar(select(func.count(WebhookDelivery.id))) == 0
    actions = db_session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("webhook%")).order_by(AuditEvent.id)
    ).all()
    assert actions == [
        "webhook_created",
        "webhook_tested",
        "webhook_disabled",
        "webhook_enabled",
        "webhook_deleted",
    ]


def test_a_failed_test_event_shows_its_status_code(client, forms, auth, db_session, sink):
    auth.login("admin@example.com", "admin")
    hook = a_webhook(db_session, sink.url)
    sink.statuses = [502]
    forms.post(f"/admin/webhooks/{hook.id}/test", page_url=f"/admin/webhooks/{hook.id}")
    log = client.get(f"/admin/webhooks/{hook.id}").get_data(as_text=True)
    assert ">502<" in log and "HTTP 502" in log and "waiting" in log


@pytest.mark.parametrize(
    ("fields", "field_message"),
    [
        ({"url": "http://10.0.0.7/in"}, "public addresses"),
        ({"url": "http://localhost/in"}, "public addresses"),
        ({"url": "gopher://example.com/"}, "https://"),
        ({"events": []}, "Choose at least one of the events"),
        ({"secret": "too-short"}, "16 to 200 characters"),
    ],
)
def test_a_bad_webhook_form_keeps_what_was_typed(
    client, forms, auth, db_session, fields, field_message
):
    auth.login("admin@example.com", "admin")
    data = {"url": "https://93.184.216.34/in", "events": ["case.opened"], "secret": SECRET}
    data.update(fields)
    refused = forms.post("/admin/webhooks/new", data)
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert field_message in html
    assert f'value="{data["url"]}"' in html and f'value="{data["secret"]}"' in html
    assert db_session.scalar(select(func.count(Webhook.id))) == 0


def test_the_form_needs_its_csrf_token(client, auth, db_session):
    auth.login("admin@example.com", "admin")
    data = {"url": "https://93.184.216.34/in", "events": ["case.opened"], "secret": SECRET}
    assert client.post("/admin/webhooks/new", data=data).status_code == 400
    assert db_session.scalar(select(func.count(Webhook.id))) == 0


@pytest.mark.parametrize("role", ["researcher", "cx_lead"])
def test_only_admins_manage_webhooks(client, forms, auth, db_session, role, sink):
    hook = a_webhook(db_session, sink.url)
    auth.login(f"{role}@example.com", role)
    assert client.get("/admin/webhooks").status_code == 403
    assert client.get(f"/admin/webhooks/{hook.id}").status_code == 403
    token = csrf_token_from(client.get("/home").get_data(as_text=True))
    for path in ("test", "delete", "active"):
        reply = client.post(f"/admin/webhooks/{hook.id}/{path}", data={"csrf_token": token})
        assert reply.status_code == 403, path
    db_session.expire_all()
    assert db_session.get(Webhook, hook.id).active and sink.received == []


def test_the_admin_menu_links_the_webhooks(client, auth):
    auth.login("admin@example.com", "admin")
    assert 'href="/admin/webhooks"' in client.get("/admin/users").get_data(as_text=True)


# --- pain points ---------------------------------------------------------------------------


def test_a_pain_point_follow_up_is_an_event(app, client, forms, auth, db_session, sink):
    questionnaire = a_live_questionnaire(db_session, "csat")
    a_webhook(db_session, sink.url, events=("pain_point.updated",))
    auth.login_as_cx_lead()
    journey = questionnaire.journey
    cell = {
        "journey_id": journey.id,
        "stage_id": questionnaire.stage_id,
        "touchpoint_id": "",
        "theme": "late_delivery",
    }
    page = f"/journeys/{journey.id}/pain-points"
    data = {**cell, "status": "in_progress", "owner": "Logistics", "note": "Carrier called"}
    saved = forms.post("/pain-points/follow-up", data, page_url=page)
    assert saved.status_code == 302
    (body,) = sink.bodies()
    assert body["event"] == "pain_point.updated"
    assert body["data"]["status"] == "in_progress" and body["data"]["owner"] == "Logistics"
    assert body["data"]["stage_key"] == "purchase" and body["data"]["theme"] == "late_delivery"
    forms.post("/pain-points/follow-up", data, page_url=page)  # nothing changed: no event
    assert len(sink.received) == 1
    forms.post("/pain-points/follow-up", {**data, "status": "resolved"}, page_url=page)
    assert [b["data"]["status"] for b in sink.bodies()] == ["in_progress", "resolved"]


# --- the command ---------------------------------------------------------------------------


def test_the_command_sends_what_is_due(app, db_session, runner, sink):
    a_webhook(db_session, sink.url, events=("pain_point.updated",))
    sink.statuses = [500]
    with app.app_context():
        webhook_events.record(db_session, "pain_point.updated", {"id": 1})
        db_session.commit()
    make_due(db_session)
    result = runner.invoke(args=["deliver-webhooks"])
    assert result.exit_code == 0, result.output
    assert "1 of 1 due webhook deliveries delivered." in result.output
    assert len(sink.received) == 2


def test_a_name_is_resolved_once_and_the_checked_address_is_the_one_called(
    app, db_session, sink, monkeypatch
):
    """Registered while its name pointed outside, then the DNS answer changed to an inner
    address: the delivery is refused. An allowed name reaches the address it resolved to,
    with its own Host header."""
    port = sink.server.server_address[1]
    answers = {"shop.example.com": "93.184.216.34", "hooks.test": "127.0.0.1"}
    lookups = []

    def getaddrinfo(host, port_, *args, **kwargs):
        if host in answers:
            lookups.append(host)
        return [(2, 1, 6, "", (answers.get(host, host), port_))]  # an IP stays itself

    monkeypatch.setattr(guard.socket, "getaddrinfo", getaddrinfo)
    assert guard.check_registration(f"http://shop.example.com:{port}/in", set())
    answers["shop.example.com"] = "127.0.0.1"  # the DNS rebinding
    app.config["WEBHOOK_ALLOWED_HOSTS"] = "hooks.test"
    a_webhook(db_session, f"http://shop.example.com:{port}/in", ("pain_point.updated",))
    a_webhook(db_session, f"http://hooks.test:{port}/in", ("pain_point.updated",))
    lookups.clear()
    with app.app_context():
        webhook_events.record(db_session, "pain_point.updated", {"id": 1})
        db_session.commit()
    refused, allowed = deliveries(db_session)
    assert refused.status == "pending" and "shop.example.com" in refused.last_error
    assert allowed.status == "delivered"
    (received,) = sink.received
    assert received["headers"]["Host"] == f"hooks.test:{port}"
    assert sorted(lookups) == ["hooks.test", "shop.example.com"]  # one lookup per attempt


def test_in_a_thread_the_customer_never_waits_for_the_receiver(app, db_session, sink):
    """Without Redis, a server sends from a background thread: a slow receiver does not slow
    the customer's answer down."""
    questionnaire = a_live_questionnaire(db_session, "csat")
    a_webhook(db_session, sink.url)
    app.config["WEBHOOK_DELIVERY"] = "thread"
    sink.delay = 1.0
    try:
        started = time.monotonic()
        answered = answer_as_a_new_customer(app, questionnaire, {"q_csat": "5"})
        assert answered.status_code == 303
        assert time.monotonic() - started < 0.9
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and deliveries(db_session)[0].status != "delivered":
            time.sleep(0.05)
    finally:
        webhook_events.stop_background(app)
    (delivery,) = deliveries(db_session)
    assert (delivery.status, delivery.attempts) == ("delivered", 1)
    assert len(sink.received) == 1
