"""Our own questionnaire JSON: exported by one install, imported by another.

Stage and touchpoints travel as keys, never as database ids, and nothing carries a date, so
the same questionnaire exported from two installs gives equal JSON. The format is described
in docs/exchange.md.
"""

from __future__ import annotations

from ..design_service import DesignError, clean_page, clean_rule
from ..journeys import JourneyError, check_key
from ..messages import N_
from ..models import KINDS, Question, Questionnaire
from ..question_types import CHOICE_TYPES, SCALE_SIZES, SCORE_TYPES, TYPES
from .spec import (
    LANGUAGES,
    MAX_LENGTH,
    MAX_QUESTIONS,
    ExchangeError,
    QuestionnaireSpec,
    QuestionSpec,
    checked_by_editor,
    integer,
    mapping,
    option_problem,
    refused,
    rule_problem,
    sequence,
    shown,
    text,
    too_many_questions,
)

FORMAT = "parcours.questionnaire"
# Bump when a reader of the previous version would misread or refuse a file; readers refuse
# newer ones and read every older one. Version 2 added the questions' `page` and `show_if`.
FORMAT_VERSION = 2

TOP_FIELDS = {
    "format",
    "version",
    "kind",
    "languages",
    "title",
    "intro",
    "journey",
    "stage",
    "touchpoint",
    "questions",
}
QUESTION_FIELDS_V1 = {
    "key",
    "type",
    "required",
    "prompt",
    "help",
    "options",
    "settings",
    "touchpoint",
}
QUESTION_FIELDS = {1: QUESTION_FIELDS_V1, 2: QUESTION_FIELDS_V1 | {"page", "show_if"}}
SETTING_FIELDS = {"scale", "low_label", "high_label"}
RULE_FIELDS = {"between": {"question", "op", "min", "max"}, "in": {"question", "op", "values"}}


# Export


def _texts(texts: dict | None) -> dict[str, str]:
    """Both languages, always: an absent text is an empty one."""
    texts = texts or {}
    return {lang: texts.get(lang) or "" for lang in LANGUAGES}


def _settings(question: Question) -> dict:
    """Only what the question type uses, so stale keys left by type changes do not travel."""
    stored = question.settings or {}
    settings = {}
    if question.type in SCALE_SIZES:
        settings["scale"] = int(stored.get("scale") or 5)
    if question.type in SCORE_TYPES:
        for end in ("low_label", "high_label"):
            label = _texts(stored.get(end))
            if any(label.values()):
                settings[end] = label
    return settings


def _export_question(question: Question) -> dict:
    return {
        "key": question.key,
        "type": question.type,
        "required": bool(question.required),
        "prompt": _texts(question.prompt),
        "help": _texts(question.help),
        "options": [
            {"value": str(o["value"]), "label": _texts(o.get("label"))}
            for o in (question.options or [])
        ]
        if question.type in CHOICE_TYPES
        else [],
        "settings": _settings(question),
        "touchpoint": question.touchpoint.key if question.touchpoint else None,
        "page": question.page or 1,
        "show_if": _export_rule(question.show_if),
    }


def _export_rule(rule: dict | None) -> dict | None:
    """The rule by the earlier question's key, in its one written form."""
    if not rule:
        return None
    if rule.get("op") == "between":
        return {
            "question": rule["question"],
            "op": "between",
            "min": rule["min"],
            "max": rule["max"],
        }
    return {
        "question": rule["question"],
        "op": rule.get("op"),
        "values": list(rule.get("values") or []),
    }


def export_questionnaire(questionnaire: Questionnaire) -> dict:
    """The current version of `questionnaire` in our JSON format."""
    journey = {"name": questionnaire.journey.name}
    if questionnaire.journey.template:
        journey["template"] = questionnaire.journey.template
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "kind": questionnaire.kind,
        "languages": list(questionnaire.languages),
        "title": _texts(questionnaire.title),
        "intro": _texts(questionnaire.intro),
        "journey": journey,
        "stage": questionnaire.stage.key,
        "touchpoint": questionnaire.touchpoint.key if questionnaire.touchpoint else None,
        "questions": [_export_question(q) for q in questionnaire.current_version.questions],
    }


# Import


def _no_other_fields(
    data: dict, allowed: set[str], path: str, version: int = FORMAT_VERSION
) -> None:
    unknown = sorted(str(name) for name in data if name not in allowed)
    if unknown:
        where = f"{path}.{shown(unknown[0])}" if path else shown(unknown[0])
        raise ExchangeError.at(
            where,
            N_(
                "is not a field of version %(version)s of the %(format)s format.",
                version=version,
                format=FORMAT,
            ),
        )


def _localized(value, path: str, limit: int) -> dict[str, str]:
    if value is None:
        return {lang: "" for lang in LANGUAGES}
    value = mapping(value, path)
    _no_other_fields(value, set(LANGUAGES), path)
    return {
        lang: text(value.get(lang), f"{path}.{lang}", limit, optional=True) for lang in LANGUAGES
    }


def _key(value, path: str) -> str:
    if not isinstance(value, str):
        raise ExchangeError.at(path, N_("should be a key such as “purchase”."))
    try:
        return check_key(value)
    except JourneyError as error:
        raise ExchangeError.at(path, refused(error)) from None


def _optional_key(value, path: str) -> str | None:
    return None if value is None else _key(value, path)


def _read_options(value, qtype: str, path: str) -> list[dict]:
    options = sequence(value if value is not None else [], path)
    if options and qtype not in CHOICE_TYPES:
        raise ExchangeError.at(path, N_("only single and multiple choice questions have options."))
    read = []
    for index, option in enumerate(options):
        where = f"{path}[{index}]"
        option = mapping(option, where)
        _no_other_fields(option, {"value", "label"}, where)
        # The editor trims options when it saves them; so does the import.
        option_value = text(option.get("value"), f"{where}.value", MAX_LENGTH["option_value"])
        label = _localized(option.get("label"), f"{where}.label", MAX_LENGTH["option_label"])
        option_value = option_value.strip()
        label = {lang: label[lang].strip() for lang in LANGUAGES}
        if not option_value:
            raise ExchangeError.at(f"{where}.value", N_("is empty."))
        for name, part in (
            ("value", option_value),
            ("label.en", label["en"]),
            ("label.fr", label["fr"]),
        ):
            if problem := option_problem(part):
                raise ExchangeError.at(f"{where}.{name}", problem)
        read.append({"value": option_value, "label": label})
    return read


def _read_settings(value, qtype: str, path: str) -> dict:
    settings = mapping(value if value is not None else {}, path)
    _no_other_fields(settings, SETTING_FIELDS, path)
    read = {}
    if "scale" in settings:
        if qtype not in SCALE_SIZES:
            raise ExchangeError.at(
                f"{path}.scale", N_("only rating and likert questions have one.")
            )
        read["scale"] = integer(settings["scale"], f"{path}.scale")
    for end in ("low_label", "high_label"):
        if end not in settings:
            continue
        if qtype not in SCORE_TYPES:
            raise ExchangeError.at(f"{path}.{end}", N_("only scored questions have end labels."))
        label = _localized(settings[end], f"{path}.{end}", MAX_LENGTH["end_label"])
        if any(label.values()):
            read[end] = label
    return read


def _read_page(value, path: str) -> int:
    if value is None:
        return 1
    try:
        return clean_page(integer(value, path))
    except DesignError as error:
        raise ExchangeError.at(path, refused(error)) from None


def _read_rule(value, path: str) -> dict | None:
    """The rule's shape; whether it fits the earlier question is checked with all of them."""
    if value is None:
        return None
    rule = mapping(value, path)
    if rule.get("op") not in RULE_FIELDS:
        raise ExchangeError.at(f"{path}.op", N_("should be “between” or “in”."))
    _no_other_fields(rule, RULE_FIELDS[rule["op"]], path)
    if not isinstance(rule.get("question"), str):
        raise ExchangeError.at(f"{path}.question", N_("should be the key of an earlier question."))
    for name in ("min", "max") if rule["op"] == "between" else ():
        integer(rule.get(name), f"{path}.{name}")
    if rule["op"] == "in":
        values = sequence(rule.get("values"), f"{path}.values")
        for index, each in enumerate(values):
            text(each, f"{path}.values[{index}]", MAX_LENGTH["option_value"])
    try:
        return clean_rule({**rule, **{k: int(rule[k]) for k in ("min", "max") if k in rule}})
    except DesignError as error:
        raise ExchangeError.at(path, refused(error)) from None


def _read_question(value, path: str, version: int = FORMAT_VERSION) -> QuestionSpec:
    data = mapping(value, path)
    _no_other_fields(data, QUESTION_FIELDS[version], path, version)
    qtype = data.get("type")
    if qtype not in TYPES:
        raise ExchangeError.at(
            f"{path}.type",
            N_(
                "“%(type)s” is not a question type; expected one of %(types)s.",
                type=shown(qtype),
                types=", ".join(TYPES),
            ),
        )
    required = data.get("required", False)
    if not isinstance(required, bool):
        raise ExchangeError.at(f"{path}.required", N_("should be true or false."))
    question = QuestionSpec(
        key=_key(data.get("key"), f"{path}.key"),
        type=qtype,
        required=required,
        prompt=_localized(data.get("prompt"), f"{path}.prompt", MAX_LENGTH["prompt"]),
        help=_localized(data.get("help"), f"{path}.help", MAX_LENGTH["help"]),
        options=_read_options(data.get("options"), qtype, f"{path}.options"),
        settings=_read_settings(data.get("settings"), qtype, f"{path}.settings"),
        touchpoint=_optional_key(data.get("touchpoint"), f"{path}.touchpoint"),
        page=_read_page(data.get("page"), f"{path}.page"),
        show_if=_read_rule(data.get("show_if"), f"{path}.show_if"),
    )
    return checked_by_editor(question, path)


def _read_languages(value) -> list[str]:
    languages = sequence(value, "languages")
    if not languages or any(lang not in LANGUAGES for lang in languages):
        raise ExchangeError.at("languages", N_("should list “fr”, “en” or both."))
    if len(set(languages)) != len(languages):
        raise ExchangeError.at("languages", N_("lists a language twice."))
    return list(languages)


def _read_journey(value) -> dict | None:
    if value is None:
        return None
    journey = mapping(value, "journey")
    _no_other_fields(journey, {"name", "template"}, "journey")
    read = {"name": text(journey.get("name"), "journey.name", 200, optional=True)}
    if journey.get("template") is not None:
        read["template"] = text(journey["template"], "journey.template", 40)
    return read


def _read_version(data: dict) -> int:
    if data.get("format") != FORMAT:
        raise ExchangeError.at("format", N_("should be “%(format)s”.", format=FORMAT))
    if "version" not in data:
        raise ExchangeError.at("version", N_("is missing."))
    version = integer(data["version"], "version")
    if version > FORMAT_VERSION:
        raise ExchangeError.at(
            "version",
            N_(
                "%(version)s was written by a newer Parcours; this one reads up to %(ours)s.",
                version=version,
                ours=FORMAT_VERSION,
            ),
        )
    if version < 1:
        raise ExchangeError.at("version", N_("should be 1 or more."))
    return version


def read_questionnaire(data) -> QuestionnaireSpec:
    """Check a file in our format and return its content as plain data.

    Raises ExchangeError naming the first field that is wrong.
    """
    if not isinstance(data, dict):
        raise ExchangeError.at("$", N_("a questionnaire file is a JSON object."))
    version = _read_version(data)
    _no_other_fields(data, TOP_FIELDS, "", version)
    if data.get("kind") not in KINDS:
        raise ExchangeError.at("kind", N_("should be one of %(kinds)s.", kinds=", ".join(KINDS)))
    if "stage" not in data:
        raise ExchangeError.at("stage", N_("is missing: give the key of the journey stage."))
    questions = sequence(data.get("questions"), "questions")
    if len(questions) > MAX_QUESTIONS:
        raise too_many_questions(len(questions))
    read = []
    for index, value in enumerate(questions):
        question = _read_question(value, f"questions[{index}]", version)
        if any(q.key == question.key for q in read):
            raise ExchangeError.at(
                f"questions[{index}].key",
                N_("another question already has the key “%(key)s”.", key=question.key),
            )
        if read and question.page < read[-1].page:
            # The editor keeps questions page by page; a file that does not is a mistake.
            raise ExchangeError.at(
                f"questions[{index}].page",
                N_(
                    "is %(page)s, after a question on page %(before)s: list the questions "
                    "page by page.",
                    page=question.page,
                    before=read[-1].page,
                ),
            )
        read.append(question)
    for index in range(len(read)):
        if problem := rule_problem(read, index):
            raise ExchangeError.at(f"questions[{index}].show_if", refused(problem))
    return QuestionnaireSpec(
        kind=data["kind"],
        languages=_read_languages(data.get("languages")),
        title=_localized(data.get("title"), "title", MAX_LENGTH["title"]),
        intro=_localized(data.get("intro"), "intro", MAX_LENGTH["intro"]),
        questions=read,
        stage=_key(data["stage"], "stage"),
        touchpoint=_optional_key(data.get("touchpoint"), "touchpoint"),
        journey=_read_journey(data.get("journey")),
    )
