"""Follow-up cases: the CX leads' list (filters, overdue first to see) and a case's page.

Who may do what: every reader (researcher, CX lead, admin) sees cases; CX leads and admins
work them (status, owner, due date, outcome, notes), as they follow pain points up. A
case's status changes are audited; every change is a line of its timeline and a
`case.updated` webhook event.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from wtforms import DateTimeLocalField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from ..auth import reader_required, roles_required
from ..cases import service
from ..db import get_session
from ..models import (
    CASE_STATUSES,
    CLOSED_STATUSES,
    Answer,
    FollowUpCase,
    Journey,
    Questionnaire,
    Response,
    User,
    aware,
    utcnow,
)
from . import bp

PAGE_SIZE = 50
MAX_PAGE = 100_000
CASE_STATUS_NAMES = {
    "open": _l("open"),
    "contacted": _l("contacted"),
    "resolved": _l("resolved"),
    "wont_fix": _l("won't fix"),
}
ACTIVE = ("open", "contacted")
STATUS_FILTERS = {
    "active": _l("Not closed (open or contacted)"),
    **CASE_STATUS_NAMES,
    "all": _l("All"),
}


def can_work_cases() -> bool:
    return current_user.role in ("admin", "cx_lead")


# --- the list ----------------------------------------------------------------------------


@dataclass
class CaseFilters:
    status: str = "active"
    owner: str = ""  # "", "mine", "none" or a user id
    journey: int | None = None
    stage: int | None = None
    touchpoint: int | str | None = None  # an id, or "none" (the whole stage)
    questionnaire: int | None = None
    overdue: bool = False
    errors: list[str] = field(default_factory=list)

    def query(self) -> dict[str, str]:
        """The URL parameters that keep these filters (for the pages' links)."""
        values = {
            "status": self.status if self.status != "active" else "",
            "owner": self.owner,
            "journey": self.journey,
            "stage": self.stage,
            "touchpoint": self.touchpoint,
            "questionnaire": self.questionnaire,
            "overdue": "1" if self.overdue else "",
        }
        return {k: str(v) for k, v in values.items() if v not in (None, "")}


def _id(name: str, label: str, errors: list[str]) -> int | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    if value.isdigit() and len(value) < 10:
        return int(value)
    errors.append(_("%(filter)s: choose one from the list.", filter=label))
    return None


def read_filters() -> CaseFilters:
    errors: list[str] = []
    status = request.args.get("status", "").strip() or "active"
    if status not in STATUS_FILTERS:
        errors.append(_("Status: choose one from the list."))
        status = "active"
    owner = request.args.get("owner", "").strip()
    if owner not in ("", "mine", "none") and not (owner.isdigit() and len(owner) < 10):
        errors.append(_("Owner: choose one from the list."))
        owner = ""
    touchpoint: int | str | None = request.args.get("touchpoint", "").strip() or None
    if touchpoint not in (None, "none"):
        touchpoint = _id("touchpoint", _("Touchpoint"), errors)
    return CaseFilters(
        status=status,
        owner=owner,
        journey=_id("journey", _("Journey"), errors),
        stage=_id("stage", _("Stage"), errors),
        touchpoint=touchpoint,
        questionnaire=_id("questionnaire", _("Questionnaire"), errors),
        overdue=request.args.get("overdue") == "1",
        errors=errors,
    )


def _criteria(filters: CaseFilters, now: datetime, with_status: bool = True) -> list:
    where = []
    if with_status and filters.status == "active":
        where.append(FollowUpCase.status.in_(ACTIVE))
    elif with_status and filters.status in CASE_STATUSES:
        where.append(FollowUpCase.status == filters.status)
    if filters.owner == "mine":
        where.append(FollowUpCase.owner_id == current_user.id)
    elif filters.owner == "none":
        where.append(FollowUpCase.owner_id.is_(None))
    elif filters.owner:
        where.append(FollowUpCase.owner_id == int(filters.owner))
    if filters.journey is not None:
        where.append(FollowUpCase.journey_id == filters.journey)
    if filters.stage is not None:
        where.append(FollowUpCase.stage_id == filters.stage)
    if filters.touchpoint == "none":
        where.append(FollowUpCase.touchpoint_id.is_(None))
    elif filters.touchpoint is not None:
        where.append(FollowUpCase.touchpoint_id == filters.touchpoint)
    if filters.questionnaire is not None:
        where.append(FollowUpCase.questionnaire_id == filters.questionnaire)
    if filters.overdue:
        where += [FollowUpCase.status.in_(ACTIVE), FollowUpCase.due_at < now]
    return where


def _choices() -> dict:
    session = get_session()
    journeys = session.scalars(select(Journey).order_by(Journey.name, Journey.id)).all()
    return {
        "journeys": journeys,
        "questionnaires": session.scalars(
            select(Questionnaire)
            .where(Questionnaire.kind != "interview")
            .order_by(Questionnaire.journey_id, Questionnaire.id)
        ).all(),
        "owners": session.scalars(
            select(User).where(User.active.is_(True)).order_by(User.email)
        ).all(),
    }


@bp.get("/cases")
@reader_required
def cases():
    filters = read_filters()
    session = get_session()
    now = utcnow()
    where = _criteria(filters, now)
    total = session.scalar(select(func.count(FollowUpCase.id)).where(*where)) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages, MAX_PAGE)
    rows = session.scalars(
        select(FollowUpCase)
        .where(*where)
        .options(
            selectinload(FollowUpCase.owner),
            selectinload(FollowUpCase.stage),
            selectinload(FollowUpCase.touchpoint),
            selectinload(FollowUpCase.questionnaire),
        )
        .order_by(FollowUpCase.due_at, FollowUpCase.id)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    counts = dict(
        session.execute(
            select(FollowUpCase.status, func.count(FollowUpCase.id))
            .where(*_criteria(filters, now, with_status=False))
            .group_by(FollowUpCase.status)
        ).all()
    )
    overdue = (
        session.scalar(
            select(func.count(FollowUpCase.id)).where(
                *_criteria(filters, now, with_status=False),
                FollowUpCase.status.in_(ACTIVE),
                FollowUpCase.due_at < now,
            )
        )
        or 0
    )
    journey = session.get(Journey, filters.journey) if filters.journey else None
    return render_template(
        "insight/cases.html",
        rows=rows,
        filters=filters,
        query=filters.query(),
        total=total,
        page=page,
        pages=pages,
        counts=counts,
        overdue_count=overdue,
        now=now,
        journey=journey,
        statuses=CASE_STATUSES,
        status_names=CASE_STATUS_NAMES,
        status_filters=STATUS_FILTERS,
        **_choices(),
    ), (400 if filters.errors else 200)


# --- one case ----------------------------------------------------------------------------


class CaseForm(FlaskForm):
    status = SelectField(
        _l("Status"), choices=[SelectChoice(s, CASE_STATUS_NAMES[s]) for s in CASE_STATUSES]
    )
    owner = SelectField(_l("Owner"), choices=[], validate_choice=False)
    due_at = DateTimeLocalField(
        _l("Due (UTC)"),
        format="%Y-%m-%dT%H:%M",
        validators=[DataRequired(message=_l("Give a due date and time."))],
    )
    outcome = TextAreaField(
        _l("Outcome"),
        description=_l("Required to resolve a case or close it as won't fix."),
        validators=[Length(max=service.OUTCOME_MAX)],
    )

    def validate_owner(self, field) -> None:
        if field.data and field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_("Choose an active account."))

    def validate_outcome(self, field) -> None:
        if self.status.data in CLOSED_STATUSES and not (field.data or "").strip():
            raise ValidationError(
                _("Say what was done (or why nothing will be) before closing the case.")
            )


class NoteForm(FlaskForm):
    text = TextAreaField(
        _l("Note"),
        validators=[
            DataRequired(message=_l("Write the note first.")),
            Length(max=service.NOTE_MAX),
        ],
    )


def _owner_choices(case: FollowUpCase) -> list[tuple[str, str]]:
    users = get_session().scalars(select(User).where(User.active.is_(True)).order_by(User.email))
    return [SelectChoice("", _("Nobody"))] + [SelectChoice(str(u.id), u.email) for u in users]


def _case_form(case: FollowUpCase, formdata=True) -> CaseForm:
    form = CaseForm() if formdata else CaseForm(formdata=None)
    form.owner.choices = _owner_choices(case)
    if not formdata:
        form.status.data = case.status
        form.owner.data = str(case.owner_id or "")
        form.due_at.data = aware(case.due_at).replace(tzinfo=None, second=0, microsecond=0)
        form.outcome.data = case.outcome
    return form


def _get_case(case_id: int) -> FollowUpCase:
    case = get_session().scalar(
        select(FollowUpCase)
        .where(FollowUpCase.id == case_id)
        .options(
            selectinload(FollowUpCase.response)
            .selectinload(Response.answers)
            .selectinload(Answer.question),
            selectinload(FollowUpCase.response)
            .selectinload(Response.answers)
            .selectinload(Answer.analysis),
            selectinload(FollowUpCase.events),
        )
    )
    if case is None:
        abort(404)
    return case


def _case_page(case: FollowUpCase, form=None, note=None, status: int = 200):
    return render_template(
        "insight/case.html",
        case=case,
        form=form or _case_form(case, formdata=False),
        note_form=note or NoteForm(formdata=None),
        can_work=can_work_cases(),
        overdue=case.overdue(utcnow()),
        status_names=CASE_STATUS_NAMES,
    ), status


@bp.get("/cases/<int:case_id>")
@reader_required
def case(case_id: int):
    return _case_page(_get_case(case_id))


@bp.post("/cases/<int:case_id>")
@roles_required("cx_lead")
def update_case(case_id: int):
    case = _get_case(case_id)
    form = _case_form(case)
    if not form.validate_on_submit():
        return _case_page(case, form=form, status=422)
    session = get_session()
    due_at = form.due_at.data.replace(tzinfo=UTC)
    if due_at == aware(case.due_at).replace(second=0, microsecond=0):
        due_at = aware(case.due_at)  # the form shows minutes: the same minute is no change
    changed = service.update_case(
        session,
        case,
        current_user,
        status=form.status.data,
        owner_id=int(form.owner.data) if form.owner.data else None,
        due_at=due_at,
        outcome=form.outcome.data or "",
    )
    session.commit()
    flash(_("Case saved.") if changed else _("Nothing changed."), "success")
    return redirect(url_for("insight.case", case_id=case.id))


@bp.post("/cases/<int:case_id>/notes")
@roles_required("cx_lead")
def add_case_note(case_id: int):
    case = _get_case(case_id)
    note = NoteForm()
    if not note.validate_on_submit():
        return _case_page(case, note=note, status=422)
    session = get_session()
    service.add_note(session, case, current_user, note.text.data)
    session.commit()
    flash(_("Note added."), "success")
    return redirect(url_for("insight.case", case_id=case.id) + "#timeline")
