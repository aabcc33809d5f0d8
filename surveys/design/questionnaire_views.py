"""Questionnaires: create from a stage template, edit questions, preview, publish."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from feedback.locale_format import number

from .. import privacy
from ..auth import designer_required, reader_required
from ..db import get_session
from ..design_service import (
    DesignError,
    add_question,
    close,
    create_questionnaire,
    move_question,
    publish,
    question_by_key,
    remove_question,
    rule_description,
    update_question,
    version_has_answers,
)
from ..i18n import current_language, keep_remembered_language
from ..models import Journey, Questionnaire, Response, utcnow
from ..question_rules import TRIGGER_TYPES, read_step, whole
from ..question_types import EMOTION_CHOICES, EMOTIONS, SCORE_TYPES, parse_form
from ..respond.messages import choose_language, translator
from ..respond.routes import render_survey
from . import bp
from .forms import (
    MAX_REMINDERS_DEFAULT,
    PARTIAL_TIMEOUT_DEFAULT_HOURS,
    REMINDER_AFTER_DAYS_DEFAULT,
    TYPE_LABELS,
    QuestionForm,
    QuestionnaireForm,
    QuestionnaireSettingsForm,
    options,
)
from .journey_views import get_or_404

# The survey page (and its preview) draws its privacy note and contact link with it.
bp.add_app_template_global(privacy.notice, "privacy_notice")


def public_url(questionnaire: Questionnaire) -> str:
    return url_for("respond.survey", slug=questionnaire.slug, _external=True)


def _questionnaire_form(journey: Journey) -> QuestionnaireForm:
    language = current_language()
    form = QuestionnaireForm()
    form.stage.choices = options((s.id, s.name(language)) for s in journey.stages)
    form.touchpoint.choices = options(
        [(0, _("— The whole stage —"))] + [(t.id, t.name(language)) for t in journey.touchpoints]
    )
    if request.method == "GET" and "stage" in request.args:
        form.stage.data = request.args.get("stage", type=int)
    return form


@bp.route("/journeys/<int:journey_id>/questionnaires/new", methods=["GET", "POST"])
@designer_required
def new_questionnaire(journey_id: int):
    journey = get_or_404(Journey, journey_id)
    if not journey.stages:
        flash(_("Add a stage to the journey before designing a questionnaire."), "error")
        return redirect(url_for("design.journey", journey_id=journey.id))
    form = _questionnaire_form(journey)
    if form.validate_on_submit():
        session = get_session()
        stage = next(s for s in journey.stages if s.id == form.stage.data)
        touchpoint = next((t for t in journey.touchpoints if t.id == form.touchpoint.data), None)
        questionnaire = create_questionnaire(
            session,
            journey,
            stage,
            form.kind.data,
            touchpoint,
            languages=[lang for lang in ("fr", "en") if lang in form.languages.data],
            from_template=form.from_template.data,
        )
        session.commit()
        flash(_("Questionnaire created as a draft. Check it, preview it, then publish."), "success")
        return redirect(url_for("design.questionnaire", questionnaire_id=questionnaire.id))
    return render_template("design/questionnaire_new.html", journey=journey, form=form), (
        422 if form.errors else 200
    )


@bp.get("/questionnaires/<int:questionnaire_id>")
@reader_required
def questionnaire(questionnaire_id: int):
    questionnaire = get_or_404(Questionnaire, questionnaire_id)
    has_answers = version_has_answers(get_session(), questionnaire.current_version)
    questions = questionnaire.current_version.questions
    language = current_language()
    # The questions page by page (kept in page order by the design service).
    by_page: dict[int, list] = {}
    for question in questions:
        by_page.setdefault(question.page or 1, []).append(question)
    return render_template(
        "design/questionnaire.html",
        q=questionnaire,
        public_url=public_url(questionnaire),
        has_answers=has_answers,
        type_labels=TYPE_LABELS,
        pages=sorted(by_page.items()),
        rules={q.key: rule_description(q.show_if, questions, language) for q in questions},
    )


@bp.route("/questionnaires/<int:questionnaire_id>/settings", methods=["GET", "POST"])
@designer_required
def questionnaire_settings(questionnaire_id: int):
    questionnaire = get_or_404(Questionnaire, questionnaire_id)
    form = QuestionnaireSettingsForm()
    if request.method == "GET":
        for lang in ("en", "fr"):
            getattr(form, f"title_{lang}").data = questionnaire.title.get(lang, "")
            getattr(form, f"intro_{lang}").data = questionnaire.intro.get(lang, "")
            note = (questionnaire.privacy_note or {}).get(lang, "")
            getattr(form, f"privacy_note_{lang}").data = note
        form.languages.data = list(questionnaire.languages)
        form.privacy_contact.data = questionnaire.privacy_contact or ""
        form.redact_pii.data = questionnaire.redact_pii
        form.retention_days.data = questionnaire.retention_days
        form.anonymous.data = questionnaire.anonymous
        form.partial_timeout_hours.data = questionnaire.partial_timeout_hours
        form.reminder_after_days.data = questionnaire.reminder_after_days
        form.max_reminders.data = questionnaire.max_reminders
    if form.validate_on_submit():
        questionnaire.title = {"en": form.title_en.data or "", "fr": form.title_fr.data or ""}
        questionnaire.intro = {"en": form.intro_en.data or "", "fr": form.intro_fr.data or ""}
        questionnaire.languages = [lang for lang in ("fr", "en") if lang in form.languages.data]
        notes = {"fr": form.privacy_note_fr.data, "en": form.privacy_note_en.data}
        questionnaire.privacy_note = {k: v.strip() for k, v in notes.items() if (v or "").strip()}
        questionnaire.privacy_contact = form.privacy_contact.data or None
        questionnaire.redact_pii = bool(form.redact_pii.data)
        questionnaire.retention_days = form.retention_days.data
        questionnaire.partial_timeout_hours = (
            form.partial_timeout_hours.data or PARTIAL_TIMEOUT_DEFAULT_HOURS
        )
        # 0 is a value (no reminders); empty takes the default.
        after, most = form.reminder_after_days.data, form.max_reminders.data
        questionnaire.reminder_after_days = REMINDER_AFTER_DAYS_DEFAULT if after is None else after
        questionnaire.max_reminders = MAX_REMINDERS_DEFAULT if most is None else most
        switched = bool(form.anonymous.data) != questionnaire.anonymous
        if switched:
            questionnaire.anonymous = bool(form.anonymous.data)
            # Tells the answers kept without metadata from those before, which keep theirs.
            questionnaire.anonymous_since = utcnow() if questionnaire.anonymous else None
        get_session().commit()
        flash(_("Settings saved."), "success")
        if switched:
            flash(_anonymity_switched(questionnaire), "info")
        return redirect(url_for("design.questionnaire", questionnaire_id=questionnaire.id))
    # The default note as customers would read it with the settings saved as they are now.
    default_notes = {lang: privacy.default_note(questionnaire, lang) for lang in ("fr", "en")}
    return render_template(
        "design/questionnaire_settings.html",
        q=questionnaire,
        form=form,
        default_notes=default_notes,
        answers_stored=_answers_stored(questionnaire),
    ), (422 if form.errors else 200)


def _answers_stored(questionnaire: Questionnaire) -> int:
    return get_session().scalar(
        select(func.count(Response.id)).where(Response.questionnaire_id == questionnaire.id)
    )


def _anonymity_switched(questionnaire: Questionnaire) -> str:
    """What switching anonymity changed: new answers only, never those already stored."""
    count = _answers_stored(questionnaire)
    if questionnaire.anonymous and count:
        return ngettext(
            "Answers are anonymous from now on. This applies to new answers only: the %(count)s "
            "answer already stored keeps its metadata and customer reference.",
            "Answers are anonymous from now on. This applies to new answers only: the %(count)s "
            "answers already stored keep their metadata and customer reference.",
            count,
            count=number(count, 0, current_language()),
        )
    if questionnaire.anonymous:
        return _("Answers are anonymous from now on.")
    if count:
        return _(
            "Answers are no longer anonymous. This applies to new answers only: they keep the "
            "invitation’s metadata and customer reference; answers stored while anonymous stay "
            "anonymous."
        )
    return _(
        "Answers are no longer anonymous: new answers keep the invitation’s metadata and "
        "customer reference."
    )


def _question_form(questionnaire: Questionnaire, question=None) -> QuestionForm:
    language = current_language()
    form = QuestionForm()
    form.touchpoint.choices = options(
        [(0, _("— Same as the questionnaire —"))]
        + [(t.id, t.name(language)) for t in questionnaire.journey.touchpoints]
    )
    questions = questionnaire.current_version.questions
    form.trigger_types = {q.key: q.type for q in questions}
    # A follow-up depends on an earlier score, choice or emotion question: those before the
    # question edited, or any for a new one (it goes to the end of its page).
    earlier = [
        q
        for q in questions
        if q.type in TRIGGER_TYPES and (question is None or q.position < question.position)
    ]
    form.show_if_question.choices = options(
        [("", _("— Always shown —"))]
        + [(q.key, f"{_short(q.prompt_in(language))} ({q.key})") for q in earlier]
    )
    form.answer_groups = [
        (q, [(f"{q.key}:{value}", label) for value, label in _answers_of(q, language)])
        for q in earlier
        if q.type not in SCORE_TYPES
    ]
    form.show_if_values.choices = options(
        pair for _question, pairs in form.answer_groups for pair in pairs
    )
    return form


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _answers_of(question, language: str) -> list[tuple[str, str]]:
    """The (value, label) of a choice or emotion question's answers, in `language`."""
    if question.type == "emotion":
        return [(e, EMOTION_CHOICES[e].get(language) or e) for e in EMOTIONS]
    return [
        (str(o["value"]), (o.get("label") or {}).get(language) or str(o["value"]))
        for o in question.options or []
    ]


def _show_error(form: QuestionForm, error: DesignError) -> None:
    """The service's refusal by the field it is about (the key when it names none)."""
    field = getattr(form, error.field, None) if error.field else None
    (field or form.key).errors = [error.translated()]


@bp.route("/questionnaires/<int:questionnaire_id>/questions/new", methods=["GET", "POST"])
@designer_required
def new_question(questionnaire_id: int):
    questionnaire = get_or_404(Questionnaire, questionnaire_id)
    form = _question_form(questionnaire)
    if form.validate_on_submit():
        try:
            add_question(get_session(), questionnaire, form.to_spec())
            get_session().commit()
            flash(_("Question added."), "success")
            return redirect(url_for("design.questionnaire", questionnaire_id=questionnaire.id))
        except DesignError as error:
            get_session().rollback()
            _show_error(form, error)
    return render_template(
        "design/question_form.html", q=questionnaire, form=form, question=None
    ), (422 if request.method == "POST" else 200)


@bp.route("/questionnaires/<int:questionnaire_id>/questions/<key>/edit", methods=["GET", "POST"])
@designer_required
def edit_question(questionnaire_id: int, key: str):
    questionnaire = get_or_404(Questionnaire, questionnaire_id)
    question = question_by_key(questionnaire.current_version, key)
    if question is None:
        flash(_("That question is no longer in the questionnaire."), "error")
        return redirect(url_for("design.questionnaire", questionnaire_id=questionnaire.id))
    form = _question_form(questionnaire, question)
    if request.method == "GET":
        form.fill_from(question)
    elif form.validate_on_submit():
        try:
            update_question(get_session(), questionnaire, key, form.to_spec())
            get_session().commit()
            flash(_("Question saved."), "success")
            return redirect(url_for("design.questionnaire", questionnaire_id=questionnaire.id))
        except DesignError as error:
            get_session().rollback()
            _show_error(form, error)
    return render_template(
        "design/question_form.html", q=questionnaire, form=form, question=question
    ), (422 if request.method == "POST" else 200)


@bp.post("/questionnaires/<int:questionnaire_id>/questions/<key>/move")
@designer_required
def move_question_view(questionnaire_id: int, key: str):
    questionnaire = get_or_404(Questionnaire, questionnaire_id)
    try:
        move_question(
            get_session(), questionnaire, key, -1 if request.form.get("direction") == "up" else 1
        )
        get_session().commit()
    except DesignError as error:
        get_session().rollback()
        flash(error.translated(), "error")
    return redirect(url_for("design.questionnaire", questionnaire_id=questionnaire.id))


@bp.post("/questionnaires/<int:questionnaire_id>/questions/<key>/delete")
@designer_required
def delete_question(questionnaire_id: int, key: str):
    questionnaire = get_or_404(Questionnaire, questionnaire_id)
    try:
        remove_question(get_session(), questionnaire, key)
        get_session().commit()
        flash(_("Question removed."), "success")
    except DesignError as error:
        get_session().rollback()
        flash(error.translated(), "error")
    return redirect(url_for("design.questionnaire", questionnaire_id=questionnaire.id))


@bp.post("/questionnaires/<int:questionnaire_id>/publish")
@designer_required
def publish_questionnaire(questionnaire_id: int):
    questionnaire = get_or_404(Questionnaire, questionnaire_id)
    try:
        publish(questionnaire)
        get_session().commit()
        flash(_("Published. Its public link: %(url)s", url=public_url(questionnaire)), "success")
    except DesignError as error:
        flash(error.translated(), "error")
    return redirect(url_for("design.questionnaire", questionnaire_id=questionnaire.id))


@bp.post("/questionnaires/<int:questionnaire_id>/close")
@designer_required
def close_questionnaire(questionnaire_id: int):
    questionnaire = get_or_404(Questionnaire, questionnaire_id)
    close(questionnaire)
    get_session().commit()
    flash(_("Closed: the public link now says the questionnaire is closed."), "success")
    return redirect(url_for("design.questionnaire", questionnaire_id=questionnaire.id))


@bp.post("/questionnaires/<int:questionnaire_id>/delete")
@designer_required
def delete_questionnaire(questionnaire_id: int):
    questionnaire = get_or_404(Questionnaire, questionnaire_id)
    session = get_session()
    if session.scalar(select(Response.id).where(Response.questionnaire_id == questionnaire.id)):
        flash(_("This questionnaire has responses: close it instead of deleting it."), "error")
        return redirect(url_for("design.questionnaire", questionnaire_id=questionnaire.id))
    journey_id = questionnaire.journey_id
    session.delete(questionnaire)
    session.commit()
    flash(_("Questionnaire deleted."), "success")
    return redirect(url_for("design.journey", journey_id=journey_id))


@bp.route("/questionnaires/<int:questionnaire_id>/preview", methods=["GET", "POST"])
@reader_required
def preview(questionnaire_id: int):
    """The page exactly as the customer sees it; posting checks answers but saves nothing."""
    questionnaire = get_or_404(Questionnaire, questionnaire_id)
    language = choose_language(questionnaire.languages)
    keep_remembered_language()  # previewing the French version keeps the researcher's English
    t = translator(language)
    if request.method == "POST":
        form = request.form.to_dict(flat=False)
        everything = whole(questionnaire.current_version.questions)
        parsed = parse_form(everything.questions, form)
        # Follow-ups that do not apply are never required, as on the customer's page.
        sent = read_step(everything, parsed.values, parsed.errors, {}, script=True)
        notice = None if sent.errors else t("preview_ok")
        return render_survey(
            questionnaire,
            language,
            values=form,
            errors=sent.errors,
            preview=True,
            notice=notice,
            status=422 if sent.errors else 200,
        )
    return render_survey(questionnaire, language, preview=True)
