from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
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
from ..privacy import CONTACT_MAX, PRIVACY_NOTE_MAX, RETENTION_MAX_DAYS, clean_contact
from ..question_rules import MAX_PAGE
from ..question_types import DESIGN_LIMITS as LIMITS
from ..question_types import OPTIONS_TEXT_MAX, SCORE_TYPES, TYPES

# How long a half-answered questionnaire may be resumed (Questionnaire.partial_timeout_hours).
PARTIAL_TIMEOUT_DEFAULT_HOURS = 72
PARTIAL_TIMEOUT_MAX_HOURS = 2160  # 90 days
REMINDER_AFTER_DAYS_DEFAULT = 3
REMINDER_AFTER_DAYS_MAX = 30
MAX_REMINDERS_DEFAULT = 1
MAX_REMINDERS_MAX = 3

CHANNELS = [("digital", _l("Digital")), ("physical", _l("Physical")), ("human", _l("Human"))]
# Each language named in itself, on every page.
LANGUAGE_CHOICES = [("fr", "Français"), ("en", "English")]
KIND_LABELS = {
    "csat": _l("CSAT (satisfaction, 1-5)"),
    "nps": _l("NPS (recommendation, 0-10)"),
    "ces": _l("CES (effort, 1-7)"),
    "interview": _l("Interview guide"),
    "custom": _l("Custom"),
}
TYPE_LABELS = {
    "nps": "NPS 0-10",
    "csat": "CSAT 1-5",
    "ces": "CES 1-7",
    "rating": _l("Rating"),
    "likert": _l("Likert (agreement)"),
    "single_choice": _l("Single choice"),
    "multi_choice": _l("Multiple choice"),
    "short_text": _l("Short text"),
    "long_text": _l("Long text"),
    "emotion": _l("Emotion (how they felt)"),
}


def options(pairs) -> list[SelectChoice]:
    """Choices of a select or checkbox list from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class JourneyForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=2000)])
    template = SelectField(
        _l("Start from"),
        choices=options(
            [(k, t.name) for k, t in TEMPLATES.items()] + [("", _l("An empty journey"))]
        ),
        default="five-stage",
    )


class StageForm(FlaskForm):
    key = StringField(_l("Key"), validators=[DataRequired(), Length(max=40)])
    name_en = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=120)])
    name_fr = StringField(_l("Name (French)"), validators=[DataRequired(), Length(max=120)])
    customer_status = StringField(_l("Customer status"), validators=[Optional(), Length(max=120)])
    goal = StringField(_l("Customer's goal"), validators=[Optional(), Length(max=500)])
    kpi = StringField(_l("Success metric"), validators=[Optional(), Length(max=200)])


class TouchpointForm(FlaskForm):
    key = StringField(_l("Key"), validators=[DataRequired(), Length(max=40)])
    name_en = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=120)])
    name_fr = StringField(_l("Name (French)"), validators=[DataRequired(), Length(max=120)])
    channel = SelectField(_l("Channel"), choices=options(CHANNELS))
    stages = MultiCheckboxField(_l("Stages"), coerce=int)
    is_moment_of_truth = BooleanField(_l("Moment of truth"))


class QuestionnaireForm(FlaskForm):
    stage = SelectField(_l("Stage"), coerce=int)
    touchpoint = SelectField(_l("Touchpoint"), coerce=int)
    kind = SelectField(_l("Kind"), choices=options((k, KIND_LABELS[k]) for k in KINDS))
    languages = MultiCheckboxField(
        _l("Languages"),
        choices=options(LANGUAGE_CHOICES),
        default=["fr", "en"],
        validators=[DataRequired(_l("Choose at least one language."))],
    )
    from_template = BooleanField(_l("Start from the stage template"), default=True)


class QuestionnaireSettingsForm(FlaskForm):
    title_fr = StringField(
        _l("Title (French)"), validators=[Optional(), Length(max=LIMITS["title"])]
    )
    title_en = StringField(
        _l("Title (English)"), validators=[Optional(), Length(max=LIMITS["title"])]
    )
    intro_fr = TextAreaField(
        _l("Introduction (French)"), validators=[Optional(), Length(max=LIMITS["intro"])]
    )
    intro_en = TextAreaField(
        _l("Introduction (English)"), validators=[Optional(), Length(max=LIMITS["intro"])]
    )
    languages = MultiCheckboxField(
        _l("Languages"),
        choices=options(LANGUAGE_CHOICES),
        validators=[DataRequired(_l("Choose at least one language."))],
    )
    # What customers read about their data, under the form (surveys.privacy.notice).
    privacy_note_fr = TextAreaField(
        _l("Privacy note (French)"),
        validators=[Optional(), Length(max=PRIVACY_NOTE_MAX)],
        description=_l("Empty: customers read the default note shown below."),
    )
    privacy_note_en = TextAreaField(
        _l("Privacy note (English)"),
        validators=[Optional(), Length(max=PRIVACY_NOTE_MAX)],
        description=_l("Empty: customers read the default note shown below."),
    )
    privacy_contact = StringField(
        _l("Privacy contact"),
        validators=[Optional(), Length(max=CONTACT_MAX)],
        description=_l(
            "An email address or an https:// page where customers ask about their data or "
            "have it deleted; linked under the questionnaire."
        ),
    )
    redact_pii = BooleanField(
        _l("Replace emails, phone numbers, IBANs and card numbers in free text before storing"),
        default=True,
    )
    retention_days = IntegerField(
        _l("Keep responses for (days)"),
        render_kw={"min": 1, "max": RETENTION_MAX_DAYS},
        validators=[
            Optional(),
            NumberRange(
                min=1,
                max=RETENTION_MAX_DAYS,
                message=_l("Between %(min)s and %(max)s days."),
            ),
        ],
        description=_l("Empty: kept until erased. Older responses are deleted by the daily purge."),
    )
    # New answers only: the view says so when the questionnaire has some already.
    anonymous = BooleanField(
        _l("Anonymous answers"),
        description=_l(
            "No invitation metadata, customer reference, IP address or browser details are "
            "kept with new answers, and customers are told so under the questionnaire. "
            "Invitation links still work once each; their answers cannot be found or erased by "
            "customer reference, nor filtered on the journey map by invitation metadata."
        ),
    )
    partial_timeout_hours = IntegerField(
        _l("Close unfinished answers after (hours)"),
        render_kw={"min": 1, "max": PARTIAL_TIMEOUT_MAX_HOURS},
        validators=[
            Optional(),
            NumberRange(
                min=1,
                max=PARTIAL_TIMEOUT_MAX_HOURS,
                message=_l("Between %(min)s and %(max)s hours."),
            ),
        ],
        description=_l(
            "A customer who leaves the questionnaire half answered can come back and finish it "
            "until then. Empty: %(hours)s hours.",
            hours=PARTIAL_TIMEOUT_DEFAULT_HOURS,
        ),
    )
    reminder_after_days = IntegerField(
        _l("Remind after (days)"),
        default=3,
        render_kw={"min": 0, "max": REMINDER_AFTER_DAYS_MAX},
        validators=[
            Optional(),
            NumberRange(
                min=0, max=REMINDER_AFTER_DAYS_MAX, message=_l("Between %(min)s and %(max)s days.")
            ),
        ],
        description=_l(
            "An emailed invitation not answered this many days later gets a reminder with the "
            "same link (never after it expires). 0: no reminders. Empty: %(days)s days.",
            days=REMINDER_AFTER_DAYS_DEFAULT,
        ),
    )
    max_reminders = IntegerField(
        _l("Reminders at most"),
        default=1,
        render_kw={"min": 0, "max": MAX_REMINDERS_MAX},
        validators=[
            Optional(),
            NumberRange(min=0, max=MAX_REMINDERS_MAX, message=_l("Between %(min)s and %(max)s.")),
        ],
        description=_l(
            "Per invitation, each after the same delay. 0: no reminders. Empty: %(count)s.",
            count=MAX_REMINDERS_DEFAULT,
        ),
    )

    def validate_privacy_contact(self, field) -> None:
        cleaned = clean_contact(field.data)
        if cleaned is None:
            raise ValidationError(
                _("Enter an email address or a web address starting with https://.")
            )
        field.data = cleaned


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
        _l("Key"),
        validators=[DataRequired(), Length(max=40)],
        description=_l("Stable name used in exports and the API, e.g. why, nps."),
    )
    type = SelectField(_l("Type"), choices=options((t, TYPE_LABELS[t]) for t in TYPES))
    prompt_fr = TextAreaField(
        _l("Question (French)"), validators=[Optional(), Length(max=LIMITS["prompt"])]
    )
    prompt_en = TextAreaField(
        _l("Question (English)"), validators=[Optional(), Length(max=LIMITS["prompt"])]
    )
    help_fr = StringField(
        _l("Help text (French)"), validators=[Optional(), Length(max=LIMITS["help"])]
    )
    help_en = StringField(
        _l("Help text (English)"), validators=[Optional(), Length(max=LIMITS["help"])]
    )
    required = BooleanField(_l("Required"))
    options = TextAreaField(
        _l("Options"),
        validators=[Optional(), Length(max=OPTIONS_TEXT_MAX)],
        description=_l("Choice questions: one per line, as value | English | Français."),
    )
    scale = IntegerField(
        _l("Scale points"),
        validators=[Optional(), NumberRange(3, 10)],
        description=_l("Rating: 3 to 10; Likert: 5 or 7."),
    )
    low_label_fr = StringField(
        _l("Low end label (French)"), validators=[Optional(), Length(max=LIMITS["end_label"])]
    )
    low_label_en = StringField(
        _l("Low end label (English)"), validators=[Optional(), Length(max=LIMITS["end_label"])]
    )
    high_label_fr = StringField(
        _l("High end label (French)"), validators=[Optional(), Length(max=LIMITS["end_label"])]
    )
    high_label_en = StringField(
        _l("High end label (English)"), validators=[Optional(), Length(max=LIMITS["end_label"])]
    )
    touchpoint = SelectField(_l("About the touchpoint"), coerce=int)
    page = IntegerField(
        _l("Page"),
        default=1,
        render_kw={"min": 1, "max": MAX_PAGE},
        validators=[
            Optional(),
            NumberRange(1, MAX_PAGE, message=_l("A page number from %(min)s to %(max)s.")),
        ],
        description=_l("Customers answer page 1, then page 2, and so on."),
    )
    # "Show only when": the view fills the choices with the earlier questions (and their
    # answers as `key:value`); the design service checks the rule, so any posted key gets
    # a clear message rather than "Not a valid choice".
    show_if_question = SelectField(_l("Earlier question"), default="", validate_choice=False)
    show_if_min = IntegerField(_l("Score from"), validators=[Optional()])
    show_if_max = IntegerField(_l("Score to"), validators=[Optional()])
    show_if_values = MultiCheckboxField(_l("Answers"), validate_choice=False)
    # Question key -> type, of every question of the questionnaire (set by the view).
    trigger_types: dict[str, str] = {}

    def validate_prompt_en(self, field):
        if not (field.data or "").strip() and not (self.prompt_fr.data or "").strip():
            raise ValidationError(_("Write the question in at least one language."))

    def validate_options(self, field):
        choice = self.type.data in ("single_choice", "multi_choice")
        if choice and len(parse_options(field.data)) < 2:
            raise ValidationError(_("Give at least two options, one per line."))

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
            "page": self.page.data or 1,
            "show_if": self.rule(),
        }

    def rule(self) -> dict | None:
        """The "show only when" rule as typed: a score range for a score question, the
        ticked answers of the chosen question otherwise."""
        key = (self.show_if_question.data or "").strip()
        if not key:
            return None
        if self.trigger_types.get(key) in SCORE_TYPES:
            low, high = self.show_if_min.data, self.show_if_max.data
            return {"question": key, "op": "between", "min": low, "max": high}
        prefix = f"{key}:"
        ticked = [
            v.removeprefix(prefix) for v in self.show_if_values.data or [] if v.startswith(prefix)
        ]
        return {"question": key, "op": "in", "values": ticked}

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
        self.page.data = question.page or 1
        rule = question.show_if or {}
        self.show_if_question.data = rule.get("question", "")
        self.show_if_min.data, self.show_if_max.data = rule.get("min"), rule.get("max")
        self.show_if_values.data = [f"{rule['question']}:{v}" for v in rule.get("values") or []]


THEME_KEY_HINT = _l(
    "lower_snake_case, e.g. store_parking; a default key adds keywords to that theme."
)
KEYWORDS_HINT = _l(
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
        return _("“%(start)s…” is too long (80 characters at most).", start=keyword[:20])
    if not any(c.isalnum() for c in keyword):
        return _("“%(keyword)s” has no letter or digit.", keyword=keyword)
    for word in keyword.split():
        if "*" in word.rstrip("*") or word.count("*") > 1:
            return _("“%(keyword)s”: use * only once, at the end of a word.", keyword=keyword)
        if word.endswith("*") and sum(c.isalnum() for c in word) < 3:
            return _(
                "“%(keyword)s”: put at least 3 letters before the *, or it matches too much.",
                keyword=keyword,
            )
    return None


class ThemeForm(FlaskForm):
    key = StringField(
        _l("Key"), validators=[DataRequired(), Length(max=60)], description=THEME_KEY_HINT
    )
    label_en = StringField(_l("Name (English)"), validators=[Optional(), Length(max=120)])
    label_fr = StringField(_l("Name (French)"), validators=[Optional(), Length(max=120)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=1000)])
    # No Optional(): it would stop the check that one of the two lists has a keyword.
    keywords_en = TextAreaField(
        _l("Keywords (English)"), validators=[Length(max=8000)], description=KEYWORDS_HINT
    )
    keywords_fr = TextAreaField(
        _l("Keywords (French)"),
        validators=[Optional(), Length(max=8000)],
        description=KEYWORDS_HINT,
    )

    def validate_keywords_en(self, field):
        self._check_keywords(field)
        if not parse_keywords(field.data) and not parse_keywords(self.keywords_fr.data):
            raise ValidationError(_("Give at least one keyword, in English or French."))

    def validate_keywords_fr(self, field):
        self._check_keywords(field)

    @staticmethod
    def _check_keywords(field):
        words = parse_keywords(field.data)
        if len(words) > MAX_KEYWORDS:
            raise ValidationError(_("At most %(count)s keywords per language.", count=MAX_KEYWORDS))
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


META_LINES_HINT = _l(
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
            problems.append(_("Line %(number)s: write name=value.", number=number))
        elif name in meta:
            problems.append(
                _("Line %(number)s: %(name)s is already given.", number=number, name=name[:40])
            )
        else:
            meta[name] = value.strip()
    return meta, problems


class InvitationForm(FlaskForm):
    """One invitation; its rules are `check_request`'s, so the form only carries the values."""

    force = BooleanField(
        _l("Send anyway (ignore the cooldown)"),
        description=_l("Even if this customer was surveyed recently, for any questionnaire."),
    )

    customer_ref = StringField(
        _l("Customer reference"),
        description=_l("Your order or customer number: it tells you whose answer it is."),
    )
    email = EmailField(_l("Email"), description=_l("Optional: to email the invitation."))
    expires_on = DateField(
        _l("Expires on"),
        validators=[Optional()],
        description=_l("Optional: the link stops working at the end of that day (UTC)."),
    )
    language = SelectField(
        _l("Language"),
        default="",
        description=_l("Of the email, and of the page when the browser does not say."),
    )
    metadata = TextAreaField(_l("Metadata"), description=META_LINES_HINT)


class InvitationUploadForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file to upload."))])


class InvitationConfirmForm(FlaskForm):
    """The checked file's content, sent back with the preview's button and checked again."""

    content = HiddenField()
    upload_key = HiddenField()
    force = BooleanField(
        _l("Send anyway (ignore the cooldown)"),
        description=_l("Also invite the customers surveyed recently, for any questionnaire."),
    )
