"""Filters read from the query string and applied in SQL, on both databases."""

from datetime import date, timedelta

import pytest
from builders import a_live_questionnaire
from sqlalchemy import func, select

from feedback.filters import FilterError, Filters
from surveys.models import Response, utcnow


def a_response(session, questionnaire, days_ago: int, language: str = "fr", **meta):
    response = Response(
        questionnaire_id=questionnaire.id,
        version_id=questionnaire.current_version.id,
        language=language,
        meta=meta,
        submitted_at=utcnow() - timedelta(days=days_ago),
    )
    session.add(response)
    session.commit()
    return response


def count(session, filters: Filters) -> int:
    return session.scalar(filters.apply(select(func.count(Response.id))))


def test_filters_round_trip_through_the_query_string():
    args = {
        "from": "2026-10-01",
        "to": "2026-10-31",
        "lang": "fr",
        "questionnaire": "3",
        "segment.channel": "email",
        "segment.country": "FR",
    }
    filters = Filters.from_query(args)
    assert filters.to_query() == args
    assert Filters.from_query(filters.to_query()) == filters


@pytest.mark.parametrize(
    "args",
    [
        {"from": "yesterday"},
        {"from": "2026-10-31", "to": "2026-10-01"},
        {"lang": "de"},
        {"questionnaire": "x"},
        {"segment.bad key": "1"},
        {"segment.$..": "1"},
    ],
)
def test_unreadable_filters_say_what_is_wrong(args):
    with pytest.raises(FilterError):
        Filters.from_query(args)


def test_previous_period_has_the_same_length_just_before():
    filters = Filters(date_from=date(2026, 11, 1), date_to=date(2026, 11, 30))
    previous = filters.previous_period()
    assert (previous.date_from, previous.date_to) == (date(2026, 10, 2), date(2026, 10, 31))
    assert Filters().previous_period() is None


def test_filters_select_responses_by_period_language_questionnaire_and_segment(db_session):
    questionnaire = a_live_questionnaire(db_session)
    other = a_live_questionnaire(db_session, "nps", "advocacy")
    a_response(db_session, questionnaire, 1, "fr", channel="email", country="FR")
    a_response(db_session, questionnaire, 10, "en", channel="qr", country="GB")
    a_response(db_session, questionnaire, 40, "fr", channel="email", country="BE")
    a_response(db_session, other, 2, "fr", channel="email")
    today = utcnow().date()
    assert count(db_session, Filters()) == 4
    assert count(db_session, Filters(date_from=today - timedelta(days=15), date_to=today)) == 3
    assert count(db_session, Filters(language="en")) == 1
    assert count(db_session, Filters(questionnaire_id=other.id)) == 1
    assert count(db_session, Filters(segment=(("channel", "email"),))) == 3
    assert count(db_session, Filters(segment=(("channel", "email"), ("country", "FR")))) == 1
    assert count(db_session, Filters(segment=(("missing", "x"),))) == 0
