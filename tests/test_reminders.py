"""Reminders of invitations not answered: which are due, the email, its tracking, and that
two runs at once never send one twice (a real SMTP server on a loopback port)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from builders import REFUSED, a_live_questionnaire, an_invitation, free_port
from sqlalchemy import select
from test_invitation_mail import parts

from surveys.db import new_session
from surveys.invitations import status_of
from surveys.invitations.reminders import send_reminders
from surveys.models import Invitation, utcnow


@pytest.fixture
def questionnaire(db_session):
    questionnaire = a_live_questionnaire(db_session, "csat", "purchase")
    questionnaire.title = {"en": "Your purchase", "fr": "Votre achat"}
    db_session.commit()
    return questionnaire


def sent(db_session, questionnaire, days_ago: float, **fields):
    fields.setdefault("email", f"{fields.get('customer_ref', 'c')}@example.com".lower())
    return an_invitation(
        db_session, questionnaire, sent_at=utcnow() - timedelta(days=days_ago), **fields
    )


def run(app, db_session, **kwargs):
    with app.app_context():
        return send_reminders(db_session, app.config, **kwargs)


def reread(db_session, invitation) -> Invitation:
    db_session.expire_all()
    return db_session.get(Invitation, invitation.id)


def test_only_invitations_due_get_a_reminder(app, smtp, db_session, questionnaire):
    due = sent(db_session, questionnaire, 3.1, customer_ref="due")
    sent(db_session, questionnaire, 2.5, customer_ref="too-soon")
    sent(db_session, questionnaire, 5, customer_ref="answered", used_at=utcnow())
    sent(db_session, questionnaire, 5, customer_ref="expired", expires_in=timedelta(days=-1))
    sent(db_session, questionnaire, 5, customer_ref="expiring", expires_in=timedelta(minutes=30))
    sent(db_session, questionnaire, 5, customer_ref="bounced", bounced_at=utcnow())
    sent(db_session, questionnaire, 5, customer_ref="no-address", email=None)
    sent(db_session, questionnaire, 5, customer_ref="reminded", reminder_count=1)
    an_invitation(db_session, questionnaire, customer_ref="never-sent", email="n@example.com")

    report = run(app, db_session)

    assert [to for to, _ in smtp.messages] == [["due@example.com"]]
    assert report.sent == 1 and report.questionnaires[0].questionnaire_id == questionnaire.id
    stored = reread(db_session, due)
    assert stored.reminder_count == 1 and stored.reminded_at is not None
    assert status_of(stored) == "reminded"
    # Sent once: the next run finds nothing (max_reminders 1).
    smtp.messages.clear()
    assert run(app, db_session).sent == 0 and smtp.messages == []


def test_at_most_max_reminders_each_after_the_delay(app, smtp, db_session, questionnaire):
    questionnaire.max_reminders = 2
    questionnaire.reminder_after_days = 2
    db_session.commit()
    invitation = sent(db_session, questionnaire, 2.1, customer_ref="c", language="en")
    assert run(app, db_session).sent == 1
    assert run(app, db_session).sent == 0  # reminded just now: 2 more days
    stored = reread(db_session, invitation)
    stored.reminded_at = utcnow() - timedelta(days=2, hours=1)
    db_session.commit()
    assert run(app, db_session).sent == 1
    stored = reread(db_session, invitation)
    stored.reminded_at = utcnow() - timedelta(days=9)
    db_session.commit()
    assert run(app, db_session).sent == 0  # two in all
    assert reread(db_session, invitation).reminder_count == 2
    assert len(smtp.messages) == 2
    # The last one says so.
    first, last = (parts(message)[0] for _to, message in smtp.messages)
    assert "last reminder" not in first and "last reminder" in last


def test_no_reminders_when_the_questionnaire_says_none_or_is_not_live(
    app, smtp, db_session, questionnaire
):
    sent(db_session, questionnaire, 10, customer_ref="c")
    questionnaire.max_reminders = 0
    db_session.commit()
    assert run(app, db_session).sent == 0
    questionnaire.max_reminders = 1
    questionnaire.status = "closed"
    db_session.commit()
    assert run(app, db_session).sent == 0 and smtp.messages == []


def test_the_reminder_speaks_the_invitations_language(app, smtp, db_session, questionnaire):
    english = sent(db_session, questionnaire, 4, customer_ref="en", language="en")
    french = sent(db_session, questionnaire, 4, customer_ref="fr", expires_in=timedelta(days=20))
    run(app, db_session)
    messages = {tuple(to): message for to, message in smtp.messages}
    en = messages[("en@example.com",)]
    fr = messages[("fr@example.com",)]
    assert en["Subject"] == "Reminder: Your purchase" and en["Content-Language"] == "en"
    plain, rich = parts(en)
    link = f"http://parcours.test/s/{questionnaire.slug}?t={english.token}"
    assert link in plain and f'href="{link}"' in rich
    assert "still open" in plain and "last reminder" in plain
    assert fr["Content-Language"] == "fr" and "Votre achat" in fr["Subject"]
    plain, rich = parts(fr)
    assert f"?t={french.token}" in plain and "Bonjour" in plain and "Reminder" not in plain


def test_a_refused_address_is_marked_bounced(app, smtp, db_session, questionnaire):
    refused = sent(db_session, questionnaire, 4, customer_ref="r", email=REFUSED)
    report = run(app, db_session)
    assert report.questionnaires[0].bounced == 1 and report.sent == 0
    stored = reread(db_session, refused)
    assert stored.bounced_at is not None and "550" in stored.send_error
    assert stored.reminder_count == 1  # kept: never tried again
    assert status_of(stored) == "bounced"
    assert run(app, db_session).questionnaires == []


def test_an_unreachable_server_claims_nothing(app, db_session, questionnaire):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())  # nobody listens
    invitation = sent(db_session, questionnaire, 4, customer_ref="c")
    report = run(app, db_session)
    assert report.unreachable and report.sent == 0
    assert reread(db_session, invitation).reminder_count == 0


def test_without_a_mail_server_nothing_is_sent(app, db_session, questionnaire):
    invitation = sent(db_session, questionnaire, 4, customer_ref="c")
    report = run(app, db_session)
    assert not report.mail_enabled and report.questionnaires == []
    assert reread(db_session, invitation).reminder_count == 0


def test_a_dry_run_changes_nothing(app, smtp, db_session, questionnaire):
    invitation = sent(db_session, questionnaire, 4, customer_ref="c")
    report = run(app, db_session, dry_run=True)
    assert report.due == 1 and report.sent == 0 and smtp.messages == []
    stored = reread(db_session, invitation)
    assert stored.reminder_count == 0 and stored.reminded_at is None


def test_two_runs_at_once_send_each_reminder_once(app, smtp, db_session, questionnaire):
    invitations = [sent(db_session, questionnaire, 4, customer_ref=f"c{i}") for i in range(12)]
    barrier = threading.Barrier(2)
    reports, errors = [], []

    def one_run():
        try:
            with app.app_context(), new_session(app) as session:
                barrier.wait()
                reports.append(send_reminders(session, app.config))
        except Exception as error:  # pragma: no cover - shown by the assert below
            errors.append(error)

    threads = [threading.Thread(target=one_run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    addresses = sorted(to[0] for to, _ in smtp.messages)
    assert addresses == sorted(f"c{i}@example.com" for i in range(12))  # each once
    assert sum(r.sent for r in reports) == 12
    db_session.expire_all()
    counts = db_session.scalars(
        select(Invitation.reminder_count).where(Invitation.id.in_([i.id for i in invitations]))
    ).all()
    assert counts == [1] * 12


def test_the_claim_is_lost_by_the_second_run(app, smtp, db_session, questionnaire):
    """The claim itself: a run holding an invitation read before another run claimed it."""
    from surveys.invitations.reminders import claim, due_reminders

    sent(db_session, questionnaire, 4, customer_ref="c")
    with app.app_context(), new_session(app) as other:
        (mine,) = due_reminders(db_session, questionnaire)
        (theirs,) = due_reminders(other, questionnaire)
        assert claim(other, theirs, utcnow()) is True
        assert claim(db_session, mine, utcnow()) is False


def test_send_reminders_command(app, smtp, db_session, questionnaire, runner):
    invitation = sent(db_session, questionnaire, 4, customer_ref="c")
    dry = runner.invoke(args=["send-reminders", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert f"[{questionnaire.id}] Votre achat: 1 would be sent" in dry.output
    assert "dry run: nothing changed" in dry.output
    assert reread(db_session, invitation).reminder_count == 0 and smtp.messages == []

    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0, result.output
    assert f"[{questionnaire.id}] Votre achat: 1 sent" in result.output
    assert "1 reminders sent." in result.output
    assert len(smtp.messages) == 1

    again = runner.invoke(args=["send-reminders"])
    assert again.exit_code == 0 and "No reminder is due." in again.output


def test_send_reminders_command_without_a_mail_server(app, db_session, runner):
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0 and "MAIL_SERVER is not set" in result.output


def test_postgresql_runs_do_not_overlap_and_release_their_lock(
    app, smtp, db_session, questionnaire
):
    from sqlalchemy import text

    from surveys.db import engine_for
    from surveys.invitations.reminders import ADVISORY_LOCK_KEY

    if engine_for(app).dialect.name != "postgresql":
        pytest.skip("SQLite has no advisory locks: the claims alone keep runs apart")
    invitation = sent(db_session, questionnaire, 4, customer_ref="c")
    with engine_for(app).connect() as other_run:
        other_run.execute(text("SELECT pg_advisory_lock(:k)"), {"k": ADVISORY_LOCK_KEY})
        report = run(app, db_session)
        assert report.locked_out and smtp.messages == []
        assert reread(db_session, invitation).reminder_count == 0
        other_run.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_LOCK_KEY})
    assert run(app, db_session).sent == 1
    # Released after the run: the next one is not kept out.
    assert run(app, db_session).locked_out is False
