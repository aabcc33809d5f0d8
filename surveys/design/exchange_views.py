"""Questionnaire files: download ours or SurveyJS JSON, import one into a journey as a draft.

The import's messages and report are English `Message`s (the API returns them so); this page
shows them in the researcher's language.
"""

from __future__ import annotations

import json

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.datastructures import FileStorage
from wtforms import SelectField

from ..auth import designer_required, reader_required
from ..db import get_session
from ..exchange import ExchangeError, export_questionnaire, import_questionnaire, to_surveyjs
from ..i18n import current_language
from ..input_guard import (
    DuplicateKey,
    clean_strings,
    not_json_constant,
    object_without_duplicates,
)
from ..journeys import slugify_key
from ..messages import translated
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
        _l("Questionnaire file (JSON)"),
        validators=[FileRequired(_l("Choose a JSON file to import."))],
        description=_l("Exported from Parcours, or a SurveyJS survey (SurveyJS Creator's JSON)."),
        render_kw={"accept": ".json,application/json"},
    )
    stage = SelectField(
        _l("Stage"), description=_l("A SurveyJS survey needs one; ours has its own.")
    )
    touchpoint = SelectField(_l("Touchpoint"))


def _named(item) -> str:
    """A stage or touchpoint as a choice: its name in the page's language, and its key."""
    name = item.name_fr if current_language() == "fr" and item.name_fr else item.name_en
    return f"{name} ({item.key})"


def _import_form(journey: Journey) -> ImportForm:
    form = ImportForm()
    form.stage.choices = options(
        [("", _("— As in the file —"))] + [(s.key, _named(s)) for s in journey.stages]
    )
    form.touchpoint.choices = options(
        [("", _("— As in the file (or the whole stage) —"))]
        + [(t.key, _named(t)) for t in journey.touchpoints]
    )
    return form


def read_json_file(upload: FileStorage) -> object:
    """The JSON in an uploaded file, or UnusableFile saying what is wrong with it."""
    raw = upload.read(IMPORT_MAX_BYTES + 1)
    if len(raw) > IMPORT_MAX_BYTES:
        raise UnusableFile(
            _(
                "The file is larger than %(size)s KiB: that is not a questionnaire file.",
                size=IMPORT_MAX_BYTES // 1024,
            ),
            413,
        )
    try:
        text = raw.decode("utf-8-sig")  # a byte order mark is harmless
    except UnicodeDecodeError:
        raise UnusableFile(_("The file is not UTF-8 text. Save it as UTF-8 JSON.")) from None
    try:
        data = json.loads(
            text, parse_constant=not_json_constant, object_pairs_hook=object_without_duplicates
        )
    except DuplicateKey as duplicate:
        raise UnusableFile(
            _(
                "The file names “%(key)s” twice in one object: keep one of them.",
                key=duplicate.key[:60],
            )
        ) from None
    except json.JSONDecodeError as error:
        # The parser's own words (error.msg) are English.
        raise UnusableFile(
            _(
                "The file is not JSON: %(error)s at line %(line)s, column %(column)s.",
                error=error.msg,
                line=error.lineno,
                column=error.colno,
            )
        ) from None
    except (ValueError, RecursionError):  # a number of 5,000 digits, NaN, [[[[...]]]]
        raise UnusableFile(_("The file is not JSON that can be read.")) from None
    clean_strings(data)  # control characters and bidi overrides, as from every door
    return data


def _flash_report(questionnaire: Questionnaire, source: str, report: list[str]) -> None:
    count = len(questionnaire.current_version.questions)
    if source == "surveyjs":
        imported = ngettext(
            "Imported the SurveyJS survey as a draft with %(num)s question. "
            "Check it, preview it, then publish.",
            "Imported the SurveyJS survey as a draft with %(num)s questions. "
            "Check it, preview it, then publish.",
            count,
        )
    else:
        imported = ngettext(
            "Imported the questionnaire as a draft with %(num)s question. "
            "Check it, preview it, then publish.",
            "Imported the questionnaire as a draft with %(num)s questions. "
            "Check it, preview it, then publish.",
            count,
        )
    flash(imported, "success")
    if not report:
        return
    flash(
        ngettext(
            "%(num)s thing did not come along:", "%(num)s things did not come along:", len(report)
        ),
        "info",
    )
    budget = REPORT_CHARACTERS_SHOWN
    for shown, line in enumerate(report):
        line = translated(line)
        budget -= len(line)
        if budget < 0:
            flash(_("… and %(count)s more.", count=len(report) - shown), "info")
            break
        flash(line, "info")


@bp.route("/journeys/<int:journey_id>/questionnaires/import", methods=["GET", "POST"])
@designer_required
def import_questionnaire_page(journey_id: int):
    journey = get_or_404(Journey, journey_id)
    if not journey.stages:
        flash(_("Add a stage to the journey before importing a questionnaire."), "error")
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
            problem, status = translated(error.message), 422
            # The message often names its one field already.
            fields = {
                path: translated(why)
                for path, why in error.fields.items()
                if why not in error.message
            }
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
