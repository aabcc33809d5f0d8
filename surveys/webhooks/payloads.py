"""The `data` of each webhook event (filled in by the webhooks work)."""

from __future__ import annotations

from ..models import Response


def response_data(response: Response) -> dict:
    return {"id": response.id}
