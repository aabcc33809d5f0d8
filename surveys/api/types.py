"""Field types shared by the API's models."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BeforeValidator

from ..models import aware

# Stored times are UTC; SQLite hands them back naive. Output always carries the offset.
UtcDatetime = Annotated[
    datetime, BeforeValidator(lambda v: aware(v) if isinstance(v, datetime) else v)
]
