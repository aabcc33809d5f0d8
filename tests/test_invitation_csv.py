"""Reading a CSV of invitations: what is accepted, and every way a file is refused."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from surveys.invitations.csv_upload import (
    MAX_ROWS,
    UploadError,
    parse_invitations_csv,
    sniff_delimiter,
)
from surveys.models import Questionnaire

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def questionnaire(status: str = "live", kind: str = "csat") -> Questionnaire:
    return Questionnaire(kind=kind, status=status, languages=["fr", "en"], title={})


def parse(text: str, q: Questionnaire | None = None, **kwargs):
    return parse_invitations_csv(text.encode("utf-8"), q or questionnaire(), now=NOW, **kwargs)


def refusal(data: bytes) -> str:
    with pytest.raises(UploadError) as raised:
        parse_invitations_csv(data, questionnaire(), now=NOW)
    return str(raised.value)


def test_a_good_file_gives_checked_requests_with_metadata():
    parsed = parse(
        "customer_ref,email,language,expires_at,order_id,channel\n"
        "C-1, Anne@Example.com ,FR,2026-12-31,A-42,store\n"
        "C-2,,en,,A-43,\n"
    )
    assert parsed.ok and parsed.row_count == 2
    first, second = parsed.requests
    assert first.customer_ref == "C-1" and first.email == "Anne@example.com"
    assert first.language == "fr"
    # A bare date lasts until the end of that day.
    assert first.expires_at == datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC)
    assert first.meta == {"order_id": "A-42", "channel": "store"}
    assert second.email is None and second.expires_at is None
    assert second.meta == {"order_id": "A-43"}  # an empty cell is no metadata
    assert parsed.meta_columns == ["order_id", "channel"]
    assert parsed.columns[:2] == ["customer_ref", "email"]
    assert parsed.sample[0][:3] == ["C-1", "Anne@Example.com", "FR"]


def test_semicolons_as_french_excel_writes_them_and_a_bom():
    parsed = parse_invitations_csv(
        "\ufeffCustomer Ref;E-mail;Ville\nC-1;;Lyon, France\nC-2;;Paris\n".encode(),
        questionnaire(),
        now=NOW,
    )
    assert sniff_delimiter("a;b,c;d") == ";"
    assert parsed.ok, parsed.errors
    assert [r.customer_ref for r in parsed.requests] == ["C-1", "C-2"]
    assert parsed.requests[0].meta == {"Ville": "Lyon, France"}


def test_header_names_are_matched_whatever_their_case_and_spaces():
    parsed = parse("  CUSTOMER_REF , Email ,Expires At,LANGUAGE\nC-1,a@example.com,,en\n")
    assert parsed.ok and parsed.meta_columns == []
    assert parsed.requests[0].email == "a@example.com" and parsed.requests[0].language == "en"


def test_a_file_without_a_customer_ref_column_is_refused_with_what_it_found():
    message = refusal(b"email,order_id\na@example.com,A-1\n")
    assert "customer_ref" in message and "found: email, order_id" in message


def test_a_bad_email_on_row_7_is_reported_on_line_7_and_nothing_is_kept():
    rows = [f"C-{i},c{i}@example.com" for i in range(2, 7)] + ["C-7,not-an-address", "C-8,"]
    parsed = parse("customer_ref,email\n" + "\n".join(rows) + "\n")
    assert not parsed.ok
    assert [(e.line, e.field) for e in parsed.errors] == [(7, "email")]
    assert parsed.errors[0].message == "Not a valid email address."


def test_a_quote_left_open_is_reported_instead_of_running_rows_together():
    parsed = parse('customer_ref,email\n"C-1\nC-2,c2@example.com\nC-3,c3@example.com\n')
    assert not parsed.ok
    assert [(e.line, e.field) for e in parsed.errors] == [(2, "customer_ref")]
    assert parsed.errors[0].message == "A customer reference is one line."


def test_line_numbers_follow_the_spreadsheet_across_empty_and_multiline_rows():
    text = 'customer_ref,note\n\nC-1,"two\nlines"\n,,\nC-2,x\n,orphan\n'
    parsed = parse(text)
    # header 1, empty 2, C-1 3 (one row, two text lines), empty 4, C-2 5, the bad row 6
    assert [(e.line, e.field) for e in parsed.errors] == [(6, "customer_ref")]
    assert parsed.row_count == 3


def test_a_duplicate_customer_ref_names_the_first_line():
    parsed = parse("customer_ref\nC-1\nC-2\nC-1\n")
    assert [(e.line, e.field, e.message) for e in parsed.errors] == [
        (4, "customer_ref", "“C-1” is already on line 2.")
    ]


def test_bad_metadata_column_names_are_reported_on_the_header_once():
    parsed = parse("customer_ref,order id,2nd,email,EMAIL\nC-1,A,B,,\nC-2,A,B,,\n")
    assert [(e.line, e.field) for e in parsed.errors] == [(1, "order id"), (1, "2nd"), (1, "EMAIL")]
    assert "letter" in parsed.errors[0].message
    assert "Columns 4 and 5" in parsed.errors[2].message


def test_more_metadata_columns_than_allowed_is_one_error():
    names = ",".join(f"m{i}" for i in range(31))
    parsed = parse(f"customer_ref,{names}\n" + "".join(f"C-{i},{names}\n" for i in range(50)))
    assert [(e.line, e.field) for e in parsed.errors] == [(1, "metadata")]


def test_values_beyond_the_header_and_in_unnamed_columns_are_reported():
    parsed = parse("customer_ref,email,\nC-1,,kept?\nC-2,,,extra\n")
    assert [(e.line, e.field) for e in parsed.errors] == [(1, "column 3"), (3, "row")]


def test_row_values_are_checked_like_the_form_and_the_api():
    parsed = parse(
        "customer_ref,language,expires_at,order_id\n"
        f"C-1,de,,A\nC-2,,2020-01-01,A\nC-3,,,{'x' * 201}\n,,,A\n"
    )
    assert [(e.line, e.field) for e in parsed.errors] == [
        (2, "language"),
        (3, "expires_at"),
        (4, "order_id"),
        (5, "customer_ref"),
    ]


def test_a_closed_questionnaire_is_said_once_not_per_row():
    with pytest.raises(UploadError, match="closed"):
        parse("customer_ref\nC-1\nC-2\n", questionnaire(status="closed"))


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "The file is empty."),
        (b"  \r\n\r\n", "The file is empty."),
        (b"customer_ref,email\n\n", "no invitation rows"),
        ("customer_ref,ville\nC-1,Orléans\n".encode("cp1252"), "not UTF-8"),
        ("customer_ref,ville\nC-1,Orléans\n".encode("utf-16"), "UTF-16"),
        (b"PK\x03\x04\x14\x00\x06\x00", ".xlsx"),
        (b"customer_ref\nC-\x001\n", "NUL"),
    ],
)
def test_unreadable_files_are_refused_with_one_message(data, expected):
    assert expected in refusal(data)


def test_a_latin_1_file_is_told_how_to_save_as_utf8():
    message = refusal("customer_ref;ville\nC-1;Orléans\nC-2;Nîmes\n".encode("latin-1"))
    assert "line 2" in message and "CSV UTF-8" in message


def test_more_than_the_row_limit_is_refused_whole():
    body = "".join(f"C-{i}\n" for i in range(MAX_ROWS + 1))
    with pytest.raises(UploadError, match="more than 10,000"):
        parse("customer_ref\n" + body)


def test_ten_thousand_valid_rows_are_checked_in_under_three_seconds():
    body = "".join(
        f"C-{i};client{i}@example.com;fr;A-{i};email;Store {i % 40}\n" for i in range(MAX_ROWS)
    )
    text = "customer_ref;email;language;order_id;channel;store\n" + body
    started = time.perf_counter()
    parsed = parse(text)
    elapsed = time.perf_counter() - started
    assert parsed.ok and len(parsed.requests) == MAX_ROWS
    assert elapsed < 3, f"{elapsed:.2f} s"


def test_the_expiry_is_checked_against_now():
    tomorrow = (NOW + timedelta(days=1)).date().isoformat()
    assert parse(f"customer_ref,expires_at\nC-1,{tomorrow}\n").ok
    assert not parse(f"customer_ref,expires_at\nC-1,{(NOW.date()).isoformat()}T00:00Z\n").ok
