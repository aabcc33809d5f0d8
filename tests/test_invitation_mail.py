"""Emailing invitations, through a real SMTP server on a loopback port (aiosmtpd)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from builders import REFUSED, a_live_questionnaire, an_invitation, free_port
from sqlalchemy import select

from surveys.config import settings_from_environment
from surveys.invitations.mail import send_invitations
from surveys.models import Invitation, utcnow


@pytest.fixture
def questionnaire(db_session):
    questionnaire = a_live_questionnaire(db_session, "csat", "purchase")
    questionnaire.title = {"en": "Your <purchase> & you", "fr": "Votre achat"}
    db_session.commit()
    return questionnaire


def parts(message):
    plain = message.get_body(("plain",)).get_content()
    rich = message.get_body(("html",)).get_content()
    return plain, rich


def test_each_invitation_is_emailed_in_its_language_with_text_and_html(
    app, smtp, db_session, questionnaire
):
    english = an_invitation(
        db_session,
        questionnaire,
        customer_ref="C-EN",
        email="anne@example.com",
        language="en",
        expires_in=timedelta(days=10),
    )
    french = an_invitation(db_session, questionnaire, customer_ref="C-FR", email="bob@example.com")
    with app.app_context():
        report = send_invitations(db_session, [english, french], app.config)
    assert (report.sent, report.failed, report.skipped) == (2, 0, 0)
    (to_en, en), (to_fr, fr) = smtp.messages
    assert to_en == ["anne@example.com"] and to_fr == ["bob@example.com"]

    assert en.get_content_type() == "multipart/alternative"
    assert en["Subject"] == "Your <purchase> & you: one minute of your time?"
    assert en["From"] == "Parcours <no-reply@localhost>" and en["Content-Language"] == "en"
    plain, rich = parts(en)
    link = f"http://parcours.test/s/{questionnaire.slug}?t={english.token}"
    assert link in plain and f'href="{link}"' in rich
    assert "“Your <purchase> & you”" in plain  # plain text is not escaped...
    assert "Your &lt;purchase&gt; &amp; you" in rich and "<purchase>" not in rich  # ...HTML is
    assert "It works until" in plain and "Answer the questionnaire" in rich

    assert fr["Subject"] == "Votre achat : une minute pour nous ?"  # no language: the first
    plain, rich = parts(fr)
    assert "Bonjour" in plain and "Répondre au questionnaire" in rich
    assert f"?t={french.token}" in plain and "valable jusqu" not in plain  # no expiry

    db_session.expire_all()
    for invitation in (english, french):
        stored = db_session.get(Invitation, invitation.id)
        assert stored.sent_at is not None and stored.send_error is None


def test_a_refused_address_is_recorded_and_the_others_are_still_sent(
    app, smtp, db_session, questionnaire
):
    refused = an_invitation(db_session, questionnaire, customer_ref="C-1", email=REFUSED)
    good = an_invitation(db_session, questionnaire, customer_ref="C-2", email="ok@example.com")
    with app.app_context():
        report = send_invitations(db_session, [refused, good], app.config)
    assert (report.sent, report.failed) == (1, 1)
    assert [to for to, _ in smtp.messages] == [["ok@example.com"]]
    db_session.expire_all()
    refused = db_session.get(Invitation, refused.id)
    assert refused.sent_at is None
    assert (
        refused.send_error == "Address refused by the mail server: 550 5.1.1 No such mailbox here"
    )
    assert db_session.get(Invitation, good.id).sent_at is not None


def test_invitations_without_address_answered_or_expired_are_skipped(
    app, smtp, db_session, questionnaire
):
    invitations = [
        an_invitation(db_session, questionnaire, customer_ref="none"),
        an_invitation(db_session, questionnaire, email="a@example.com", used_at=utcnow()),
        an_invitation(
            db_session, questionnaire, email="b@example.com", expires_in=timedelta(days=-1)
        ),
    ]
    with app.app_context():
        report = send_invitations(db_session, invitations, app.config)
    assert (report.sent, report.failed, report.skipped) == (0, 0, 3)
    assert smtp.messages == []


def test_an_unreachable_server_is_recorded_not_raised(app, db_session, questionnaire):
    invitation = an_invitation(db_session, questionnaire, email="a@example.com")
    config = {**app.config, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": free_port()}
    config["MAIL_PASSWORD"] = "s3cret-password"
    with app.app_context():
        report = send_invitations(db_session, [invitation], config)
    assert (report.sent, report.failed) == (0, 1)
    db_session.expire_all()
    stored = db_session.get(Invitation, invitation.id)
    assert stored.sent_at is None
    assert stored.send_error.startswith("Could not reach the mail server")
    assert "s3cret" not in stored.send_error


def test_the_page_emails_the_invitations_not_sent_yet(
    app, client, auth, forms, smtp, db_session, questionnaire
):
    waiting = an_invitation(db_session, questionnaire, customer_ref="C-1", email="a@example.com")
    an_invitation(db_session, questionnaire, customer_ref="C-2", email=REFUSED)
    an_invitation(
        db_session, questionnaire, customer_ref="C-3", email="c@example.com", sent_at=utcnow()
    )
    an_invitation(db_session, questionnaire, customer_ref="C-4")  # no address
    auth.login()
    url = f"/questionnaires/{questionnaire.id}/invitations"
    assert "Email the invitations not sent yet" in client.get(url).get_data(as_text=True)
    response = forms.post(url + "/email", page_url=url)
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Emailed 1 invitations; 1 failed (the list says why)." in page
    assert "550 5.1.1 No such mailbox here" in page
    assert [to for to, _ in smtp.messages] == [["a@example.com"]]
    db_session.expire_all()
    assert db_session.get(Invitation, waiting.id).sent_at is not None
    no_address = db_session.scalars(select(Invitation).where(Invitation.customer_ref == "C-4"))
    assert no_address.one().sent_at is None


def test_mail_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("MAIL_SERVER", "smtp.example.com")
    monkeypatch.setenv("MAIL_PORT", "587")
    monkeypatch.setenv("MAIL_USE_TLS", "True")
    monkeypatch.setenv("MAIL_FROM", "Shop <surveys@shop.example>")
    found = settings_from_environment()
    assert found["MAIL_SERVER"] == "smtp.example.com" and found["MAIL_PORT"] == 587
    assert found["MAIL_USE_TLS"] is True and found["MAIL_FROM"] == "Shop <surveys@shop.example>"
    monkeypatch.setenv("MAIL_USE_TLS", "0")
    assert settings_from_environment()["MAIL_USE_TLS"] is False
