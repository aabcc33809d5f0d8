"""What every import reads into: plain questionnaire data, checked like the editor checks it.

Both readers (our JSON, SurveyJS) produce a `QuestionnaireSpec`; the importer turns it into
a draft through `design_service`. Lengths mirror the editor's forms (`design/forms.py`),
so an imported questionnaire can always be opened and saved again in the editor.

Messages are English `Message`s: the API returns them as they are, the import page shows
them in the researcher's language (`translated()`).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field

from ..design_service import DesignError, Planned, rule_error, validate_question
from ..messages import N_, Message
from ..question_rules import check_rule
from ..question_types import DESIGN_LIMITS, OPTIONS_TEXT_MAX

LANGUAGES = ("en", "fr")
MAX_QUESTIONS = 200
MAX_OPTIONS = 300
MAX_OPTIONS_TEXT = OPTIONS_TEXT_MAX
MAX_LENGTH = DESIGN_LIMITS


class ExchangeError(ValueError):
    """A file that cannot be imported: a message, and where it is wrong.

    `fields` maps JSON-path-like names (`questions[3].type`) to what is wrong there.
    """

    def __init__(self, message: Message, fields: dict[str, Message] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = dict(fields or {})

    @classmethod
    def at(cls, path: str, problem: Message) -> ExchangeError:
        return cls(N_("%(where)s: %(problem)s", where=path, problem=problem), {path: problem})


def refused(error: ValueError) -> Message:
    """Another module's refusal (a `JourneyError`, a `DesignError`): its English, and its
    translation when it carries one (`message`)."""
    return Message.of(str(error), getattr(error, "message", None))


@dataclass
class QuestionSpec:
    key: str
    type: str
    prompt: dict[str, str]
    help: dict[str, str] = field(default_factory=lambda: {"en": "", "fr": ""})
    required: bool = False
    options: list[dict] = field(default_factory=list)
    settings: dict = field(default_factory=dict)
    touchpoint: str | None = None  # a touchpoint key of the journey
    page: int = 1
    show_if: dict | None = None  # a rule on an earlier question's key (question_rules)

    def design_fields(self, touchpoint_id: int | None = None) -> dict:
        """The question as `design_service.add_question` takes it."""
        return {
            "key": self.key,
            "type": self.type,
            "prompt": dict(self.prompt),
            "help": dict(self.help),
            "required": self.required,
            "options": [dict(o, label=dict(o["label"])) for o in self.options],
            "settings": dict(self.settings),
            "touchpoint_id": touchpoint_id,
            "page": self.page,
            "show_if": copy.deepcopy(self.show_if),
        }


@dataclass
class QuestionnaireSpec:
    kind: str
    languages: list[str]
    title: dict[str, str]
    intro: dict[str, str]
    questions: list[QuestionSpec]
    stage: str | None = None  # a stage key; SurveyJS surveys have none
    touchpoint: str | None = None
    journey: dict | None = None  # where it came from: {"name", "template"?}, informative


# Checks of JSON values. Each names the path it checks, so an error points at the field.


def text(value, path: str, limit: int, *, optional: bool = False) -> str:
    if value is None and optional:
        return ""
    if not isinstance(value, str):
        raise ExchangeError.at(path, N_("should be text."))
    if "\x00" in value:  # no database stores U+0000 in text
        raise ExchangeError.at(path, N_("contains a NUL character."))
    if len(value) > limit:
        raise ExchangeError.at(
            path,
            N_("is %(length)s characters long; at most %(limit)s.", length=len(value), limit=limit),
        )
    return value


def integer(value, path: str) -> int:
    """A whole number; 5.0 counts, True and NaN do not."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ExchangeError.at(path, N_("should be a whole number."))
    if isinstance(value, float) and (not math.isfinite(value) or not value.is_integer()):
        raise ExchangeError.at(path, N_("should be a whole number."))
    return int(value)


def mapping(value, path: str) -> dict:
    if not isinstance(value, dict):
        raise ExchangeError.at(path, N_("should be an object."))
    return value


def sequence(value, path: str) -> list:
    if not isinstance(value, list):
        raise ExchangeError.at(path, N_("should be a list."))
    return value


def option_problem(value: str) -> Message | None:
    """Why the editor could not write this option back, or None.

    The editor edits options as `value | English | Français` lines.
    """
    if "|" in value:
        return N_("contains “|”, which the editor uses to separate an option's parts.")
    if "\n" in value or "\r" in value:
        return N_("contains a line break.")
    return None


def options_text_length(options: list[dict]) -> int:
    """The length of the options as the editor's box shows them."""
    lines = [f"{o['value']} | {o['label']['en']} | {o['label']['fr']}" for o in options]
    return len("\n".join(lines))


def checked_by_editor(question: QuestionSpec, path: str) -> QuestionSpec:
    """Run the editor's own rules (`validate_question`) and keep what it cleans."""
    try:
        cleaned = validate_question(question.design_fields())
    except DesignError as error:
        raise ExchangeError.at(path, refused(error)) from None
    question.prompt = cleaned["prompt"]
    question.options = cleaned["options"]
    question.settings = cleaned["settings"]
    question.page = cleaned["page"]
    question.show_if = cleaned["show_if"]
    if len(question.options) > MAX_OPTIONS:
        raise ExchangeError.at(
            f"{path}.options", N_("has more than %(count)s options.", count=MAX_OPTIONS)
        )
    if options_text_length(question.options) > MAX_OPTIONS_TEXT:
        raise ExchangeError.at(
            f"{path}.options",
            N_(
                "are longer than the editor's %(count)s characters; shorten them.",
                count=MAX_OPTIONS_TEXT,
            ),
        )
    return question


def rule_problem(questions: list[QuestionSpec], index: int) -> DesignError | None:
    """Why the rule of `questions[index]` cannot be kept (`check_rule`, the editor's
    message), or None. Questions are in the order they will be added."""
    rule = questions[index].show_if
    if not rule:
        return None
    placed = [
        Planned(q.key, q.type, q.settings, q.options, q.page, q.show_if, position)
        for position, q in enumerate(questions)
    ]
    code = check_rule(rule, index, placed)
    if code is None:
        return None
    trigger = next((q for q in placed if q.key == rule.get("question")), None)
    return rule_error(code, rule, trigger, questions[index].key)


def shown(value, limit: int = 40) -> str:
    """A value from the file, short enough to quote in a message."""
    value = str(value)
    return value if len(value) <= limit else value[: limit - 1] + "…"


def too_many_questions(count: int) -> ExchangeError:
    return ExchangeError.at(
        "questions",
        N_("has %(count)s questions; at most %(limit)s.", count=count, limit=MAX_QUESTIONS),
    )
