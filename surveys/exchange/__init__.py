"""Questionnaire exchange: our versioned JSON, and SurveyJS JSON, in and out.

No Flask here: the researcher's pages, the JSON API and scripts pass their own session.
"""

from .importer import ImportResult, detect_source, import_questionnaire
from .native import FORMAT, FORMAT_VERSION, export_questionnaire, read_questionnaire
from .spec import ExchangeError, QuestionnaireSpec, QuestionSpec
from .surveyjs import from_surveyjs, to_surveyjs

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "ExchangeError",
    "ImportResult",
    "QuestionSpec",
    "QuestionnaireSpec",
    "detect_source",
    "export_questionnaire",
    "from_surveyjs",
    "import_questionnaire",
    "read_questionnaire",
    "to_surveyjs",
]
