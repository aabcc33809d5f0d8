"""/api/v1/questionnaires: list, export and import (our JSON, or SurveyJS)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, RootModel
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..db import get_session
from ..input_guard import DATABASE_INT_MAX
from ..links import questionnaire_link
from ..models import Journey, Questionnaire, QuestionnaireVersion
from . import bp
from .errors import ApiError
from .pagination import PageQuery, page
from .spec import operation


class QuestionnaireSummary(BaseModel):
    id: int
    journey_id: int
    stage: str
    touchpoint: str | None
    kind: str
    status: Literal["draft", "live", "closed"]
    languages: list[str]
    title: dict[str, str]
    version: int
    question_keys: list[str]
    url: str | None = Field(description="The public link, once published (not for interviews).")


class QuestionnaireList(BaseModel):
    items: list[QuestionnaireSummary]
    next_cursor: str | None


class QuestionnaireListQuery(PageQuery):
    journey_id: int | None = Field(None, ge=1, le=DATABASE_INT_MAX)
    status: Literal["draft", "live", "closed"] | None = None


class ExportQuery(BaseModel):
    format: Literal["parcours", "surveyjs"] = Field(
        "parcours", description="Our versioned JSON (importable back) or SurveyJS JSON."
    )


class QuestionnaireDocument(RootModel[dict[str, Any]]):
    """A questionnaire as JSON: ours (`format: parcours.questionnaire`) or SurveyJS."""


class ImportQuery(BaseModel):
    journey_id: int = Field(ge=1, le=DATABASE_INT_MAX, description="The journey to import into.")
    stage: str | None = Field(
        None, max_length=40, description="Stage key; required for SurveyJS, overrides ours."
    )
    touchpoint: str | None = Field(None, max_length=40, description="Touchpoint key.")


class ImportResultOut(BaseModel):
    id: int
    status: str
    source: Literal["parcours", "surveyjs"]
    report: list[str] = Field(description="What could not be carried over, one line each.")


def summary(questionnaire: Questionnaire) -> QuestionnaireSummary:
    version = questionnaire.current_version
    public = questionnaire.status != "draft" and not questionnaire.is_interview
    return QuestionnaireSummary(
        id=questionnaire.id,
        journey_id=questionnaire.journey_id,
        stage=questionnaire.stage.key,
        touchpoint=questionnaire.touchpoint.key if questionnaire.touchpoint else None,
        kind=questionnaire.kind,
        status=questionnaire.status,
        languages=list(questionnaire.languages),
        title={k: v for k, v in (questionnaire.title or {}).items() if isinstance(v, str)},
        version=version.number,
        question_keys=[q.key for q in version.questions],
        url=questionnaire_link(questionnaire.slug) if public else None,
    )


@operation(
    bp, "GET", "/questionnaires", summary="List questionnaires", tag="Questionnaires",
    scope="questionnaires:read", query=QuestionnaireListQuery, response=QuestionnaireList,
)  # fmt: skip
def list_questionnaires(query: QuestionnaireListQuery):
    # Loaded with the page, not one questionnaire at a time.
    statement = select(Questionnaire).options(
        selectinload(Questionnaire.stage),
        selectinload(Questionnaire.touchpoint),
        selectinload(Questionnaire.versions).selectinload(QuestionnaireVersion.questions),
    )
    if query.journey_id:
        statement = statement.where(Questionnaire.journey_id == query.journey_id)
    if query.status:
        statement = statement.where(Questionnaire.status == query.status)
    rows, cursor = page(get_session(), statement, Questionnaire.id, query)
    return QuestionnaireList(items=[summary(q) for q in rows], next_cursor=cursor)


@operation(
    bp, "GET", "/questionnaires/<int:questionnaire_id>", summary="Export a questionnaire",
    tag="Questionnaires", scope="questionnaires:read", query=ExportQuery,
    response=QuestionnaireDocument, errors=(404,),
    description="The current version with its stage and touchpoint keys and both languages; "
    "`POST /questionnaires` imports it into another install.",
)  # fmt: skip
def export_questionnaire(questionnaire_id: int, query: ExportQuery):
    questionnaire = get_session().get(Questionnaire, questionnaire_id)
    if questionnaire is None:
        raise ApiError(404, "No such questionnaire.")
    from .. import exchange

    if query.format == "surveyjs":
        return exchange.to_surveyjs(questionnaire)
    return exchange.export_questionnaire(questionnaire)


@operation(
    bp, "POST", "/questionnaires", summary="Import a questionnaire", tag="Questionnaires",
    scope="questionnaires:write", query=ImportQuery, body=QuestionnaireDocument,
    response=ImportResultOut, status=201, errors=(404,),
    description="Our JSON or a SurveyJS JSON, imported as a draft. Elements that cannot be "
    "mapped are listed in `report`, never dropped silently.",
)  # fmt: skip
def import_questionnaire(query: ImportQuery, body: QuestionnaireDocument):
    from .. import exchange

    session = get_session()
    journey = session.get(Journey, query.journey_id)
    if journey is None:
        raise ApiError(404, "No such journey.")
    try:
        result = exchange.import_questionnaire(
            session, journey, body.root, stage_key=query.stage, touchpoint_key=query.touchpoint
        )
    except exchange.ExchangeError as error:
        session.rollback()
        raise ApiError(422, str(error), fields=getattr(error, "fields", None)) from None
    session.commit()
    return ImportResultOut(
        id=result.questionnaire.id,
        status=result.questionnaire.status,
        source=result.source,
        report=list(result.report),
    )
