"""The filters of the journey map, its drill-downs, pain points and exports.

One definition, read from and written to the query string (so a filtered view can be
shared by its URL) and applied to any query that involves `Response`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select

from surveys.models import Response

SEGMENT_PREFIX = "segment."
SEGMENT_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,39}$")
LANGUAGES = ("fr", "en")
QUESTIONNAIRE_ID_MAX = 2**31 - 1  # the database's integer
# Bounds of a period: beyond them, the previous period of the same length (and the day
# after the end) would leave the calendar that Python and the databases can count.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)


class FilterError(ValueError):
    """A filter value that cannot be read, with a message for the person who typed it."""


@dataclass(frozen=True)
class Filters:
    """What part of the answers a view reads: period, language, questionnaire, segments,
    and whether unfinished (partial) responses count in the scores too."""

    date_from: date | None = None
    date_to: date | None = None  # inclusive
    language: str | None = None
    questionnaire_id: int | None = None
    segment: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    include_partial: bool = False

    @classmethod
    def from_query(cls, args: Mapping[str, str]) -> Filters:
        """Read `from`, `to`, `lang`, `questionnaire`, `partial` and `segment.KEY=VALUE`
        parameters."""
        date_from = _date(args.get("from"), "from")
        date_to = _date(args.get("to"), "to")
        if date_from and date_to and date_from > date_to:
            raise FilterError("The start of the period is after its end.")
        language = (args.get("lang") or "").strip() or None
        if language is not None and language not in LANGUAGES:
            raise FilterError("Language must be fr or en.")
        questionnaire = (args.get("questionnaire") or "").strip()
        if questionnaire and (
            not questionnaire.isdigit()
            or len(questionnaire) > 10
            or int(questionnaire) > QUESTIONNAIRE_ID_MAX
        ):
            raise FilterError("Unknown questionnaire.")
        segment = []
        for name, value in args.items():
            if not name.startswith(SEGMENT_PREFIX) or not str(value).strip():
                continue
            key = name[len(SEGMENT_PREFIX) :]
            if not SEGMENT_KEY.match(key):
                raise FilterError(f"Unknown segment: {key[:40]}")
            segment.append((key, str(value).strip()[:200]))
        partial = (args.get("partial") or "").strip().lower()
        if partial not in ("", "0", "1", "true", "false", "on"):
            raise FilterError("“partial” must be 1 or 0.")
        return cls(
            date_from=date_from,
            date_to=date_to,
            language=language,
            questionnaire_id=int(questionnaire) if questionnaire else None,
            segment=tuple(sorted(segment)),
            include_partial=partial in ("1", "true", "on"),
        )

    def to_query(self) -> dict[str, str]:
        """The query-string form, for links that keep the filters."""
        query: dict[str, str] = {}
        if self.date_from:
            query["from"] = self.date_from.isoformat()
        if self.date_to:
            query["to"] = self.date_to.isoformat()
        if self.language:
            query["lang"] = self.language
        if self.questionnaire_id:
            query["questionnaire"] = str(self.questionnaire_id)
        for key, value in self.segment:
            query[SEGMENT_PREFIX + key] = value
        if self.include_partial:
            query["partial"] = "1"
        return query

    def previous_period(self) -> Filters | None:
        """The same filters over the period of the same length just before, if bounded."""
        if not (self.date_from and self.date_to):
            return None
        length = (self.date_to - self.date_from).days + 1
        return replace(
            self,
            date_from=self.date_from - timedelta(days=length),
            date_to=self.date_from - timedelta(days=1),
        )

    def criteria(self, statuses: tuple[str, ...] | None = None) -> list:
        """The WHERE conditions on `Response`: complete responses only, unless partial ones
        were asked for (they are never in the rollups' scores: such views read the answers).

        Drop-off passes ("complete", "partial") to compare both under the same filters.
        """
        if statuses is None:
            statuses = ("complete", "partial") if self.include_partial else ("complete",)
        found = [Response.status.in_(statuses)]
        if self.date_from:
            found.append(Response.submitted_at >= _start_of(self.date_from))
        if self.date_to:
            found.append(Response.submitted_at < _start_of(self.date_to + timedelta(days=1)))
        if self.language:
            found.append(Response.language == self.language)
        if self.questionnaire_id:
            found.append(Response.questionnaire_id == self.questionnaire_id)
        for key, value in self.segment:
            found.append(Response.meta[key].as_string() == value)
        return found

    def apply(self, query: Select) -> Select:
        """Restrict a query over `Response` to the responses these filters select."""
        return query.where(*self.criteria())


def _date(value: str | None, name: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        raise FilterError(f"“{name}” must be a date like 2026-11-23.") from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise FilterError(f"“{name}” must be between {FIRST_DAY} and {LAST_DAY}.")
    return day


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)
