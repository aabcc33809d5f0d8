"""The filters of the insight pages: one form, read the same way by every page.

The form sends `segment_key` and `segment_value`; a shared link carries `segment.KEY=VALUE`.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request, url_for
from sqlalchemy import select

from feedback.filters import SEGMENT_KEY, SEGMENT_PREFIX, FilterError, Filters
from feedback.journey_map import segment_keys

from ..db import get_session
from ..models import Journey, Questionnaire

MAX_MIN_N = 100_000


@dataclass(frozen=True)
class FilterView:
    """What the URL asks for: the filters, the threshold, and the query that keeps them."""

    filters: Filters
    min_n: int
    query: dict[str, str]


def journey_questionnaires(journey: Journey) -> list[Questionnaire]:
    return (
        get_session()
        .scalars(
            select(Questionnaire)
            .where(Questionnaire.journey_id == journey.id, Questionnaire.kind != "interview")
            .order_by(Questionnaire.stage_id, Questionnaire.id)
        )
        .all()
    )


def _min_n(value: str | None) -> int:
    default = int(current_app.config.get("MIN_ANSWERS_PER_CELL", 30))
    value = (value or "").strip()
    if not value:
        return default
    if not value.isdigit() or not 1 <= int(value) <= MAX_MIN_N:
        raise FilterError(
            f"The minimum of answers per cell must be a whole number from 1 to {MAX_MIN_N}."
        )
    return int(value)


def read_view(journey: Journey) -> FilterView:
    """The filters of the page, from the form's fields or a shared `segment.KEY` link."""
    args = request.args.to_dict()
    key = args.pop("segment_key", "").strip()
    value = args.pop("segment_value", "").strip()
    if key and value:
        if not SEGMENT_KEY.match(key):
            raise FilterError(f"Unknown segment: {key[:40]}")
        args[SEGMENT_PREFIX + key] = value
    filters = Filters.from_query(args)
    if filters.questionnaire_id is not None and filters.questionnaire_id not in {
        q.id for q in journey_questionnaires(journey)
    }:
        raise FilterError("Unknown questionnaire for this journey.")
    min_n = _min_n(args.get("min_n"))
    query = filters.to_query()
    if args.get("min_n"):
        query["min_n"] = str(min_n)
    return FilterView(filters, min_n, query)


def form_state(filters: Filters) -> dict:
    """The values the filter form shows (the URL may carry fields the form did not send)."""
    args = request.args
    segment = filters.segment[0] if filters.segment else None
    return {
        "from": args.get("from", ""),
        "to": args.get("to", ""),
        "lang": args.get("lang", ""),
        "questionnaire": args.get("questionnaire", ""),
        "segment_key": args.get("segment_key") or (segment[0] if segment else ""),
        "segment_value": args.get("segment_value") or (segment[1] if segment else ""),
        "min_n": args.get("min_n", ""),
    }


def filter_form_context(journey: Journey, endpoint: str, with_min_n: bool = False) -> dict:
    """What `insight/_filters.html` needs: the choices, and where the form sends them."""
    return {
        "journey": journey,
        "filter_action": url_for(endpoint, journey_id=journey.id),
        "questionnaires": journey_questionnaires(journey),
        "segment_keys": segment_keys(get_session(), journey),
        "default_min_n": (
            current_app.config.get("MIN_ANSWERS_PER_CELL", 30) if with_min_n else None
        ),
    }
