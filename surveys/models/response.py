"""What customers (and interviewers) answered, and the invitations that asked them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow
from .questionnaire import Question, Questionnaire, QuestionnaireVersion


class Invitation(Base):
    __tablename__ = "invitations"
    # The cooldown looks up customers' recent invitations across questionnaires.
    __table_args__ = (Index("ix_invitations_customer_ref_created", "customer_ref", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaires.id", ondelete="CASCADE"), index=True
    )
    token: Mapped[str] = mapped_column(String(64), unique=True)
    customer_ref: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(254))
    # The language of the email and of the page when the browser does not say.
    language: Mapped[str | None] = mapped_column(String(5))
    meta: Mapped[dict] = mapped_column(default=dict)
    expires_at: Mapped[datetime | None]
    # Sent: emailed by Parcours, or its link handed over in a links export.
    sent_at: Mapped[datetime | None]
    opened_at: Mapped[datetime | None]
    used_at: Mapped[datetime | None]
    # The last mail error, kept so the researcher can see why a send failed.
    send_error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Reminders emailed so far (claimed before sending: see invitations/reminders.py).
    reminder_count: Mapped[int] = mapped_column(default=0, server_default="0")
    reminded_at: Mapped[datetime | None]
    # The mail server refused the address for good (5xx on RCPT): nothing more is sent to it.
    bounced_at: Mapped[datetime | None]

    questionnaire: Mapped[Questionnaire] = relationship()


class Response(Base):
    __tablename__ = "responses"
    __table_args__ = (
        Index("ix_responses_questionnaire_submitted", "questionnaire_id", "submitted_at"),
        Index("ix_responses_submitted_at", "submitted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaires.id", ondelete="CASCADE")
    )
    version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_versions.id"), index=True)
    # Unique: an invitation is answered once, whatever races the browser runs.
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitations.id"), unique=True)
    # Unique per rendered form, so a double click or a replay stores one response.
    submission_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    # SHA-256 of an API request body, to tell a replay from a reused Idempotency-Key.
    request_hash: Mapped[str | None] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(5))
    status: Mapped[str] = mapped_column(String(10), default="complete")
    channel: Mapped[str] = mapped_column(String(20), default="web")
    meta: Mapped[dict] = mapped_column(default=dict)
    interviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A partial response: the questions shown so far, the last page sent, its last change.
    seen: Mapped[list | None]
    page_reached: Mapped[int | None]
    updated_at: Mapped[datetime | None]

    questionnaire: Mapped[Questionnaire] = relationship()
    version: Mapped[QuestionnaireVersion] = relationship()
    invitation: Mapped[Invitation | None] = relationship()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="response", cascade="all, delete-orphan", order_by="Answer.id"
    )


class Answer(Base):
    """One answer. Stage and touchpoint are fixed at write time: where the answer is about."""

    __tablename__ = "answers"
    __table_args__ = (
        Index("ix_answers_stage_touchpoint", "stage_id", "touchpoint_id"),
        # Covers the journey map's pass over a stage's answers (migration 0003).
        Index(
            "ix_answers_cell_scores",
            "stage_id",
            "touchpoint_id",
            "question_id",
            "response_id",
            "number",
            "choice",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("responses.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id"))
    touchpoint_id: Mapped[int | None] = mapped_column(ForeignKey("touchpoints.id"))
    number: Mapped[float | None] = mapped_column(Float)
    choice: Mapped[str | None] = mapped_column(String(100))
    choices: Mapped[list | None]
    text: Mapped[str | None] = mapped_column(Text)

    response: Mapped[Response] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()
    analysis: Mapped[TextAnalysis | None] = relationship(
        back_populates="answer", cascade="all, delete-orphan", uselist=False
    )


class TextAnalysis(Base):
    """The scoring of one free-text answer, with the analyzer version that produced it."""

    __tablename__ = "text_analyses"
    __table_args__ = (
        # Covers the journey map's sentiment and inferred emotions (migration 0003).
        Index(
            "ix_text_analyses_cell", "stage_id", "touchpoint_id", "answer_id", "emotion", "polarity"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(
        ForeignKey("answers.id", ondelete="CASCADE"), unique=True
    )
    analyzer_version: Mapped[str] = mapped_column(String(40), index=True)
    language: Mapped[str] = mapped_column(String(5))
    polarity: Mapped[float] = mapped_column(Float)
    subjectivity: Mapped[float] = mapped_column(Float)
    label: Mapped[str] = mapped_column(String(10))
    emotions: Mapped[dict] = mapped_column(default=dict)
    emotion: Mapped[str | None] = mapped_column(String(20))
    themes: Mapped[list] = mapped_column(default=list)
    reason: Mapped[str | None] = mapped_column(String(60))
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id"))
    touchpoint_id: Mapped[int | None] = mapped_column(ForeignKey("touchpoints.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    answer: Mapped[Answer] = relationship(back_populates="analysis")


class AnswerTheme(Base):
    """A theme carried by an answer: found by the analyzer, or coded by a researcher.

    One row per theme so the journey map can count themes with a GROUP BY.
    """

    __tablename__ = "answer_themes"
    __table_args__ = (
        # Theme counts per cell, and the pain points' quotes: the most negative answers of a
        # theme at a cell read in index order and stopped after a few, however many there are.
        Index("ix_answer_themes_quotes", "stage_id", "touchpoint_id", "theme_key", "polarity"),
    )

    answer_id: Mapped[int] = mapped_column(
        ForeignKey("answers.id", ondelete="CASCADE"), primary_key=True
    )
    theme_key: Mapped[str] = mapped_column(String(60), primary_key=True)
    source: Mapped[str] = mapped_column(String(10), primary_key=True)  # auto | coded
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id"))
    touchpoint_id: Mapped[int | None] = mapped_column(ForeignKey("touchpoints.id"))
    # The answer's polarity, copied from its analysis when scored (None before).
    polarity: Mapped[float | None] = mapped_column(Float)
