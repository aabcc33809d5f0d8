"""Scores over time read from the database and shown: the page, its chart, the PDF report."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from builders import a_draft_questionnaire, a_journey, a_live_questionnaire
from test_exports import pdf_text

from feedback.exports import write_report
from feedback.filters import Filters
from feedback.trend_data import journey_trends
from feedback.trends import NO_ANSWERS, NOT_ENOUGH
from surveys import rollups
from surveys.models import Answer, Response, TextAnalysis


def answer_on(
    session,
    questionnaire,
    day: date,
    score=None,
    text=None,
    polarity=None,
    language="en",
    channel="web",
    **meta,
):
    """One complete response submitted at noon UTC on `day`, counted in the rollups."""
    questions = {q.key: q for q in questionnaire.current_version.questions}
    response = Response(
        questionnaire_id=questionnaire.id,
        version_id=questionnaire.current_version.id,
        language=language,
        status="complete",
        channel=channel,
        meta=meta,
        submitted_at=datetime(day.year, day.month, day.day, 12, tzinfo=UTC),
    )
    place = {"stage_id": questionnaire.stage_id, "touchpoint_id": questionnaire.touchpoint_id}
    if score is not None:
        question = questions[questionnaire.kind]
        response.answers.append(Answer(question_id=question.id, number=score, **place))
    if text is not None:
        answer = Answer(question_id=questions["why"].id, text=text, **place)
        response.answers.append(answer)
        if polarity is not None:
            answer.analysis = TextAnalysis(
                analyzer_version="test",
                language=language,
                polarity=polarity,
                subjectivity=0.5,
                label="neutral",
                emotions={},
                themes=[],
                **place,
            )
    session.add(response)
    session.flush()
    with rollups.updating(session, [response.id], new=True):
        pass
    session.commit()
    return response


# Mondays of March 2026: ISO weeks 10 to 13.
W10, W11, W12, W13 = date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 16), date(2026, 3, 23)
MARCH = {"from": "2026-03-01", "to": "2026-03-29"}


@pytest.fixture
def journey(db_session):
    return a_journey(db_session)


@pytest.fixture
def shop(db_session, journey):
    """NPS at purchase x checkout: W10 enough (2 promoters, 1 detractor), W11 nothing,
    W12 one answer (not enough at min_n 2), W13 two promoters; sentiment on each."""
    nps = a_live_questionnaire(
        db_session, "nps", "purchase", touchpoint_key="checkout", journey=journey
    )
    for day, score, polarity in [
        (W10, 10, 0.5),
        (date(2026, 3, 8), 9, 0.3),  # Sunday: still W10
        (W10, 3, -0.8),
        (W12, 10, 0.2),
        (W13, 9, 0.4),
        (date(2026, 3, 25), 10, 0.6),
    ]:
        answer_on(db_session, nps, day, score, "why", polarity)
    return nps


def url(journey, path="", **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/journeys/{journey.id}/trends{path}" + (f"?{query}" if query else "")


# --- the data ------------------------------------------------------------------------------


def test_weekly_series_from_the_rollups_with_gaps(db_session, journey, shop):
    filters = Filters(date_from=date(2026, 3, 1), date_to=date(2026, 3, 29))
    found = journey_trends(db_session, journey, filters, "week", min_n=2)
    assert found.source == "rollups"
    assert [b.label for b in found.buckets] == [
        "2026-W09",
        "2026-W10",
        "2026-W11",
        "2026-W12",
        "2026-W13",
    ]
    assert found.buckets[0].start == date(2026, 3, 1)  # the period's first day, a Sunday
    purchase = next(line for line in found.lines if line.key == shop.stage_id)
    nps = purchase.points["nps"]
    # W10: 2 promoters, 1 detractor: NPS 33.3; margin 1.96 x sqrt((1 - 1/9) / 3) x 100.
    assert nps[1].value == pytest.approx(100 / 3) and nps[1].n == 3
    assert nps[1].margin == pytest.approx(1.96 * ((1 - 1 / 9) / 3) ** 0.5 * 100)
    assert [p.gap for p in nps] == [NO_ANSWERS, None, NO_ANSWERS, NOT_ENOUGH, None]
    assert nps[4].value == pytest.approx(100.0)
    assert purchase.points["sentiment"][1].value == pytest.approx(0.0)
    assert found.metrics() == ["nps", "sentiment"]


def rounded(found):
    """Every point of every line, figures rounded: the two paths sum floats in other orders."""
    return [
        {
            metric: [
                tuple(round(v, 9) if isinstance(v, float) else v for v in vars(p).values())
                for p in points
            ]
            for metric, points in line.points.items()
        }
        for line in found.lines
    ]


def test_answers_and_rollups_give_the_same_series(db_session, journey, shop):
    from_rollups = journey_trends(db_session, journey, Filters(), "month", "touchpoint", 1)
    from_answers = journey_trends(
        db_session, journey, Filters(), "month", "touchpoint", 1, use_rollups=False
    )
    assert from_answers.source == "answers" and from_rollups.source == "rollups"
    assert [line.key for line in from_rollups.lines] == [(shop.stage_id, shop.touchpoint_id)]
    assert rounded(from_rollups) == rounded(from_answers)
    assert [b.label for b in from_rollups.buckets] == ["2026-03"]


def test_a_segment_reads_the_answers_and_language_filters(db_session, journey, shop):
    answer_on(db_session, shop, W11, 0, language="fr", plan="pro")
    answer_on(db_session, shop, W11, 2, language="fr", plan="pro")
    week = {"grain": "week", "min_n": 2}
    french = journey_trends(db_session, journey, Filters(language="fr"), week["grain"], min_n=2)
    assert french.source == "rollups"
    line = next(line for line in french.lines if line.key == shop.stage_id)
    assert [(p.value, p.n) for p in line.points["nps"]] == [(pytest.approx(-100.0), 2)]
    segment = Filters(segment=(("plan", "pro"),))
    pro = journey_trends(db_session, journey, segment, "week", min_n=2)
    assert pro.source == "answers"
    assert [b.label for b in pro.buckets] == ["2026-W11"]


def test_interview_notes_are_left_out_for_the_report(db_session, journey):
    guide = a_draft_questionnaire(db_session, "interview", "purchase", journey=journey)
    note = guide.current_version.questions[0]
    response = Response(
        questionnaire_id=guide.id,
        version_id=guide.current_version.id,
        language="en",
        status="complete",
        channel="interview",
        submitted_at=datetime(2026, 3, 3, 12, tzinfo=UTC),
    )
    answer = Answer(question_id=note.id, text="angry", stage_id=guide.stage_id)
    answer.analysis = TextAnalysis(
        analyzer_version="t", language="en", polarity=-0.9, subjectivity=1, label="negative",
        emotions={}, themes=[], stage_id=guide.stage_id,
    )  # fmt: skip
    response.answers.append(answer)
    db_session.add(response)
    db_session.flush()
    with rollups.updating(db_session, [response.id], new=True):
        pass
    db_session.commit()
    everyone = journey_trends(db_session, journey, Filters(), "week", min_n=1)
    assert everyone.metrics() == ["sentiment"]
    customers = journey_trends(db_session, journey, Filters(), "week", min_n=1, customers_only=True)
    assert customers.source == "answers" and customers.metrics() == []


# --- the page -----------------------------------------------------------------------------


def test_page_by_week_shows_figures_gaps_and_a_table(client, auth, journey, shop):
    auth.login_as_cx_lead()
    response = client.get(url(journey, grain="week", min_n=2, **MARCH))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Scores over time" in html and "<table" in html
    assert "2026-W10" in html and "2026-W13" in html
    assert "+33" in html and "±107" in html  # W10's NPS and its margin
    assert "not enough answers" in html and "(n&nbsp;=&nbsp;1)" in html and "no answers" in html
    assert "3 weeks or months without a figure" in html  # the chart's gaps, said in words
    chart = f"/journeys/{journey.id}/trends/chart.svg?metric=nps"
    assert chart in html.replace("&amp;", "&")
    assert "metric=sentiment" in html and "metric=csat&" not in html.replace("&amp;", "&")


def test_page_by_month_and_by_touchpoint(client, auth, db_session, journey, shop):
    delivery = a_live_questionnaire(
        db_session, "csat", "purchase", touchpoint_key="delivery", journey=journey
    )
    answer_on(db_session, delivery, date(2026, 4, 2), 5)
    auth.login_as_cx_lead()
    html = client.get(url(journey, grain="month", by="touchpoint", min_n=1)).get_data(as_text=True)
    assert "2026-03" in html and "2026-04" in html and "2026-W10" not in html
    assert "Purchase · Checkout" in html and "Purchase · Delivery" in html
    assert "100%" in html  # April's CSAT at delivery
    # The default grain: weeks for a short period, months otherwise.
    short = client.get(url(journey, **MARCH)).get_data(as_text=True)
    assert "2026-W10" in short


def test_a_segment_filter_on_the_page(client, auth, db_session, journey, shop):
    answer_on(db_session, shop, W11, 0, plan="pro")
    auth.login_as_cx_lead()
    html = client.get(
        url(journey, grain="week", min_n=1, segment_key="plan", segment_value="pro")
    ).get_data(as_text=True)
    assert "2026-W11" in html and "2026-W10" not in html and ">-100<" in html


@pytest.mark.parametrize(
    "params, message",
    [
        ({"grain": "year"}, "“grain” must be week or month."),
        ({"by": "channel"}, "“by” must be stage or touchpoint."),
        ({"metric": "effort"}, "“metric” must be nps, csat, ces or sentiment."),
        ({"stage": "999999"}, "Unknown stage for this journey."),
        ({"from": "yesterday"}, "must be a date like"),
    ],
)
def test_bad_parameters_give_the_page_with_a_message_and_400(
    client, auth, journey, params, message
):
    auth.login_as_cx_lead()
    response = client.get(url(journey, **params))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    chart = client.get(url(journey, "/chart.svg", **params))
    assert chart.status_code == 400 and message in chart.get_data(as_text=True)


def test_chart_is_a_deterministic_svg_with_the_series(client, auth, journey, shop):
    auth.login_as_cx_lead()
    chart = url(journey, "/chart.svg", metric="nps", grain="week", min_n=2, **MARCH)
    response = client.get(chart)
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    assert svg.startswith("<?xml") and "<script" not in svg
    assert f'id="series-{shop.stage_id}"' in svg and f'id="series-{shop.stage_id}-band"' in svg
    assert f'id="series-{shop.stage_id}-gaps"' in svg and "Purchase" in svg
    assert "2026-W10" in svg
    assert client.get(chart).data == response.data
    by_touchpoint = client.get(url(journey, "/chart.svg", by="touchpoint", min_n=1)).data
    assert f'id="series-{shop.stage_id}-{shop.touchpoint_id}"'.encode() in by_touchpoint


def test_map_and_questionnaire_pages_link_here(client, auth, journey, shop):
    auth.login_as_cx_lead()
    html = client.get(f"/journeys/{journey.id}/map?min_n=2").get_data(as_text=True)
    assert f"/journeys/{journey.id}/trends?min_n=2" in html
    page = client.get(f"/questionnaires/{shop.id}").get_data(as_text=True)
    link = re.search(r'href="(/journeys/\d+/trends\?[^"]*)"', page)
    assert link is not None
    target = link.group(1).replace("&amp;", "&")
    assert f"questionnaire={shop.id}" in target and f"stage={shop.stage_id}" in target
    found = client.get(target)
    assert found.status_code == 200
    assert "Answers to the questionnaire" in found.get_data(as_text=True)


def test_french_page(client, auth, journey, shop):
    auth.login_as_cx_lead()
    response = client.get(url(journey, grain="week", min_n=2, lang="fr", **MARCH))
    assert response.status_code == 200


# --- the report ----------------------------------------------------------------------------


def test_pdf_report_has_scores_over_time(db_session, journey, shop, tmp_path):
    filters = Filters(date_from=date(2026, 3, 1), date_to=date(2026, 3, 29))
    data = b"".join(write_report(db_session, journey, filters, "pdf", min_n=2))
    text = pdf_text(data, tmp_path)
    assert "Scores over time" in text
    assert "by week" in text and "2026-W10" in text
    assert "NPS" in text and "not enough answers" in text


# --- the API ------------------------------------------------------------------------------


def test_api_gives_the_series_with_gaps(app, client, db_session, journey, shop):
    from api_helpers import api_user, bearer_for

    app.config["MIN_ANSWERS_PER_CELL"] = 2
    headers = bearer_for(db_session, api_user(db_session, "cx_lead"), ["reports:read"])
    reply = client.get(
        url(journey).replace("/journeys", "/api/v1/journeys") + "?from=2026-03-01&to=2026-03-29",
        headers=headers,
    )
    assert reply.status_code == 200, reply.json
    body = reply.json
    assert body["grain"] == "week" and body["by"] == "stage" and body["min_n"] == 2
    assert [b["label"] for b in body["buckets"]][1:3] == ["2026-W10", "2026-W11"]
    purchase = next(line for line in body["lines"] if line["stage"] == "purchase")
    assert purchase["touchpoint"] is None
    nps = purchase["nps"]
    assert nps[1]["value"] == pytest.approx(100 / 3) and nps[1]["margin"] == pytest.approx(
        1.96 * ((1 - 1 / 9) / 3) ** 0.5 * 100
    )
    assert nps[3] == {
        "value": None, "n": 1, "low": None, "high": None, "margin": None,
        "gap": "not enough answers", "mean": None,
    }  # fmt: skip
    monthly = client.get(
        url(journey).replace("/journeys", "/api/v1/journeys") + "?grain=month&by=touchpoint",
        headers=headers,
    ).json
    assert [line["touchpoint"] for line in monthly["lines"]] == ["checkout"]
    assert [b["label"] for b in monthly["buckets"]] == ["2026-03"]
    bad = client.get(url(journey).replace("/journeys", "/api/v1/journeys") + "?grain=year",
                     headers=headers)  # fmt: skip
    assert bad.status_code == 422
    unscoped = bearer_for(db_session, api_user(db_session, "cx_lead"), ["questionnaires:read"])
    denied = client.get(url(journey).replace("/journeys", "/api/v1/journeys"), headers=unscoped)
    assert denied.status_code == 403


def test_xlsx_summary_has_the_scores_over_time(db_session, journey, shop):
    import io

    from openpyxl import load_workbook

    filters = Filters(date_from=date(2026, 3, 1), date_to=date(2026, 3, 29))
    data = b"".join(write_report(db_session, journey, filters, "xlsx", min_n=2))
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Summary", "Pain points", "Answers"]
    summary = list(book["Summary"].iter_rows(values_only=True))
    start = summary.index(("Scores over time",) + (None,) * (len(summary[0]) - 1)) + 1
    rows = [row[:13] for row in summary[start:]]
    assert rows[0][:6] == ("stage", "grain", "bucket", "start", "end", "metric")
    nps = [row for row in rows[1:] if row[5] == "nps"]
    assert [row[2] for row in nps] == ["2026-W09", "2026-W10", "2026-W11", "2026-W12", "2026-W13"]
    assert nps[1][0] == "Purchase" and nps[1][6] == pytest.approx(33.33) and nps[1][10] == 3
    assert nps[3][6] is None and nps[3][10] == 1 and nps[3][12] == "not enough answers"
    assert {row[5] for row in rows[1:]} == {"nps", "sentiment"}
