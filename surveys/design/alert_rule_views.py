"""A questionnaire's alert rules: which answers open a follow-up case, who owns it, by when.

Researchers (and admins) write the rules; every reader sees them. A rule is checked against
the questionnaire's current version: a score rule names an NPS, CSAT, CES, rating or likert
question and a range inside its scale; a text rule names a text question (or none: any) and
themes of the codebook in force. Owners are active accounts. One click adds the stage
templates' rules (NPS 0-6, CSAT 1-2, CES 1-3) for the questions the questionnaire has.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, FloatField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from .. import scoring
from ..auth import designer_required, reader_required
from ..cases.rules import defaults_for
from ..cases.service import DEFAULT_DUE_HOURS, default_rule
from ..db import get_session
from ..models import AlertRule, Questionnaire, Theme, User, utcnow
from ..question_types import SCORE_TYPES, TEXT_TYPES, scale_of
from . import bp
from .forms import MultiCheckboxField, options
from .journey_views import get_or_404

DUE_MAX_HOURS = 24 * 90
KIND_NAMES = {
    "score": _l("A score in a range"),
    "negative_text": _l("A negative text (with a theme)"),
}
DEFAULT_NAMES = {
    "nps": _l("NPS detractor (0-6)"),
    "csat": _l("Dissatisfied (CSAT 1-2)"),
    "ces": _l("Hard to do (CES 1-3)"),
}


class AlertRuleForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(message=_l("Name the rule.")), Length(max=120)]
    )
    kind = SelectField(_l("Opens a case on"), choices=options(KIND_NAMES.items()))
    question_key = SelectField(_l("Question"), choices=[], validate_choice=False)
    min_score = IntegerField(_l("From score"), validators=[Optional()])
    max_score = IntegerField(_l("To score"), validators=[Optional()])
    polarity_below = FloatField(
        _l("Or a polarity below"),
        description=_l("From -1 to 1. Empty: only texts the analysis labels negative."),
        validators=[
            Optional(),
            NumberRange(-1, 1, message=_l("A polarity is between -1 and 1.")),
        ],
    )
    themes = MultiCheckboxField(
        _l("About one of these themes (none ticked: any negative text)"),
        choices=[],
        validate_choice=False,
    )
    owner = SelectField(_l("Owner"), choices=[], validate_choice=False)
    due_amount = IntegerField(
        _l("Due within"),
        validators=[
            InputRequired(message=_l("Say within how long the customer must be contacted.")),
            NumberRange(1, 2160, message=_l("From 1 to 2160.")),
        ],
    )
    due_unit = SelectField(
        _l("Unit"), choices=options([("hours", _l("hours")), ("days", _l("days"))]), default="hours"
    )
    active = BooleanField(_l("Active"), default=True)


def _questions(questionnaire: Questionnaire, types) -> list:
    return [q for q in questionnaire.current_version.questions if q.type in types]


def _codebook() -> list[tuple[str, str]]:
    """(key, label) of every theme in force: the default codebook and the install's own."""
    from ..i18n import current_language

    language = current_language()
    session = get_session()
    found: dict[str, str] = {}
    if scoring.analysis_available():
        for theme in scoring.current_codebook(session):
            found[theme.key] = theme.label.get(language) or theme.label.get("en") or theme.key
    for theme in session.scalars(select(Theme).order_by(Theme.key)):
        found.setdefault(theme.key, (theme.label or {}).get(language) or theme.key)
    return sorted(found.items(), key=lambda item: item[1].lower())


def _active_users() -> list[User]:
    return list(
        get_session().scalars(select(User).where(User.active.is_(True)).order_by(User.email))
    )


def _form(questionnaire: Questionnaire, rule: AlertRule | None = None, formdata=True):
    form = AlertRuleForm() if formdata else AlertRuleForm(formdata=None)
    language_of = questionnaire.languages[0] if questionnaire.languages else "en"
    form.question_key.choices = options(
        [("", _("Any text question"))]
        + [
            (q.key, f"{q.key} · {q.prompt_in(language_of)}")
            for q in _questions(questionnaire, (*SCORE_TYPES, *TEXT_TYPES))
        ]
    )
    form.themes.choices = options(_codebook())
    form.owner.choices = options(
        [("", _("Nobody (the list shows it unowned)"))]
        + [(str(u.id), u.email) for u in _active_users()]
    )
    if not formdata and rule is not None:
        form.name.data = rule.name
        form.kind.data = rule.kind
        form.question_key.data = rule.question_key or ""
        form.min_score.data = rule.min_score
        form.max_score.data = rule.max_score
        form.polarity_below.data = rule.polarity_below
        form.themes.data = list(rule.theme_keys or [])
        form.owner.data = str(rule.owner_id or "")
        days = rule.due_in_hours % 24 == 0
        form.due_amount.data = rule.due_in_hours // 24 if days else rule.due_in_hours
        form.due_unit.data = "days" if days else "hours"
        form.active.data = rule.active
    elif not formdata:
        form.due_amount.data = DEFAULT_DUE_HOURS
    return form


def _touchpoint_owners_posted(questionnaire: Questionnaire) -> tuple[dict, dict]:
    """The per-touchpoint owners from the form: ({touchpoint id: user id}, errors by id)."""
    active = {str(u.id) for u in _active_users()}
    owners, errors = {}, {}
    for touchpoint in questionnaire.journey.touchpoints:
        value = request.form.get(f"tp_owner_{touchpoint.id}", "").strip()
        if not value:
            continue
        if value not in active:
            errors[str(touchpoint.id)] = _("Choose an active account.")
        else:
            owners[str(touchpoint.id)] = int(value)
    return owners, errors


def _check(form: AlertRuleForm, questionnaire: Questionnaire) -> bool:
    """The rule's checks against the questionnaire; problems go on the form's fields."""
    ok = True
    questions = {q.key: q for q in questionnaire.current_version.questions}
    question = questions.get(form.question_key.data or "")
    if form.kind.data == "score":
        if question is None or question.type not in SCORE_TYPES:
            form.question_key.errors.append(
                _("Choose a score question (NPS, CSAT, CES, rating or likert).")
            )
            return False
        low, high = scale_of(question.type, question.settings)
        lo, hi = form.min_score.data, form.max_score.data
        if lo is None or hi is None:
            form.min_score.errors.append(_("Give both ends of the range."))
            ok = False
        elif not low <= lo <= hi <= high:
            form.min_score.errors.append(
                _(
                    "The range must lie within the question's scale, %(low)s to %(high)s, "
                    "from the lower score to the higher.",
                    low=low,
                    high=high,
                )
            )
            ok = False
    else:
        if form.question_key.data and (question is None or question.type not in TEXT_TYPES):
            form.question_key.errors.append(_("Choose a text question, or any."))
            ok = False
        known = {choice.value for choice in form.themes.choices}
        unknown = [key for key in form.themes.data or [] if key not in known]
        if unknown:
            form.themes.errors.append(
                _("Unknown themes: %(keys)s.", keys=", ".join(unknown[:5])[:200])
            )
            ok = False
    if form.owner.data and form.owner.data not in {c.value for c in form.owner.choices}:
        form.owner.errors.append(_("Choose an active account."))
        ok = False
    if form.due_amount.data and form.due_unit.data == "days" and form.due_amount.data > 90:
        form.due_amount.errors.append(_("At most 90 days."))
        ok = False
    return ok


def _apply(rule: AlertRule, form: AlertRuleForm, touchpoint_owners: dict) -> None:
    score = form.kind.data == "score"
    rule.name = form.name.data.strip()
    rule.kind = form.kind.data
    rule.question_key = form.question_key.data or None
    rule.min_score = form.min_score.data if score else None
    rule.max_score = form.max_score.data if score else None
    rule.polarity_below = None if score else form.polarity_below.data
    rule.theme_keys = [] if score else sorted(set(form.themes.data or []))
    rule.owner_id = int(form.owner.data) if form.owner.data else None
    rule.touchpoint_owners = touchpoint_owners
    hours = form.due_amount.data * (24 if form.due_unit.data == "days" else 1)
    rule.due_in_hours = min(hours, DUE_MAX_HOURS)
    rule.active = bool(form.active.data)
    rule.updated_at = utcnow()


def _page(questionnaire: Questionnaire, form=None, tp_owners=None, tp_errors=None, status=200):
    session = get_session()
    rules = session.scalars(
        select(AlertRule)
        .where(AlertRule.questionnaire_id == questionnaire.id)
        .order_by(AlertRule.id)
    ).all()
    return render_template(
        "design/alert_rules.html",
        q=questionnaire,
        rules=rules,
        form=form or _form(questionnaire, formdata=False),
        users={u.id: u for u in session.scalars(select(User))},
        touchpoints=questionnaire.journey.touchpoints,
        tp_owners=tp_owners or {},
        tp_errors=tp_errors or {},
        defaults=_missing_defaults(questionnaire, rules),
        kind_names=KIND_NAMES,
        theme_names={c.value: c.label for c in form.themes.choices} if form else dict(_codebook()),
    ), status


def _missing_defaults(questionnaire: Questionnaire, rules) -> list[tuple[str, str, int, int]]:
    have = {(r.question_key, r.min_score, r.max_score) for r in rules if r.kind == "score"}
    return [
        d
        for d in defaults_for(questionnaire.current_version.questions)
        if (d[1], d[2], d[3]) not in have
    ]


@bp.get("/questionnaires/<int:questionnaire_id>/alert-rules")
@reader_required
def alert_rules(questionnaire_id: int):
    return _page(get_or_404(Questionnaire, questionnaire_id))


@bp.post("/questionnaires/<int:questionnaire_id>/alert-rules/new")
@designer_required
def new_alert_rule(questionnaire_id: int):
    questionnaire = get_or_404(Questionnaire, questionnaire_id)
    form = _form(questionnaire)
    owners, owner_errors = _touchpoint_owners_posted(questionnaire)
    valid = form.validate_on_submit()
    if not (valid and _check(form, questionnaire)) or owner_errors:
        return _page(questionnaire, form, _raw_tp_owners(questionnaire), owner_errors, 422)
    rule = AlertRule(questionnaire_id=questionnaire.id)
    _apply(rule, form, owners)
    session = get_session()
    session.add(rule)
    session.commit()
    flash(_("Alert rule added: %(name)s.", name=rule.name), "success")
    return redirect(url_for("design.alert_rules", questionnaire_id=questionnaire.id))


def _raw_tp_owners(questionnaire: Questionnaire) -> dict:
    """What was chosen per touchpoint, as typed, so a refused form keeps it."""
    return {
        str(t.id): request.form.get(f"tp_owner_{t.id}", "")
        for t in questionnaire.journey.touchpoints
    }


@bp.route("/alert-rules/<int:rule_id>/edit", methods=["GET", "POST"])
@designer_required
def edit_alert_rule(rule_id: int):
    rule = get_or_404(AlertRule, rule_id)
    questionnaire = rule.questionnaire
    if request.method == "GET":
        form = _form(questionnaire, rule, formdata=False)
        owners = {k: str(v) for k, v in (rule.touchpoint_owners or {}).items()}
        return _edit_page(rule, form, owners, {})
    form = _form(questionnaire)
    owners, owner_errors = _touchpoint_owners_posted(questionnaire)
    valid = form.validate_on_submit()
    if not (valid and _check(form, questionnaire)) or owner_errors:
        return _edit_page(rule, form, _raw_tp_owners(questionnaire), owner_errors, 422)
    _apply(rule, form, owners)
    get_session().commit()
    flash(_("Alert rule saved: %(name)s.", name=rule.name), "success")
    return redirect(url_for("design.alert_rules", questionnaire_id=questionnaire.id))


def _edit_page(rule: AlertRule, form, tp_owners: dict, tp_errors: dict, status: int = 200):
    return render_template(
        "design/alert_rule_form.html",
        q=rule.questionnaire,
        rule=rule,
        form=form,
        touchpoints=rule.questionnaire.journey.touchpoints,
        tp_owners=tp_owners,
        tp_errors=tp_errors,
    ), status


@bp.post("/alert-rules/<int:rule_id>/delete")
@designer_required
def delete_alert_rule(rule_id: int):
    rule = get_or_404(AlertRule, rule_id)
    questionnaire_id, name = rule.questionnaire_id, rule.name
    session = get_session()
    session.delete(rule)  # its cases stay, with the rule's name, to be finished
    session.commit()
    flash(_("Alert rule deleted: %(name)s. Its cases stay open.", name=name), "success")
    return redirect(url_for("design.alert_rules", questionnaire_id=questionnaire_id))


@bp.post("/questionnaires/<int:questionnaire_id>/alert-rules/defaults")
@designer_required
def add_default_alert_rules(questionnaire_id: int):
    questionnaire = get_or_404(Questionnaire, questionnaire_id)
    session = get_session()
    rules = session.scalars(
        select(AlertRule).where(AlertRule.questionnaire_id == questionnaire.id)
    ).all()
    missing = _missing_defaults(questionnaire, rules)
    if not missing:
        flash(_("This questionnaire has no NPS, CSAT or CES question without its rule."), "error")
        return redirect(url_for("design.alert_rules", questionnaire_id=questionnaire.id))
    for qtype, key, low, high in missing:
        session.add(default_rule(questionnaire, qtype, key, low, high, str(DEFAULT_NAMES[qtype])))
    session.commit()
    flash(_("Default alert rules added: %(count)s.", count=len(missing)), "success")
    return redirect(url_for("design.alert_rules", questionnaire_id=questionnaire.id))
