"""Cursor pagination: lists go forward by id, so new rows never shift a page."""

from __future__ import annotations

import base64
import binascii

from pydantic import BaseModel, Field
from sqlalchemy import Select
from sqlalchemy.orm import Session

from ..input_guard import DATABASE_INT_MAX
from .errors import ApiError

PAGE_MAX = 200


class PageQuery(BaseModel):
    cursor: str | None = Field(None, max_length=64, description="next_cursor of the last page.")
    limit: int = Field(50, ge=1, le=PAGE_MAX, description="Items per page.")


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"after:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, number = text.partition(":")
        if prefix != "after" or not number.isdigit() or int(number) > DATABASE_INT_MAX:
            raise ValueError
        return int(number)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ApiError(
            422, "This cursor is not one the API gave.", fields={"cursor": "invalid"}
        ) from None


def page(
    session: Session, query: Select, id_column, page_query: PageQuery
) -> tuple[list, str | None]:
    """One page of `query` (rows with an `id`) after the cursor, and the next page's cursor."""
    after = decode_cursor(page_query.cursor)
    query = query.where(id_column > after).order_by(id_column).limit(page_query.limit + 1)
    rows = list(session.scalars(query))
    more = len(rows) > page_query.limit
    rows = rows[: page_query.limit]
    return rows, encode_cursor(rows[-1].id) if more else None
