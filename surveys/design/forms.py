from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ..journey_templates import TEMPLATES
from ..models import KINDS
from ..question_types import DESIGN_LIMITS as LIMITS
from ..question_types import OPTIONS_TEXT_MAX, TYPES

CHANNELS = [("digital", "Digital"), ("physical", "Physical"), ("human", "Human")]
LANGUAGE_CHOICES = [("fr", "Français"), ("en", "English")]
KIND_LABELS = {
    "csat": "CSAT (satisfaction, 1-5)",
    "nps": "NPS (recommendation, 0-10)",
    "ces": "CES (effort, 1-7)",
    "interview": "Interview guide",
    "custom": "Custom",
}
TYPE_LABELS = {
    "nps": "NPS 0-10",
    "csat": "CSAT 1-5",
    "ces": "CES 1-7",
    "rating": "Rating",
    "likert": "Likert (agreement)",
    "single_choice": "Single choice",
    "multi_choice": "Multiple choice",
    "short_text": "Short text",
    "long_text": "Long text",
    "emotion": "Emotion (how they felt)",
}


def options(pairs) -> list[SelectChoice]:
    """Choices of a select or checkbox list from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class JourneyForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=2000)])
    template = SelectField(
        "Start from",
        choices=options([(k, t.name) for k, t in TEMPLATES.items()] + [("", "An empty journey")]),
        default="five-stage",
    )


class StageForm(FlaskForm):
    key = StringField("Key", validators=[DataRequired(), Length(max=40)])
    name_en = StringField("Name (English)", validators=[DataRequired(), Length(max=120)])
    name_fr = StringField("Name (French)", validators=[DataRequired(), Length(max=120)])
    customer_status = StringField("Customer status", validators=[Optional(), Length(max=120)])
    goal = StringField("Customer's goal", validators=[Optional(), Length(max=500)])
    kpi = StringField("Success metric", validators=[Optional(), Length(max=200)])


class TouchpointForm(FlaskForm):
    key = StringField("Key", validators=[DataRequired(), Length(max=40)])
    name_en = StringField("Name (English)", validators=[DataRequired(), Length(max=120)])
    name_fr = StringField("Name (French)", validators=[DataRequired(), Length(max=120)])
    channel = SelectField("Channel", choices=options(CHANNELS))
    stages = MultiCheckboxField("Stages", coerce=int)
    is_moment_of_truth = BooleanField("Moment of truth")


class QuestionnaireForm(FlaskForm):
    stage = SelectField("Stage", coerce=int)
    touchpoint = SelectField("Touchpoint", coerce=int)
    kind = SelectField("Kind", choices=options((k, KIND_LABELS[k]) for k in KINDS))
    languages = MultiCheckboxField(
        "Languages",
        choices=options(LANGUAGE_CHOICES),
        default=["fr", "en"],
        validators=[DataRequired("Choose at least one language.")],
    )
    from_template = BooleanField("Start from the stage template", default=True)


class QuestionnaireSettingsForm(FlaskForm):
    title_fr = StringField("Title (French)", validators=[Optional(), Length(max=LIMITS["title"])])
    title_en = StringField("Title (English)", validators=[Optional(), Length(max=LIMITS["title"])])
    intro_fr = TextAreaField(
        "Introduction (French)", validators=[Optional(), Length(max=LIMITS["intro"])]
    )
    intro_en = TextAreaField(
        "Introduction (English)", validators=[Optional(), Length(max=LIMITS["intro"])]
    )
    languages = MultiCheckboxField(
        "Languages",
        choices=options(LANGUAGE_CHOICES),
        validators=[DataRequired("Choose at least one language.")],
    )


def parse_options(text: str) -> list[dict]:
    """Options typed one per line as `value | English | Français`."""
    options = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        value = parts[0]
        en = parts[1] if len(parts) > 1 and parts[1] else value
        fr = parts[2] if len(parts) > 2 and parts[2] else en
        options.append({"value": value[:100], "label": {"en": en[:200], "fr": fr[:200]}})
    return options


def format_options(options: list[dict]) -> str:
    return "\n".join(
        f"{o['value']} | {o['label'].get('en', '')} | {o['label'].get('fr', '')}" for o in options
    )


class QuestionForm(FlaskForm):
    key = StringField(
        "Key",
        validators=[DataRequired(), Length(max=40)],
        description="Stable name used in exports and the API, e.g. why, nps.",
    )
    type = SelectField("Type", choices=options((t, TYPE_LABELS[t]) for t in TYPES))
    prompt_fr = TextAreaField(
        "Question (French)", validators=[Optional(), Length(max=LIMITS["prompt"])]
    )
    prompt_en = TextAreaField(
        "Question (English)", validators=[Optional(), Length(max=LIMITS["prompt"])]
    )
    help_fr = StringField("Help text (French)", validators=[Optional(), Length(max=LIMITS["help"])])
    help_en = StringField(
        "Help text (English)", validators=[Optional(), Length(max=LIMITS["help"])]
    )
    required = BooleanField("Required")
    options = TextAreaField(
        "Options",
        validators=[Optional(), Length(max=OPTIONS_TEXT_MAX)],
        description="Choice questions: one per line, as value | English | Français.",
    )
    scale = IntegerField(
        "Scale points",
        validators=[Optional(), NumberRange(3, 10)],
        description="Rating: 3 to 10; Likert: 5 or 7.",
    )
    low_label_fr = StringField(
        "Low end label (French)", validators=[Optional(), Length(max=LIMITS["end_label"])]
    )
    low_label_en = StringField(
        "Low end label (English)", validators=[Optional(), Length(max=LIMITS["end_label"])]
    )
    high_label_fr = StringField(
        "High end label (French)", validators=[Optional(), Length(max=LIMITS["end_label"])]
    )
    high_label_en = StringField(
        "High end label (English)", validators=[Optional(), Length(max=LIMITS["end_label"])]
    )
    touchpoint = SelectField("About the touchpoint", coerce=int)

    def validate_prompt_en(self, field):
        if not (field.data or "").strip() and not (self.prompt_fr.data or "").strip():
            raise ValidationError("Write the question in at least one language.")

    def validate_options(self, field):
        choice = self.type.data in ("single_choice", "multi_choice")
        if choice and len(parse_options(field.data)) < 2:
            raise ValidationError("Give at least two options, one per line.")

    def to_spec(self) -> dict:
        settings = {}
        if self.type.data in ("rating", "likert"):
            settings["scale"] = self.scale.data or 5
        for end in ("low", "high"):
            label = {lang: getattr(self, f"{end}_label_{lang}").data or "" for lang in ("en", "fr")}
            if any(label.values()):
                settings[f"{end}_label"] = label
        return {
            "key": self.key.data.strip(),
            "type": self.type.data,
            "prompt": {"en": self.prompt_en.data or "", "fr": self.prompt_fr.data or ""},
            "help": {"en": self.help_en.data or "", "fr": self.help_fr.data or ""},
            "required": self.required.data,
            "options": parse_options(self.options.data),
            "settings": settings,
            "touchpoint_id": self.touchpoint.data or None,
        }

    def fill_from(self, question) -> None:
        self.key.data = question.key
        self.type.data = question.type
        for lang in ("en", "fr"):
            getattr(self, f"prompt_{lang}").data = question.prompt.get(lang, "")
            getattr(self, f"help_{lang}").data = (question.help or {}).get(lang, "")
            for end in ("low", "high"):
                label = (question.settings or {}).get(f"{end}_label") or {}
                getattr(self, f"{end}_label_{lang}").data = label.get(lang, "")
        self.required.data = question.required
        self.options.data = format_options(question.options or [])
        self.scale.data = (question.settings or {}).get("scale")
        self.touchpoint.data = question.touchpoint_id or 0


THEME_KEY_HINT = "lower_snake_case, e.g. store_parking; a default key adds keywords to that theme."
KEYWORDS_HINT = (
    "One per line: plain words or phrases; end a word with * for any ending (rembours*)."
)
MAX_KEYWORDS = 200


def parse_keywords(text: str | None) -> list[str]:
    """Keywords typed one per line (or comma-separated), trimmed, without duplicates."""
    words = (w.strip() for line in (text or "").splitlines() for w in line.split(","))
    return list(dict.fromkeys(" ".join(w.split()) for w in words if w))


def keyword_problem(keyword: str) -> str | None:
    """Why a researcher's keyword would not work as intended, or None."""
    if len(keyword) > 80:
        return f"“{keyword[:20]}…” is too long (80 characters at most)."
    if not any(c.isalnum() for c in keyword):
        return f"“{keyword}” has no letter or digit."
    for word in keyword.split():
        if "*" in word.rstrip("*") or word.count("*") > 1:
            return f"“{keyword}”: use * only once, at the end of a word."
        if word.endswith("*") and sum(c.isalnum() for c in word) < 3:
            return f"“{keyword}”: put at least 3 letters before the *, or it matches too much."
    return None


class ThemeForm(FlaskForm):
    key = StringField(
        "Key", validators=[DataRequired(), Length(max=60)], description=THEME_KEY_HINT
    )
    label_en = StringField("Name (English)", validators=[Optional(), Length(max=120)])
    label_fr = StringField("Name (French)", validators=[Optional(), Length(max=120)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=1000)])
    # No Optional(): it would stop the check that one of the two lists has a keyword.
    keywords_en = TextAreaField(
        "Keywords (English)", validators=[Length(max=8000)], description=KEYWORDS_HINT
    )
    keywords_fr = TextAreaField(
        "Keywords (French)", validators=[Optional(), Length(max=8000)], description=KEYWORDS_HINT
    )

    def validate_keywords_en(self, field):
        self._check_keywords(field)
        if not parse_keywords(field.data) and not parse_keywords(self.keywords_fr.data):
            raise ValidationError("Give at least one keyword, in English or French.")

    def validate_keywords_fr(self, field):
        self._check_keywords(field)

    @staticmethod
    def _check_keywords(field):
        words = parse_keywords(field.data)
        if len(words) > MAX_KEYWORDS:
            raise ValidationError(f"At most {MAX_KEYWORDS} keywords per language.")
        problems = [p for p in map(keyword_problem, words) if p]
        if problems:
            raise ValidationError(problems[0])

    def to_data(self) -> dict:
        """The theme as `Theme.from_dict` and the `themes` table read it."""
        return {
            "key": (self.key.data or "").strip(),
            "label": {
                lang: text
                for lang in ("en", "fr")
                if (text := (getattr(self, f"label_{lang}").data or "").strip())
            },
            "description": (self.description.data or "").strip(),
            "keywords": {
                lang: words
                for lang in ("en", "fr")
                if (words := parse_keywords(getattr(self, f"keywords_{lang}").data))
            },
        }

    def fill_from(self, theme) -> None:
        self.key.data = theme.key
        for lang in ("en", "fr"):
            getattr(self, f"label_{lang}").data = (theme.label or {}).get(lang, "")
            getattr(self, f"keywords_{lang}").data = "\n".join((theme.keywords or {}).get(lang, []))
        self.description.data = theme.description


META_LINES_HINT = (
    "One per line as name=value, e.g. order_id=A-42 or channel=store. They travel with the "
    "answer, so the journey map can be filtered by them."
)


def parse_meta_lines(text: str | None) -> tuple[dict[str, str], list[str]]:
    """Metadata typed one `name=value` per line; the problems of lines that are not."""
    meta: dict[str, str] = {}
    problems: list[str] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        name, equals, value = line.partition("=")
        name = name.strip()
        if not equals or not name:
            problems.append(f"Line {number}: write name=value.")
        elif name in meta:
            problems.append(f"Line {number}: {name[:40]} is already given.")
        else:
            meta[name] = value.strip()
    return meta, problems


class InvitationForm(FlaskForm):
    """One invitation; its rules are `check_request`'s, so the form only carries the values."""

    customer_ref = StringField(
        "Customer reference",
        description="Your order or customer number: it tells you whose answer it is.",
    )
    email = EmailField("Email", description="Optional: to email the invitation.")
    expires_on = DateField(
        "Expires on",
        validators=[Optional()],
        description="Optional: the link stops working at the end of that day (UTC).",
    )
    language = SelectField(
        "Language",
        default="",
        description="Of the email, and of the page when the browser does not say.",
    )
    metadata = TextAreaField("Metadata", description=META_LINES_HINT)


class InvitationUploadForm(FlaskForm):
    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file to upload.")])


class InvitationConfirmForm(FlaskForm):
    """The checked file's content, sent back with the preview's button and checked again."""

    content = HiddenField()
    upload_key = HiddenField()
