"""Questionnaires, their versions and questions.

Answers point at the question of the version they answered, so editing a live
questionnaire makes a new version and never changes what old answers mean.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow
from .journey import Journey, Stage, Touchpoint

KINDS = ("csat", "nps", "ces", "interview", "custom")
STATUSES = ("draft", "live", "closed")
LANGUAGES = ("fr", "en")


def pick_language(texts: dict | None, language: str) -> str:
    """The text in `language`, else the other language, else empty."""
    if not texts:
        return ""
    return texts.get(language) or next((v for v in texts.values() if v), "")


class Questionnaire(Base):
    __tablename__ = "questionnaires"

    id: Mapped[int] = mapped_column(primary_key=True)
    journey_id: Mapped[int] = mapped_column(ForeignKey("journeys.id", ondelete="CASCADE"))
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id"))
    touchpoint_id: Mapped[int | None] = mapped_column(ForeignKey("touchpoints.id"))
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), default="draft")
    title: Mapped[dict] = mapped_column(default=dict)
    intro: Mapped[dict] = mapped_column(default=dict)
    languages: Mapped[list] = mapped_column(default=lambda: ["fr", "en"])
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    # What the customer reads about their answers (FR/EN) and whom to ask about them.
    privacy_note: Mapped[dict] = mapped_column(default=dict)
    privacy_contact: Mapped[str | None] = mapped_column(String(254))
    # Emails, phone numbers, IBANs and card numbers in free text replaced before storage.
    redact_pii: Mapped[bool] = mapped_column(default=True)
    # Responses older than this many days are deleted by `flask purge`; None keeps them.
    retention_days: Mapped[int | None]
    # No invitation metadata, customer reference, address or browser kept with new answers.
    anonymous: Mapped[bool] = mapped_column(default=False)
    anonymous_since: Mapped[datetime | None]
    # A partial response left this long is closed: it no longer resumes.
    partial_timeout_hours: Mapped[int] = mapped_column(default=72)
    # An emailed invitation not answered this many days later gets a reminder, at most
    # max_reminders in all. Either at 0: no reminders (the settings form allows 0-30, 0-3).
    reminder_after_days: Mapped[int] = mapped_column(default=3, server_default="3")
    max_reminders: Mapped[int] = mapped_column(default=1, server_default="1")

    journey: Mapped[Journey] = relationship()
    stage: Mapped[Stage] = relationship()
    touchpoint: Mapped[Touchpoint | None] = relationship()
    versions: Mapped[list[QuestionnaireVersion]] = relationship(
        back_populates="questionnaire",
        order_by="QuestionnaireVersion.number",
        cascade="all, delete-orphan",
    )

    @property
    def current_version(self) -> QuestionnaireVersion:
        return self.versions[-1]

    @property
    def is_interview(self) -> bool:
        return self.kind == "interview"

    def title_in(self, language: str) -> str:
        return pick_language(self.title, language)

    def intro_in(self, language: str) -> str:
        return pick_language(self.intro, language)

    def privacy_note_in(self, language: str) -> str:
        return pick_language(self.privacy_note, language)


class QuestionnaireVersion(Base):
    __tablename__ = "questionnaire_versions"
    __table_args__ = (UniqueConstraint("questionnaire_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaires.id", ondelete="CASCADE")
    )
    number: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="versions")
    questions: Mapped[list[Question]] = relationship(
        back_populates="version", order_by="Question.position", cascade="all, delete-orphan"
    )


class Question(Base):
    __tablename__ = "questions"
    __table_args__ = (UniqueConstraint("version_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_versions.id", ondelete="CASCADE")
    )
    key: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(default=0)
    type: Mapped[str] = mapped_column(String(20))
    prompt: Mapped[dict] = mapped_column(default=dict)
    help: Mapped[dict] = mapped_column(default=dict)
    required: Mapped[bool] = mapped_column(default=False)
    # [{"value": "email", "label": {"en": "Email", "fr": "E-mail"}}, ...]
    options: Mapped[list] = mapped_column(default=list)
    # Per-type settings: scale size, end labels.
    settings: Mapped[dict] = mapped_column(default=dict)
    touchpoint_id: Mapped[int | None] = mapped_column(ForeignKey("touchpoints.id"))
    page: Mapped[int] = mapped_column(default=1)
    # Shown only when an earlier answer matches (see surveys.question_rules); None: always.
    show_if: Mapped[dict | None]

    version: Mapped[QuestionnaireVersion] = relationship(back_populates="questions")
    touchpoint: Mapped[Touchpoint | None] = relationship()

    def prompt_in(self, language: str) -> str:
        return pick_language(self.prompt, language)

    def help_in(self, language: str) -> str:
        return pick_language(self.help, language)

    def copy(self) -> Question:
        """An unsaved copy, for the next version of the questionnaire."""
        return Question(
            key=self.key,
            position=self.position,
            type=self.type,
            prompt=dict(self.prompt),
            help=dict(self.help or {}),
            required=self.required,
            options=[dict(o) for o in self.options or []],
            settings=dict(self.settings or {}),
            touchpoint_id=self.touchpoint_id,
            page=self.page,
            show_if=dict(self.show_if) if self.show_if else None,
        )


class Theme(Base):
    """A pain-point theme a researcher added to the codebook (merged over the default)."""

    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), unique=True)
    label: Mapped[dict] = mapped_column(default=dict)
    description: Mapped[str] = mapped_column(Text, default="")
    # Plain words per language, not regexes: {"en": ["parking", "park*"], "fr": [...]};
    # a trailing * matches any ending.
    keywords: Mapped[dict] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
