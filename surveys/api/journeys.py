"""/api/v1/journeys: their structure, the journey map and the pain points, as JSON."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from typing import Literal

from flask import current_app, request
from pydantic import BaseModel, Field

from feedback import pain_points as pp
from feedback.filters import QUESTIONNAIRE_ID_MAX, SEGMENT_PREFIX, FilterError, Filters
from feedback.journey_map import journey_map
from feedback.trend_data import journey_trends
from feedback.trends import METRICS, default_grain

from ..db import get_read_session, get_session
from ..models import Journey
from . import bp
from .errors import ApiError
from .spec import json_response, operation
from .types import UtcDatetime


class FilterQuery(BaseModel):
    """The journey map page's filters; `segment.KEY=VALUE` parameters are read as well."""

    date_from: date | None = Field(None, alias="from", description="First day, YYYY-MM-DD.")
    date_to: date | None = Field(None, alias="to", description="Last day (inclusive).")
    lang: str | None = Field(None, pattern="^(fr|en)$", description="Answers in this language.")
    questionnaire: int | None = Field(None, ge=1, le=QUESTIONNAIRE_ID_MAX)
    partial: bool = Field(
        False, description="Count unfinished (partial) responses in the scores too."
    )


DEEP_SEGMENT = re.compile(r"segment\[([^\]]*)\]")
SEGMENT_PARAMETER = {
    "name": "segment",
    "in": "query",
    "required": False,
    "description": "Any response metadata: `segment[channel]=store`, also written "
    "`segment.channel=store` as in the page's URLs; several may be given.",
    "schema": {"type": "object", "additionalProperties": {"type": "string", "maxLength": 200}},
    "style": "deepObject",
    "explode": True,
}


class StageRef(BaseModel):
    id: int
    key: str
    name: dict[str, str]


class TouchpointRef(BaseModel):
    id: int
    key: str
    name: str


class JourneyOut(BaseModel):
    id: int
    name: str
    stages: list[StageRef]
    touchpoints: list[TouchpointRef]


class JourneyList(BaseModel):
    items: list[JourneyOut]


class FigureOut(BaseModel):
    value: float | None
    n: int
    low: float | None
    high: float | None
    margin: float | None
    enough: bool


class EffortOut(BaseModel):
    mean: float | None
    easy: FigureOut
    n: int


class SentimentOut(BaseModel):
    mean: float | None
    n: int


class EmotionsOut(BaseModel):
    picked: dict[str, int]
    inferred: dict[str, int]


class ThemeCount(BaseModel):
    key: str
    count: int


class DeltaOut(BaseModel):
    n: int
    nps: float | None
    csat: float | None
    ces: float | None
    sentiment: float | None


class CellOut(BaseModel):
    stage: str | None
    touchpoint: str | None
    n: int
    enough: bool
    nps: FigureOut
    csat: FigureOut
    ces: EffortOut
    sentiment: SentimentOut
    emotions: EmotionsOut
    themes: list[ThemeCount]
    delta: DeltaOut | None


class MapStage(StageRef):
    total: CellOut


class JourneyMapOut(BaseModel):
    journey: int
    filters: dict[str, str]
    min_n: int = Field(description="Below this many answers a figure is not enough to read.")
    compared: bool
    total: CellOut
    stages: list[MapStage]
    touchpoints: list[TouchpointRef]
    cells: list[CellOut]


class QuoteOut(BaseModel):
    text: str
    polarity: float | None
    language: str
    submitted_at: UtcDatetime


class PainPointOut(BaseModel):
    stage: str
    touchpoint: str | None
    theme: str
    theme_label: str
    frequency: int
    cell_answers: int
    share: float
    negativity: float
    severity: float = Field(description="frequency x mean negativity.")
    trend: str | None
    share_change: float | None
    status: str
    owner: str
    came_back: bool
    quotes: list[QuoteOut]


class PainPointList(BaseModel):
    journey: int
    filters: dict[str, str]
    items: list[PainPointOut]


def _journey(journey_id: int) -> Journey:
    journey = get_session().get(Journey, journey_id)
    if journey is None:
        raise ApiError(404, "No such journey.")
    return journey


def _filters() -> Filters:
    """The page's filters; `segment[KEY]=` (OpenAPI's deepObject) reads as `segment.KEY=`."""
    args = {}
    for name, value in request.args.items():
        match = DEEP_SEGMENT.fullmatch(name)
        args[f"{SEGMENT_PREFIX}{match.group(1)}" if match else name] = value
    try:
        return Filters.from_query(args)
    except FilterError as error:
        raise ApiError(422, str(error)) from None


def journey_out(journey: Journey) -> JourneyOut:
    return JourneyOut(
        id=journey.id,
        name=journey.name,
        stages=[
            StageRef(id=s.id, key=s.key, name={"en": s.name_en, "fr": s.name_fr})
            for s in journey.stages
        ],
        touchpoints=[
            TouchpointRef(id=t.id, key=t.key, name=t.name_en) for t in journey.touchpoints
        ],
    )


@operation(
    bp, "GET", "/journeys", summary="List journeys with their stage and touchpoint keys",
    tag="Journeys", scope="questionnaires:read", response=JourneyList,
)  # fmt: skip
def list_journeys():
    journeys = get_session().query(Journey).order_by(Journey.id).all()
    return JourneyList(items=[journey_out(j) for j in journeys])


@operation(
    bp, "GET", "/journeys/<int:journey_id>/map", summary="The journey map",
    tag="Journeys", scope="reports:read", query=FilterQuery, response=JourneyMapOut,
    errors=(404,), extra_query=[SEGMENT_PARAMETER], conditional=True,
    description="Stages x touchpoints with n, NPS (with its margin), CSAT, CES, sentiment, "
    "emotions and top themes; with deltas against the previous period when `from` and `to` "
    "are set. Carries an ETag: send it back in If-None-Match to get a 304 when nothing changed.",
)  # fmt: skip
def get_journey_map(journey_id: int, query: FilterQuery):
    journey = _journey(journey_id)
    result = journey_map(
        get_read_session(), journey, _filters(), current_app.config["MIN_ANSWERS_PER_CELL"]
    )
    body = JourneyMapOut.model_validate(result.to_dict())
    payload = json.dumps(body.model_dump(mode="json"), sort_keys=True).encode()
    etag = hashlib.sha256(payload).hexdigest()[:32]
    response = json_response(body, JourneyMapOut, headers={"Cache-Control": "private, no-cache"})
    response.set_etag(etag)
    return response.make_conditional(request)


@operation(
    bp, "GET", "/journeys/<int:journey_id>/pain-points", summary="The pain points",
    tag="Journeys", scope="reports:read", query=FilterQuery, response=PainPointList,
    errors=(404,), extra_query=[SEGMENT_PARAMETER],
    description="Themes per stage x touchpoint, most severe first, with their follow-up.",
)  # fmt: skip
def get_pain_points(journey_id: int, query: FilterQuery):
    journey = _journey(journey_id)
    filters = _filters()
    session = get_session()
    rows = pp.pain_points(session, journey, filters)
    session.commit()  # pain_points() flags resolved ones that came back
    return PainPointList(
        journey=journey.id,
        filters=filters.to_query(),
        items=[
            PainPointOut(
                stage=row.stage_key,
                touchpoint=row.touchpoint_key,
                theme=row.theme_key,
                theme_label=row.theme_label,
                frequency=row.frequency,
                cell_answers=row.cell_answers,
                share=row.share,
                negativity=row.negativity,
                severity=row.severity,
                trend=row.trend,
                share_change=row.share_change,
                status=row.status,
                owner=row.follow_up.owner if row.follow_up else "",
                came_back=bool(row.follow_up and row.follow_up.came_back),
                quotes=[
                    QuoteOut(
                        text=q.text,
                        polarity=q.polarity,
                        language=q.language,
                        submitted_at=q.submitted_at,
                    )
                    for q in row.quotes
                ],
            )
            for row in rows
        ],
    )


class TrendQuery(FilterQuery):
    grain: Literal["week", "month"] | None = Field(
        None, description="ISO weeks or calendar months (UTC); by default weeks for a period "
        "of up to three months, months otherwise."
    )  # fmt: skip
    by: Literal["stage", "touchpoint"] = Field(
        "stage", description="One line per stage, or per stage x touchpoint with answers."
    )


class TrendPointOut(BaseModel):
    value: float | None = Field(description="None: a gap, see `gap`.")
    n: int
    low: float | None
    high: float | None
    margin: float | None = Field(description="None for sentiment: its spread is not kept.")
    gap: str | None = Field(description="`not enough answers` or `no answers`, or None.")
    mean: float | None = Field(None, description="CES only: the mean effort on 1-7.")


class BucketOut(BaseModel):
    start: date
    end: date = Field(description="Last day (inclusive), both clipped to the period.")
    label: str = Field(description="e.g. `2026-W05` or `2026-01`.")


class TrendLineOut(BaseModel):
    stage: str
    touchpoint: str | None = Field(description="By touchpoint: None is the whole stage.")
    nps: list[TrendPointOut]
    csat: list[TrendPointOut] = Field(description="% of 4-5, with a Wilson interval.")
    ces: list[TrendPointOut] = Field(description="% of 5-7 (easy), with a Wilson interval.")
    sentiment: list[TrendPointOut]


class TrendsOut(BaseModel):
    journey: int
    filters: dict[str, str]
    grain: str
    by: str
    min_n: int = Field(description="Below this many answers a bucket is a gap.")
    buckets: list[BucketOut]
    lines: list[TrendLineOut] = Field(description="One point per bucket, in bucket order.")


@operation(
    bp, "GET", "/journeys/<int:journey_id>/trends", summary="Scores over time",
    tag="Journeys", scope="reports:read", query=TrendQuery, response=TrendsOut,
    errors=(404,), extra_query=[SEGMENT_PARAMETER],
    description="NPS, CSAT, CES and sentiment per stage (or touchpoint) by ISO week or "
    "calendar month, with their margin of error; a bucket with fewer answers than the "
    "map's minimum is a gap (value null, `gap` says why).",
)  # fmt: skip
def get_journey_trends(journey_id: int, query: TrendQuery):

    journey = _journey(journey_id)
    filters = _filters()
    grain = query.grain or default_grain(filters.date_from, filters.date_to)
    found = journey_trends(
        get_read_session(), journey, filters, grain, query.by,
        current_app.config["MIN_ANSWERS_PER_CELL"],
    )  # fmt: skip
    stages = {s.id: s.key for s in journey.stages}
    touchpoints = {t.id: t.key for t in journey.touchpoints}
    lines = []
    for line in found.lines:
        stage_id, tp_id = line.key if isinstance(line.key, tuple) else (line.key, None)
        lines.append(
            TrendLineOut(
                stage=stages[stage_id],
                touchpoint=touchpoints.get(tp_id) if tp_id is not None else None,
                **{m: [TrendPointOut(**p.to_dict()) for p in line.points[m]] for m in METRICS},
            )
        )
    return TrendsOut(
        journey=journey.id,
        filters=filters.to_query(),
        grain=found.grain,
        by=found.by,
        min_n=found.min_n,
        buckets=[BucketOut(start=b.start, end=b.end, label=b.label) for b in found.buckets],
        lines=lines,
    )
