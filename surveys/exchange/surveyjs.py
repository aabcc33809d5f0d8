"""SurveyJS JSON, the open format SurveyJS Creator and many survey tools read and write.

`to_surveyjs` writes our questionnaire with SurveyJS's own element types and properties only
(SurveyJS Creator refuses JSON with properties it does not know), so the types that SurveyJS
cannot name (CSAT, CES, Likert, emotion) are recognised on import by their scale, texts and
choices: see docs/exchange.md.
"""

from __future__ import annotations

from ..messages import N_, Message
from ..models import Question, Questionnaire
from ..question_types import EMOTION_CHOICES, EMOTIONS, LONG_TEXT_MAX, SHORT_TEXT_MAX, end_labels
from ..question_types import scale_of as scale_of_type
from .spec import ExchangeError, QuestionnaireSpec
from .surveyjs_import import SurveyReader

CHOICE_ELEMENTS = {"single_choice": "radiogroup", "multi_choice": "checkbox"}
TEXT_ELEMENTS = {"short_text": ("text", SHORT_TEXT_MAX), "long_text": ("comment", LONG_TEXT_MAX)}


def from_surveyjs(data) -> tuple[QuestionnaireSpec, list[Message]]:
    """Our questions from a SurveyJS survey, and one report line per thing left behind.

    Raises ExchangeError when the survey cannot be read at all, or nothing in it maps.
    """
    if not isinstance(data, dict):
        raise ExchangeError.at("$", N_("a SurveyJS survey is a JSON object."))
    reader = SurveyReader(data)
    spec = reader.read()
    if not spec.questions:
        reasons = Message.joined(reader.report[:5]) if reader.report else N_("It has no elements.")
        raise ExchangeError(
            N_(
                "No element of this SurveyJS survey maps to a Parcours question. %(reasons)s",
                reasons=reasons,
            ),
            {"pages": N_("no element maps to a Parcours question.")},
        )
    return spec, reader.report


def _localized(texts: dict | None, french_first: bool = False):
    """SurveyJS's localizable string: {"default": English, "fr": French}, or plain English.

    A French-first survey (`locale: fr`) reads plain text as French, so it keeps the “fr” key.
    """
    texts = texts or {}
    en, fr = texts.get("en") or "", texts.get("fr") or ""
    if not fr and not french_first:
        return en
    return {"default": en, "fr": fr} if en else {"fr": fr}


def _rating(question: Question, french_first: bool) -> dict:
    low, high = scale_of_type(question.type, question.settings)
    ends = {lang: end_labels(question.type, question.settings, lang) for lang in ("en", "fr")}
    return {
        "type": "rating",
        "rateMin": low,
        "rateMax": high,
        "rateCount": high - low + 1,
        "minRateDescription": _localized({k: v[0] for k, v in ends.items()}, french_first),
        "maxRateDescription": _localized({k: v[1] for k, v in ends.items()}, french_first),
    }


def _choices(question: Question, french_first: bool) -> list[dict]:
    if question.type == "emotion":
        return [
            {"value": e, "text": _localized(EMOTION_CHOICES[e], french_first)} for e in EMOTIONS
        ]
    return [
        {"value": str(o["value"]), "text": _localized(o.get("label"), french_first)}
        for o in question.options or []
    ]


def _element(question: Question, french_first: bool, questions) -> dict:
    if question.type in TEXT_ELEMENTS:
        kind, limit = TEXT_ELEMENTS[question.type]
        shape = {"type": kind, "maxLength": limit}
    elif question.type in CHOICE_ELEMENTS or question.type == "emotion":
        shape = {"type": CHOICE_ELEMENTS.get(question.type, "radiogroup")}
        shape["choices"] = _choices(question, french_first)
    else:
        shape = _rating(question, french_first)
    element = {
        "type": shape.pop("type"),
        "name": question.key,
        "title": _localized(question.prompt, french_first),
    }
    if any((question.help or {}).values()):
        element["description"] = _localized(question.help, french_first)
    if question.required:
        element["isRequired"] = True
    if condition := visible_if(question.show_if, questions):
        element["visibleIf"] = condition
    return element | shape


def _literal(value: str) -> str:
    """A string in a SurveyJS expression, quoted (and its quotes escaped) as it reads them."""
    if "'" not in value:
        return f"'{value}'"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def visible_if(rule: dict | None, questions) -> str | None:
    """Our rule as a SurveyJS `visibleIf` expression on the earlier question's name."""
    if not rule:
        return None
    name = "{" + rule["question"] + "}"
    trigger = next((q for q in questions if q.key == rule["question"]), None)
    if rule["op"] == "between":
        low, high = (scale_of_type(trigger.type, trigger.settings) if trigger else None) or (
            None,
            None,
        )
        if rule["min"] == rule["max"]:
            return f"{name} = {rule['min']}"
        if rule["min"] == low:
            return f"{name} <= {rule['max']}"
        if rule["max"] == high:
            return f"{name} >= {rule['min']}"
        return f"{name} >= {rule['min']} and {name} <= {rule['max']}"
    values = [_literal(str(v)) for v in rule["values"]]
    if len(values) == 1 and trigger is not None and trigger.type != "multi_choice":
        return f"{name} = {values[0]}"
    return f"{name} anyof [{', '.join(values)}]"


def to_surveyjs(questionnaire: Questionnaire) -> dict:
    """The current version of `questionnaire` as a SurveyJS survey: one SurveyJS page per
    page, follow-ups with a `visibleIf` on the earlier question's name.

    SurveyJS has no journey: the stage and touchpoints stay behind. A questionnaire in
    French only is marked `locale: fr`, so SurveyJS shows its French texts.
    """
    french_first = list(questionnaire.languages) == ["fr"]
    survey: dict = {"title": _localized(questionnaire.title, french_first)}
    if any((questionnaire.intro or {}).values()):
        survey["description"] = _localized(questionnaire.intro, french_first)
    if french_first:
        survey["locale"] = "fr"
    questions = questionnaire.current_version.questions
    pages: dict[int, list[dict]] = {}
    for question in questions:
        pages.setdefault(question.page or 1, []).append(_element(question, french_first, questions))
    survey["pages"] = [
        {"name": f"page{number}", "elements": elements}
        for number, elements in enumerate((pages[page] for page in sorted(pages)), start=1)
    ] or [{"name": "page1", "elements": []}]
    return survey
