"""/api/v1/invitations: a shop asks its customers, one order at a time or in batches."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from flask import current_app
from pydantic import BaseModel, ConfigDict, Field, RootModel
from sqlalchemy import select

from ..db import get_session
from ..input_guard import DATABASE_INT_MAX
from ..invitations import (
    InvitationError,
    check_request,
    create_invitations,
    invitation_link,
    qr_link,
    status_of,
)
from ..invitations.cooldown import apply_cooldown, cooldown_message, record_suppressed
from ..models import Invitation, Questionnaire
from . import bp
from .errors import ApiError
from .pagination import PageQuery, page
from .spec import operation
from .types import Scalar, UtcDatetime

BATCH_MAX = 1000


class InvitationIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    questionnaire_id: int = Field(ge=1, le=DATABASE_INT_MAX)
    customer_ref: str = Field(min_length=1, max_length=200)
    email: str | None = Field(None, max_length=254)
    metadata: dict[str, Scalar] | None = Field(
        None, description="Order id, channel, segment...: they travel with the response."
    )
    expires_at: datetime | None = None
    language: Literal["fr", "en"] | None = None
    force: bool = Field(
        False,
        description="Create it even when the customer was surveyed within the cooldown "
        "(CUSTOMER_COOLDOWN_DAYS, any questionnaire).",
    )


InvitationItems = Annotated[list[InvitationIn], Field(min_length=1, max_length=BATCH_MAX)]


class InvitationBatchIn(RootModel[InvitationItems]):
    pass


class InvitationOut(BaseModel):
    id: int
    questionnaire_id: int
    token: str
    url: str
    qr_svg_url: str
    customer_ref: str
    email: str | None
    language: str | None
    metadata: dict[str, str]
    status: Literal["created", "sent", "reminded", "opened", "bounced", "answered", "expired"]
    expires_at: UtcDatetime | None
    created_at: UtcDatetime
    sent_at: UtcDatetime | None
    opened_at: UtcDatetime | None
    answered_at: UtcDatetime | None
    reminder_count: int = 0
    reminded_at: UtcDatetime | None = None
    bounced_at: UtcDatetime | None = None


class InvitationList(BaseModel):
    items: list[InvitationOut]
    next_cursor: str | None


class SuppressedOut(BaseModel):
    index: int = Field(description="The item's position in the batch.")
    questionnaire_id: int
    customer_ref: str
    surveyed_at: UtcDatetime = Field(description="When the customer was last surveyed.")
    code: Literal["cooldown"] = "cooldown"
    message: str


class InvitationBatchOut(InvitationList):
    suppressed: list[SuppressedOut] = Field(
        default_factory=list,
        description="Items not created because of the customer cooldown (send them again "
        "with `force: true` to create them anyway).",
    )


class InvitationListQuery(PageQuery):
    questionnaire_id: int | None = Field(None, ge=1, le=DATABASE_INT_MAX)


def as_output(invitation: Invitation) -> InvitationOut:
    return InvitationOut(
        id=invitation.id,
        questionnaire_id=invitation.questionnaire_id,
        token=invitation.token,
        url=invitation_link(invitation),
        qr_svg_url=qr_link(invitation),
        customer_ref=invitation.customer_ref,
        email=invitation.email,
        language=invitation.language,
        metadata=invitation.meta or {},
        status=status_of(invitation),
        expires_at=invitation.expires_at,
        created_at=invitation.created_at,
        sent_at=invitation.sent_at,
        opened_at=invitation.opened_at,
        answered_at=invitation.used_at,
        reminder_count=invitation.reminder_count or 0,
        reminded_at=invitation.reminded_at,
        bounced_at=invitation.bounced_at,
    )


def _checked(items: list[InvitationIn], prefix) -> list[tuple[Questionnaire, object, bool]]:
    """Every item checked before anything is stored; all errors reported at once."""
    session = get_session()
    questionnaires: dict[int, Questionnaire | None] = {}
    checked, errors = [], {}
    for index, item in enumerate(items):
        where = prefix(index)
        qid = item.questionnaire_id
        if qid not in questionnaires:
            questionnaires[qid] = session.get(Questionnaire, qid)
        questionnaire = questionnaires[qid]
        if questionnaire is None:
            errors[where + "questionnaire_id"] = "Unknown questionnaire."
            continue
        try:
            request = check_request(
                questionnaire,
                customer_ref=item.customer_ref,
                email=item.email,
                meta=item.metadata,
                expires_at=item.expires_at,
                language=item.language,
            )
        except InvitationError as error:
            errors.update({where + field: message for field, message in error.fields.items()})
            continue
        checked.append((questionnaire, request, item.force))
    if errors:
        raise ApiError(422, "Some invitations are not valid; none was created.", fields=errors)
    return checked


def _cooled(checked) -> tuple[list, list[SuppressedOut]]:
    """The checked items the customer cooldown lets through, and the others (recorded).

    Forced items always go; the others are looked up together (one query per chunk).
    """
    session = get_session()
    config = current_app.config
    forced = [(i, q, r) for i, (q, r, force) in enumerate(checked) if force]
    rest = [(i, q, r) for i, (q, r, force) in enumerate(checked) if not force]
    # Forced items count as surveyed now, for the others of the same batch.
    _allowed, kept_back = apply_cooldown(
        session, [r for _i, _q, r in forced] + [r for _i, _q, r in rest], config
    )
    kept_back_ids = {id(s.request): s for s in kept_back}
    passed, suppressed = [], []
    for index, questionnaire, request in forced:
        passed.append((index, questionnaire, request))
    for index, questionnaire, request in rest:
        found = kept_back_ids.get(id(request))
        if found is None:
            passed.append((index, questionnaire, request))
            continue
        record_suppressed(session, questionnaire.id, [found], "api", commit=False)
        suppressed.append(
            SuppressedOut(
                index=index,
                questionnaire_id=questionnaire.id,
                customer_ref=request.customer_ref,
                surveyed_at=found.surveyed_at,
                message=cooldown_message(found, config),
            )
        )
    passed.sort(key=lambda item: item[0])
    return [(q, r) for _i, q, r in passed], suppressed


def _store(checked) -> list[Invitation]:
    session = get_session()
    stored: list[Invitation] = []
    by_questionnaire: dict[int, tuple[Questionnaire, list]] = {}
    for questionnaire, request in checked:
        by_questionnaire.setdefault(questionnaire.id, (questionnaire, []))[1].append(request)
    for questionnaire, requests in by_questionnaire.values():
        stored.extend(create_invitations(session, questionnaire, requests, commit=False))
    session.commit()
    return stored


@operation(
    bp, "POST", "/invitations", summary="Create an invitation", tag="Invitations",
    scope="invitations:write", body=InvitationIn, response=InvitationOut, status=201,
    errors=(409,),
    description="A private link for one customer; answered once. The metadata travel with "
    "the response and become journey-map segments. A customer surveyed within the "
    "cooldown (CUSTOMER_COOLDOWN_DAYS, default 30, across all questionnaires: invited, or "
    "answered) gets no new invitation: 409 with the code `cooldown`, unless `force` is true.",
)  # fmt: skip
def create_invitation(body: InvitationIn):
    checked, suppressed = _cooled(_checked([body], lambda _i: ""))
    if suppressed:
        get_session().commit()  # the suppression is recorded for the invitations page
        (item,) = suppressed
        raise ApiError(409, item.message, code="cooldown", fields={"customer_ref": item.message})
    (invitation,) = _store(checked)
    return as_output(invitation)


@operation(
    bp, "POST", "/invitations:batch", summary="Create invitations in a batch", tag="Invitations",
    scope="invitations:write", body=InvitationBatchIn, response=InvitationBatchOut,
    status=201,
    description=f"At most {BATCH_MAX} per call. When any item is not valid, none is "
    "created (422; the errors name each item as `[index].field`). The customer cooldown is "
    "not a validation error: the items it keeps back are listed in `suppressed` (with "
    "their index) and the others are created. A customer appears once per batch: a second "
    "item for the same customer is kept back too, unless forced.",
)  # fmt: skip
def create_invitation_batch(body: InvitationBatchIn):
    checked, suppressed = _cooled(_checked(body.root, lambda i: f"[{i}]."))
    stored = _store(checked)  # commits the suppressions too
    return InvitationBatchOut(
        items=[as_output(i) for i in stored], next_cursor=None, suppressed=suppressed
    )


@operation(
    bp, "GET", "/invitations", summary="List invitations", tag="Invitations",
    scope="invitations:write", query=InvitationListQuery, response=InvitationList,
)  # fmt: skip
def list_invitations(query: InvitationListQuery):
    statement = select(Invitation)
    if query.questionnaire_id:
        statement = statement.where(Invitation.questionnaire_id == query.questionnaire_id)
    rows, cursor = page(get_session(), statement, Invitation.id, query)
    return InvitationList(items=[as_output(i) for i in rows], next_cursor=cursor)


@operation(
    bp, "GET", "/invitations/<int:invitation_id>", summary="One invitation and its status",
    tag="Invitations", scope="invitations:write", response=InvitationOut, errors=(404,),
)  # fmt: skip
def get_invitation(invitation_id: int):
    invitation = get_session().get(Invitation, invitation_id)
    if invitation is None:
        raise ApiError(404, "No such invitation.")
    return as_output(invitation)
