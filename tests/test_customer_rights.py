"""A customer's rights over what Parcours keeps about them: an administrator finds everything
stored under their reference, downloads it as JSON, or erases it (page and command line)."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from builders import a_journey, a_live_questionnaire, an_invitation
from sqlalchemy import func, select
from test_privacy import a_response, map_total

from surveys import privacy, rollups
from surveys.models import (
    Answer,
    AnswerTheme,
    AuditEvent,
    Invitation,
    Response,
    TextAnalysis,
    utcnow,
)

FRENCH = "fr-FR,fr;q=0.9"
REF = "C-1042"
OTHER = "C-2077"


@pytest.fixture
def customers(db_session):
    """C-1042 answered two invitations and once through the API (customer_ref in the
    response's metadata), and has an invitation not answered yet; C-2077 answered once."""
    journey = a_journey(db_session)
    csat = a_live_questionnaire(db_session, "csat", "purchase", journey=journey)
    nps = a_live_questionnaire(db_session, "nps", "advocacy", journey=journey)
    first = an_invitation(
        db_session, csat, customer_ref=REF, email="ana@example.com", meta={"order_id": "A-1"}
    )
    second = an_invitation(db_session, nps, customer_ref=REF, meta={"channel": "store"})
    pending = an_invitation(db_session, csat, customer_ref=REF, email="ana@example.com")
    other = an_invitation(db_session, csat, customer_ref=OTHER, email="bo@example.com")
    mine = [
        a_response(db_session, csat, days_ago=3, invitation=first),
        a_response(db_session, nps, days_ago=1, language="fr", invitation=second),
        a_response(db_session, csat, days_ago=1.5, meta={"customer_ref": REF, "source": "crm"}),
    ]
    theirs = [
        a_response(db_session, csat, days_ago=2.5, invitation=other),
        a_response(db_session, nps, days_ago=5, meta={"customer_ref": OTHER}),
        a_response(db_session, nps, days_ago=5),  # anonymous
    ]
    return {
        "journey": journey,
        "mine": mine,
        "theirs": theirs,
        "invitations": [first, second, pending],
        "other_invitation": other,
    }


def in_app(app, service, *args):
    """A service that names the customer with the app's key, called as a command would."""
    with app.app_context():
        return service(*args)


def as_admin(auth):
    auth.login("admin@example.com", "admin")


def everything_mentioning(session, ref: str) -> list[str]:
    """Where `ref` can still be read in the database."""
    session.expire_all()
    found = []
    for invitation in session.scalars(select(Invitation)):
        if ref in (invitation.customer_ref, json.dumps(invitation.meta)):
            found.append(f"invitation {invitation.id}")
    for response in session.scalars(select(Response)):
        if ref in json.dumps(response.meta):
            found.append(f"response {response.id}")
    for event in session.scalars(select(AuditEvent)):
        if ref in event.target or ref in json.dumps(event.details):
            found.append(f"audit event {event.id}")
    return found


# --- the service -----------------------------------------------------------------------------


def test_the_data_of_a_customer_is_found_by_invitation_and_by_metadata(db_session, customers):
    data = privacy.customer_data(db_session, f"  {REF} ")
    assert [r.id for r in data.responses] == [r.id for r in customers["mine"]]
    assert [i.id for i in data.invitations] == [i.id for i in customers["invitations"]]
    assert data.counts() == {
        "invitations": 3,
        "responses": 3,
        "answers": 9,
        "text_analyses": 3,
        "themes": sum(len(rows) for rows in data.themes.values()),
    }
    assert data.counts()["themes"] > 0
    assert not privacy.customer_data(db_session, "C-104").found  # exact references only
    assert not privacy.customer_data(db_session, "").found


def test_the_export_holds_the_customer_s_answers_and_nothing_of_another(app, db_session, customers):
    document = in_app(app, privacy.export_customer, db_session, REF)
    db_session.commit()
    text = json.dumps(document)
    assert document["customer_ref"] == REF
    assert document["counts"]["responses"] == 3
    assert [r["id"] for r in document["responses"]] == [r.id for r in customers["mine"]]
    assert OTHER not in text and "bo@example.com" not in text
    assert {r.id for r in customers["theirs"]}.isdisjoint(r["id"] for r in document["responses"])
    first = document["responses"][0]
    assert first["metadata"]["order_id"] == "A-1"
    assert first["invitation_id"] == customers["invitations"][0].id
    why = next(a for a in first["answers"] if a["question"] == "why")
    assert why["text"] == "The parcel arrived late and the box was damaged."
    assert why["analysis"]["sentiment"] == "negative"
    assert why["themes"] and all(t["source"] == "auto" for t in why["themes"])
    score = next(a for a in first["answers"] if a["question"] == "csat")
    assert score["number"] == 2 and score["type"] == "csat" and score["prompt"]
    assert document["responses"][1]["language"] == "fr"
    assert document["responses"][2]["metadata"] == {"customer_ref": REF, "source": "crm"}
    invitation = document["invitations"][0]
    assert invitation["email"] == "ana@example.com"
    assert invitation["metadata"] == {"order_id": "A-1"}
    assert "token" not in invitation  # the link is a credential, not the customer's data
    # Dates are ISO 8601 with their UTC offset.
    for moment in (first["submitted_at"], invitation["created_at"], document["exported_at"]):
        assert datetime.fromisoformat(moment).utcoffset().total_seconds() == 0
    assert document["invitations"][2]["answered_at"] is None
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "customer_export"))
    assert event.target.startswith("customer ") and REF not in event.target
    assert event.details["responses"] == 3


def test_erasure_leaves_nothing_findable_by_the_reference(app, db_session, customers):
    journey = customers["journey"]
    total_before = map_total(db_session, journey)
    theirs = {r.id for r in customers["theirs"]}
    assert everything_mentioning(db_session, REF)

    counts = in_app(app, privacy.erase_customer, db_session, REF)
    db_session.commit()

    assert counts["responses"] == 3 and counts["invitations"] == 3 and counts["answers"] == 9
    assert everything_mentioning(db_session, REF) == []
    assert not privacy.customer_data(db_session, REF).found
    assert "ana@example.com" not in json.dumps(
        [(i.email, i.meta, i.send_error) for i in db_session.scalars(select(Invitation))]
    )
    # The other customers' responses and invitation are untouched.
    assert set(db_session.scalars(select(Response.id))) == theirs
    assert db_session.get(Invitation, customers["other_invitation"].id).customer_ref == OTHER
    mine = [r.id for r in customers["mine"]]
    assert not db_session.scalar(select(func.count(Answer.id)).where(Answer.response_id.in_(mine)))
    assert db_session.scalar(select(func.count(TextAnalysis.id))) == 3
    assert (
        db_session.scalar(
            select(func.count())
            .select_from(AnswerTheme)
            .join(Answer)
            .where(Answer.response_id.in_(mine))
        )
        == 0
    )
    # The invitations stay (rates), answered ones stay answered, the pending link is closed.
    first, second, pending = (db_session.get(Invitation, i.id) for i in customers["invitations"])
    assert first.used_at is not None and second.used_at is not None
    assert pending.used_at is None and pending.expires_at is not None
    # The map counts them no more and its rollups agree with the answers.
    assert rollups.differences(db_session) == []
    assert map_total(db_session, journey) == total_before - 3
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "erasure"))
    assert event.details["responses"] == 3
    assert event.target == privacy.customer_fingerprint(REF, "test-secret-key")  # the app's key
    # Erasing again finds nothing and breaks nothing.
    assert in_app(app, privacy.erase_customer, db_session, REF)["responses"] == 0
    db_session.commit()
    assert rollups.differences(db_session) == []


def test_an_erased_customer_s_pending_link_no_longer_opens(app, client, db_session, customers):
    pending = customers["invitations"][2]
    assert client.get(f"/s/{pending.questionnaire.slug}?t={pending.token}").status_code == 200
    in_app(app, privacy.erase_customer, db_session, REF)
    db_session.commit()
    assert client.get(f"/s/{pending.questionnaire.slug}?t={pending.token}").status_code == 410


def test_the_fingerprint_is_keyed():
    assert privacy.customer_fingerprint(REF, "a") != privacy.customer_fingerprint(REF, "b")
    assert privacy.customer_fingerprint(REF, "a") == privacy.customer_fingerprint(REF, b"a")
    assert REF not in privacy.customer_fingerprint(REF, "a")


# --- the administrators' page ------------------------------------------------------------------


def test_an_admin_looks_up_downloads_and_erases_a_customer(auth, forms, db_session, customers):
    as_admin(auth)
    client = forms.client
    assert client.get("/admin/customers").status_code == 200
    page = forms.post("/admin/customers", {"ref": REF})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"Customer {REF}" in html
    for line in (
        "3 invitations",
        "3 responses",
        "9 answers to questions",
        "3 text analyses",
    ):
        assert line in html, line

    download = forms.post("/admin/customers/export", {"ref": REF}, page_url="/admin/customers")
    assert download.status_code == 200
    assert download.mimetype == "application/json"
    assert download.headers["Content-Disposition"] == 'attachment; filename="customer-C-1042.json"'
    assert download.headers["Cache-Control"] == "no-store"
    document = json.loads(download.get_data(as_text=True))
    assert len(document["responses"]) == 3 and OTHER not in download.get_data(as_text=True)

    # The confirmation must repeat the reference: a wrong one erases nothing.
    wrong = forms.post(
        "/admin/customers/erase", {"ref": REF, "confirm": OTHER}, page_url="/admin/customers"
    )
    assert wrong.status_code == 422
    assert "This is not the same reference: nothing was erased." in wrong.get_data(as_text=True)
    assert privacy.customer_data(db_session, REF).counts()["responses"] == 3

    done = forms.post(
        "/admin/customers/erase", {"ref": REF, "confirm": f" {REF} "}, page_url="/admin/customers"
    )
    assert done.status_code == 303
    flashed = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "3 responses erased, with their answers, text analyses and themes." in flashed
    assert "3 invitations kept without the customer&#39;s reference, email or metadata." in flashed
    assert everything_mentioning(db_session, REF) == []
    assert rollups.differences(db_session) == []
    empty = forms.post("/admin/customers", {"ref": REF}).get_data(as_text=True)
    assert "Nothing is stored under this reference." in empty

    db_session.expire_all()
    actions = db_session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions.count("customer_export") == 1 and actions.count("erasure") == 1
    erasure = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "erasure"))
    assert erasure.actor_email == "admin@example.com"


def test_an_empty_reference_is_a_form_error(auth, forms, db_session):
    as_admin(auth)
    response = forms.post("/admin/customers", {"ref": "  "})
    assert response.status_code == 422
    assert "Enter a customer reference." in response.get_data(as_text=True)
    lost = forms.post("/admin/customers/erase", {"confirm": REF}, page_url="/admin/customers")
    assert lost.status_code == 303


@pytest.mark.parametrize("role", ["researcher", "cx_lead"])
def test_only_admins_reach_customers_data(auth, forms, db_session, customers, role):
    auth.login(f"{role}@example.com", role)
    assert forms.client.get("/admin/customers").status_code == 403
    token_page = "/tokens"
    for url, data in (
        ("/admin/customers", {"ref": REF}),
        ("/admin/customers/export", {"ref": REF}),
        ("/admin/customers/erase", {"ref": REF, "confirm": REF}),
    ):
        assert forms.post(url, data, page_url=token_page).status_code == 403
    assert privacy.customer_data(db_session, REF).counts()["responses"] == 3
    assert not db_session.scalar(
        select(func.count(AuditEvent.id)).where(AuditEvent.action != "login")
    )


def test_anonymous_visitors_are_sent_to_the_login(client):
    response = client.get("/admin/customers")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_customers_pages_speak_french(auth, forms, db_session, customers):
    as_admin(auth)
    page = forms.client.get("/admin/customers?lang=fr").get_data(as_text=True)
    assert "Données des clients" in page and "Rechercher" in page
    html = forms.post("/admin/customers", {"ref": REF}).get_data(as_text=True)
    assert f"Client {REF}" in html
    assert "9 réponses aux questions" in html and "3 analyses de texte" in html
    assert "Effacer les données de ce client" in html
    done = forms.post(
        "/admin/customers/erase", {"ref": REF, "confirm": REF}, page_url="/admin/customers"
    )
    flashed = forms.client.get(done.headers["Location"]).get_data(as_text=True)
    assert "3 réponses effacées" in flashed


# --- the command line ----------------------------------------------------------------------------


def test_customer_export_prints_json_or_writes_a_file(runner, db_session, customers, tmp_path):
    printed = runner.invoke(args=["customer-export", REF])
    assert printed.exit_code == 0, printed.output
    document = json.loads(printed.stdout)
    assert [r["id"] for r in document["responses"]] == [r.id for r in customers["mine"]]
    target = tmp_path / "c.json"
    written = runner.invoke(args=["customer-export", REF, "-o", str(target)])
    assert written.exit_code == 0
    assert json.loads(target.read_text(encoding="utf-8"))["counts"]["responses"] == 3
    db_session.expire_all()
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "customer_export"))
    assert [e.actor_id for e in events] == [None, None]


def test_customer_erase_asks_unless_yes(runner, db_session, customers):
    refused = runner.invoke(args=["customer-erase", REF], input="n\n")
    assert refused.exit_code != 0
    assert "Erase 3 responses and strip 3 invitations of customer C-1042?" in refused.output
    assert privacy.customer_data(db_session, REF).counts()["responses"] == 3
    done = runner.invoke(args=["customer-erase", REF, "--yes"])
    assert done.exit_code == 0, done.output
    assert "Erased 3 responses (9 answers); stripped 3 invitations." in done.output
    assert everything_mentioning(db_session, REF) == []
    assert rollups.differences(db_session) == []
    assert runner.invoke(args=["customer-erase", " ", "--yes"]).exit_code != 0


def test_purge_and_erasure_together_keep_the_rollups_right(app, db_session, customers):
    journey = customers["journey"]
    mine = customers["mine"]
    questionnaire = mine[0].questionnaire
    questionnaire.retention_days = 2  # the 3-day-old response of C-1042 and C-2077's go
    db_session.commit()
    before = map_total(db_session, journey)
    purged = privacy.purge(db_session, now=utcnow())
    assert purged == {questionnaire.id: 2}
    assert in_app(app, privacy.erase_customer, db_session, REF)["responses"] == 2
    db_session.commit()
    assert rollups.differences(db_session) == []
    assert map_total(db_session, journey) == before - 4
