"""Reading a researcher's CSV of invitations: checked requests, or a report of every problem.

No Flask here: the upload page uses it, and a command or a job can later. Each row goes
through `check_request`, so a CSV row is refused for the same reasons, with the same
messages, as the form and the API. A problem with the file as a whole (encoding, no
`customer_ref` column, too many rows) raises `UploadError` with one message saying what to
do; problems of rows and column names are collected so the researcher fixes them in one go.
Messages are English `Message`s, which the upload page shows in its reader's language.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime

from ..input_guard import clean_text
from ..messages import N_, Count, Message
from ..models import Questionnaire, utcnow
from .service import (
    META_KEY,
    META_KEYS_MAX,
    InvitationError,
    InvitationRequest,
    check_request,
)

MAX_ROWS = 10_000
PREVIEW_ROWS = 10
INVITATION_COLUMNS = ("customer_ref", "email", "expires_at", "language")
_SQUEEZED_COLUMNS = {name.replace("_", ""): name for name in INVITATION_COLUMNS}
SAVE_AS_UTF8 = N_(
    "In Excel, save it as “CSV UTF-8 (comma delimited)”; in LibreOffice, choose the "
    "character set “Unicode (UTF-8)”; then upload it again."
)
# A bare date in a spreadsheet means "until the end of that day", not its first second.
BARE_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class UploadError(ValueError):
    """The whole file is refused; the message says what to do about it."""

    def __init__(self, message: Message):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class RowError:
    """A problem on one line; `line` counts as a spreadsheet does, the header being line 1."""

    line: int
    field: str  # a column's name, or "row", "column 3" (a `Message`)
    message: Message


@dataclass(frozen=True)
class ParsedUpload:
    """What a file holds: the checked requests and, if any, everything wrong with it."""

    requests: list[InvitationRequest]
    errors: list[RowError]
    columns: list[str]  # named columns, as the file spells them
    meta_columns: list[str]  # those that become metadata
    sample: list[list[str]] = field(default_factory=list)  # the first rows, under `columns`
    row_count: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.requests)


@dataclass(frozen=True)
class _Column:
    index: int
    name: str  # as spelled in the file
    key: str  # what it fills: an invitation field, or the metadata key


def parse_invitations_csv(
    data: bytes,
    questionnaire: Questionnaire,
    *,
    now: datetime | None = None,
    max_rows: int = MAX_ROWS,
) -> ParsedUpload:
    """Check every row of an uploaded CSV; raise UploadError when the file cannot be read."""
    text = decode(data)
    now = now or utcnow()
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    try:
        return _read(reader, questionnaire, now, max_rows)
    except csv.Error as error:
        raise UploadError(
            N_(
                "Line %(line)s cannot be read as CSV (%(error)s).",
                line=reader.line_num,
                error=error,
            )
        ) from None


def decode(data: bytes) -> str:
    """The file as text: UTF-8, with or without the byte-order mark Excel writes."""
    if data.startswith(b"PK\x03\x04"):
        raise UploadError(
            N_("This is a spreadsheet (.xlsx), not a CSV file. %(save_as)s", save_as=SAVE_AS_UTF8)
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise UploadError(
            N_("This file is UTF-16 text, not UTF-8. %(save_as)s", save_as=SAVE_AS_UTF8)
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise UploadError(
            N_(
                "This file is not UTF-8 text (line %(line)s is not: probably Windows-1252 or "
                "Latin-1, which Excel uses by default). %(save_as)s",
                line=line,
                save_as=SAVE_AS_UTF8,
            )
        ) from None
    if "\x00" in text:  # no database stores it, and no CSV text holds it
        raise UploadError(
            N_(
                "This file holds NUL characters: it is not CSV text. %(save_as)s",
                save_as=SAVE_AS_UTF8,
            )
        )
    text = clean_text(text)  # control characters and bidi overrides, as from every door
    if not text.strip():
        raise UploadError(N_("The file is empty."))
    return text


def sniff_delimiter(text: str) -> str:
    """`;` when the header uses it more than `,` (French Excel), else `,`."""
    header = next((line for line in io.StringIO(text) if line.strip()), "")
    return ";" if header.count(";") > header.count(",") else ","


def column_key(name: str) -> str:
    """`Customer Ref`, ` customer_ref ` and `CUSTOMER-REF` name the customer_ref column,
    `E-mail` the email one; any other name is a metadata key, as spelled."""
    squeezed = re.sub(r"[\s_\-]+", "", name.lower())
    return _SQUEEZED_COLUMNS.get(squeezed, name.strip())


def _read(reader, questionnaire: Questionnaire, now: datetime, max_rows: int) -> ParsedUpload:
    header_line, header = 0, None
    for line, cells in enumerate(reader, start=1):
        if any(c.strip() for c in cells):
            header_line, header = line, cells
            break
    if header is None:
        raise UploadError(N_("The file is empty."))
    columns, errors = _columns(header, header_line)
    unnamed = {i for i, name in enumerate(header) if not name.strip()}
    unnamed_with_values: set[int] = set()
    meta_keys = [c.key for c in columns if c.key not in INVITATION_COLUMNS]

    requests: list[InvitationRequest] = []
    sample: list[list[str]] = []
    first_line_of: dict[str, int] = {}
    rows = 0
    # Line numbers go on from the header, so they match the spreadsheet's row numbers even
    # when empty lines are skipped.
    for line, cells in enumerate(reader, start=header_line + 1):
        if not any(c.strip() for c in cells):
            continue
        rows += 1
        if rows > max_rows:
            raise UploadError(
                N_(
                    "The file has more than %(count)s invitation rows: nothing was imported. "
                    "Split it into files of at most %(count)s rows.",
                    count=Count(max_rows),
                )
            )
        values = {c.key: cells[c.index].strip() for c in columns if c.index < len(cells)}
        if len(sample) < PREVIEW_ROWS:
            sample.append([values.get(c.key, "") for c in columns])
        unnamed_with_values.update(i for i in unnamed if i < len(cells) and cells[i].strip())
        if any(c.strip() for c in cells[len(header) :]):
            errors.append(
                RowError(
                    line,
                    N_("row"),
                    N_(
                        "%(values)s values for %(columns)s columns: check the quotes "
                        "and the delimiter.",
                        values=len(cells),
                        columns=len(header),
                    ),
                )
            )
        ref = values.get("customer_ref", "")
        if ref in first_line_of:
            errors.append(
                RowError(
                    line,
                    "customer_ref",
                    N_("“%(ref)s” is already on line %(line)s.", ref=ref, line=first_line_of[ref]),
                )
            )
        elif ref:
            first_line_of[ref] = line
        try:
            requests.append(_check_row(questionnaire, values, meta_keys, now))
        except InvitationError as error:
            errors.extend(_row_errors(line, error))

    if rows == 0:
        raise UploadError(N_("The file has a header line but no invitation rows."))
    for index in sorted(unnamed_with_values):
        errors.append(
            RowError(
                header_line,
                N_("column %(number)s", number=index + 1),
                N_("This column has values but no name: name it or delete it."),
            )
        )
    errors.sort(key=lambda e: e.line)
    return ParsedUpload(
        requests=requests,
        errors=errors,
        columns=[c.name for c in columns],
        meta_columns=meta_keys,
        sample=sample,
        row_count=rows,
    )


def _columns(header: list[str], line: int) -> tuple[list[_Column], list[RowError]]:
    """The usable columns and the problems of the others' names (reported on the header)."""
    columns: list[_Column] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = cell.strip()
        if not name:
            continue  # unnamed: ignored, unless a row puts a value in it
        key = column_key(name)
        if key in seen:
            errors.append(
                RowError(
                    line,
                    name,
                    N_(
                        "Columns %(first)s and %(second)s have this name.",
                        first=seen[key] + 1,
                        second=index + 1,
                    ),
                )
            )
            continue
        seen[key] = index
        if key not in INVITATION_COLUMNS and not META_KEY.match(key):
            errors.append(
                RowError(
                    line,
                    name[:40],
                    N_(
                        "A metadata column's name starts with a letter, then letters, digits "
                        "or _ (at most 40), e.g. order_id: it becomes a journey-map filter."
                    ),
                )
            )
            continue
        columns.append(_Column(index, name, key))
    if not any(c.key == "customer_ref" for c in columns):
        found = ", ".join(c.strip() for c in header if c.strip())[:200]
        raise UploadError(
            N_(
                "The first line must name the columns, one of them customer_ref "
                "(found: %(found)s). Optional: email, expires_at, language; "
                "any other column becomes metadata.",
                found=found,
            )
        )
    meta = [c for c in columns if c.key not in INVITATION_COLUMNS]
    if len(meta) > META_KEYS_MAX:
        errors.append(
            RowError(
                line,
                "metadata",
                N_(
                    "At most %(count)s metadata columns (this file has %(found)s).",
                    count=META_KEYS_MAX,
                    found=len(meta),
                ),
            )
        )
        # Rows are checked with the first ones only, so the report says it once, not per row.
        columns = [c for c in columns if c.key in INVITATION_COLUMNS or c in meta[:META_KEYS_MAX]]
    return columns, errors


def _check_row(
    questionnaire: Questionnaire, values: dict[str, str], meta_keys: list[str], now: datetime
) -> InvitationRequest:
    expires = values.get("expires_at", "")
    if BARE_DATE.match(expires):
        expires += "T23:59:59+00:00"
    return check_request(
        questionnaire,
        customer_ref=values.get("customer_ref", ""),
        email=values.get("email") or None,
        meta={key: values[key] for key in meta_keys if key in values},
        expires_at=expires or None,
        language=values.get("language", "").lower() or None,
        now=now,
    )


def _row_errors(line: int, error: InvitationError) -> list[RowError]:
    found = []
    for name, message in error.fields.items():
        if name == "questionnaire_id":
            # The same for every row (a closed questionnaire, an interview guide): say it once.
            raise UploadError(message)
        found.append(RowError(line, name.removeprefix("metadata."), message))
    return found
