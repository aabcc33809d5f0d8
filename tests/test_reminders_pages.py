"""Reminders on the researcher's pages: the statuses and counts of the invitations list, and
the questionnaire settings that set the delay and the number of reminders."""

from __future__ import annotations

from datetime import timedelta

import pytest
from builders import a_live_questionnaire, an_invitation
from test_privacy import settings_form, settings_url

from surveys.invitations import counts, status_of
from surveys.models import Questionnaire, utcnow


@pytest.fixture
def questionnaire(db_session):
    return a_live_questionnaire(db_session, "csat", "purchase")


def test_status_precedence(db_session, questionnaire):
    now = utcnow()

    def status(**fields):
        return status_of(an_invitation(db_session, questionnaire, **fields), now)

    assert status() == "created"
    assert status(sent_at=now) == "sent"
    assert status(sent_at=now, reminder_count=1, reminded_at=now) == "reminded"
    # Opened after the reminder: the customer saw it, which says more.
    assert status(sent_at=now, reminder_count=1, opened_at=now) == "opened"
    assert status(sent_at=now, reminder_count=1, bounced_at=now) == "bounced"
    assert status(bounced_at=now) == "bounced"
    assert status(bounced_at=now, used_at=now) == "answered"
    assert status(bounced_at=now, expires_in=timedelta(days=-1)) == "expired"


def test_the_list_counts_and_filters_reminded_and_bounced(client, auth, db_session, questionnaire):
    now = utcnow()
    an_invitation(db_session, questionnaire, customer_ref="R-2", sent_at=now, reminder_count=2)
    an_invitation(db_session, questionnaire, customer_ref="B-1", sent_at=now, bounced_at=now)
    an_invitation(db_session, questionnaire, customer_ref="S-1", sent_at=now)
    an_invitation(
        db_session, questionnaire, customer_ref="RO-1", sent_at=now, reminded_at=now,
        reminder_count=1, opened_at=now,
    )  # fmt: skip
    found = counts(db_session, questionnaire.id)
    assert (found.sent, found.reminded, found.bounced, found.opened) == (4, 2, 1, 1)
    auth.login_as_cx_lead()
    base = f"/questionnaires/{questionnaire.id}/invitations"
    page = client.get(base).get_data(as_text=True)
    assert "reminded (2)" in page and "badge-bounced" in page
    assert "Reminded" in page and "Bounced" in page and "Not created (cooldown)" in page
    reminded = client.get(base + "?status=reminded").get_data(as_text=True)
    assert "R-2" in reminded and "RO-1" not in reminded and "S-1" not in reminded
    bounced = client.get(base + "?status=bounced").get_data(as_text=True)
    assert "B-1" in bounced and "R-2" not in bounced
    sent = client.get(base + "?status=sent").get_data(as_text=True)
    assert "S-1" in sent and "R-2" not in sent and "B-1" not in sent


def test_a_bounced_invitation_is_not_emailed_again(app, db_session, questionnaire):
    from sqlalchemy import select

    from surveys.design.invitation_views import waiting_to_be_sent
    from surveys.models import Invitation

    an_invitation(db_session, questionnaire, email="x@example.com", bounced_at=utcnow())
    waiting = db_session.scalars(select(Invitation).where(waiting_to_be_sent(utcnow()))).all()
    assert waiting == []


def test_reminder_settings_are_saved(auth, forms, db_session, questionnaire):
    auth.login()
    page = forms.client.get(settings_url(questionnaire)).get_data(as_text=True)
    assert "Remind after (days)" in page and 'id="reminder_after_days"' in page
    assert 'id="max_reminders"' in page
    reply = forms.post(
        settings_url(questionnaire),
        settings_form(questionnaire, reminder_after_days="5", max_reminders="2"),
    )
    assert reply.status_code == 302
    db_session.expire_all()
    saved = db_session.get(Questionnaire, questionnaire.id)
    assert (saved.reminder_after_days, saved.max_reminders) == (5, 2)
    # 0 is a value (no reminders); empty is the default.
    forms.post(
        settings_url(questionnaire),
        settings_form(questionnaire, reminder_after_days="0", max_reminders=""),
    )
    db_session.expire_all()
    saved = db_session.get(Questionnaire, questionnaire.id)
    assert (saved.reminder_after_days, saved.max_reminders) == (0, 1)


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("reminder_after_days", "31", "Between 0 and 30 days."),
        ("reminder_after_days", "-1", "Between 0 and 30 days."),
        ("reminder_after_days", "soon", "Not a valid integer value."),
        ("max_reminders", "4", "Between 0 and 3."),
        ("max_reminders", "1.5", "Not a valid integer value."),
    ],
)
def test_bad_reminder_settings_are_refused_with_everything_kept(
    auth, forms, db_session, questionnaire, field, typed, message
):
    auth.login()
    reply = forms.post(
        settings_url(questionnaire),
        settings_form(questionnaire, title_en="A new title", **{field: typed}),
    )
    assert reply.status_code == 422
    page = reply.get_data(as_text=True)
    after = page[page.index(f'id="{field}"') :]
    assert message in after[: after.index("</div>")]
    assert f'value="{typed}"' in page and 'value="A new title"' in page
    db_session.expire_all()
    saved = db_session.get(Questionnaire, questionnaire.id)
    assert (saved.reminder_after_days, saved.max_reminders) == (3, 1)
    assert saved.title_in("en") != "A new title"
