"""The journey map: ordered stages and touchpoints, named in French and English."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow

touchpoint_stages = Table(
    "touchpoint_stages",
    Base.metadata,
    Column("touchpoint_id", ForeignKey("touchpoints.id", ondelete="CASCADE"), primary_key=True),
    Column("stage_id", ForeignKey("stages.id", ondelete="CASCADE"), primary_key=True),
)


class Journey(Base):
    __tablename__ = "journeys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    template: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    stages: Mapped[list[Stage]] = relationship(
        back_populates="journey", order_by="Stage.position", cascade="all, delete-orphan"
    )
    touchpoints: Mapped[list[Touchpoint]] = relationship(
        back_populates="journey", order_by="Touchpoint.position", cascade="all, delete-orphan"
    )

    def stage_by_key(self, key: str) -> Stage | None:
        return next((s for s in self.stages if s.key == key), None)

    def touchpoint_by_key(self, key: str) -> Touchpoint | None:
        return next((t for t in self.touchpoints if t.key == key), None)


class Stage(Base):
    __tablename__ = "stages"
    __table_args__ = (UniqueConstraint("journey_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    journey_id: Mapped[int] = mapped_column(ForeignKey("journeys.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(120))
    name_fr: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)
    goal: Mapped[str] = mapped_column(Text, default="")
    customer_status: Mapped[str] = mapped_column(String(120), default="")
    kpi: Mapped[str] = mapped_column(String(200), default="")

    journey: Mapped[Journey] = relationship(back_populates="stages")
    touchpoints: Mapped[list[Touchpoint]] = relationship(
        secondary=touchpoint_stages, back_populates="stages", order_by="Touchpoint.position"
    )

    def name(self, language: str) -> str:
        return self.name_fr if language == "fr" else self.name_en


class Touchpoint(Base):
    __tablename__ = "touchpoints"
    __table_args__ = (UniqueConstraint("journey_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    journey_id: Mapped[int] = mapped_column(ForeignKey("journeys.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(120))
    name_fr: Mapped[str] = mapped_column(String(120))
    channel: Mapped[str] = mapped_column(String(20), default="digital")
    position: Mapped[int] = mapped_column(default=0)
    is_moment_of_truth: Mapped[bool] = mapped_column(default=False)

    journey: Mapped[Journey] = relationship(back_populates="touchpoints")
    stages: Mapped[list[Stage]] = relationship(
        secondary=touchpoint_stages, back_populates="touchpoints", order_by="Stage.position"
    )

    def name(self, language: str) -> str:
        return self.name_fr if language == "fr" else self.name_en
