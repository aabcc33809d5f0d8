"""Scoring free-text answers with `feedback.text.analyze` and storing the results.

The analysis is attached to the stage and touchpoint of its answer, and each theme gets
its own row so the journey map can count them in SQL.

Every stored analysis carries `analyzer_version(codebook)`: the analyzer's version and a
fingerprint of the codebook in force ("2026.11.1+1a2b3c4d"). When a researcher changes the
codebook, the fingerprint changes and the answers scored before become stale: `analyze`
(and the themes page's "Re-score now") scores them again.
"""

from __future__ import annotations

import hashlib
import json
import weakref
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache

from sqlalchemy import Select, delete, func, or_, select, update
from sqlalchemy.orm import Session, selectinload

from . import rollups
from .models import Answer, AnswerTheme, Response, TextAnalysis, Theme

try:  # the text analysis may not be installed in every deployment
    from feedback.text import ANALYZER_VERSION, Codebook, analyze, emerging_themes
    from feedback.text import Theme as CodebookTheme
except ImportError:  # pragma: no cover - depends on the installed parts
    analyze = None
    emerging_themes = None
    ANALYZER_VERSION = None
    Codebook = None
    CodebookTheme = None

BATCH_SIZE = 500

_versions: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def analysis_available() -> bool:
    return analyze is not None


def theme_data(row: Theme) -> dict:
    """A stored theme as the codebook reads it (keywords, never regex patterns)."""
    return {
        "key": row.key,
        "label": {lang: text for lang, text in (row.label or {}).items() if text},
        "description": row.description or "",
        "keywords": {lang: list(words) for lang, words in (row.keywords or {}).items()},
    }


def current_codebook(session: Session):
    """The default codebook with the researchers' own themes merged over it."""
    extra = [theme_data(t) for t in session.scalars(select(Theme).order_by(Theme.key))]
    return _merged_codebook(json.dumps(extra, sort_keys=True)) if extra else Codebook.default()


@lru_cache(maxsize=8)
def _merged_codebook(extra_json: str):
    # Building a codebook parses every pattern: keep the last few, keyed by their content.
    return Codebook.default().merged(json.loads(extra_json))


def analyzer_version(codebook) -> str:
    """The analyzer's version and a fingerprint of the codebook, as stored with analyses.

    The fingerprint covers what changes results (keys in order, patterns, emotions), not
    labels or descriptions, so renaming a theme does not make every answer stale.
    """
    found = _versions.get(codebook)
    if found is None:
        content = [
            [t.key, sorted((lang, list(p)) for lang, p in t.patterns.items()), t.emotion]
            for t in codebook
        ]
        data = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
        found = f"{ANALYZER_VERSION}+{hashlib.sha256(data.encode()).hexdigest()[:8]}"
        _versions[codebook] = found
    return found


def score_answers(
    session: Session, answers: Sequence[Answer], language: str | None = None, codebook=None
) -> int:
    """Score text answers in the session's transaction; return how many were scored."""
    if analyze is None or not answers:
        return 0
    codebook = codebook or current_codebook(session)
    version = analyzer_version(codebook)
    # Analyse first: the rollup rows stay locked from the update below until the commit.
    results = [analyze(a.text or "", language=language, codebook=codebook) for a in answers]
    ids = [a.id for a in answers]
    with rollups.updating(session, {a.response_id for a in answers}):
        session.execute(
            delete(AnswerTheme).where(AnswerTheme.answer_id.in_(ids), AnswerTheme.source == "auto")
        )
        for answer, result in zip(answers, results, strict=True):
            _store_analysis(session, answer, result, version)
        session.flush()
        # Themes a researcher coded keep the answer's polarity beside them too.
        session.execute(
            update(AnswerTheme)
            .where(AnswerTheme.answer_id.in_(ids), AnswerTheme.source != "auto")
            .values(
                polarity=select(TextAnalysis.polarity)
                .where(TextAnalysis.answer_id == AnswerTheme.answer_id)
                .scalar_subquery()
            )
            .execution_options(synchronize_session=False)
        )
    return len(answers)


def _store_analysis(session: Session, answer: Answer, result, version: str) -> None:
    analysis = answer.analysis or TextAnalysis(answer_id=answer.id)
    analysis.analyzer_version = version
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
                polarity=result.polarity,
            )
        )


def _to_score(query: Select, rescore_all: bool, version: str) -> Select:
    """Restrict a query over text answers to those to score: never scored, or stale."""
    query = query.outerjoin(TextAnalysis).where(Answer.text.is_not(None))
    if rescore_all:
        return query
    return query.where(or_(TextAnalysis.id.is_(None), TextAnalysis.analyzer_version != version))


def answers_to_score(
    session: Session, rescore_all: bool, codebook=None, batch_size: int = BATCH_SIZE
) -> Iterator[list[Answer]]:
    """Batches of text answers not scored with this analyzer and codebook (or every one)."""
    version = analyzer_version(codebook or current_codebook(session))
    last_id = 0
    while True:
        query = (
            _to_score(select(Answer), rescore_all, version)
            .where(Answer.id > last_id)
            .options(selectinload(Answer.analysis), selectinload(Answer.response))
            .order_by(Answer.id)
            .limit(batch_size)
        )
        batch = list(session.scalars(query))
        if not batch:
            return
        last_id = batch[-1].id
        yield batch


def count_to_score(session: Session, rescore_all: bool, codebook=None) -> int:
    """How many text answers `answers_to_score` would give."""
    if analyze is None:
        return 0
    version = analyzer_version(codebook or current_codebook(session))
    return session.scalar(_to_score(select(func.count(Answer.id)), rescore_all, version)) or 0


def score_batch_by_language(session: Session, batch: list[Answer], codebook) -> None:
    """Score a batch, passing each response's language to the analyzer."""
    by_language: dict[str, list[Answer]] = {}
    for answer in batch:
        language = answer.response.language if isinstance(answer.response, Response) else None
        by_language.setdefault(language or "", []).append(answer)
    for language, answers in by_language.items():
        score_answers(session, answers, language or None, codebook)


def rescore(
    session: Session,
    rescore_all: bool = False,
    codebook=None,
    progress: Callable[[int], object] | None = None,
) -> int:
    """Score what is unscored or stale (or everything), committing batch by batch.

    `progress` is called with the size of each committed batch. Returns the number scored.
    """
    if analyze is None:
        return 0
    codebook = codebook or current_codebook(session)
    done = 0
    for batch in answers_to_score(session, rescore_all, codebook):
        score_batch_by_language(session, batch, codebook)
        session.commit()
        done += len(batch)
        if progress is not None:
            progress(len(batch))
    return done
