"""Questionnaire files: download ours or SurveyJS JSON, import one into a journey as a draft."""

from __future__ import annotations

import json

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.datastructures import FileStorage
from wtforms import SelectField

from ..auth import designer_required, reader_required
from ..db import get_session
from ..exchange import ExchangeError, export_questionnaire, import_questionnaire, to_surveyjs
from ..journeys import slugify_key
from ..models import Journey, Questionnaire
from . import bp
from .forms import options
from .journey_views import get_or_404

# Below the 1 MiB request limit, so a file that is too big still gets this page back, with
# its choices; a 200-question questionnaire in both languages is far smaller.
IMPORT_MAX_BYTES = 512 * 1024
# Flashed messages travel in the session cookie, which browsers cap at 4 KB (the cookie is
# compressed, and report lines repeat themselves a lot).
REPORT_CHARACTERS_SHOWN = 3000

EXPORTS = {"parcours": export_questionnaire, "surveyjs": to_surveyjs}


class UnusableFile(Exception):
    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.status = status


class ImportForm(FlaskForm):
    file = FileField(
        "Questionnaire file (JSON)",
        validators=[FileRequired("Choose a JSON file to import.")],
        description="Exported from Parcours, or a SurveyJS survey (SurveyJS Creator's JSON).",
        render_kw={"accept": ".json,application/json"},
    )
    stage = SelectField("Stage", description="A SurveyJS survey needs one; ours has its own.")
    touchpoint = SelectField("Touchpoint")


def _import_form(journey: Journey) -> ImportForm:
    form = ImportForm()
    form.stage.choices = options(
        [("", "— As in the file —")] + [(s.key, f"{s.name_en} ({s.key})") for s in journey.stages]
    )
    form.touchpoint.choices = options(
        [("", "— As in the file (or the whole stage) —")]
        + [(t.key, f"{t.name_en} ({t.key})") for t in journey.touchpoints]
    )
    return form


def read_json_file(upload: FileStorage) -> object:
    """The JSON in an uploaded file, or UnusableFile saying what is wrong with it."""
    raw = upload.read(IMPORT_MAX_BYTES + 1)
    if len(raw) > IMPORT_MAX_BYTES:
        raise UnusableFile(
            f"The file is larger than {IMPORT_MAX_BYTES // 1024} KiB: "
            "that is not a questionnaire file.",
            413,
        )
    try:
        text = raw.decode("utf-8-sig")  # a byte order mark is harmless
    except UnicodeDecodeError:
        raise UnusableFile("The file is not UTF-8 text. Save it as UTF-8 JSON.") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise UnusableFile(
            f"The file is not JSON: {error.msg} at line {error.lineno}, column {error.colno}."
        ) from None
    except (ValueError, RecursionError):  # e.g. a number of 5,000 digits, or [[[[...]]]]
        raise UnusableFile("The file is not JSON that can be read.") from None


def _flash_report(questionnaire: Questionnaire, source: str, report: list[str]) -> None:
    count = len(questionnaire.current_version.questions)
    origin = "SurveyJS survey" if source == "surveyjs" else "questionnaire"
    flash(
        f"Imported the {origin} as a draft with {count} question{'s' * (count != 1)}. "
        "Check it, preview it, then publish.",
        "success",
    )
    if not report:
        return
    flash(f"{len(report)} thing{'s' * (len(report) != 1)} did not come along:", "info")
    budget = REPORT_CHARACTERS_SHOWN
    for shown, line in enumerate(report):
        budget -= len(line)
        if budget < 0:
            flash(f"… and {len(report) - shown} more.", "info")
            break
        flash(line, "info")


@bp.route("/journeys/<int:journey_id>/questionnaires/import", methods=["GET", "POST"])
@designer_required
def import_questionnaire_page(journey_id: int):
    journey = get_or_404(Journey, journey_id)
    if not journey.stages:
        flash("Add a stage to the journey before importing a questionnaire.", "error")
        return redirect(url_for("design.journey", journey_id=journey.id))
    form = _import_form(journey)
    problem, fields, status = None, {}, 200
    if form.validate_on_submit():
        session = get_session()
        try:
            result = import_questionnaire(
                session,
                journey,
                read_json_file(form.file.data),
                stage_key=form.stage.data or None,
                touchpoint_key=form.touchpoint.data or None,
            )
        except UnusableFile as error:
            problem, status = str(error), error.status
        except ExchangeError as error:
            session.rollback()
            problem, status = error.message, 422
            # The message often names its one field already.
            fields = {path: why for path, why in error.fields.items() if why not in problem}
        else:
            session.commit()
            _flash_report(result.questionnaire, result.source, result.report)
            return redirect(
                url_for("design.questionnaire", questionnaire_id=result.questionnaire.id)
            )
    elif request.method == "POST":
        status = 422
    return render_template(
        "design/questionnaire_import.html",
        journey=journey,
        form=form,
        problem=problem,
        fields=fields,
        max_kib=IMPORT_MAX_BYTES // 1024,
    ), status


@bp.get("/questionnaires/<int:questionnaire_id>/export/<any(parcours, surveyjs):flavour>")
@reader_required
def export_questionnaire_file(questionnaire_id: int, flavour: str):
    questionnaire = get_or_404(Questionnaire, questionnaire_id)
    body = json.dumps(EXPORTS[flavour](questionnaire), ensure_ascii=False, indent=2) + "\n"
    # ASCII letters, digits and hyphens only: nothing to escape in the header.
    name = slugify_key(questionnaire.title_in("en") or "questionnaire").replace("_", "-")
    response = current_app.response_class(body, mimetype="application/json")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{name}-{questionnaire.id}.{flavour}.json"'
    )
    return response
