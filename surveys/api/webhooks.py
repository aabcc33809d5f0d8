"""/api/v1/webhooks: where Parcours sends signed events (responses, cases, pain points).

The secret is given once, at creation, and never shown again: lists carry the rest.
"""

from __future__ import annotations

from typing import Literal

from flask import Response
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import select

from ..db import get_session
from ..models import Webhook
from ..webhooks import service
from ..webhooks.guard import URL_MAX
from . import bp
from .auth import current_token
from .errors import ApiError
from .pagination import PageQuery, page
from .spec import operation
from .types import UtcDatetime

EventName = Literal[
    "response.completed", "response.partial", "case.opened", "case.updated", "pain_point.updated"
]


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    url: str = Field(
        min_length=1,
        max_length=URL_MAX,
        description="https:// recommended. Loopback, private, link-local and reserved "
        "addresses are refused unless listed in the WEBHOOK_ALLOWED_HOSTS setting.",
    )
    events: list[EventName] = Field(min_length=1, max_length=len(service.EVENTS))
    secret: str = Field(
        min_length=service.SECRET_MIN,
        max_length=service.SECRET_MAX,
        description="Signs every body: X-Parcours-Signature: sha256=<hex HMAC-SHA256(secret, "
        "raw body)>. Not shown again.",
    )

    @field_validator("secret", mode="before")
    @classmethod
    def _secret_length(cls, value):
        if isinstance(value, str) and not (
            service.SECRET_MIN <= len(value.strip()) <= service.SECRET_MAX
        ):
            raise PydanticCustomError("secret_length", str(service.SECRET_LENGTH_MESSAGE))
        return value


class WebhookOut(BaseModel):
    id: int
    url: str
    events: list[str]
    active: bool
    created_at: UtcDatetime


class WebhookList(BaseModel):
    items: list[WebhookOut]
    next_cursor: str | None


def as_output(webhook: Webhook) -> WebhookOut:
    return WebhookOut(
        id=webhook.id,
        url=webhook.url,
        events=list(webhook.events or []),
        active=webhook.active,
        created_at=webhook.created_at,
    )


@operation(
    bp, "POST", "/webhooks", summary="Register a webhook", tag="Webhooks",
    scope="webhooks:write", body=WebhookIn, response=WebhookOut, status=201,
    description="Each event is POSTed as JSON `{id, event, created_at, data}`, signed "
    "`X-Parcours-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>`, retried with backoff "
    "until a 2xx (redirects are not followed), and delivered at most once per event `id`.",
)  # fmt: skip
def create_webhook(body: WebhookIn):
    session = get_session()
    try:
        webhook = service.create(session, body.url, body.events, body.secret, current_token().user)
    except service.WebhookError as error:
        session.rollback()
        fields = {name: str(message) for name, message in error.fields.items()}
        raise ApiError(422, "Some fields are not valid.", fields=fields) from None
    session.commit()
    return as_output(webhook)


@operation(
    bp, "GET", "/webhooks", summary="List webhooks", tag="Webhooks",
    scope="webhooks:write", query=PageQuery, response=WebhookList,
)  # fmt: skip
def list_webhooks(query: PageQuery):
    rows, cursor = page(get_session(), select(Webhook), Webhook.id, query)
    return WebhookList(items=[as_output(w) for w in rows], next_cursor=cursor)


@operation(
    bp, "DELETE", "/webhooks/<int:webhook_id>", summary="Delete a webhook", tag="Webhooks",
    scope="webhooks:write", status=204, errors=(404,),
    description="Its pending deliveries and its delivery log go with it.",
)  # fmt: skip
def delete_webhook(webhook_id: int):
    session = get_session()
    webhook = session.get(Webhook, webhook_id)
    if webhook is None:
        raise ApiError(404, "No such webhook.")
    service.delete(session, webhook, current_token().user)
    session.commit()
    return Response(status=204)
