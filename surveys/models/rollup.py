"""Running totals of the journey map, so reading it does not grow with the answers.

Per day (UTC) x questionnaire version x stage x touchpoint x language, the counts and sums
the map's figures are made of. `surveys.rollups` keeps them in step with the answers in
the same transaction; `flask rebuild-rollups` recomputes them from scratch.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Float, ForeignKey, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow

# Touchpoint of a rollup about the whole stage: a key column cannot be NULL, and 0 is
# never a row id.
WHOLE_STAGE = 0
# Each transaction adds to one of this many rows per key, picked at random, so concurrent
# submissions to the same questionnaire seldom wait on the same row; readers sum them.
SHARDS = 8


# The measures of `CellRollup`, in the order `feedback.journey_map.score_columns()` and the
# sentiment query give them.
CELL_MEASURES = (
    "responses",
    "promoters",
    "passives",
    "detractors",
    "csat_top",
    "csat_n",
    "ces_sum",
    "ces_easy",
    "ces_n",
    "polarity_sum",
    "polarity_n",
    # The polarities squared: their spread, for the margin of mean sentiment over time.
    "polarity_sq_sum",
)


def _shard() -> Mapped[int]:
    return mapped_column(SmallInteger, primary_key=True, default=0)


class _Dimensions:
    """The key shared by the rollup tables of a cell."""

    day: Mapped[date] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_versions.id", ondelete="CASCADE"), primary_key=True
    )
    stage_id: Mapped[int] = mapped_column(
        ForeignKey("stages.id", ondelete="CASCADE"), primary_key=True
    )
    touchpoint_id: Mapped[int] = mapped_column(primary_key=True)
    language: Mapped[str] = mapped_column(String(5), primary_key=True)
    shard: Mapped[int] = _shard()


class CellRollup(_Dimensions, Base):
    """Responses and score counts of a cell on a day."""

    __tablename__ = "rollup_cells"
    __table_args__ = (Index("ix_rollup_cells_stage_day", "stage_id", "day"),)

    # Responses with at least one answer in the cell.
    responses: Mapped[int] = mapped_column(default=0)
    promoters: Mapped[int] = mapped_column(default=0)
    passives: Mapped[int] = mapped_column(default=0)
    detractors: Mapped[int] = mapped_column(default=0)
    csat_top: Mapped[int] = mapped_column(default=0)
    csat_n: Mapped[int] = mapped_column(default=0)
    ces_sum: Mapped[float] = mapped_column(Float, default=0.0)
    ces_easy: Mapped[int] = mapped_column(default=0)
    ces_n: Mapped[int] = mapped_column(default=0)
    polarity_sum: Mapped[float] = mapped_column(Float, default=0.0)
    polarity_n: Mapped[int] = mapped_column(default=0)
    polarity_sq_sum: Mapped[float] = mapped_column(Float, default=0.0)


class CountRollup(_Dimensions, Base):
    """How many answers of a cell on a day carry an emotion (picked or inferred) or a theme.

    Kinds: `picked` and `inferred` emotions and `theme` (every answer, for the map);
    `pain` (a theme in customers' answers, interviews left out, with the sum of their
    negativity) and `texts` (customers' text answers, key "") for the pain points.
    """

    __tablename__ = "rollup_counts"
    __table_args__ = (Index("ix_rollup_counts_stage_day", "stage_id", "day"),)

    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    n: Mapped[int] = mapped_column(default=0)
    negativity_sum: Mapped[float] = mapped_column(Float, default=0.0)


class ResponseRollup(Base):
    """Responses of a questionnaire version on a day by status, whatever they answered."""

    __tablename__ = "rollup_responses"

    day: Mapped[date] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_versions.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(5), primary_key=True)
    status: Mapped[str] = mapped_column(String(10), primary_key=True)
    shard: Mapped[int] = _shard()
    n: Mapped[int] = mapped_column(default=0)


class QuestionRollup(Base):
    """Responses that answered a question on a day, by status: the drop-off view's counts."""

    __tablename__ = "rollup_questions"

    day: Mapped[date] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), primary_key=True
    )
    version_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_versions.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(5), primary_key=True)
    status: Mapped[str] = mapped_column(String(10), primary_key=True)
    shard: Mapped[int] = _shard()
    n: Mapped[int] = mapped_column(default=0)


class RollupState(Base):
    """One row once the rollups have been built: until then the map reads the answers."""

    __tablename__ = "rollup_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    built_at: Mapped[datetime] = mapped_column(default=utcnow)
