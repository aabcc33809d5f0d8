"""Pain points: figures against hand-computed fixtures, the page, follow-up and evidence.

The fixture (`a_shop_with_pain`), period = the last 10 days, previous = the 10 before:

purchase x checkout, this period: five text answers
  A1 -0.8 late_delivery (found and coded: counts once)   A2 -0.4 late_delivery, hidden_fees
  A3 +0.2 late_delivery   A4 -0.6 (no theme)   A5 -0.2 late_delivery
  late_delivery: 4 answers / 5 = 80%, negativity (0.8 + 0.4 + 0 + 0.2) / 4 = 0.35,
  severity 4 x 0.35 = 1.4; hidden_fees: 1 / 5 = 20%, negativity 0.4, severity 0.4
purchase x whole stage, this period: B1 -1.0 hidden_fees, B2 -0.5 (no theme)
  hidden_fees: 1 / 2 = 50%, negativity 1.0, severity 1.0
previous period, checkout: P1 -0.5 late_delivery, P2 0.0 -> late_delivery 50% then 80%: up
Not counted: an interview note and a partial response carrying late_delivery.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from builders import a_draft_questionnaire, a_journey, a_live_questionnaire
from sqlalchemy import func, select

from feedback.filters import Filters
from feedback.pain_points import pain_points
from surveys import rollups
from surveys.models import (
    Answer,
    AnswerTheme,
    PainPoint,
    PainPointEvidence,
    Response,
    TextAnalysis,
    utcnow,
)


def a_text_answer(
    session,
    questionnaire,
    text: str,
    polarity: float,
    themes=(),
    coded=(),
    days_ago: float = 1,
    language: str = "en",
    status: str = "complete",
    channel: str = "web",
    meta: dict | None = None,
) -> Answer:
    """A scored free-text answer of `questionnaire`, with its analysis and theme rows."""
    question = next(q for q in questionnaire.current_version.questions if q.type == "long_text")
    response = Response(
        questionnaire_id=questionnaire.id,
        version_id=questionnaire.current_version.id,
        language=language,
        status=status,
        channel=channel,
        meta=meta or {},
        submitted_at=utcnow() - timedelta(days=days_ago),
    )
    answer = Answer(
        question_id=question.id,
        stage_id=questionnaire.stage_id,
        touchpoint_id=question.touchpoint_id or questionnaire.touchpoint_id,
        text=text,
    )
    response.answers.append(answer)
    session.add(response)
    session.flush()
    label = "negative" if polarity < 0 else "positive" if polarity > 0 else "neutral"
    session.add(
        TextAnalysis(
            answer_id=answer.id,
            analyzer_version="test",
            language=language,
            polarity=polarity,
            subjectivity=0.5,
            label=label,
            emotions={},
            emotion="anger" if polarity < 0 else None,
            themes=list(themes),
            stage_id=answer.stage_id,
            touchpoint_id=answer.touchpoint_id,
        )
    )
    for source, keys in (("auto", themes), ("coded", coded)):
        for key in keys:
            session.add(
                AnswerTheme(
                    answer_id=answer.id,
                    theme_key=key,
                    source=source,
                    stage_id=answer.stage_id,
                    touchpoint_id=answer.touchpoint_id,
                    polarity=polarity,
                )
            )
    session.flush()
    rollups.apply(session, rollups.contribution(session, [response.id]), 1)
    session.commit()
    return answer


@dataclass
class Shop:
    journey: object
    checkout: object  # the questionnaire about purchase x checkout
    stage_wide: object  # the questionnaire about the whole purchase stage
    guide: object  # an interview guide of the same journey
    answers: dict


def ten_days() -> Filters:
    today = utcnow().date()
    return Filters(date_from=today - timedelta(days=9), date_to=today)


def a_shop_with_pain(session) -> Shop:
    journey = a_journey(session)
    checkout = a_live_questionnaire(
        session, "csat", "purchase", touchpoint_key="checkout", journey=journey
    )
    stage_wide = a_live_questionnaire(session, "csat", "purchase", journey=journey)
    guide = a_draft_questionnaire(session, "interview", "purchase", journey=journey)
    late, fees = "late_delivery", "hidden_fees"
    answers = {
        "A1": a_text_answer(
            session,
            checkout,
            "La livraison a pris 12 jours, inadmissible. Très déçu.",
            -0.8,
            [late],
            coded=[late],
            language="fr",
        ),
        "A2": a_text_answer(session, checkout, "Late and extra fees.", -0.4, [late, fees]),
        "A3": a_text_answer(session, checkout, "A bit late but nice.", 0.2, [late]),
        "A4": a_text_answer(session, checkout, "Not great.", -0.6),
        "A5": a_text_answer(session, checkout, "Arrived a day late.", -0.2, [late]),
        "B1": a_text_answer(session, stage_wide, "Hidden fees at the end!", -1.0, [fees]),
        "B2": a_text_answer(session, stage_wide, "Meh.", -0.5),
        "P1": a_text_answer(session, checkout, "Late again.", -0.5, [late], days_ago=12),
        "P2": a_text_answer(session, checkout, "Fine.", 0.0, days_ago=12),
        "partial": a_text_answer(session, checkout, "Late!", -0.9, [late], status="partial"),
    }
    answers["interview"] = a_text_answer(
        session,
        guide,
        "She waited two weeks for the parcel and called support three times.",
        -0.7,
        coded=[late],
        channel="interview",
        meta={"interviewee": "Customer in Lyon"},
    )
    return Shop(journey, checkout, stage_wide, guide, answers)


def by_theme(rows, touchpoint_key="checkout"):
    return {r.theme_key: r for r in rows if r.touchpoint_key == touchpoint_key}


def test_figures_match_the_hand_computed_fixture(db_session):
    shop = a_shop_with_pain(db_session)
    rows = pain_points(db_session, shop.journey, ten_days())
    assert [(r.theme_key, r.touchpoint_key) for r in rows] == [
        ("late_delivery", "checkout"),
        ("hidden_fees", None),
        ("hidden_fees", "checkout"),
    ]
    late = rows[0]
    assert (late.frequency, late.cell_answers) == (4, 5)
    assert late.share == pytest.approx(0.8)
    assert late.negativity == pytest.approx(0.35)
    assert late.severity == pytest.approx(1.4)
    assert late.stage_key == "purchase" and late.theme_label == "Late delivery"
    stage_wide = rows[1]
    assert (stage_wide.frequency, stage_wide.cell_answers) == (1, 2)
    assert stage_wide.severity == pytest.approx(1.0)
    fees = rows[2]
    assert fees.share == pytest.approx(0.2) and fees.severity == pytest.approx(0.4)


def test_trend_compares_shares_with_the_previous_period(db_session):
    shop = a_shop_with_pain(db_session)
    rows = by_theme(pain_points(db_session, shop.journey, ten_days()))
    late = rows["late_delivery"]
    assert (late.previous_frequency, late.previous_share) == (1, pytest.approx(0.5))
    assert late.trend == "up" and late.share_change == pytest.approx(0.3)
    assert rows["hidden_fees"].trend == "new"


def test_an_unbounded_period_has_no_trend_and_counts_every_answer(db_session):
    shop = a_shop_with_pain(db_session)
    late = by_theme(pain_points(db_session, shop.journey, Filters()))["late_delivery"]
    assert late.trend is None and late.previous_share is None
    assert (late.frequency, late.cell_answers) == (5, 7)  # with P1 and P2


def test_quotes_are_the_three_most_negative_answers(db_session):
    shop = a_shop_with_pain(db_session)
    late = by_theme(pain_points(db_session, shop.journey, ten_days()))["late_delivery"]
    assert [q.answer_id for q in late.quotes] == [shop.answers[k].id for k in ("A1", "A2", "A5")]
    assert late.quotes[0].text.startswith("La livraison a pris 12 jours")


def test_filters_restrict_the_answers_read(db_session):
    shop = a_shop_with_pain(db_session)
    rows = pain_points(db_session, shop.journey, Filters(language="fr"))
    assert [(r.theme_key, r.frequency, r.cell_answers) for r in rows] == [("late_delivery", 1, 1)]


def test_limit_keeps_the_most_severe(db_session):
    shop = a_shop_with_pain(db_session)
    rows = pain_points(db_session, shop.journey, ten_days(), limit=1)
    assert [r.theme_key for r in rows] == ["late_delivery"]


def test_a_resolved_pain_point_that_comes_back_is_flagged(db_session):
    shop = a_shop_with_pain(db_session)
    stage, checkout = shop.checkout.stage_id, shop.checkout.touchpoint_id
    resolved = PainPoint(
        journey_id=shop.journey.id,
        stage_id=stage,
        touchpoint_id=checkout,
        theme_key="late_delivery",
        status="resolved",
        resolved_at=utcnow() - timedelta(days=5),
    )
    still_quiet = PainPoint(
        journey_id=shop.journey.id,
        stage_id=stage,
        touchpoint_id=None,
        theme_key="hidden_fees",
        status="resolved",
        resolved_at=utcnow(),
    )
    db_session.add_all([resolved, still_quiet])
    db_session.commit()
    rows = pain_points(db_session, shop.journey, ten_days())
    db_session.commit()
    flagged = {(r.theme_key, r.touchpoint_key): r.follow_up.came_back for r in rows if r.follow_up}
    assert flagged == {("late_delivery", "checkout"): True, ("hidden_fees", None): False}
    db_session.expire_all()
    assert db_session.get(PainPoint, resolved.id).reopened_at is not None
    assert db_session.get(PainPoint, still_quiet.id).reopened_at is None


def test_a_followed_pain_point_stays_listed_when_no_answer_carries_it(db_session):
    shop = a_shop_with_pain(db_session)
    db_session.add(
        PainPoint(
            journey_id=shop.journey.id,
            stage_id=shop.checkout.stage_id,
            touchpoint_id=shop.checkout.touchpoint_id,
            theme_key="rude_staff",
            status="in_progress",
            owner="Nadia",
        )
    )
    db_session.commit()
    row = by_theme(pain_points(db_session, shop.journey, ten_days()))["rude_staff"]
    assert (row.frequency, row.severity, row.status) == (0, 0, "in_progress")


# --- the page -------------------------------------------------------------------------


def page_url(shop, **query) -> str:
    url = f"/journeys/{shop.journey.id}/pain-points"
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_page_lists_pain_points_with_their_figures(client, auth, db_session):
    shop = a_shop_with_pain(db_session)
    auth.login_as_cx_lead()
    html = client.get(page_url(shop)).get_data(as_text=True)
    assert "Late delivery" in html and "Hidden fees" in html
    assert "inadmissible" in html  # a quote
    assert f"/journeys/{shop.journey.id}/report.pdf" in html


def test_unreadable_filters_give_a_400_page_with_the_message(client, auth, db_session):
    shop = a_shop_with_pain(db_session)
    auth.login_as_cx_lead()
    response = client.get(page_url(shop, **{"from": "yesterday"}))
    assert response.status_code == 400
    assert "must be a date" in response.get_data(as_text=True)


def test_the_page_needs_a_login(client, db_session):
    shop = a_shop_with_pain(db_session)
    assert client.get(page_url(shop)).status_code == 302


def follow_up_form(shop, touchpoint=True, **fields) -> dict:
    return {
        "journey_id": shop.journey.id,
        "stage_id": shop.checkout.stage_id,
        "touchpoint_id": shop.checkout.touchpoint_id if touchpoint else "",
        "theme": "late_delivery",
        "owner": "Nadia (logistics)",
        "status": "in_progress",
        "note": "Carrier contract under review.",
        "back": "from=2026-01-01",
        **fields,
    }


def count_pain_points(session) -> int:
    session.expire_all()
    return session.scalar(select(func.count(PainPoint.id)))


def test_a_cx_lead_sets_owner_status_and_note(client, auth, forms, db_session):
    shop = a_shop_with_pain(db_session)
    auth.login_as_cx_lead()
    response = forms.post("/pain-points/follow-up", follow_up_form(shop), page_url=page_url(shop))
    assert response.status_code == 302
    assert "from=2026-01-01" in response.headers["Location"]
    stored = db_session.scalars(select(PainPoint)).one()
    assert (stored.owner, stored.status, stored.note) == (
        "Nadia (logistics)",
        "in_progress",
        "Carrier contract under review.",
    )
    html = client.get(page_url(shop)).get_data(as_text=True)
    assert "Nadia (logistics)" in html


def test_resolving_records_when_and_edits_reuse_the_same_row(client, auth, forms, db_session):
    shop = a_shop_with_pain(db_session)
    auth.login_as_cx_lead()
    for status in ("open", "resolved"):
        form = follow_up_form(shop, touchpoint=False, theme="hidden_fees", status=status)
        forms.post("/pain-points/follow-up", form, page_url=page_url(shop))
    assert count_pain_points(db_session) == 1
    stored = db_session.scalars(select(PainPoint)).one()
    assert stored.touchpoint_id is None and stored.status == "resolved"
    assert stored.resolved_at is not None


def test_an_unknown_status_is_refused_and_nothing_stored(auth, forms, db_session):
    shop = a_shop_with_pain(db_session)
    auth.login_as_cx_lead()
    response = forms.post(
        "/pain-points/follow-up", follow_up_form(shop, status="done"), page_url=page_url(shop)
    )
    assert response.status_code == 422
    assert "Status must be" in response.get_data(as_text=True)
    assert count_pain_points(db_session) == 0


@pytest.mark.parametrize(
    "fields",
    [{"stage_id": "999999"}, {"touchpoint_id": "x"}, {"theme": "Not A Key"}, {"owner": "x" * 201}],
)
def test_a_follow_up_for_an_unknown_place_is_refused(auth, forms, db_session, fields):
    shop = a_shop_with_pain(db_session)
    auth.login_as_cx_lead()
    response = forms.post(
        "/pain-points/follow-up", follow_up_form(shop, **fields), page_url=page_url(shop)
    )
    assert response.status_code == 422
    assert count_pain_points(db_session) == 0


def test_a_follow_up_without_csrf_token_is_refused(client, auth, db_session):
    shop = a_shop_with_pain(db_session)
    auth.login_as_cx_lead()
    response = client.post("/pain-points/follow-up", data=follow_up_form(shop))
    assert response.status_code == 400
    assert count_pain_points(db_session) == 0


def test_researchers_do_not_own_the_follow_up(auth, forms, db_session):
    shop = a_shop_with_pain(db_session)
    auth.login()
    response = forms.post("/pain-points/follow-up", follow_up_form(shop), page_url=page_url(shop))
    assert response.status_code == 403
    assert count_pain_points(db_session) == 0


# --- evidence -------------------------------------------------------------------------


def evidence_form(shop, answer) -> dict:
    return {
        "journey_id": shop.journey.id,
        "stage_id": shop.checkout.stage_id,
        "touchpoint_id": shop.checkout.touchpoint_id,
        "theme": "late_delivery",
        "answer_id": answer.id,
    }


def test_a_researcher_attaches_an_interview_note_as_evidence(client, auth, forms, db_session):
    shop = a_shop_with_pain(db_session)
    auth.login()
    form = evidence_form(shop, shop.answers["interview"])
    assert forms.post("/pain-points/evidence", form, page_url=page_url(shop)).status_code == 302
    forms.post("/pain-points/evidence", form, page_url=page_url(shop))  # twice: kept once
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(PainPointEvidence)) == 1
    html = client.get(page_url(shop)).get_data(as_text=True)
    assert "called support three times" in html and "Customer in Lyon" in html


def test_only_interview_notes_of_the_journey_are_evidence(auth, forms, db_session):
    shop = a_shop_with_pain(db_session)
    auth.login()
    form = evidence_form(shop, shop.answers["A1"])  # a customer answer, not an interview
    response = forms.post("/pain-points/evidence", form, page_url=page_url(shop))
    assert response.status_code == 422
    assert count_pain_points(db_session) == 0


def test_cx_leads_do_not_attach_interview_notes(auth, forms, db_session):
    shop = a_shop_with_pain(db_session)
    auth.login_as_cx_lead()
    form = evidence_form(shop, shop.answers["interview"])
    assert forms.post("/pain-points/evidence", form, page_url=page_url(shop)).status_code == 403
