"""Invitations of a questionnaire: create one or a CSV of them, hand out links and QR codes.

CX leads read the list; researchers and admins create, export, email. Every rule on an
invitation's fields is `check_request`'s (shared with the API), so the form, the CSV and
the API refuse the same things with the same words: English `Message`s, which these pages
show in the researcher's language (`translated`) while the API keeps them in English.
"""

from __future__ import annotations

import csv
import io
import secrets
from datetime import UTC, datetime, time

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import and_, func, or_, select, update
from werkzeug.exceptions import RequestEntityTooLarge

from feedback.exports.cells import as_text
from feedback.exports.csv_report import BOM
from feedback.locale_format import number

from ..auth import designer_required, reader_required
from ..db import get_session
from ..errors import MESSAGES
from ..i18n import current_language
from ..invitations import (
    InvitationError,
    check_request,
    counts,
    create_invitations,
    invitation_link,
    qr_link,
    status_of,
)
from ..invitations.cooldown import (
    apply_cooldown,
    cooldown_days,
    cooldown_message,
    record_suppressed,
    suppressed_summary,
)
from ..invitations.csv_upload import MAX_ROWS, UploadError, parse_invitations_csv
from ..invitations.mail import mail_enabled
from ..invitations.qr import qr_filename, qr_svg
from ..jobs import QueueUnavailable
from ..jobs.mail_jobs import NothingSent, queue_invitation_emails
from ..messages import Message, translated
from ..models import Invitation, Questionnaire, utcnow
from . import bp
from .forms import (
    LANGUAGE_CHOICES,
    InvitationConfirmForm,
    InvitationForm,
    InvitationUploadForm,
    options,
    parse_meta_lines,
)
from .journey_views import get_or_404

PAGE_SIZE = 50
STATUSES = ("created", "sent", "reminded", "opened", "answered", "bounced", "expired")
STATUS_LABELS = {
    "created": _l("created"),
    "sent": _l("sent"),
    "reminded": _l("reminded"),
    "opened": _l("opened"),
    "answered": _l("answered"),
    "bounced": _l("bounced"),
    "expired": _l("expired"),
}
SUPPRESSED_SHOWN = 200  # in the CSV preview: the first ones, and how many more
ERRORS_SHOWN = 200  # a file with thousands of bad rows: the first ones say what to fix
UPLOADS_REMEMBERED = 20
# 10,000 rows with an email and a few metadata columns take 1-3 MB, over the app-wide 1 MiB
# limit; these two routes (the upload, and its confirmation carrying the file back) get more.
UPLOAD_MAX_BYTES = 8 * 1024 * 1024
UPLOAD_ENDPOINTS = ("design.upload_invitations", "design.confirm_invitations")
# check_request's field names, and the form fields their messages go next to.
FORM_FIELD_OF = {
    "customer_ref": "customer_ref",
    "email": "email",
    "expires_at": "expires_on",
    "language": "language",
}


def invitable_or_404(questionnaire_id: int) -> Questionnaire:
    questionnaire = get_or_404(Questionnaire, questionnaire_id)
    if questionnaire.is_interview:  # interview guides are filled in by researchers
        abort(404)
    return questionnaire


@bp.url_value_preprocessor
def allow_larger_uploads(endpoint: str | None, _values: dict | None) -> None:
    # URL preprocessors run before any before_request hook, and the app's hooks (CSRF, the
    # NUL guard) read the form: the limit must be raised before that first read.
    if endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = UPLOAD_MAX_BYTES
        request.max_form_memory_size = UPLOAD_MAX_BYTES


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge):
    # Raised while the app's hooks read the form, before the view's role check: the upload
    # page (with the questionnaire's title) is only for those who may upload.
    questionnaire_id = (request.view_args or {}).get("questionnaire_id")
    questionnaire = get_session().get(Questionnaire, questionnaire_id or 0)
    may_upload = current_user.is_authenticated and current_user.can_design
    if request.endpoint in UPLOAD_ENDPOINTS and questionnaire is not None and may_upload:
        message = _(
            "The file is larger than %(size)s MB: split it into smaller files.",
            size=UPLOAD_MAX_BYTES // (1024 * 1024),
        )
        return _upload_page(questionnaire, InvitationUploadForm(formdata=None), message, 413)
    title, message = MESSAGES[413]
    return render_template("errors/error.html", code=413, title=title, message=message), 413


# --- which invitations ---------------------------------------------------------------------


def not_expired(now: datetime):
    return or_(Invitation.expires_at.is_(None), Invitation.expires_at >= now)


def status_condition(status: str, now: datetime):
    """`status_of` as a WHERE clause, so the list filters and pages in the database."""
    live = and_(Invitation.used_at.is_(None), not_expired(now))
    delivered = and_(live, Invitation.bounced_at.is_(None))
    unopened = and_(delivered, Invitation.opened_at.is_(None))
    never_reminded = and_(unopened, Invitation.reminder_count == 0)
    return {
        "answered": Invitation.used_at.is_not(None),
        "expired": and_(Invitation.used_at.is_(None), Invitation.expires_at < now),
        "bounced": and_(live, Invitation.bounced_at.is_not(None)),
        "opened": and_(delivered, Invitation.opened_at.is_not(None)),
        "reminded": and_(unopened, Invitation.reminder_count > 0),
        "sent": and_(never_reminded, Invitation.sent_at.is_not(None)),
        "created": and_(never_reminded, Invitation.sent_at.is_(None)),
    }[status]


def waiting_to_be_sent(now: datetime):
    """Not emailed nor exported yet, still answerable, and its address not refused."""
    return and_(
        Invitation.sent_at.is_(None),
        Invitation.used_at.is_(None),
        Invitation.bounced_at.is_(None),
        not_expired(now),
    )


# --- the list -----------------------------------------------------------------------------


@bp.get("/questionnaires/<int:questionnaire_id>/invitations")
@reader_required
def invitations(questionnaire_id: int):
    questionnaire = invitable_or_404(questionnaire_id)
    db = get_session()
    now = utcnow()
    status = request.args.get("status", "")
    where = [Invitation.questionnaire_id == questionnaire.id]
    if status in STATUSES:
        where.append(status_condition(status, now))
    else:
        status = ""
    total = db.scalar(select(func.count()).select_from(Invitation).where(*where))
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(max(request.args.get("page", 1, type=int), 1), pages)
    rows = db.scalars(
        select(Invitation)
        .where(*where)
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return render_template(
        "design/invitations.html",
        q=questionnaire,
        counts=counts(db, questionnaire.id, now),
        rows=[(i, status_of(i, now), invitation_link(i)) for i in rows],
        status=status,
        statuses=STATUSES,
        status_labels=STATUS_LABELS,
        total=total,
        page=page,
        pages=pages,
        mail_enabled=mail_enabled(current_app.config),
        suppressed=suppressed_summary(db, questionnaire.id),
        cooldown_days=cooldown_days(current_app.config),
    )


# --- one invitation -----------------------------------------------------------------------


def _invitation_form(questionnaire: Questionnaire) -> InvitationForm:
    form = InvitationForm()
    names = dict(LANGUAGE_CHOICES)
    unset = _(
        "Not set: email in %(language)s, page in the browser's",
        language=names[questionnaire.languages[0]],
    )
    form.language.choices = options(
        [("", unset)] + [(lang, names[lang]) for lang in questionnaire.languages]
    )
    return form


def _end_of_day(day) -> datetime | None:
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC) if day else None


@bp.route("/questionnaires/<int:questionnaire_id>/invitations/new", methods=["GET", "POST"])
@designer_required
def new_invitation(questionnaire_id: int):
    questionnaire = invitable_or_404(questionnaire_id)
    form = _invitation_form(questionnaire)
    problem = None
    if form.validate_on_submit():
        meta, line_problems = parse_meta_lines(form.metadata.data)
        try:
            checked = check_request(
                questionnaire,
                customer_ref=form.customer_ref.data,
                email=form.email.data,
                meta=meta,
                expires_at=_end_of_day(form.expires_on.data),
                language=form.language.data or None,
            )
        except InvitationError as error:
            problem = _show_on_form(form, error.fields)
            checked = None
        form.metadata.errors = [*line_problems, *form.metadata.errors]
        if checked is not None and not line_problems:
            db = get_session()
            config = current_app.config
            _kept, held = apply_cooldown(db, [checked], config, force=bool(form.force.data))
            if held:
                record_suppressed(db, questionnaire.id, held, "form")
                form.customer_ref.errors = [translated(cooldown_message(held[0], config))]
                return render_template(
                    "design/invitation_new.html", q=questionnaire, form=form, problem=None
                ), 409
            (invitation,) = create_invitations(db, questionnaire, [checked])
            flash(
                _(
                    "Invitation created for %(customer)s: %(link)s",
                    customer=invitation.customer_ref,
                    link=invitation_link(invitation),
                ),
                "success",
            )
            return redirect(url_for("design.invitations", questionnaire_id=questionnaire.id))
    return render_template(
        "design/invitation_new.html", q=questionnaire, form=form, problem=problem
    ), (422 if request.method == "POST" else 200)


def _show_on_form(form: InvitationForm, fields: dict[str, Message]) -> str | None:
    """Put each of check_request's messages next to its field, in the page's language;
    return one for the page."""
    problem = None
    for name, message in fields.items():
        message = translated(message)
        if name in FORM_FIELD_OF:
            getattr(form, FORM_FIELD_OF[name]).errors = [message]
        elif name.startswith("metadata"):
            key = name.partition(".")[2]
            if key:
                message = _("%(where)s: %(problem)s", where=key, problem=message)
            form.metadata.errors = [*form.metadata.errors, message]
        else:
            problem = message
    return problem


def _count(n: int) -> str:
    return number(n, 0, current_language())


# --- a CSV of invitations -----------------------------------------------------------------


def _upload_page(questionnaire, form, problem: str | None, status: int):
    return render_template(
        "design/invitations_upload.html",
        q=questionnaire,
        form=form,
        problem=problem,
        max_rows=MAX_ROWS,
        max_mb=UPLOAD_MAX_BYTES // (1024 * 1024),
    ), status


def _preview_page(questionnaire, parsed, content: str):
    confirm = InvitationConfirmForm(
        formdata=None, content=content, upload_key=secrets.token_hex(16)
    )
    config = current_app.config
    _kept, held = apply_cooldown(get_session(), parsed.requests, config)
    return render_template(
        "design/invitations_preview.html",
        q=questionnaire,
        parsed=parsed,
        errors=[
            {
                "line": e.line,
                # "row", "column 3" are words; a column's name is the file's own.
                "field": translated(e.field),
                "named": not isinstance(e.field, Message),
                "message": translated(e.message),
            }
            for e in parsed.errors[:ERRORS_SHOWN]
        ],
        more_errors=max(len(parsed.errors) - ERRORS_SHOWN, 0),
        confirm=confirm,
        held=[
            {"customer_ref": h.customer_ref, "surveyed_at": h.surveyed_at}
            for h in held[:SUPPRESSED_SHOWN]
        ],
        held_count=len(held),
        to_create=len(parsed.requests) - len(held),
        cooldown_days=cooldown_days(config),
    ), (200 if parsed.ok else 422)


@bp.route("/questionnaires/<int:questionnaire_id>/invitations/upload", methods=["GET", "POST"])
@designer_required
def upload_invitations(questionnaire_id: int):
    questionnaire = invitable_or_404(questionnaire_id)
    form = InvitationUploadForm()
    if request.method == "GET":
        return _upload_page(questionnaire, form, None, 200)
    if not form.validate_on_submit():
        return _upload_page(questionnaire, form, None, 400)
    data = form.file.data.read()
    try:
        parsed = parse_invitations_csv(data, questionnaire)
    except UploadError as error:
        return _upload_page(questionnaire, form, translated(error.message), 400)
    # Decoded once more to send back: parse_invitations_csv accepted it as UTF-8.
    return _preview_page(questionnaire, parsed, data.decode("utf-8-sig"))


@bp.post("/questionnaires/<int:questionnaire_id>/invitations/upload/confirm")
@designer_required
def confirm_invitations(questionnaire_id: int):
    questionnaire = invitable_or_404(questionnaire_id)
    form = InvitationConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    key = form.upload_key.data or ""
    done = session.get("invitation_uploads", [])
    if key in done:  # the button sent twice, or the page sent again from the history
        flash(_("These invitations were already created."), "info")
        return redirect(url_for("design.invitations", questionnaire_id=questionnaire.id), 303)
    content = form.content.data or ""
    try:
        # Checked again: the hidden field came back from the browser, and time has passed.
        parsed = parse_invitations_csv(content.encode("utf-8"), questionnaire)
    except UploadError as error:
        blank = InvitationUploadForm(formdata=None)
        return _upload_page(questionnaire, blank, translated(error.message), 400)
    if not parsed.ok:
        return _preview_page(questionnaire, parsed, content)
    db = get_session()
    kept, held = apply_cooldown(
        db, parsed.requests, current_app.config, force=bool(form.force.data)
    )
    # Recorded with the invitations, in one commit: both or neither.
    record_suppressed(db, questionnaire.id, held, "csv", commit=False)
    create_invitations(db, questionnaire, kept, commit=False)
    db.commit()
    if key:
        session["invitation_uploads"] = [*done, key][-UPLOADS_REMEMBERED:]
    created = len(kept)
    flash(
        ngettext(
            "Created %(count)s invitation.",
            "Created %(count)s invitations.",
            created,
            count=_count(created),
        ),
        "success",
    )
    if held:
        flash(
            ngettext(
                "%(count)s customer was surveyed within the last %(days)s days: not invited "
                "(the cooldown).",
                "%(count)s customers were surveyed within the last %(days)s days: not invited "
                "(the cooldown).",
                len(held),
                count=_count(len(held)),
                days=_count(cooldown_days(current_app.config)),
            ),
            "info",
        )
    return redirect(url_for("design.invitations", questionnaire_id=questionnaire.id), 303)


# --- links, QR codes, email ---------------------------------------------------------------

LINK_COLUMNS = ("customer_ref", "email", "status", "link", "qr_link", "expires_at")


def links_csv(invitations: list[Invitation], now: datetime) -> bytes:
    """The links as a spreadsheet opens them: UTF-8 with a BOM, formulas neutralised."""
    meta_keys = sorted({key for i in invitations for key in (i.meta or {})})
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([*LINK_COLUMNS, *meta_keys])
    for i in invitations:
        row = [
            i.customer_ref,
            i.email,
            status_of(i, now),
            invitation_link(i),
            qr_link(i),
            i.expires_at,
            *((i.meta or {}).get(key) for key in meta_keys),
        ]
        writer.writerow([as_text(value) for value in row])
    return out.getvalue().encode("utf-8")


@bp.post("/questionnaires/<int:questionnaire_id>/invitations/links.csv")
@designer_required
def download_links(questionnaire_id: int):
    """A POST, not a link: downloading marks the links handed over (sent) to the shop's mailer."""
    questionnaire = invitable_or_404(questionnaire_id)
    db = get_session()
    now = utcnow()
    db.execute(
        update(Invitation)
        .where(Invitation.questionnaire_id == questionnaire.id, waiting_to_be_sent(now))
        .values(sent_at=now)
        .execution_options(synchronize_session=False)  # read again just below
    )
    db.commit()
    rows = db.scalars(
        select(Invitation)
        .where(Invitation.questionnaire_id == questionnaire.id)
        .order_by(Invitation.id)
        .execution_options(populate_existing=True)
    ).all()
    return Response(
        links_csv(rows, now),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f"attachment; filename=invitations-{questionnaire.slug}.csv"
        },
    )


@bp.get("/questionnaires/<int:questionnaire_id>/invitations/<int:invitation_id>/qr.svg")
@reader_required
def invitation_qr(questionnaire_id: int, invitation_id: int):
    questionnaire = invitable_or_404(questionnaire_id)
    invitation = get_or_404(Invitation, invitation_id)
    if invitation.questionnaire_id != questionnaire.id:
        abort(404)
    svg = qr_svg(
        invitation_link(invitation),
        title=_("Questionnaire link: %(customer)s", customer=invitation.customer_ref),
    )
    return send_file(
        io.BytesIO(svg),
        mimetype="image/svg+xml",
        as_attachment=True,
        download_name=qr_filename(invitation.customer_ref, str(invitation.id)),
        max_age=0,
    )


@bp.post("/questionnaires/<int:questionnaire_id>/invitations/email")
@designer_required
def email_invitations(questionnaire_id: int):
    questionnaire = invitable_or_404(questionnaire_id)
    if not mail_enabled(current_app.config):
        abort(404)
    back = redirect(url_for("design.invitations", questionnaire_id=questionnaire.id), 303)
    waiting = get_session().scalar(
        select(func.count())
        .select_from(Invitation)
        .where(
            Invitation.questionnaire_id == questionnaire.id,
            Invitation.email.is_not(None),
            waiting_to_be_sent(utcnow()),
        )
    )
    if not waiting:
        flash(_("No invitation is waiting to be emailed."), "info")
        return back
    try:
        outcome = queue_invitation_emails(questionnaire.id)
    except QueueUnavailable:
        flash(
            _("The job queue did not answer: nothing was emailed, try again in a minute."),
            "error",
        )
        return back
    except NothingSent as error:  # inline: the server refused or could not be reached
        report = error.report
    else:
        if outcome.queued:
            flash(
                ngettext(
                    "Emailing %(count)s invitation in the background: its status follows in the "
                    "list below.",
                    "Emailing %(count)s invitations in the background: each one's status "
                    "follows in the list below.",
                    waiting,
                    count=_count(waiting),
                ),
                "success",
            )
            return back
        report = outcome.result
    if report.failed:
        flash(
            ngettext(
                "Emailed %(sent)s invitations; %(count)s failed (the list says why).",
                "Emailed %(sent)s invitations; %(count)s failed (the list says why).",
                report.failed,
                sent=_count(report.sent),
                count=_count(report.failed),
            ),
            "error",
        )
    else:
        flash(
            ngettext(
                "Emailed %(count)s invitation.",
                "Emailed %(count)s invitations.",
                report.sent,
                count=_count(report.sent),
            ),
            "success",
        )
    return back
