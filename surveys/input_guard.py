"""Refuse what no browser sends and no database stores; clean the text people send.

Every request goes through `guard_request`, before the CSRF check and any view:

- NUL (U+0000) anywhere (path, query, form): 400. PostgreSQL text cannot hold it, so
  without this guard a forged slug, token or form field would fail there as a server error.
- Form bodies and query strings that are not UTF-8: 400 (werkzeug would otherwise keep the
  bytes as `%FF` text). No browser sends them: a page of ours is UTF-8.
- Pages take forms only (urlencoded or multipart): another body (JSON...) is 400, since
  Flask-WTF would otherwise read a JSON body as a form, shapes it never expected included.
- Every form value of a page goes through `clean_text` (`request.form` is replaced by the
  cleaned copy), except passwords: they are compared, never shown, and kept as typed.

`clean_text` is the one definition of what is taken out of the text people type, wherever
it comes from: a page's form (above), a JSON body of the API (`clean_strings` in
`api.spec.read_body`), an uploaded CSV of invitations or questionnaire file, and the
survey's own parser (`question_types.clean_text`). It keeps the text and removes what
only forges or garbles it: C0 controls except tab and line feed (a carriage return, alone
or before a line feed, becomes a line feed), DEL, C1 controls, and the bidirectional
embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) which make text display
in another order than it is stored ("Trojan Source"): a customer reference or an answer
must read on a page, in a CSV and in a spreadsheet as it is. Lone surrogates (which a JSON
file can spell, and no database stores) go too. The marks U+200E/U+200F and joiners (emoji
sequences) stay. NUL is refused rather than removed (above, and 422 in the API's body).

JSON documents (the API's bodies, an imported questionnaire file) may not name a key twice
in one object (`DuplicateKey`): which of the two values counts differs between parsers, so
a duplicate is refused (400 in the API, the import page says which key) rather than guessed.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote_to_bytes

from flask import Flask, abort, request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter

DATABASE_INT_MAX = 2**31 - 1  # PostgreSQL's integer, the type of every id

FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})

_CONTROLS = [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, *range(0x80, 0xA0)]
_BIDI_CONTROLS = [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]
# Lone surrogates: a JSON file can spell them (`"\ud800"`), no UTF-8 text holds them.
_SURROGATES = [*range(0xD800, 0xE000)]
_REMOVED = dict.fromkeys(_CONTROLS + _BIDI_CONTROLS + _SURROGATES)


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` in URLs, bounded so a huge id is a 404 rather than a database error."""

    def __init__(self, map, fixed_digits=0, min=None, max=DATABASE_INT_MAX, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


# --- text --------------------------------------------------------------------------------


def clean_text(text: str) -> str:
    """The text without control characters and bidi overrides (see the module's doc);
    line ends become `\\n`. Spaces are kept: trimming is the caller's choice."""
    if text.isascii() and text.isprintable():  # the common case, untouched
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n").translate(_REMOVED)


def clean_strings(data: Any) -> bool:
    """Clean, in place, every text value of parsed JSON (not the keys: a key with such
    characters matches nothing and is refused by name); True when something changed.

    Walked with a stack, not recursion, so a deep document cannot exhaust the call stack.
    """
    changed = False
    stack = [data]
    while stack:
        container = stack.pop()
        if isinstance(container, dict):
            slots = container.items()
        elif isinstance(container, list):
            slots = enumerate(container)
        else:
            continue
        for slot, value in list(slots):
            if isinstance(value, str):
                cleaned = clean_text(value)
                if cleaned != value:
                    container[slot] = cleaned
                    changed = True
            elif isinstance(value, dict | list):
                stack.append(value)
    return changed


# --- JSON --------------------------------------------------------------------------------


class DuplicateKey(ValueError):
    """A JSON object names `key` twice."""

    def __init__(self, key: str):
        super().__init__(f"The name {key!r} appears twice in one object.")
        self.key = key


_SURROGATE = re.compile("[\ud800-\udfff]")


def object_without_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """`object_pairs_hook` for json.loads: an object, or DuplicateKey; ValueError for a name
    holding a lone surrogate (`"\\ud800"`), which is no text (values lose them instead:
    `clean_text`; a name cleaned so could become another's)."""
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                raise DuplicateKey(key)
            seen.add(key)
    if any(_SURROGATE.search(key) for key in found):
        raise ValueError("A name holds a lone surrogate: it is not Unicode text.")
    return found


def not_json_constant(constant: str):
    """`parse_constant` for json.loads: NaN and Infinity are not JSON (RFC 8259), though
    Python's parser would take them."""
    raise ValueError(f"{constant} is not JSON")


# --- requests ----------------------------------------------------------------------------


def _has_nul(fields) -> bool:
    """Whether any name or value of a MultiDict (every repeated value too) holds U+0000."""
    return any(
        "\x00" in name or any("\x00" in v for v in values) for name, values in fields.lists()
    )


def _is_utf8(encoded: bytes) -> bool:
    """Whether a query string or urlencoded body decodes to UTF-8 once its %XX are read."""
    try:
        unquote_to_bytes(encoded).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _has_body() -> bool:
    return bool(request.content_length) or "chunked" in request.headers.get("Transfer-Encoding", "")


def _is_api() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


def _refuse(message: str):
    """400: the API's JSON error with `message`; on a page, the site's error page."""
    if _is_api():
        from .api.errors import ApiError, error_response

        return error_response(ApiError(400, message))
    abort(400)


def _cleaned_form(form: ImmutableMultiDict) -> ImmutableMultiDict | None:
    """The form with its values cleaned (passwords as typed), or None if nothing changes."""
    items = [
        (name, value if "password" in name else clean_text(value))
        for name, value in form.items(multi=True)
    ]
    if all(new == old for (_n, new), (_o, old) in zip(items, form.items(multi=True), strict=True)):
        return None
    return ImmutableMultiDict(items)


def guard_request():
    """Before every request (see the module's doc): a 400 response, or None to go on."""
    if "\x00" in request.path:
        return _refuse("The path may not contain NUL characters.")
    if not _is_utf8(request.query_string):
        return _refuse("The query string is not UTF-8.")
    if _has_nul(request.args):
        return _refuse("The query string may not contain NUL characters.")
    if request.routing_exception is not None:
        return None  # 404, 405: said by the routing's own error, whatever the body
    is_form = request.mimetype in FORM_TYPES
    if not _is_api() and _has_body() and not is_form:
        return _refuse("Pages take forms only.")
    # Read once and kept: the form is parsed from this copy (at most MAX_CONTENT_LENGTH).
    urlencoded = request.mimetype == "application/x-www-form-urlencoded"
    if urlencoded and not _is_utf8(request.get_data(cache=True).replace(b"+", b" ")):
        return _refuse("The form is not UTF-8.")
    if not is_form:
        return None
    if _has_nul(request.form):
        return _refuse("The form may not contain NUL characters.")
    if not _is_api():
        cleaned = _cleaned_form(request.form)
        if cleaned is not None:
            request.form = cleaned  # werkzeug's cached property: read as this from now on
    return None


def init_app(app: Flask) -> None:
    """Before any blueprint is registered, so every `<int:id>` rule gets the bound; the guard
    runs first of the request hooks, before the CSRF check (whose error page reads the
    database with the posted slug and token)."""
    app.url_map.converters["int"] = DatabaseIdConverter
    app.before_request_funcs.setdefault(None, []).insert(0, guard_request)
