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
from ..partial_responses import (
    StepRefused,
    answer_values,
    current_step,
    is_closed,
    partial_for,
    save_step,
)
from ..question_rules import Step, matches, missing_required, next_step, pages, read_step, whole
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
    step: Step | None = None,
    answers=None,
):
    """The questionnaire page, as the customer sees it (also used for the preview).

    `step` is what is asked now (`question_rules.next_step`): one page's questions, its
    follow-ups shown in place by the page's script, and follow-ups left pending; the whole
    questionnaire by default (the preview). `answers` are those stored by earlier steps, to
    tell which follow-ups apply.

    Never cached: the back button after sending must ask the server again (and hear
    "already answered"), not show a blank copy of the form. A page given back after a failed
    send keeps its submission key, so sending it again cannot store a second response.
    """
    settle_language(language)
    if step is not None and step.questions:  # a resumed response keeps its own version
        questions = step.questions[0].version.questions
    else:
        questions = questionnaire.current_version.questions
    step = step or whole(questions)
    values = values or {}
    shown = parse_form(step.questions, values).values if values else {}
    known = {**(answers or {}), **shown}
    page_numbers = pages(questions)
    page = render_template(
        "respond/survey.html",
        q=questionnaire,
        questions=step.questions,
        inline=step.inline,
        hidden={
            q.key for q in step.questions if q.key in step.inline and not matches(q.show_if, known)
        },
        step_keys=",".join(sorted(step.keys)),
        version_id=step.questions[0].version_id if step.questions else None,
        page_number=page_numbers.index(step.page) + 1 if step.page in page_numbers else None,
        page_count=len(page_numbers),
        language=language,
        error_text=error_text,
        values=values,
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


def _resumed_id(questionnaire_id: int) -> int | None:
    return session.get("partial", {}).get(str(questionnaire_id))


def _remember_partial(questionnaire_id: int, response_id: int | None) -> None:
    """This browser's unfinished response (signed session cookie: nothing else tracked)."""
    partial = {k: v for k, v in session.get("partial", {}).items() if k != str(questionnaire_id)}
    if response_id is not None:
        partial[str(questionnaire_id)] = response_id
    session["partial"] = dict(list(partial.items())[-ANSWERED_COOKIE_LIMIT:])


def _survey_url(slug: str, token: str | None) -> str:
    return (
        url_for("respond.survey", slug=slug, t=token)
        if token
        else url_for("respond.survey", slug=slug)
    )


_CLOSED = object()  # an invitation's partial response left past the questionnaire's delay


def _shown_version(questionnaire: Questionnaire):
    """The version a posted page showed (its `version` field), else the current one: a page
    opened before an edit is stored against the questions it asked."""
    posted = request.form.get("version", "") if request.method == "POST" else ""
    found = next((v for v in questionnaire.versions if str(v.id) == posted), None)
    return found or questionnaire.current_version


def _where_the_customer_is(questionnaire: Questionnaire, invitation: Invitation | None):
    """The unfinished response this invitation or browser started (or None), its answers
    and what to ask next; `_CLOSED` when the invitation's unfinished response was closed."""
    resumed = partial_for(
        get_session(), questionnaire, invitation=invitation,
        response_id=_resumed_id(questionnaire.id),
    )  # fmt: skip
    if resumed is not None and is_closed(resumed, questionnaire):
        if invitation is not None:
            return _CLOSED, {}, None
        resumed = None  # this browser starts again; the unfinished one stays in the drop-off
    version = _shown_version(questionnaire)
    step = current_step(resumed, version.questions)
    if resumed is not None and step.done:
        resumed = None  # nothing left to ask of an old version's: the current one asks again
        step = current_step(None, questionnaire.current_version.questions)
    return resumed, answer_values(resumed) if resumed else {}, step


def _not_open(questionnaire: Questionnaire, token, invitation, language: str):
    """The message page when this visit cannot answer (closed questionnaire; invitation
    unknown, answered or expired; answered in this browser), else None."""
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
    return None


@bp.route("/<slug>", methods=["GET", "POST"])
def survey(slug: str):
    questionnaire = public_questionnaire(slug)
    token = request.values.get("t")
    invitation = _invitation_for(questionnaire, token) if token else None
    language = _language(questionnaire, invitation)
    refused = _not_open(questionnaire, token, invitation, language)
    if refused:
        return refused

    db = get_session()
    resumed, stored, step = _where_the_customer_is(questionnaire, invitation)
    if resumed is _CLOSED:
        return render_message(questionnaire, language, "expired", 410)
    version = resumed.version if resumed else _shown_version(questionnaire)
    questions = version.questions

    def page(**kwargs):
        return render_survey(
            questionnaire, language, token=token, step=step, answers=stored, **kwargs
        )

    if request.method == "GET":
        if invitation is not None and invitation.opened_at is None:
            _mark_opened(invitation)
        stale = session.pop("stale_step", None) == questionnaire.id
        return page(notice=TEXTS["step_sent_before"] if stale else None)

    form = request.form.to_dict(flat=False)
    asked = {field_name(q) for version in questionnaire.versions for q in version.questions}
    if any(name.startswith("q_") and name not in asked for name in form):
        abort(400)  # no version ever asked it: forged (an older version's is ignored)
    posted_step = request.form.get("step_keys")
    if posted_step is not None and set(filter(None, posted_step.split(","))) != step.keys:
        # A page already sent (another tab, the back button): carry on where the response is,
        # and say why what was just sent is not the page that comes back.
        session["stale_step"] = questionnaire.id
        return redirect(_survey_url(slug, token), code=303)
    parsed = parse_form(step.questions, form)
    sent = read_step(
        step, parsed.values, parsed.errors, stored, script=request.form.get("script") == "1"
    )
    if sent.errors:
        return page(values=form, errors=sent.errors, status=422)
    key = valid_submission_key(request.form.get("submission_key"))
    known = {**stored, **sent.values}
    seen = set(resumed.seen or ()) if resumed else set()
    one_step = resumed is None and next_step(questions, known, seen | sent.seen).done
    try:
        if one_step:
            if missing_required(questions, known):  # never complete without them
                abort(400)
            response, new = store_response(
                db, questionnaire, sent.values, language, submission_key=key,
                invitation=invitation, score=score_inline(), version=version,
            )  # fmt: skip
            complete = True
        else:
            response, complete = save_step(
                db, questionnaire, resumed, sent.values, sent.seen, step.page, language,
                submission_key=key if resumed is None else None, invitation=invitation,
                score=score_inline(), version=version,
            )  # fmt: skip
            new = True
    except AlreadyAnswered:
        db.rollback()
        return render_message(questionnaire, language, "already", 200)
    except StepRefused as refused:
        db.rollback()
        missing = [q for q in questions if q.key in refused.keys]
        step = Step(page=None, questions=missing)
        return page(values=form, errors=dict.fromkeys(refused.keys, "required"), status=422)
    except DBAPIError:
        # The database is away or failing: nothing was stored; the customer keeps every
        # answer and sends again (the same submission key, so a retry stores one response).
        db.rollback()
        body, status, headers = page(
            values=form, status=503, notice=TEXTS["unavailable"], submission_key=key
        )
        return body, status, {**headers, "Retry-After": "30"}
    if new and not score_inline():
        score_later(response)  # never fails the customer: logged, `analyze` catches up
    if not complete:
        _remember_partial(questionnaire.id, response.id)
        return redirect(_survey_url(slug, token), code=303)
    _remember_partial(questionnaire.id, None)
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
    refused = _not_open(questionnaire, token, invitation, language)
    if refused:
        return refused
    resumed, stored, step = _where_the_customer_is(questionnaire, invitation)
    if resumed is _CLOSED:
        return render_message(questionnaire, language, "expired", 410)
    return render_survey(
        questionnaire,
        language,
        step=step,
        answers=stored,
        values=request.form.to_dict(flat=False),
        status=400,
        token=token,
        notice=TEXTS["expired_form"],
        submission_key=valid_submission_key(request.form.get("submission_key")),
    )
