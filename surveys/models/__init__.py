"""The database models of Parcours."""

from .api_token import ROLE_SCOPES, SCOPES, ApiToken
from .audit import AUDIT_ACTIONS, AuditEvent
from .base import Base, as_utc, aware, utcnow
from .journey import Journey, Stage, Touchpoint, touchpoint_stages
from .pain_point import PAIN_POINT_STATUSES, PainPoint, PainPointEvidence
from .questionnaire import (
    KINDS,
    LANGUAGES,
    STATUSES,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    Theme,
    pick_language,
)
from .report_file import REPORT_FILE_STATUSES, ReportFile
from .response import Answer, AnswerTheme, Invitation, Response, TextAnalysis
from .rollup import (
    CELL_MEASURES,
    SHARDS,
    WHOLE_STAGE,
    CellRollup,
    CountRollup,
    QuestionRollup,
    ResponseRollup,
    RollupState,
)
from .user import MIN_PASSWORD_LENGTH, ROLES, User

__all__ = [
    "AUDIT_ACTIONS",
    "CELL_MEASURES",
    "KINDS",
    "LANGUAGES",
    "MIN_PASSWORD_LENGTH",
    "PAIN_POINT_STATUSES",
    "REPORT_FILE_STATUSES",
    "ROLES",
    "ROLE_SCOPES",
    "SCOPES",
    "SHARDS",
    "STATUSES",
    "WHOLE_STAGE",
    "Answer",
    "AnswerTheme",
    "ApiToken",
    "AuditEvent",
    "Base",
    "CellRollup",
    "CountRollup",
    "Invitation",
    "Journey",
    "PainPoint",
    "PainPointEvidence",
    "Question",
    "QuestionRollup",
    "Questionnaire",
    "QuestionnaireVersion",
    "ReportFile",
    "Response",
    "ResponseRollup",
    "RollupState",
    "Stage",
    "TextAnalysis",
    "Theme",
    "Touchpoint",
    "User",
    "as_utc",
    "aware",
    "pick_language",
    "touchpoint_stages",
    "utcnow",
]
