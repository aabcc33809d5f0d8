"""The database models of Parcours."""

from .api_token import ROLE_SCOPES, SCOPES, ApiToken
from .audit import AUDIT_ACTIONS, AuditEvent
from .base import Base, as_utc, aware, utcnow
from .case import (
    CASE_STATUSES,
    CLOSED_STATUSES,
    RULE_KINDS,
    AlertRule,
    CaseEvent,
    FollowUpCase,
)
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
from .suppressed_invitation import SuppressedInvitation
from .user import MIN_PASSWORD_LENGTH, ROLES, User
from .webhook import DELIVERY_STATUSES, Webhook, WebhookAttempt, WebhookDelivery

__all__ = [
    "AUDIT_ACTIONS",
    "CASE_STATUSES",
    "CLOSED_STATUSES",
    "CELL_MEASURES",
    "DELIVERY_STATUSES",
    "KINDS",
    "LANGUAGES",
    "MIN_PASSWORD_LENGTH",
    "PAIN_POINT_STATUSES",
    "RULE_KINDS",
    "REPORT_FILE_STATUSES",
    "ROLES",
    "ROLE_SCOPES",
    "SCOPES",
    "SHARDS",
    "STATUSES",
    "WHOLE_STAGE",
    "AlertRule",
    "Answer",
    "AnswerTheme",
    "ApiToken",
    "AuditEvent",
    "Base",
    "CaseEvent",
    "CellRollup",
    "CountRollup",
    "FollowUpCase",
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
    "SuppressedInvitation",
    "TextAnalysis",
    "Theme",
    "Touchpoint",
    "User",
    "Webhook",
    "WebhookAttempt",
    "WebhookDelivery",
    "as_utc",
    "aware",
    "pick_language",
    "touchpoint_stages",
    "utcnow",
]
