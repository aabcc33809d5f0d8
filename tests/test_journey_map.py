"""The journey map: figures per stage x touchpoint checked against hand-computed fixtures."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from builders import a_journey, a_live_questionnaire

from feedback.filters import Filters
from feedback.journey_map import drill_down, drop_off, emotion_curve, journey_map, segment_keys
from surveys import rollups
from surveys.models import Answer, AnswerTheme, Response, TextAnalysis, utcnow


def respond(
    session,
    questionnaire,
    score=None,
    text=None,
    emotion=None,
    polarity=None,
    inferred=None,
    themes=(),
    language="en",
    days_ago=1,
    status="complete",
    **meta,
):
    """One response with its score, free text (scored as given) and picked emotion."""
    questions = {q.key: q for q in questionnaire.current_version.questions}
    response = Response(
        questionnaire_id=questionnaire.id,
        version_id=questionnaire.current_version.id,
        language=language,
        status=status,
        meta=meta,
        submitted_at=utcnow() - timedelta(days=days_ago),
    )
    place = {"stage_id": questionnaire.stage_id, "touchpoint_id": questionnaire.touchpoint_id}
    if score is not None:
        response.answers.append(
            Answer(question_id=questions[questionnaire.kind].id, number=score, **place)
        )
    if emotion is not None:
        response.answers.append(
            Answer(question_id=questions["emotion"].id, choice=emotion, **place)
        )
    if text is not None:
        answer = Answer(question_id=questions["why"].id, text=text, **place)
        response.answers.append(answer)
        if polarity is not None:
            label = "positive" if polarity > 0.05 else "negative" if polarity < -0.05 else "neutral"
            answer.analysis = TextAnalysis(
                analyzer_version="test",
                language=language,
                polarity=polarity,
                subjectivity=0.5,
                label=label,
                emotions={},
                emotion=inferred,
                themes=list(themes),
                **place,
            )
    session.add(response)
    session.flush()
    # Stored around `store_response`, so counted in the rollups the way it counts.
    with rollups.updating(session, [response.id], new=True):
        for theme in themes:
            session.add(
                AnswerTheme(
                    answer_id=answer.id,
                    theme_key=theme,
                    source="auto",
                    polarity=polarity,
                    **place,
                )
            )
    session.commit()
    return response


@pytest.fixture
def journey(db_session):
    return a_journey(db_session)


def live(session, journey, kind, stage, touchpoint=None):
    return a_live_questionnaire(session, kind, stage, touchpoint_key=touchpoint, journey=journey)


def stage_of(result, key):
    return next(s for s in result.stages if s.key == key)


# --- aggregates -------------------------------------------------------------------------


def test_empty_journey_has_every_stage_and_no_figure(db_session, journey):
    result = journey_map(db_session, journey, Filters())
    assert [s.key for s in result.stages] == [
        "awareness",
        "consideration",
        "purchase",
        "retention",
        "advocacy",
    ]
    assert result.total.n == 0 and not result.total.enough
    assert result.total.nps.value is None and result.total.sentiment is None
    assert result.touchpoints == []
    assert all(s.cells == {} and s.total.n == 0 for s in result.stages)
    assert result.to_dict()["cells"] == []


def test_journey_without_stages_gives_an_empty_map(db_session):
    journey = a_journey(db_session, template=None, name="Blank")
    result = journey_map(db_session, journey, Filters())
    assert result.stages == [] and result.total.n == 0
    assert emotion_curve(db_session, journey, Filters()) == []


def test_one_answer_gives_a_cell_flagged_not_enough(db_session, journey):
    q = live(db_session, journey, "csat", "purchase", "checkout")
    respond(db_session, q, score=5)
    result = journey_map(db_session, journey, Filters())
    cell = result.cell(q.stage_id, q.touchpoint_id)
    assert cell.n == 1 and not cell.enough
    assert cell.csat.value == 100.0 and cell.csat.n == 1
    assert result.touchpoints == [(q.touchpoint_id, "checkout", "Checkout")]
    # the figures stay available for the drill-down, only flagged
    assert result.to_dict()["cells"][0]["enough"] is False


def test_a_stage_no_one_answered_stays_in_the_map_with_no_figures(db_session, journey):
    q = live(db_session, journey, "nps", "advocacy")
    respond(db_session, q, score=10)
    result = journey_map(db_session, journey, Filters(), min_n=1)
    awareness = stage_of(result, "awareness")
    assert awareness.total.n == 0 and awareness.cells == {}
    assert awareness.total.nps.value is None
    assert stage_of(result, "advocacy").total.nps.value == 100.0


def test_cells_reach_enough_at_min_n(db_session, journey):
    q = live(db_session, journey, "csat", "purchase", "checkout")
    for score in (5, 4, 3):
        respond(db_session, q, score=score)
    assert (
        journey_map(db_session, journey, Filters(), min_n=3)
        .cell(q.stage_id, q.touchpoint_id)
        .enough
    )
    assert (
        not journey_map(db_session, journey, Filters(), min_n=4)
        .cell(q.stage_id, q.touchpoint_id)
        .enough
    )


def test_nps_per_cell_with_its_trinomial_margin(db_session, journey):
    q = live(db_session, journey, "nps", "advocacy")
    for score in (10, 9, 8, 7, 6, 0):
        respond(db_session, q, score=score)
    cell = journey_map(db_session, journey, Filters(), min_n=1).cell(q.stage_id, None)
    # 2 promoters, 2 passives, 2 detractors: NPS 0; var = (1/3 + 1/3 - 0) / 6 = 1/9
    assert cell.n == 6
    assert cell.nps.value == pytest.approx(0.0)
    assert cell.nps.margin == pytest.approx(1.96 * (1 / 3) * 100)
    assert cell.csat.value is None and cell.ces.mean is None


def test_csat_per_cell_is_the_top_two_box_with_a_wilson_interval(db_session, journey):
    q = live(db_session, journey, "csat", "purchase", "checkout")
    for score in (5, 4, 3, 1):
        respond(db_session, q, score=score)
    csat = journey_map(db_session, journey, Filters()).cell(q.stage_id, q.touchpoint_id).csat
    # 2 of 4; Wilson 95%: centre 0.5, half-width 0.34997
    assert (csat.value, csat.n) == (50.0, 4)
    assert csat.low == pytest.approx(15.003, abs=0.01)
    assert csat.high == pytest.approx(84.997, abs=0.01)


def test_ces_per_cell_is_the_mean_and_the_share_of_five_to_seven(db_session, journey):
    q = live(db_session, journey, "ces", "consideration", "website")
    for score in (7, 5, 2):
        respond(db_session, q, score=score)
    ces = journey_map(db_session, journey, Filters()).cell(q.stage_id, q.touchpoint_id).ces
    assert ces.mean == pytest.approx(14 / 3)
    assert ces.easy.value == pytest.approx(200 / 3)
    assert ces.n == 3


def test_sentiment_and_emotions_picked_and_inferred_are_kept_apart(db_session, journey):
    q = live(db_session, journey, "csat", "retention", "delivery")
    respond(db_session, q, 5, "Great", "joy", 0.5, "joy")
    respond(db_session, q, 2, "Late again", "anger", -0.3, "sadness")
    respond(db_session, q, 4, None, "joy")
    respond(db_session, q, 3, "No idea", None, 0.1, None)
    cell = journey_map(db_session, journey, Filters()).cell(q.stage_id, q.touchpoint_id)
    assert cell.sentiment == pytest.approx(0.1) and cell.sentiment_n == 3
    assert cell.emotions_picked == {"joy": 2, "anger": 1}
    assert cell.emotions_inferred == {"joy": 1, "sadness": 1}


def test_top_themes_are_the_three_most_frequent(db_session, journey):
    q = live(db_session, journey, "csat", "retention", "delivery")
    for themes in (
        ["late_delivery", "damaged_package"],
        ["late_delivery"],
        ["late_delivery", "lost_parcel"],
        ["damaged_package"],
        ["wrong_item"],
    ):
        respond(db_session, q, 1, "bad", polarity=-0.5, themes=themes)
    cell = journey_map(db_session, journey, Filters()).cell(q.stage_id, q.touchpoint_id)
    assert cell.themes[:2] == [("late_delivery", 3), ("damaged_package", 2)]
    assert len(cell.themes) == 3 and cell.themes[2][1] == 1


def test_a_theme_coded_and_found_counts_once(db_session, journey):
    q = live(db_session, journey, "csat", "retention", "delivery")
    response = respond(db_session, q, 1, "bad", polarity=-0.5, themes=["late_delivery"])
    answer = next(a for a in response.answers if a.text)
    with rollups.updating(db_session, [response.id]):
        db_session.add(
            AnswerTheme(
                answer_id=answer.id,
                theme_key="late_delivery",
                source="coded",
                stage_id=q.stage_id,
                touchpoint_id=q.touchpoint_id,
            )
        )
    db_session.commit()
    cell = journey_map(db_session, journey, Filters()).cell(q.stage_id, q.touchpoint_id)
    assert cell.themes == [("late_delivery", 1)]


def test_stage_and_journey_totals_add_up_the_cells(db_session, journey):
    checkout = live(db_session, journey, "csat", "purchase", "checkout")
    whole = live(db_session, journey, "csat", "purchase")
    advocacy = live(db_session, journey, "nps", "advocacy")
    respond(db_session, checkout, 5, "ok", polarity=0.4)
    respond(db_session, checkout, 1)
    respond(db_session, whole, 4, "meh", polarity=-0.2)
    respond(db_session, advocacy, 9)
    result = journey_map(db_session, journey, Filters(), min_n=1)
    purchase = stage_of(result, "purchase")
    assert set(purchase.cells) == {checkout.touchpoint_id, None}
    assert purchase.total.n == 3
    assert purchase.total.csat.value == pytest.approx(200 / 3)
    assert purchase.total.sentiment == pytest.approx(0.1)
    assert result.total.n == 4
    assert result.total.nps.value == 100.0 and result.total.csat.n == 3


def test_filters_change_the_figures(db_session, journey):
    q = live(db_session, journey, "csat", "purchase", "checkout")
    other = live(db_session, journey, "csat", "purchase", "checkout")
    respond(db_session, q, 5, language="fr", days_ago=2, channel="email")
    respond(db_session, q, 1, language="en", days_ago=2, channel="qr")
    respond(db_session, q, 1, language="fr", days_ago=40, channel="email")
    respond(db_session, other, 5, language="en", days_ago=3, channel="email")
    respond(db_session, q, 5, status="partial")  # partial responses stay out of figures

    def csat(filters):
        cell = journey_map(db_session, journey, filters).cell(q.stage_id, q.touchpoint_id)
        return (cell.n, cell.csat.value) if cell else (0, None)

    today = utcnow().date()
    assert csat(Filters()) == (4, 50.0)
    assert csat(Filters(date_from=today - timedelta(days=10), date_to=today)) == (
        3,
        pytest.approx(200 / 3),
    )
    assert csat(Filters(language="fr")) == (2, 50.0)
    assert csat(Filters(questionnaire_id=other.id)) == (1, 100.0)
    assert csat(Filters(segment=(("channel", "qr"),))) == (1, 0.0)
    assert csat(Filters(date_from=date(2000, 1, 1), date_to=date(2000, 1, 2))) == (0, None)


def test_previous_period_deltas_per_stage_and_cell(db_session, journey):
    q = live(db_session, journey, "csat", "purchase", "checkout")
    today = utcnow().date()
    # this period (last 10 days): 3 answers, CSAT 2/3; the 10 days before: 2 answers, 1/2
    for score, days_ago in ((5, 1), (4, 2), (1, 3), (5, 12), (2, 13)):
        respond(db_session, q, score, "x", polarity=0.4 if score > 3 else -0.4, days_ago=days_ago)
    filters = Filters(date_from=today - timedelta(days=9), date_to=today)
    result = journey_map(db_session, journey, filters)
    assert result.compared
    delta = result.cell(q.stage_id, q.touchpoint_id).delta
    assert delta.n == 1
    assert delta.csat == pytest.approx(200 / 3 - 50)
    assert delta.sentiment == pytest.approx(0.4 / 3 - 0.0)
    assert delta.nps is None and delta.ces is None
    assert stage_of(result, "purchase").total.delta.n == 1
    assert stage_of(result, "advocacy").total.delta.n == 0
    assert (
        journey_map(db_session, journey, Filters()).cell(q.stage_id, q.touchpoint_id).delta is None
    )


def test_to_dict_has_the_api_shape(db_session, journey):
    q = live(db_session, journey, "nps", "advocacy")
    respond(db_session, q, 10, "Love it", "joy", 0.8, "joy", ["fast_delivery"])
    data = journey_map(db_session, journey, Filters(), min_n=1).to_dict()
    cell = data["cells"][0]
    assert cell["stage"] == "advocacy" and cell["touchpoint"] is None
    assert cell["n"] == 1 and cell["nps"]["value"] == 100.0 and "margin" in cell["nps"]
    assert cell["sentiment"] == {"mean": 0.8, "n": 1}
    assert cell["emotions"] == {"picked": {"joy": 1}, "inferred": {"joy": 1}}
    assert cell["themes"] == [{"key": "fast_delivery", "count": 1}]
    assert [s["key"] for s in data["stages"]][-1] == "advocacy"


def test_emotion_curve_follows_the_stages_in_order(db_session, journey):
    purchase = live(db_session, journey, "csat", "purchase", "checkout")
    retention = live(db_session, journey, "csat", "retention", "delivery")
    respond(db_session, purchase, 5, "good", "joy", 0.6, "trust")
    respond(db_session, retention, 1, "late", "anger", -0.6, "anger")
    respond(db_session, retention, 2, "late", "anger", -0.2, "sadness")
    curve = emotion_curve(db_session, journey, Filters())
    assert [p.stage_key for p in curve][2:4] == ["purchase", "retention"]
    assert curve[0].sentiment is None and curve[0].n == 0
    assert curve[2].sentiment == pytest.approx(0.6) and curve[2].inferred == "trust"
    assert curve[3].sentiment == pytest.approx(-0.4) and curve[3].picked == "anger"
    assert curve[3].inferred == "anger"  # a tie goes to the first in alphabetical order
    assert journey_map(db_session, journey, Filters()).curve() == curve


# --- drill-down, drop-off, segments -----------------------------------------------------


def test_drill_down_pages_through_the_quotes_of_a_cell(db_session, journey):
    q = live(db_session, journey, "csat", "retention", "delivery")
    elsewhere = live(db_session, journey, "csat", "purchase", "checkout")
    for i in range(30):
        respond(db_session, q, 1 + i % 5, f"answer {i}", "anger", -0.2, "anger", days_ago=30 - i)
    respond(db_session, elsewhere, 5, "elsewhere", polarity=0.5)
    first = drill_down(db_session, journey, Filters(), q.stage_id, q.touchpoint_id)
    assert (first.total, first.pages, len(first.quotes)) == (30, 2, 25)
    newest = first.quotes[0]
    assert newest.text == "answer 29" and newest.score == 5 and newest.score_type == "csat"
    assert (newest.picked, newest.inferred, newest.label) == ("anger", "anger", "negative")
    second = drill_down(db_session, journey, Filters(), q.stage_id, q.touchpoint_id, page=2)
    assert [x.text for x in second.quotes] == [f"answer {i}" for i in range(4, -1, -1)]
    assert drill_down(db_session, journey, Filters(), q.stage_id, None).total == 0
    assert drill_down(db_session, journey, Filters()).total == 31


def test_drill_down_by_theme(db_session, journey):
    q = live(db_session, journey, "csat", "retention", "delivery")
    respond(db_session, q, 1, "late", polarity=-0.5, themes=["late_delivery", "lost_parcel"])
    respond(db_session, q, 1, "broken", polarity=-0.5, themes=["damaged_package"])
    found = drill_down(db_session, journey, Filters(), theme="late_delivery")
    assert found.total == 1
    assert found.quotes[0].themes == ["late_delivery", "lost_parcel"]


def test_drop_off_counts_started_completed_and_answers_per_question(db_session, journey):
    q = live(db_session, journey, "csat", "purchase", "checkout")
    respond(db_session, q, 5, "fine", "joy", 0.3)
    respond(db_session, q, 4, None, "joy")
    respond(db_session, q, 2)
    respond(db_session, q, 3, status="partial")
    (found,) = drop_off(db_session, journey, Filters())
    assert (found.started, found.completed) == (4, 3)
    assert found.completion == pytest.approx(75.0)
    assert [(r.key, r.answered) for r in found.questions] == [
        ("csat", 4),
        ("why", 1),
        ("emotion", 2),
        ("went_wrong", 0),  # the template's follow-up for a CSAT of 1-2
    ]
    assert drop_off(db_session, journey, Filters(language="fr"))[0].started == 0


def test_segment_keys_are_the_metadata_keys_present(db_session, journey):
    q = live(db_session, journey, "csat", "purchase", "checkout")
    respond(db_session, q, 5, channel="email", country="FR")
    respond(db_session, q, 4, device="mobile")
    assert segment_keys(db_session, journey) == ["channel", "country", "device"]


# --- the pages --------------------------------------------------------------------------


def map_url(journey, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"/journeys/{journey.id}/map" + (f"?{query}" if query else "")


def test_anonymous_visitors_are_sent_to_the_login_page(client, journey):
    response = client.get(map_url(journey))
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get(map_url(journey) + "/answers").status_code == 302


def test_cx_lead_reads_the_map_with_its_figures(client, auth, db_session, journey):
    q = live(db_session, journey, "nps", "advocacy")
    for score in (10, 9, 8, 7, 6, 0):
        respond(db_session, q, score, "fine", "joy", 0.3, "trust", ["high_price"])
    auth.login_as_cx_lead()
    html = client.get(map_url(journey, min_n=5)).get_data(as_text=True)
    assert "Advocacy" in html and "Awareness" in html
    assert "+0 " in html or "+0<" in html  # NPS 0
    assert "±65" in html  # its margin
    assert "High price 6" in html  # the codebook's label of the theme, in the page's language
    assert "Stage total" in html
    assert f"/journeys/{journey.id}/map/emotion-curve.svg?min_n=5" in html
    assert "Journey map" in client.get(f"/journeys/{journey.id}").get_data(as_text=True)


def test_cells_under_the_threshold_say_not_enough_answers(client, auth, db_session, journey):
    q = live(db_session, journey, "csat", "purchase", "checkout")
    respond(db_session, q, 5)
    auth.login_as_cx_lead()
    html = client.get(map_url(journey)).get_data(as_text=True)
    assert "Not enough answers" in html and "<dt>CSAT</dt>" not in html
    assert "<dt>CSAT</dt><dd>100%" in client.get(map_url(journey, min_n=1)).get_data(as_text=True)


def test_default_threshold_is_the_setting(app, client, auth, db_session, journey):
    app.config["MIN_ANSWERS_PER_CELL"] = 1
    q = live(db_session, journey, "csat", "purchase", "checkout")
    respond(db_session, q, 5)
    auth.login_as_cx_lead()
    assert "<dt>CSAT</dt><dd>100%" in client.get(map_url(journey)).get_data(as_text=True)


def test_a_period_shows_deltas_against_the_previous_one(client, auth, db_session, journey):
    q = live(db_session, journey, "csat", "purchase", "checkout")
    for score, days_ago in ((5, 1), (5, 2), (1, 12)):
        respond(db_session, q, score, days_ago=days_ago)
    today = utcnow().date()
    auth.login_as_cx_lead()
    html = client.get(
        map_url(journey, min_n=1, **{"from": today - timedelta(days=9), "to": today})
    ).get_data(as_text=True)
    assert "compared with the 10 days before" in html
    assert "+100 pt" in html  # CSAT 100% now, 0% before


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "yesterday"}, "must be a date"),
        ({"from": "2026-10-31", "to": "2026-10-01"}, "after its end"),
        ({"answer_language": "de"}, "Language must be fr or en"),
        ({"questionnaire": "abc"}, "Unknown questionnaire"),
        ({"questionnaire": "999999"}, "Unknown questionnaire"),
        ({"segment_key": "bad key", "segment_value": "x"}, "Unknown segment"),
        ({"min_n": "0"}, "whole number"),
        ({"min_n": "many"}, "whole number"),
    ],
)
def test_bad_filters_give_the_page_with_a_message_and_400(client, auth, journey, params, message):
    auth.login_as_cx_lead()
    response = client.get(map_url(journey, **params))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert client.get(map_url(journey, **params).replace("/map", "/map/answers")).status_code == 400
    assert (
        client.get(map_url(journey, **params).replace("/map", "/map/emotion-curve.svg")).status_code
        == 400
    )


def test_filters_in_the_url_are_kept_in_the_form_and_links(client, auth, db_session, journey):
    q = live(db_session, journey, "csat", "purchase", "checkout")
    respond(db_session, q, 5, "ok", polarity=0.2, channel="email")
    auth.login_as_cx_lead()
    html = client.get(
        map_url(
            journey, answer_language="en", segment_key="channel", segment_value="email", min_n=1
        )
    ).get_data(as_text=True)
    assert '<option value="channel" selected>' in html
    assert 'value="email"' in html
    assert "segment.channel=email" in html  # links to the answers and the chart keep it


def test_emotion_curve_chart_is_an_svg(client, auth, db_session, journey):
    q = live(db_session, journey, "csat", "purchase", "checkout")
    respond(db_session, q, 5, "ok", polarity=0.2)
    auth.login_as_cx_lead()
    response = client.get(f"/journeys/{journey.id}/map/emotion-curve.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert b"<svg" in response.data and b"Purchase" in response.data


def test_answers_page_escapes_quotes_and_pages(client, auth, db_session, journey):
    q = live(db_session, journey, "csat", "retention", "delivery")
    respond(db_session, q, 1, "<script>alert('x')</script> late", polarity=-0.5, days_ago=1)
    for i in range(26):
        respond(db_session, q, 3, f"quote {i}", polarity=0.0, days_ago=2 + i)
    auth.login_as_cx_lead()
    url = f"/journeys/{journey.id}/map/answers?stage={q.stage_id}&touchpoint={q.touchpoint_id}"
    html = client.get(url).get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; late" in html
    assert "Page 1 of 2" in html and "quote 23" in html and "quote 24" not in html
    second = client.get(url + "&page=2").get_data(as_text=True)
    assert "quote 24" in second and "quote 25" in second and "Page 2 of 2" in second
    assert "Page 2 of 2" in client.get(url + "&page=99").get_data(as_text=True)
    assert client.get(url.replace(f"stage={q.stage_id}", "stage=999999")).status_code == 400


def test_unknown_journey_is_404(client, auth):
    auth.login_as_cx_lead()
    assert client.get("/journeys/999999/map").status_code == 404


def test_the_map_shows_the_csat_interval(client, auth, db_session, journey):
    q = live(db_session, journey, "csat", "purchase", "checkout")
    for score in (5, 4, 3, 1):
        respond(db_session, q, score=score)
    auth.login_as_cx_lead()
    html = client.get(map_url(journey, min_n=1)).get_data(as_text=True)
    assert "50%" in html and "15–85" in html  # Wilson 95% interval of 2 out of 4
