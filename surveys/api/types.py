"""Field types shared by the API's models."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainValidator, WithJsonSchema

from ..models import aware

# Stored times are UTC; SQLite hands them back naive. Output always carries the offset.
UtcDatetime = Annotated[
    datetime, BeforeValidator(lambda v: aware(v) if isinstance(v, datetime) else v)
]


# Unions are checked by hand so an error names the field, not pydantic's union branch
# (`metadata.channel`, not `metadata.channel.str`).


def _scalar(value: Any) -> str | int | float | None:
    if value is None or (isinstance(value, str | int | float) and not isinstance(value, bool)):
        return value
    raise ValueError("Expected a text or a number.")


TEXT_MAX = 5000


def _answer(value: Any) -> str | int | float | list[str] | None:
    if isinstance(value, list):
        if all(isinstance(v, str) and len(v) <= TEXT_MAX for v in value):
            return value
        raise ValueError(f"A list holds texts of at most {TEXT_MAX} characters.")
    try:
        return _scalar(value)
    except ValueError:
        raise ValueError("Expected a number, a text or a list of texts.") from None


Scalar = Annotated[
    Any,
    PlainValidator(_scalar),
    WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "number"}, {"type": "null"}]}),
]
AnswerValue = Annotated[
    Any,
    PlainValidator(_answer),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number"},
                {"type": "string"},
                {"type": "array", "items": {"type": "string", "maxLength": TEXT_MAX}},
                {"type": "null"},
            ]
        }
    ),
]
