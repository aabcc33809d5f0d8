"""Reading a SurveyJS survey into our questions, and saying what could not come along.

Each SurveyJS page that gives questions becomes a page; panels are flattened in order. A
`visibleIf` comparing one earlier answer with a constant becomes a follow-up rule
(`surveyjs_conditions`). Every element, property, condition and language that has no place
in Parcours gets one line in the report; nothing is dropped silently. The mapping is
documented in docs/exchange.md.
"""

from __future__ import annotations

import re

from ..journeys import slugify_key
from ..messages import N_, Message
from ..question_rules import MAX_PAGE
from ..question_types import EMOTIONS, END_LABELS
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
    refused,
    rule_problem,
    sequence,
    shown,
    text,
    too_many_questions,
)
from .surveyjs_conditions import Unmapped, to_rule
from .surveyjs_terms import (
    AGREEMENT,
    CHOICE_TYPES,
    CONTAINER_WHY_NOT,
    DISPLAY,
    EFFORT,
    RATING_PROPERTIES,
    SATISFACTION,
    SURVEY_WHY_NOT,
    TEXT_TYPES,
    UNMAPPED_ELEMENTS,
    WHY_NOT,
)

# Bounds on what a file may make us walk through, whatever it holds.
MAX_ELEMENTS = 2000
MAX_PANEL_DEPTH = 10


def _one_line(value: str) -> str:
    """An option as the editor can write it back: one line, no “|” (its separator)."""
    return " ".join(value.replace("|", "/").split())


def _whole(value) -> int | None:
    """A whole number from a rate value: 3, 3.0 or "3"; None for anything else."""
    if isinstance(value, str):
        value = value.strip()
        return int(value) if re.fullmatch(r"-?[0-9]{1,6}", value) else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not value.is_integer():
        return None
    return int(value)


def _not_imported(who: Message, why: Message) -> Message:
    return N_("Element %(who)s not imported — %(why)s.", who=who, why=why)


class SurveyReader:
    def __init__(self, survey: dict):
        # Plain texts are in SurveyJS's default locale, English, unless the survey says fr.
        self.default_language = "fr" if survey.get("locale") == "fr" else "en"
        self.survey = survey
        self.questions: list[QuestionSpec] = []
        self.report: list[Message] = []  # in English; the import page translates it
        self.other_locales: set[str] = set()
        self.seen = 0
        self.page = 1  # the page the questions being read go on
        # Every element's name in the order met, and for each imported question where it
        # was met and its visibleIf, read once every question is known.
        self.names: list[str] = []
        self.imported: list[tuple[int, str, QuestionSpec]] = []
        self.conditions: list[tuple[int, QuestionSpec, object, Message]] = []
        self.pages_capped = False

    # Texts

    def localized(self, value, path: str, limit: int) -> dict[str, str]:
        texts = {lang: "" for lang in LANGUAGES}
        if value is None:
            return texts
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            texts[self.default_language] = text(str(value), path, limit).strip()
            return texts
        if not isinstance(value, dict):
            raise ExchangeError.at(path, N_("should be text, or texts per language."))
        for locale in value:
            if locale in LANGUAGES:
                texts[locale] = text(value[locale], f"{path}.{locale}", limit).strip()
            elif locale != "default":
                self.other_locales.add(shown(locale, 10))
        # “default” is the text of the survey's language, or of the other one when the
        # survey's language is given explicitly ({"default": English, "fr": French}).
        target = self.default_language
        if target in value:
            target = "en" if target == "fr" else "fr"
        if "default" in value and target not in value:
            texts[target] = text(value["default"], f"{path}.default", limit).strip()
        return texts

    # Walking pages and panels

    def read(self) -> QuestionnaireSpec:
        survey = self.survey
        self.audit(
            survey,
            {"title", "description", "pages", "elements", "questions", "locale"},
            SURVEY_WHY_NOT,
            N_("Survey"),
        )
        if survey.get("pages") is None:  # a survey without pages is one page
            self.container(survey, "", 0)
        for index, page in enumerate(sequence(survey.get("pages") or [], "pages")):
            path = f"pages[{index}]"
            page = mapping(page, path)
            who = N_("Page “%(name)s”", name=shown(page.get("name", index + 1)))
            self.audit(page, {"name", "elements", "questions"}, CONTAINER_WHY_NOT, who)
            before = len(self.questions)
            self.container(page, path, 0)
            if len(self.questions) > before and index + 1 < len(survey["pages"]):
                self.next_page(who)
        self.read_conditions()
        if self.other_locales:
            self.report.append(
                N_(
                    "Texts in %(locales)s not imported — "
                    "Parcours questionnaires are in French and English.",
                    locales=", ".join(sorted(self.other_locales)),
                )
            )
        title = self.localized(survey.get("title"), "title", MAX_LENGTH["title"])
        texts = [title] + [q.prompt for q in self.questions]
        languages = [lang for lang in ("fr", "en") if any(t[lang] for t in texts)]
        return QuestionnaireSpec(
            kind="custom",
            languages=languages or [self.default_language],
            title=title,
            intro=self.localized(survey.get("description"), "description", MAX_LENGTH["intro"]),
            questions=self.questions,
        )

    def next_page(self, who: Message) -> None:
        """The questions of the next SurveyJS page go on our next page (pages that give no
        question are skipped), up to our last page."""
        if self.page < MAX_PAGE:
            self.page += 1
        elif not self.pages_capped:
            self.pages_capped = True
            self.report.append(
                N_(
                    "Pages after %(who)s put on page %(page)s — "
                    "a questionnaire has at most %(page)s pages.",
                    who=who,
                    page=MAX_PAGE,
                )
            )

    def read_conditions(self) -> None:
        """Each question's visibleIf as a rule on an earlier question, or a report line."""
        for seen, question, expression, who in self.conditions:
            earlier: dict[str, QuestionSpec] = {}
            for met, name, each in self.imported:
                if met < seen:
                    earlier.setdefault(name, each)
            later = set(self.names[seen + 1 :])
            try:
                rule = to_rule(expression, earlier, later)
            except Unmapped as unmapped:
                why = unmapped.why
            else:
                question.show_if = rule
                problem = rule_problem(self.questions, self.questions.index(question))
                if problem is None:
                    continue
                question.show_if = None
                why = refused(problem).with_lower_first()
            self.report.append(
                N_(
                    "Question %(who)s: visibleIf “%(expression)s” not imported — %(why)s; "
                    "the question is always shown.",
                    who=who,
                    expression=shown(expression, 80),
                    why=why,
                )
            )

    def container(self, container: dict, path: str, depth: int) -> None:
        field = "elements" if "elements" in container else "questions"
        where = f"{path}.{field}" if path else field
        for index, element in enumerate(sequence(container.get(field) or [], where)):
            element_path = f"{where}[{index}]"
            self.seen += 1
            if self.seen > MAX_ELEMENTS:
                raise ExchangeError.at(
                    element_path, N_("a survey has at most %(count)s elements.", count=MAX_ELEMENTS)
                )
            element = mapping(element, element_path)
            if element.get("type") != "panel":
                self.element(element, element_path)
                continue
            if depth >= MAX_PANEL_DEPTH:
                raise ExchangeError.at(
                    element_path,
                    N_("panels are nested more than %(count)s deep.", count=MAX_PANEL_DEPTH),
                )
            who = N_("Panel “%(name)s”", name=shown(element.get("name", "")))
            self.audit(element, {"type", "name", "elements", "questions"}, CONTAINER_WHY_NOT, who)
            self.container(element, element_path, depth + 1)

    def audit(self, obj: dict, used: set[str], why_not: dict[str, Message], who: Message) -> None:
        """One report line per reason, naming every property left behind for it."""
        left: dict[Message, list[str]] = {}
        for name in obj:
            if name in used or (name == "visible" and obj[name] is not False):
                continue
            left.setdefault(why_not.get(name, DISPLAY), []).append(shown(name))
        for why, names in left.items():
            self.report.append(
                N_(
                    "%(who)s: %(names)s not imported — %(why)s.",
                    who=who,
                    names=", ".join(names),
                    why=why,
                )
            )

    # Questions

    def element(self, element: dict, path: str) -> None:
        kind = element.get("type")
        kind = shown(kind) if isinstance(kind, str) else N_("no type")
        name = element.get("name")
        if isinstance(name, int | float) and not isinstance(name, bool):
            name = str(name)
        seen = len(self.names)
        self.names.append(name.strip() if isinstance(name, str) else "")
        if not isinstance(name, str) or not name.strip():
            name = f"question{len(self.questions) + 1}"
            self.report.append(
                N_(
                    "The element at %(path)s is called “%(name)s” — it has no name.",
                    path=path,
                    name=name,
                )
            )
        who = N_("“%(name)s” (%(kind)s)", name=shown(name), kind=kind)
        readers = {"rating": self.rating, "text": self.free_text, "comment": self.free_text}
        reader = readers.get(kind) or (self.choice if kind in CHOICE_TYPES else None)
        if reader is None:
            why = UNMAPPED_ELEMENTS.get(kind, N_("Parcours has no equivalent element"))
            self.report.append(_not_imported(who, why))
            return
        built = reader(element, path, name, who)
        if built is None:
            return
        question, used = built
        question.key = self.key_for(name, who)
        question.required = element.get("isRequired") is True
        if not isinstance(element.get("isRequired", False), bool):
            self.report.append(
                N_(
                    "Question %(who)s: isRequired “%(value)s” not imported — "
                    "it should be true or false; the question is optional.",
                    who=who,
                    value=shown(element["isRequired"]),
                )
            )
        try:
            checked_by_editor(question, path)
        except ExchangeError as error:
            problem = next(iter(error.fields.values()), error.message)
            self.report.append(
                N_(
                    "Element %(who)s not imported — %(problem)s",
                    who=who,
                    problem=problem.with_lower_first(),
                )
            )
            return
        self.audit(
            element,
            {"type", "name", "title", "description", "isRequired", "visibleIf"} | used,
            WHY_NOT,
            N_("Question %(who)s", who=who),
        )
        if len(self.questions) == MAX_QUESTIONS:
            raise too_many_questions(MAX_QUESTIONS + 1)
        question.page = self.page
        self.questions.append(question)
        self.imported.append((seen, self.names[seen], question))
        if element.get("visibleIf") not in (None, ""):
            self.conditions.append((seen, question, element["visibleIf"], who))

    def key_for(self, name: str, who: Message) -> str:
        """The name as our key rule wants it, with a suffix when another question has it."""
        taken = {q.key for q in self.questions}
        base = key = slugify_key(name)
        number = 2
        while key in taken:
            suffix = f"_{number}"
            key = base[: 40 - len(suffix)] + suffix
            number += 1
        if key != base:
            self.report.append(
                N_(
                    "Question %(who)s: key “%(key)s” — “%(base)s” is already taken.",
                    who=who,
                    key=key,
                    base=base,
                )
            )
        elif key != name:
            self.report.append(
                N_("Question %(who)s: key “%(key)s” — keys are a-z, 0-9 and _.", who=who, key=key)
            )
        return key

    def question(self, element: dict, path: str, name: str, qtype: str) -> QuestionSpec:
        prompt = self.localized(element.get("title"), f"{path}.title", MAX_LENGTH["prompt"])
        if not any(prompt.values()):  # SurveyJS shows the name when there is no title
            prompt[self.default_language] = text(name, f"{path}.name", MAX_LENGTH["prompt"])
        return QuestionSpec(
            key="",
            type=qtype,
            prompt=prompt,
            help=self.localized(
                element.get("description"), f"{path}.description", MAX_LENGTH["help"]
            ),
        )

    def choice(self, element: dict, path: str, name: str, who: str):
        options = self.options(element.get("choices"), f"{path}.choices", who)
        qtype = CHOICE_TYPES[element["type"]]
        if len(options) < 2:
            source = next((p for p in ("choicesByUrl", "choicesFromQuestion") if p in element), "")
            why = (
                N_("its choices come from %(source)s, which is not imported", source=source)
                if source
                else N_("a choice question needs at least two choices")
            )
            self.report.append(_not_imported(who, why))
            return None
        # Our emotion question, exported as a radio group of its eight emotions, comes back.
        if qtype == "single_choice" and sorted(o["value"] for o in options) == sorted(EMOTIONS):
            qtype, options = "emotion", []
        question = self.question(element, path, name, qtype)
        question.options = options
        return question, {"choices"}

    def options(self, choices, path: str, who: Message) -> list[dict]:
        options: list[dict] = []
        notes: list[Message] = []  # each ends with why, as report lines do
        for index, item in enumerate(sequence(choices if choices is not None else [], path)):
            where = f"{path}[{index}]"
            label = None
            if isinstance(item, dict):
                value = item.get("value")
                if item.get("text") is not None:
                    limit = MAX_LENGTH["option_label"]
                    label = self.localized(item["text"], f"{where}.text", limit)
                if extra := sorted(set(item) - {"value", "text"}):
                    notes.append(
                        N_(
                            "%(names)s of choice %(number)s not imported — "
                            "an option has a value and a text",
                            names=", ".join(map(shown, extra)),
                            number=index + 1,
                        )
                    )
            else:
                value = item
            if isinstance(value, bool) or not isinstance(value, str | int | float):
                notes.append(
                    N_(
                        "choice %(number)s not imported — it has no text or number value",
                        number=index + 1,
                    )
                )
                continue
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            raw = str(value)
            value = text(_one_line(raw), f"{where}.value", MAX_LENGTH["option_value"])
            if not value or any(o["value"] == value for o in options):
                notes.append(
                    N_(
                        "choice “%(value)s” not imported — it is empty or repeated",
                        value=shown(raw),
                    )
                )
                continue
            if label is None or not any(label.values()):  # SurveyJS shows the value then
                label = {**{lang: "" for lang in LANGUAGES}, self.default_language: value}
            if any(c in part for part in (raw, *label.values()) for c in "|\r\n"):
                notes.append(
                    N_(
                        "choice “%(value)s” changed — an option is one line, without “|”",
                        value=shown(raw),
                    )
                )
            options.append({"value": value, "label": {k: _one_line(v) for k, v in label.items()}})
        self.report.extend(N_("Question %(who)s: %(note)s.", who=who, note=note) for note in notes)
        return options

    def free_text(self, element: dict, path: str, name: str, who: str):
        qtype, limit = TEXT_TYPES[element["type"]]
        input_type = element.get("inputType", "text")
        if element["type"] == "text" and input_type != "text":
            self.report.append(
                N_(
                    "Question %(who)s: inputType “%(value)s” not imported — "
                    "answers are checked as plain text.",
                    who=who,
                    value=shown(input_type),
                )
            )
        if "maxLength" in element and element["maxLength"] != limit:
            self.report.append(
                N_(
                    "Question %(who)s: maxLength %(value)s not imported — "
                    "answers can be up to %(limit)s characters.",
                    who=who,
                    value=shown(element["maxLength"]),
                    limit=limit,
                )
            )
        return self.question(element, path, name, qtype), {"inputType", "maxLength"}

    def rating(self, element: dict, path: str, name: str, who: str):
        scale = self.rating_scale(element, path, who)
        if scale is None:
            return None
        ends = [
            self.localized(
                element.get(new, element.get(old)), f"{path}.{new}", MAX_LENGTH["end_label"]
            )
            for new, old in (
                ("minRateDescription", "mininumRateDescription"),
                ("maxRateDescription", "maximumRateDescription"),
            )
        ]
        question = self.question(element, path, name, "rating")
        texts = " ".join(t for x in [question.prompt, *ends] for t in x.values())
        question.type, size = rating_type(scale, name, texts)
        if question.type is None:
            why = N_(
                "a scale from %(low)s to %(high)s has no equivalent "
                "(ratings go from 1 to 3…10, NPS from 0 to 10)",
                low=scale[0],
                high=scale[1],
            )
            self.report.append(_not_imported(who, why))
            return None
        if size:
            question.settings["scale"] = size
        for end, label in zip(("low_label", "high_label"), ends, strict=True):
            custom = own_end_label(question.type, end, label)
            if custom:
                question.settings[end] = custom
        return question, RATING_PROPERTIES

    def rating_scale(self, element: dict, path: str, who: str) -> tuple[int, int] | None:
        """(lowest, highest) of the scale, from rateValues or rateMin/rateMax/rateCount."""
        items = sequence(element.get("rateValues") or [], f"{path}.rateValues")
        if items:
            numbers = []
            for item in items:
                value = item.get("value") if isinstance(item, dict) else item
                number = _whole(value)
                if number is None:
                    numbers = []
                    break
                numbers.append(number)
            if not numbers or numbers != list(range(numbers[0], numbers[0] + len(numbers))):
                why = N_("its rateValues are not whole numbers in a row")
                self.report.append(_not_imported(who, why))
                return None
            if any(
                isinstance(i, dict) and i.get("text") not in (None, str(i.get("value")))
                for i in items
            ):
                self.report.append(
                    N_(
                        "Question %(who)s: texts of rateValues not imported — "
                        "the scale shows numbers.",
                        who=who,
                    )
                )
            return numbers[0], numbers[-1]
        low = integer(element.get("rateMin", 1), f"{path}.rateMin")
        step = integer(element.get("rateStep", 1), f"{path}.rateStep")
        if step != 1:
            why = N_("rateStep %(step)s: scales count by 1", step=step)
            self.report.append(_not_imported(who, why))
            return None
        if "rateMax" in element:
            return low, integer(element["rateMax"], f"{path}.rateMax")
        count = integer(element.get("rateCount", 5), f"{path}.rateCount")
        return low, low + count - 1


def rating_type(scale: tuple[int, int], name: str, texts: str) -> tuple[str | None, int | None]:
    """Our type (and scale size) for a SurveyJS rating scale; (None, None) when none fits.

    The name and the texts (title, end labels) tell a CES from a 7-point rating and a CSAT
    from a 5-point one; “ces” counts in the name only, as it is also a French word.
    """
    low, high = scale
    name = name.replace("_", " ").lower()
    words = f"{name} {texts.lower()}"
    if (low, high) == (0, 10):
        return "nps", None
    if (low, high) == (1, 7) and (EFFORT.search(words) or re.search(r"\bces\b", name)):
        return "ces", None
    if (low, high) == (1, 5) and SATISFACTION.search(words):
        return "csat", None
    if low == 1 and high in (5, 7) and AGREEMENT.search(words):
        return "likert", high
    if low == 1 and 3 <= high <= 10:
        return "rating", high
    return None, None


def own_end_label(qtype: str, end: str, label: dict[str, str]) -> dict[str, str] | None:
    """The label without the texts that are our type's defaults anyway."""
    index = 0 if end == "low_label" else 1
    defaults = {lang: END_LABELS.get(qtype, {}).get(lang, ("", ""))[index] for lang in LANGUAGES}
    own = {lang: "" if label[lang] == defaults[lang] else label[lang] for lang in LANGUAGES}
    return own if any(own.values()) else None
