"""/s/<slug>: the questionnaire a customer answers, from a public or an invitation link."""

from __future__ import annotations

import secrets

from flask import Response, abort, redirect, render_template, request, session, url_for
from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError

from ..db import get_session
from ..i18n import settle_language
from ..invitations import invitation_by_token, invitation_link, is_expired
from ..invitations.qr import qr_svg
from ..jobs.scoring_jobs import score_inline, score_later
from ..models import Invitation, Questionnaire, utcnow
from ..question_types import field_name, parse_form
from ..submissions import AlreadyAnswered, store_response, valid_submission_key
from . import bp
from .messages import TEXTS, choose_language, error_text

ANSWERED_COOKIE_LIMIT = 50  # questionnaires remembered per browser


def public_questionnaire(slug: str) -> Questionnaire:
    """The questionnaire behind a public slug; drafts and interview guides are not public."""
    if len(slug) > 40:
        abort(404)
    questionnaire = get_session().scalar(select(Questionnaire).where(Questionnaire.slug == slug))
    if questionnaire is None or questionnaire.status == "draft" or questionnaire.is_interview:
        abort(404)
    return questionnaire


def render_message(questionnaire, language: str, key: str, status: int):
    settle_language(language)
    return render_template(
        "respond/message.html",
        q=questionnaire,
        language=language,
        title=TEXTS[f"{key}_title"],
        body=TEXTS[f"{key}_body"],
    ), status


def render_survey(
    questionnaire,
    language: str,
    *,
    values=None,
    errors=None,
    status=200,
    token: str | None = None,
    preview: bool = False,
    notice: str | None = None,
    action: str | None = None,
    submission_key: str | None = None,
):
    """The questionnaire page, as the customer sees it (also used for the preview).

    Never cached: the back button after sending must ask the server again (and hear
    "already answered"), not show a blank copy of the form. A page given back after a failed
    send keeps its submission key, so sending it again cannot store a second response.
    """
    settle_language(language)
    page = render_template(
        "respond/survey.html",
        q=questionnaire,
        questions=questionnaire.current_version.questions,
        language=language,
        error_text=error_text,
        values=values or {},
        errors=errors or {},
        token=token,
        preview=preview,
        notice=notice,
        action=action or request.path,
        submission_key=submission_key or secrets.token_hex(16),
    )
    return page, status, {"Cache-Control": "no-store"}


def _invitation_for(questionnaire: Questionnaire, token: str) -> Invitation | None:
    return invitation_by_token(get_session(), questionnaire, token)


def _language(questionnaire: Questionnaire, invitation: Invitation | None) -> str:
    """The page's language, settled for everything the page says; an invitation's own
    language when neither the link, the switch nor the browser asks for one of ours."""
    language = choose_language(
        questionnaire.languages, fallback=invitation.language if invitation else None
    )
    settle_language(language)
    return language


def _mark_opened(invitation: Invitation) -> None:
    """The first opening only: a conditional UPDATE, so two tabs opening at once keep one time."""
    db = get_session()
    db.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.opened_at.is_(None))
        .values(opened_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.commit()


def _answered_here(questionnaire_id: int) -> bool:
    return questionnaire_id in session.get("answered", [])


def _remember_answered(questionnaire_id: int) -> None:
    answered = [i for i in session.get("answered", []) if i != questionnaire_id]
    session["answered"] = (answered + [questionnaire_id])[-ANSWERED_COOKIE_LIMIT:]


@bp.route("/<slug>", methods=["GET", "POST"])
def survey(slug: str):
    questionnaire = public_questionnaire(slug)
    token = request.values.get("t")
    invitation = _invitation_for(questionnaire, token) if token else None
    language = _language(questionnaire, invitation)
    if questionnaire.status == "closed":
        return render_message(questionnaire, language, "closed", 410)

    if token:
        if invitation is None:
            return render_message(questionnaire, language, "invalid_link", 404)
        if invitation.used_at is not None:
            return render_message(questionnaire, language, "already", 200)
        if is_expired(invitation):
            return render_message(questionnaire, language, "expired", 410)
    elif _answered_here(questionnaire.id):
        return render_message(questionnaire, language, "already", 200)

    if request.method == "GET":
        if invitation is not None and invitation.opened_at is None:
            _mark_opened(invitation)
        return render_survey(questionnaire, language, token=token)

    form = request.form.to_dict(flat=False)
    asked = {field_name(q) for version in questionnaire.versions for q in version.questions}
    if any(name.startswith("q_") and name not in asked for name in form):
        abort(400)  # no version ever asked it: forged (an older version's is ignored)
    parsed = parse_form(questionnaire.current_version.questions, form)
    if parsed.errors:
        return render_survey(
            questionnaire, language, values=form, errors=parsed.errors, status=422, token=token
        )
    key = valid_submission_key(request.form.get("submission_key"))
    try:
        response, new = store_response(
            get_session(),
            questionnaire,
            parsed.values,
            language,
            submission_key=key,
            invitation=invitation,
            score=score_inline(),
        )
    except AlreadyAnswered:
        return render_message(questionnaire, language, "already", 200)
    except DBAPIError:
        # The database is away or failing: nothing was stored; the customer keeps every
        # answer and sends again (the same submission key, so a retry stores one response).
        get_session().rollback()
        page, status, headers = render_survey(
            questionnaire, language, values=form, status=503, token=token,
            notice=TEXTS["unavailable"], submission_key=key,
        )  # fmt: skip
        return page, status, {**headers, "Retry-After": "30"}
    if new and not score_inline():
        score_later(response)  # never fails the customer: logged, `analyze` catches up
    _remember_answered(questionnaire.id)
    return redirect(url_for("respond.thanks", slug=slug, lang=language), code=303)


@bp.get("/<slug>/qr.svg")
def invitation_qr(slug: str):
    """The QR code of an invitation's link, for whoever holds the link (it reveals nothing more)."""
    questionnaire = public_questionnaire(slug)
    invitation = _invitation_for(questionnaire, request.args.get("t", ""))
    if invitation is None:
        abort(404)
    svg = qr_svg(
        invitation_link(invitation),
        title=questionnaire.title_in(_language(questionnaire, invitation)),
    )
    response = Response(svg, mimetype="image/svg+xml")
    # An SVG opened from our origin could run script if it held any: it never may.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/<slug>/thanks")
def thanks(slug: str):
    questionnaire = public_questionnaire(slug)
    return render_message(questionnaire, _language(questionnaire, None), "thanks", 200)


def redisplay_after_csrf_error():
    """An expired or missing CSRF token: give the page back with every answer kept."""
    slug = (request.view_args or {}).get("slug", "")
    questionnaire = public_questionnaire(slug)
    token = request.values.get("t")
    invitation = _invitation_for(questionnaire, token) if token else None
    language = _language(questionnaire, invitation)
    if questionnaire.status == "closed":
        return render_message(questionnaire, language, "closed", 410)
    return render_survey(
        questionnaire,
        language,
        values=request.form.to_dict(flat=False),
        status=400,
        token=token,
        notice=TEXTS["expired_form"],
        submission_key=valid_submission_key(request.form.get("submission_key")),
    )
