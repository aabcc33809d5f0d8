"""Builders for the things tests talk about, made through the app's own services.

`a_live_questionnaire(db_session, "csat", "purchase")` reads as "a live CSAT
questionnaire for the purchase stage".
"""

from __future__ import annotations

import contextlib
import functools
import re
import secrets
import socket
from datetime import timedelta
from email import message_from_bytes, policy

from sqlalchemy import func, select

from surveys import create_app, rollups
from surveys.db import new_session
from surveys.design_service import add_question, create_questionnaire, publish
from surveys.journeys import create_journey
from surveys.models import (
    AlertRule,
    Answer,
    Base,
    Invitation,
    Question,
    Questionnaire,
    Response,
    RollupState,
    User,
    utcnow,
)

PASSWORD = "correct horse battery"
# A Redis database of its own, emptied around each test that uses it (`redis_db`).
TEST_REDIS_URL = "redis://127.0.0.1:6379/15"


@functools.cache
def password_hash() -> str:
    """The hash of PASSWORD, made once: scrypt is slow on purpose."""
    user = User()
    user.set_password(PASSWORD)
    return user.password_hash


def a_user(session, email: str, role: str) -> User:
    """An account whose password is PASSWORD."""
    user = User(email=email, role=role, password_hash=password_hash())
    session.add(user)
    session.commit()
    return user


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "the page has no CSRF token"
    return match.group(1)


EVERY_TYPE = [
    {"key": "nps", "type": "nps", "prompt": {"en": "Recommend us?", "fr": "Recommander ?"}},
    {"key": "csat", "type": "csat", "prompt": {"en": "Satisfied?", "fr": "Satisfait ?"}},
    {"key": "ces", "type": "ces", "prompt": {"en": "It was easy.", "fr": "C'était facile."}},
    {
        "key": "rating",
        "type": "rating",
        "prompt": {"en": "Rate the app", "fr": "Notez l'app"},
        "settings": {"scale": 4},
    },
    {
        "key": "likert",
        "type": "likert",
        "prompt": {"en": "I trust you", "fr": "J'ai confiance"},
        "settings": {"scale": 7},
    },
    {
        "key": "channel",
        "type": "single_choice",
        "prompt": {"en": "How did you order?", "fr": "Comment avez-vous commandé ?"},
        "options": [
            {"value": "web", "label": {"en": "Website", "fr": "Site web"}},
            {"value": "store", "label": {"en": "Store", "fr": "Magasin"}},
        ],
    },
    {
        "key": "extras",
        "type": "multi_choice",
        "prompt": {"en": "What else did you buy?", "fr": "Quoi d'autre ?"},
        "options": [
            {"value": "case", "label": {"en": "A case", "fr": "Un étui"}},
            {"value": "cable", "label": {"en": "A cable", "fr": "Un câble"}},
            {"value": "care", "label": {"en": "Insurance", "fr": "Assurance"}},
        ],
    },
    {"key": "city", "type": "short_text", "prompt": {"en": "Your city", "fr": "Votre ville"}},
    {"key": "story", "type": "long_text", "prompt": {"en": "Tell us", "fr": "Racontez"}},
    {"key": "felt", "type": "emotion", "prompt": {"en": "You felt", "fr": "Vous étiez"}},
]


def a_journey(session, template: str | None = "five-stage", name: str = "Shop journey"):
    journey = create_journey(session, name, template)
    session.commit()
    return journey


def a_draft_questionnaire(
    session, kind: str = "csat", stage_key: str = "purchase", touchpoint_key=None, journey=None
) -> Questionnaire:
    journey = journey or a_journey(session)
    touchpoint = journey.touchpoint_by_key(touchpoint_key) if touchpoint_key else None
    questionnaire = create_questionnaire(
        session, journey, journey.stage_by_key(stage_key), kind, touchpoint
    )
    session.commit()
    return questionnaire


def a_live_questionnaire(session, kind: str = "csat", stage_key: str = "purchase", **kwargs):
    """A published stage-template questionnaire: score (required), why, emotion."""
    questionnaire = a_draft_questionnaire(session, kind, stage_key, **kwargs)
    publish(questionnaire)
    session.commit()
    return questionnaire


def a_live_questionnaire_with_every_type(session, required: bool = False) -> Questionnaire:
    """A live custom questionnaire asking one question of each type."""
    questionnaire = a_draft_questionnaire(session, "custom", "retention")
    for spec in EVERY_TYPE:
        add_question(session, questionnaire, {**spec, "required": required})
    publish(questionnaire)
    session.commit()
    return questionnaire


NPS_LOW = {"question": "nps", "op": "between", "min": 0, "max": 6}
NPS_HIGH = {"question": "nps", "op": "between", "min": 9, "max": 10}


def a_questionnaire_in_pages(session, *, pages=2, **settings):
    """Page 1: NPS (required), "what should we fix" for 0-6 (required), "may we quote you"
    for 9-10; page 2 (when `pages` is 2): CSAT (required) and an optional "why"."""
    questionnaire = a_draft_questionnaire(session, "custom", "retention")
    for name, value in settings.items():
        setattr(questionnaire, name, value)
    version = questionnaire.current_version
    specs = [
        dict(key="nps", type="nps", required=True, page=1),
        dict(key="fix", type="long_text", required=True, page=1, show_if=NPS_LOW),
        dict(
            key="quote",
            type="single_choice",
            page=1,
            show_if=NPS_HIGH,
            options=[
                {"value": "yes", "label": {"en": "Yes", "fr": "Oui"}},
                {"value": "no", "label": {"en": "No", "fr": "Non"}},
            ],
        ),
    ]
    if pages == 2:
        specs += [
            dict(key="csat", type="csat", required=True, page=2),
            dict(key="why", type="long_text", page=2),
        ]
    for position, spec in enumerate(specs):
        prompt = {"en": f"Question {spec['key']}", "fr": f"Question {spec['key']} (fr)"}
        version.questions.append(Question(position=position, prompt=prompt, **spec))
    publish(questionnaire)
    session.commit()
    return questionnaire


def an_interview_guide(session, stage_key: str = "retention") -> Questionnaire:
    return a_draft_questionnaire(session, "interview", stage_key)


def an_alert_rule(session, questionnaire, **fields) -> AlertRule:
    """A rule opening a case on CSAT 1-2, due in 48 hours; `fields` change any of it."""
    values = dict(
        name="Dissatisfied (CSAT 1-2)",
        kind="score",
        question_key="csat",
        min_score=1,
        max_score=2,
        theme_keys=[],
        touchpoint_owners={},
        due_in_hours=48,
    )
    values.update(fields)
    rule = AlertRule(questionnaire_id=questionnaire.id, **values)
    session.add(rule)
    session.commit()
    return rule


def an_invitation(session, questionnaire, expires_in: timedelta | None = None, **fields):
    invitation = Invitation(
        questionnaire_id=questionnaire.id,
        token=secrets.token_urlsafe(32),
        customer_ref=fields.pop("customer_ref", "C-1001"),
        meta=fields.pop("meta", {"order_id": "A-42"}),
        expires_at=utcnow() + expires_in if expires_in is not None else None,
        **fields,
    )
    session.add(invitation)
    session.commit()
    return invitation


def count_responses(session, questionnaire=None) -> int:
    session.expire_all()
    query = select(func.count(Response.id))
    if questionnaire is not None:
        query = query.where(Response.questionnaire_id == questionnaire.id)
    return session.scalar(query)


def count_answers(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count(Answer.id)))


def submission_key() -> str:
    return secrets.token_hex(16)


def answer_as_a_new_customer(app, questionnaire, answers: dict, **params):
    """Open the public page in a fresh browser and send `answers`; return the response.

    The browser runs the page's script (`script=1`), so follow-ups that apply were shown in
    place and the stage templates are answered in one step; tests of the page without
    JavaScript send their own forms."""
    browser = app.test_client()
    url = survey_url(questionnaire, **params)
    token = csrf_token_from(browser.get(url).get_data(as_text=True))
    data = {"csrf_token": token, "submission_key": submission_key(), "script": "1", **answers}
    return browser.post(url, data=data)


def survey_url(questionnaire, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/s/{questionnaire.slug}" + (f"?{query}" if query else "")


@contextlib.contextmanager
def an_app(database_url: str, **settings):
    """The app under test on `database_url` (with other settings if given); its tables are
    emptied afterwards."""
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret-key",
            "PUBLIC_BASE_URL": "http://parcours.test",
            "SERVER_NAME": None,
            **settings,
        }
    )
    with new_session(app) as session:  # empty tables: the rollups are trivially right
        rollups.ensure_built(session)
        session.commit()
    try:
        yield app
    finally:
        engine = app.extensions["parcours.db"].kw["bind"]
        with engine.begin() as connection:
            # The rollups stay marked built: empty answers and empty rollups agree, so the
            # next test's app need not rebuild them (about 40 ms a test).
            for table in reversed(Base.metadata.sorted_tables):
                if table is not RollupState.__table__:
                    connection.execute(table.delete())
        engine.dispose()


# --- email: a real SMTP server on a loopback port (aiosmtpd), see conftest `smtp` ---------

REFUSED = "refused@example.com"


class Sink:
    """An SMTP server's handler that keeps every message and refuses one mailbox."""

    def __init__(self):
        self.messages = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == REFUSED:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        # Appended before the server answers 250, so the sender sees it when send returns.
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
