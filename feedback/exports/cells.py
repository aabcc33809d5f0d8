"""Cell values that a spreadsheet opens as data, never as a formula.

Shared by every export: a text starting with `=`, `+`, `-`, `@`, a tab or a carriage
return can be run as a formula by Excel or LibreOffice (CSV injection), so it gets a
leading apostrophe. Numbers, dates and empty values pass unchanged.
"""

from __future__ import annotations

from datetime import date, datetime

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """The value, with a leading `'` when it is text a spreadsheet would evaluate."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def as_text(value: object) -> str:
    """A value as the text of a CSV cell: ISO dates, plain numbers, neutralised text."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float):
        return str(round(value, 4))
    return str(neutralise(value))
