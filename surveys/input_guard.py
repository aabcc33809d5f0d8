"""Refuse what no browser sends and no database stores: NUL characters in a request.

PostgreSQL text cannot hold U+0000, so without this guard a forged slug, token or form
field would reach the database and fail there as a server error.
"""

from __future__ import annotations

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter

DATABASE_INT_MAX = 2**31 - 1  # PostgreSQL's integer, the type of every id


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` in URLs, bounded so a huge id is a 404 rather than a database error."""

    def __init__(self, map, fixed_digits=0, min=None, max=DATABASE_INT_MAX, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _has_nul(fields) -> bool:
    """Whether any name or value of a MultiDict (every repeated value too) holds U+0000."""
    return any(
        "\x00" in name or any("\x00" in v for v in values) for name, values in fields.lists()
    )


def refuse_nul_characters() -> None:
    if "\x00" in request.path or _has_nul(request.args):
        abort(400)
    # request.form is empty for bodies that are not forms.
    if _has_nul(request.form):
        abort(400)


def init_app(app: Flask) -> None:
    """Before any blueprint is registered, so every `<int:id>` rule gets the bound."""
    app.url_map.converters["int"] = DatabaseIdConverter
    app.before_request(refuse_nul_characters)
