"""Exports read back: CSV with `csv`, XLSX with openpyxl, PDF with pdftotext; CLI and downloads."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess

import pytest
from builders import a_journey, a_live_questionnaire
from openpyxl import load_workbook
from test_pain_points import a_shop_with_pain, a_text_answer, ten_days

from feedback.exports import answers_csv, write_report
from feedback.exports.answers import ANSWER_COLUMNS, answer_pages
from feedback.exports.cells import neutralise
from feedback.exports.csv_report import PAIN_POINT_COLUMNS
from feedback.filters import Filters
from surveys.models import PainPoint

INJECTIONS = ["=1+1", "+cmd", "-2", "@SUM(A1)", "\t=x", "\r=x"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def a_shop_with_injections(session):
    """The pain fixture plus answers (and a follow-up) written to attack a spreadsheet."""
    shop = a_shop_with_pain(session)
    for text in INJECTIONS:
        a_text_answer(session, shop.checkout, text, -0.9, ["wrong_item"])
    session.add(
        PainPoint(
            journey_id=shop.journey.id,
            stage_id=shop.checkout.stage_id,
            touchpoint_id=shop.checkout.touchpoint_id,
            theme_key="wrong_item",
            owner='=HYPERLINK("http://evil")',
            note="@SUM(A1)",
        )
    )
    session.commit()
    return shop


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "no BOM: Excel would misread the accents"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def assert_no_formula_text(values):
    """No text cell starts a formula; plain numbers (-0.8) are data, not formulas."""
    for value in values:
        if isinstance(value, str) and not is_number(value):
            assert not value.startswith(FORMULA_STARTS), repr(value)


def test_neutralise_prefixes_formula_starts_only():
    assert [neutralise(v) for v in INJECTIONS] == ["'" + v for v in INJECTIONS]
    assert [neutralise(v) for v in ("Très bien", "", None, -2, 1.5)] == [
        "Très bien",
        "",
        None,
        -2,
        1.5,
    ]


def test_pain_point_csv_has_bom_figures_quotes_and_no_formula(db_session):
    shop = a_shop_with_injections(db_session)
    rows = read_csv(b"".join(write_report(db_session, shop.journey, ten_days(), "csv")))
    assert tuple(rows[0]) == PAIN_POINT_COLUMNS
    records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    late = next(r for r in records if r["theme"] == "late_delivery")
    assert (late["stage"], late["touchpoint"], late["frequency"]) == ("purchase", "checkout", "4")
    # the six injected answers join the cell: 4 of 11, down from 50%
    assert (late["share_pct"], late["severity"], late["trend"]) == ("36.4", "1.4", "down")
    assert late["quote_1"] == "La livraison a pris 12 jours, inadmissible. Très déçu."
    wrong = next(r for r in records if r["theme"] == "wrong_item")
    assert wrong["owner"] == '\'=HYPERLINK("http://evil")' and wrong["note"] == "'@SUM(A1)"
    assert {wrong[f"quote_{i}"] for i in (1, 2, 3)} <= {"'" + v for v in INJECTIONS}
    for row in rows:
        assert_no_formula_text(row)


def test_answers_csv_has_one_row_per_answer_neutralised(db_session):
    shop = a_shop_with_injections(db_session)
    rows = read_csv(b"".join(answers_csv(db_session, shop.journey, Filters())))
    assert tuple(rows[0]) == ANSWER_COLUMNS
    records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    # 9 customer answers + 6 injections + the interview note; the partial one is left out.
    assert len(records) == 16
    values = [r["value"] for r in records]
    assert ["'" + v for v in INJECTIONS] == [v for v in values if v.startswith("'")]
    first = next(r for r in records if r["value"].startswith("La livraison"))
    assert (first["language"], first["stage"], first["touchpoint"]) == (
        "fr",
        "purchase",
        "checkout",
    )
    assert (first["question"], first["sentiment"], first["sentiment_label"]) == (
        "why",
        "-0.8",
        "negative",
    )
    assert first["themes"] == "late_delivery"
    interview = next(r for r in records if r["channel"] == "interview")
    assert "Customer in Lyon" in interview["metadata"]
    for row in rows:
        assert_no_formula_text(row)


def test_answers_are_read_page_by_page_in_order(db_session):
    shop = a_shop_with_pain(db_session)
    pages = list(answer_pages(db_session, shop.journey, Filters(), page_size=3))
    assert [len(p) for p in pages] == [3, 3, 3, 1]
    ids = [row[0] for page in pages for row in page]
    assert ids == sorted(ids)


def test_answers_csv_is_a_stream(db_session):
    shop = a_shop_with_pain(db_session)
    chunks = answers_csv(db_session, shop.journey, Filters())
    assert next(chunks) == b"\xef\xbb\xbf"  # produced lazily, a chunk at a time


def test_xlsx_has_sheets_styled_header_autofilter_and_no_formula(db_session):
    shop = a_shop_with_injections(db_session)
    data = b"".join(write_report(db_session, shop.journey, ten_days(), "xlsx"))
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Summary", "Pain points", "Answers"]
    summary = [row for row in book["Summary"].iter_rows(values_only=True)]
    assert ("Journey", f"#{shop.journey.id} {shop.journey.name}") in [r[:2] for r in summary]
    sheet = book["Pain points"]
    header = [c.value for c in sheet[1]]
    assert tuple(header) == PAIN_POINT_COLUMNS and sheet["A1"].font.b
    assert sheet.auto_filter.ref == f"A1:T{sheet.max_row}"
    assert sheet.column_dimensions["R"].width > 10
    answers = book["Answers"]
    assert answers.auto_filter.ref.startswith("A1:P")
    # XML turns a stored carriage return into a line feed; the apostrophe stays first.
    texts = [c.value for c in answers["I"][1:]]
    assert all("'" + v.replace("\r", "\n") in texts for v in INJECTIONS)
    for name in book.sheetnames:
        for row in book[name].iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{name}!{cell.coordinate} is a formula"
                assert_no_formula_text([cell.value])


def test_answers_beyond_a_sheets_rows_go_on_in_another_sheet(db_session):
    from feedback.exports.report import build_report
    from feedback.exports.xlsx_report import report_xlsx

    shop = a_shop_with_pain(db_session)
    report = build_report(db_session, shop.journey, ten_days(), 30, limit=0)
    rows = list(answer_pages(db_session, shop.journey, ten_days()))
    answers = [row for page in rows for row in page]
    assert len(answers) > 5
    out = io.BytesIO()
    report_xlsx(report, out, rows, with_pain_points=False, sheet_rows=2)
    book = load_workbook(io.BytesIO(out.getvalue()))
    parts = -(-len(answers) // 2)
    sheets = ["Answers"] + [f"Answers ({n})" for n in range(2, parts + 1)]
    assert book.sheetnames == ["Summary", *sheets]
    read = []
    for name in sheets:
        sheet_rows = list(book[name].iter_rows(values_only=True))
        assert sheet_rows[0] == ANSWER_COLUMNS and 1 <= len(sheet_rows) - 1 <= 2
        read.extend(sheet_rows[1:])
    assert [row[0] for row in read] == [row[0] for row in answers]


def pdf_text(data: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def test_pdf_has_title_pain_points_quotes_and_method(db_session, tmp_path):
    shop = a_shop_with_pain(db_session)
    data = b"".join(write_report(db_session, shop.journey, ten_days(), "pdf"))
    assert data.startswith(b"%PDF")
    text = pdf_text(data, tmp_path)
    assert "Pain-point report" in text and shop.journey.name in text
    assert "Late delivery" in text and "inadmissible" in text
    assert "Method" in text and "Severity = frequency x mean negativity" in text


def test_an_empty_journey_exports_headers_and_says_so(db_session, tmp_path):
    journey = a_journey(db_session)
    rows = read_csv(b"".join(write_report(db_session, journey, Filters(), "csv")))
    assert rows == [list(PAIN_POINT_COLUMNS)]
    assert read_csv(b"".join(answers_csv(db_session, journey, Filters()))) == [list(ANSWER_COLUMNS)]
    book = load_workbook(io.BytesIO(b"".join(write_report(db_session, journey, Filters(), "xlsx"))))
    assert book["Answers"].max_row == 1
    text = pdf_text(b"".join(write_report(db_session, journey, Filters(), "pdf")), tmp_path)
    assert "No pain point" in text and "Method" in text


def test_a_journey_with_one_answer_exports_it(db_session, tmp_path):
    shop = a_journey(db_session)
    survey = a_live_questionnaire(db_session, "csat", "purchase", journey=shop)
    a_text_answer(db_session, survey, "Frais cachés à la fin, déçu.", -0.5, ["hidden_fees"])
    rows = read_csv(b"".join(write_report(db_session, shop, Filters(), "csv")))
    assert len(rows) == 2 and rows[1][3] == "hidden_fees" and rows[1][17].startswith("Frais")
    text = pdf_text(b"".join(write_report(db_session, shop, Filters(), "pdf")), tmp_path)
    assert "Hidden fees" in text


# --- command line ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_export_report_writes_the_file(runner, db_session, tmp_path, fmt):
    shop = a_shop_with_pain(db_session)
    out = tmp_path / f"report.{fmt}"
    args = ["export-report", "--journey", str(shop.journey.id), "--format", fmt, "-o", str(out)]
    result = runner.invoke(args=[*args, "--from", "2000-01-01"])
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0 and "Wrote" in result.output


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_report_answers(runner, db_session, tmp_path, fmt):
    shop = a_shop_with_pain(db_session)
    out = tmp_path / f"answers.{fmt}"
    args = ["export-report", "--journey", str(shop.journey.id), "--format", fmt, "-o", str(out)]
    assert runner.invoke(args=[*args, "--answers"]).exit_code == 0
    if fmt == "csv":
        assert len(read_csv(out.read_bytes())) == 11
    else:
        assert load_workbook(out).sheetnames == ["Summary", "Answers"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--journey", "999999"], "No journey #999999"),
        (["--from", "2026-13-01"], "must be a date"),
        (["--from", "2026-10-02", "--to", "2026-10-01"], "after its end"),
        (["--answers", "--format", "pdf"], "not PDF"),
        (["--format", "docx"], "docx"),
    ],
)
def test_export_report_refuses_bad_input(runner, db_session, tmp_path, extra, message):
    shop = a_shop_with_pain(db_session)
    args = ["export-report", "--journey", str(shop.journey.id), "--format", "csv"]
    result = runner.invoke(args=[*args, "-o", str(tmp_path / "out"), *extra])
    assert result.exit_code != 0
    assert message in result.output


# --- downloads ------------------------------------------------------------------------


def test_downloads_carry_the_filters_and_a_file_name(client, auth, db_session):
    shop = a_shop_with_pain(db_session)
    auth.login_as_cx_lead()
    base = f"/journeys/{shop.journey.id}"
    response = client.get(f"{base}/report.csv?answer_language=fr")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert (
        f'filename="journey-{shop.journey.id}-pain-points.csv"'
        in (response.headers["Content-Disposition"])
    )
    assert len(read_csv(response.data)) == 2  # answers in French: late_delivery only
    for fmt, magic in (("xlsx", b"PK"), ("pdf", b"%PDF")):
        assert client.get(f"{base}/report.{fmt}").data.startswith(magic)
    answers = client.get(f"{base}/answers.csv?from=2000-01-01&to=2100-01-01")
    assert answers.is_streamed and "attachment" in answers.headers["Content-Disposition"]
    assert len(read_csv(answers.data)) == 11


def test_downloads_refuse_bad_filters_and_unknown_formats(client, auth, db_session):
    shop = a_shop_with_pain(db_session)
    auth.login_as_cx_lead()
    base = f"/journeys/{shop.journey.id}"
    assert client.get(f"{base}/report.csv?answer_language=de").status_code == 400
    assert client.get(f"{base}/answers.csv?to=never").status_code == 400
    assert client.get(f"{base}/report.docx").status_code == 404
    assert client.get("/journeys/999999/report.csv").status_code == 404
