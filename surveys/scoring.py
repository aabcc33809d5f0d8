"""Scoring free-text answers with `feedback.text.analyze` and storing the results.

The analysis is attached to the stage and touchpoint of its answer, and each theme gets
its own row so the journey map can count them in SQL.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session, selectinload

from .models import Answer, AnswerTheme, Response, TextAnalysis, Theme

try:  # the text analysis may not be installed in every deployment
    from feedback.text import ANALYZER_VERSION, Codebook, analyze
except ImportError:  # pragma: no cover - depends on the installed parts
    analyze = None
    ANALYZER_VERSION = None
    Codebook = None


def analysis_available() -> bool:
    return analyze is not None


def current_codebook(session: Session):
    """The default codebook with the researchers' own themes merged over it."""
    extra = [
        {"key": t.key, "label": t.label, "description": t.description, "keywords": t.keywords}
        for t in session.scalars(select(Theme).order_by(Theme.key))
    ]
    default = Codebook.default()
    return default.merged(extra) if extra else default


def score_answers(
    session: Session, answers: Sequence[Answer], language: str | None = None, codebook=None
) -> int:
    """Score text answers in the session's transaction; return how many were scored."""
    if analyze is None or not answers:
        return 0
    codebook = codebook or current_codebook(session)
    ids = [a.id for a in answers]
    session.execute(
        delete(AnswerTheme).where(AnswerTheme.answer_id.in_(ids), AnswerTheme.source == "auto")
    )
    for answer in answers:
        result = analyze(answer.text or "", language=language, codebook=codebook)
        analysis = answer.analysis or TextAnalysis(answer_id=answer.id)
        analysis.analyzer_version = ANALYZER_VERSION
        analysis.language = result.language
        analysis.polarity = result.polarity
        analysis.subjectivity = result.subjectivity
        analysis.label = result.label
        analysis.emotions = dict(result.emotions)
        analysis.emotion = result.emotion
        analysis.themes = list(result.themes)
        analysis.reason = result.reason
        analysis.stage_id = answer.stage_id
        analysis.touchpoint_id = answer.touchpoint_id
        answer.analysis = analysis
        for theme in dict.fromkeys(result.themes):
            session.add(
                AnswerTheme(
                    answer_id=answer.id,
                    theme_key=theme,
                    source="auto",
                    stage_id=answer.stage_id,
                    touchpoint_id=answer.touchpoint_id,
                )
            )
    session.flush()
    return len(answers)


def answers_to_score(session: Session, rescore_all: bool) -> Iterator[list[Answer]]:
    """Batches of text answers not scored yet (or, with rescore_all, every one)."""
    last_id = 0
    while True:
        query = (
            select(Answer)
            .outerjoin(TextAnalysis)
            .where(Answer.text.is_not(None), Answer.id > last_id)
            .options(selectinload(Answer.analysis), selectinload(Answer.response))
            .order_by(Answer.id)
            .limit(500)
        )
        if not rescore_all:
            query = query.where(
                or_(TextAnalysis.id.is_(None), TextAnalysis.analyzer_version != ANALYZER_VERSION)
            )
        batch = list(session.scalars(query))
        if not batch:
            return
        last_id = batch[-1].id
        yield batch


def count_to_score(session: Session, rescore_all: bool) -> int:
    from sqlalchemy import func

    query = select(func.count(Answer.id)).outerjoin(TextAnalysis).where(Answer.text.is_not(None))
    if not rescore_all:
        query = query.where(
            or_(TextAnalysis.id.is_(None), TextAnalysis.analyzer_version != ANALYZER_VERSION)
        )
    return session.scalar(query) or 0


def score_batch_by_language(session: Session, batch: list[Answer], codebook) -> None:
    """Score a batch, passing each response's language to the analyzer."""
    by_language: dict[str, list[Answer]] = {}
    for answer in batch:
        language = answer.response.language if isinstance(answer.response, Response) else None
        by_language.setdefault(language or "", []).append(answer)
    for language, answers in by_language.items():
        score_answers(session, answers, language or None, codebook)
