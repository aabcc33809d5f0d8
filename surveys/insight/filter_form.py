"""The filters of the insight pages: one form, read the same way by every page.

The form sends `segment_key` and `segment_value`; a shared link carries `segment.KEY=VALUE`.
The language of the answers travels as `answer_language`: on a page, `lang` is the language
switch of every page (surveys.i18n), so it must not filter the answers too. The stored and
API form of the filters (`Filters.to_query`) keeps `lang`; `page_query` and
`filters_from_page` translate between the two.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import current_app, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from feedback.filters import SEGMENT_KEY, SEGMENT_PREFIX, FilterError, Filters
from feedback.journey_map import segment_keys

from ..db import get_session
from ..models import Journey, Questionnaire

MAX_MIN_N = 100_000
ANSWER_LANGUAGE = "answer_language"  # the page parameter of `Filters.language`


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
            _(
                "The minimum of answers per cell must be a whole number from 1 to %(max)s.",
                max=MAX_MIN_N,
            )
        )
    return int(value)


def read_view(journey: Journey) -> FilterView:
    """The filters of the page, from the form's fields or a shared `segment.KEY` link."""
    args = _filter_args(request.args.to_dict())
    key = args.pop("segment_key", "").strip()
    value = args.pop("segment_value", "").strip()
    if key and value:
        if not SEGMENT_KEY.match(key):
            raise FilterError(_("Unknown segment: %(key)s", key=key[:40]))
        args[SEGMENT_PREFIX + key] = value
    filters = Filters.from_query(args)
    if filters.questionnaire_id is not None and filters.questionnaire_id not in {
        q.id for q in journey_questionnaires(journey)
    }:
        raise FilterError(_("Unknown questionnaire for this journey."))
    min_n = _min_n(args.get("min_n"))
    query = page_query(filters)
    if args.get("min_n"):
        query["min_n"] = str(min_n)
    return FilterView(filters, min_n, query)


def _filter_args(args: dict[str, str]) -> dict[str, str]:
    """Page parameters as `Filters.from_query` reads them: `lang` is the page's language."""
    args = {k: v for k, v in args.items() if k != "lang"}
    if ANSWER_LANGUAGE in args:
        args["lang"] = args.pop(ANSWER_LANGUAGE)
    return args


def page_query(filters: Filters) -> dict[str, str]:
    """The query string of a page showing `filters` (links, the form, downloads)."""
    query = filters.to_query()
    if "lang" in query:
        query[ANSWER_LANGUAGE] = query.pop("lang")
    return query


def filters_from_page(args: dict[str, str]) -> Filters:
    """The filters of a page's query string (raises FilterError)."""
    return Filters.from_query(_filter_args(args))


def explain(error: FilterError) -> str:
    """The message of a filter error in the page's language.

    `feedback.filters` speaks English (it serves the API too): its messages are matched here
    and said again through the catalog; one this list does not know stays as it is.
    """
    message = str(error)
    for pattern, say in _FILTER_MESSAGES:
        if found := pattern.fullmatch(message):
            return say(**found.groupdict())
    return message


_FILTER_MESSAGES = [
    (
        re.compile(r"The start of the period is after its end\."),
        lambda: _("The start of the period is after its end."),
    ),
    (re.compile(r"Language must be fr or en\."), lambda: _("Language must be fr or en.")),
    (re.compile(r"Unknown questionnaire\."), lambda: _("Unknown questionnaire.")),
    (re.compile(r"“partial” must be 1 or 0\."), lambda: _("“partial” must be 1 or 0.")),
    (
        re.compile(r"Unknown segment: (?P<key>.*)", re.S),
        lambda key: _("Unknown segment: %(key)s", key=key),
    ),
    (
        re.compile(r"“(?P<name>[^”]*)” must be a date like (?P<example>\S+)\."),
        lambda name, example: _(
            "“%(name)s” must be a date like %(example)s.", name=name, example=example
        ),
    ),
    (
        re.compile(r"“(?P<name>[^”]*)” must be between (?P<first>\S+) and (?P<last>\S+)\."),
        lambda name, first, last: _(
            "“%(name)s” must be between %(first)s and %(last)s.", name=name, first=first, last=last
        ),
    ),
]


def form_state(filters: Filters) -> dict:
    """The values the filter form shows (the URL may carry fields the form did not send)."""
    args = request.args
    segment = filters.segment[0] if filters.segment else None
    return {
        "from": args.get("from", ""),
        "to": args.get("to", ""),
        "lang": args.get(ANSWER_LANGUAGE, ""),
        "questionnaire": args.get("questionnaire", ""),
        "segment_key": args.get("segment_key") or (segment[0] if segment else ""),
        "segment_value": args.get("segment_value") or (segment[1] if segment else ""),
        "min_n": args.get("min_n", ""),
        "partial": filters.include_partial,
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
