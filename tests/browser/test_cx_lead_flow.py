"""A CX lead reads the journey map, follows up a pain point and downloads the reports."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import datetime, timedelta

import pytest
from builders import a_journey, a_live_questionnaire, a_user
from sqlalchemy import select

from surveys.models import PainPoint
from surveys.question_types import AnswerValue
from surveys.submissions import store_response

from .pages import expect, fits_the_screen, log_in

pytestmark = pytest.mark.browser

# Two periods of thirty days; the CX lead looks at the second one, in French.
EARLIER = datetime(2025, 3, 5, 10, 0)
LATER = datetime(2025, 4, 5, 10, 0)
PERIOD = ("2025-04-01", "2025-04-30")

LATE_FR = "La livraison était en retard de deux semaines, colis arrivé très tard."
LATE_EN = "The delivery was late by two weeks, very disappointing."
HAPPY_FR = "Très bon accueil, conseils clairs et rapides."
HAPPY_EN = "Great service, clear advice, quick answers."

# stage key -> (kind, touchpoint key, score of a happy customer, score of an unhappy one)
STAGES = {
    "awareness": ("csat", None, 5, 2),
    "consideration": ("ces", None, 6, 2),
    "purchase": ("csat", "checkout", 4, 2),
    "retention": ("csat", "delivery", 5, 1),
    "advocacy": ("nps", None, 10, 3),
}
OWNER = "Camille Martin"


def a_journey_with_answers(session):
    """Five stages, a live questionnaire each, 40 responses over two periods.

    At retention · delivery, French customers complain about late deliveries, more in the
    later period; elsewhere they are happy.
    """
    journey = a_journey(session, name="Boutique en ligne")
    for stage_key, (kind, touchpoint, happy, unhappy) in STAGES.items():
        questionnaire = a_live_questionnaire(
            session, kind, stage_key, touchpoint_key=touchpoint, journey=journey
        )
        for i in range(8):
            later = i >= 3
            language = "fr" if i % 4 != 3 else "en"
            late = stage_key == "retention" and (later or i == 0)
            if late:
                why = LATE_FR if language == "fr" else LATE_EN
            else:
                why = HAPPY_FR if language == "fr" else HAPPY_EN
            values = {
                kind: AnswerValue(number=unhappy if late else happy),
                "why": AnswerValue(text=why),
                "emotion": AnswerValue(choice="sadness" if late else "trust"),
            }
            when = (LATER if later else EARLIER) + timedelta(days=i, hours=i)
            store_response(session, questionnaire, values, language, submitted_at=when)
    return journey


def test_cx_lead_reads_the_map_and_follows_up_a_pain_point(
    server_url, db_session, contexts, screenshot, viewport, tmp_path
):
    journey = a_journey_with_answers(db_session)
    retention = journey.stage_by_key("retention")
    delivery = journey.touchpoint_by_key("delivery")
    a_user(db_session, "chloe@example.com", "cx_lead")
    page = contexts.new(locale="en-GB", accept_downloads=True).new_page()
    log_in(page, server_url, "chloe@example.com")

    # The journey, then its map.
    page.goto(f"{server_url}/journeys/{journey.id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Boutique en ligne")
    page.get_by_role("link", name="Journey map", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Journey map")
    expect(page.locator(".jm-summary strong")).to_have_text("40")
    expect(page.locator("table.jm-grid thead th[scope=col]")).to_have_count(6)

    # French answers of April, with a low threshold so the small cells show their figures.
    filters = page.get_by_role("form", name="Filters")
    filters.get_by_label("Language of the answers").select_option("fr")
    filters.get_by_label("From").fill(PERIOD[0])
    filters.get_by_label("To", exact=True).fill(PERIOD[1])
    filters.get_by_label("Min. answers").fill("3")
    filters.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"/map\?"))
    query = page.url.split("?", 1)[1]
    for part in ("answer_language=fr", f"from={PERIOD[0]}", f"to={PERIOD[1]}", "min_n=3"):
        assert part in query.split("&"), f"{part} missing from {page.url}"
    expect(filters.get_by_label("Language of the answers")).to_have_value("fr")
    # 5 questionnaires x 3 French answers of the later period.
    expect(page.locator(".jm-summary strong")).to_have_text("15")
    expect(page.locator(".jm-summary")).to_contain_text("compared with the 30 days before")
    cell = page.locator(
        "td.jm-cell", has=page.locator(".jm-where", has_text="Retention · Delivery")
    )
    expect(cell.locator(".jm-n a")).to_have_text(re.compile(r"n\s*=\s*3"))
    expect(cell.locator(".jm-themes")).to_contain_text("Late delivery")
    if viewport == "phone":
        fits_the_screen(page)
    screenshot(page, "-map")

    # Drill into the cell: its quotes, filtered the same way.
    cell.locator(".jm-n a").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Retention · Delivery")
    assert "answer_language=fr" in page.url and f"from={PERIOD[0]}" in page.url
    quotes = page.locator(".jm-quote")
    expect(quotes).to_have_count(3)
    expect(quotes.first.locator("blockquote")).to_have_text(LATE_FR)
    expect(quotes.first.locator("a.theme")).to_have_text("Late delivery")

    # Back to the map, then the pain points with the same filters.
    page.get_by_role("link", name="Journey map").click()
    page.get_by_role("link", name="Pain points and report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pain points")
    assert "answer_language=fr" in page.url and f"to={PERIOD[1]}" in page.url
    card = page.locator(f"article#pp-{retention.id}-{delivery.id}-late_delivery")
    expect(card.get_by_role("heading", level=2)).to_contain_text("Late delivery")
    expect(card).to_contain_text(LATE_FR)

    # Follow it up: in progress, with an owner.
    card.locator("summary", has_text="Follow up").click()
    card.get_by_label("Owner").fill(OWNER)
    card.get_by_label("Status").select_option("in_progress")
    card.get_by_label("Note").fill("Carrier contract under review.")
    card.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Follow-up saved.")).to_be_visible()
    assert "answer_language=fr" in page.url, "the filters are lost after saving"
    card = page.locator(f"article#pp-{retention.id}-{delivery.id}-late_delivery")
    expect(card.locator("dl.facts")).to_contain_text(f"in progress · owner {OWNER}")
    expect(card.get_by_label("Status")).to_have_value("in_progress")
    db_session.expire_all()
    saved = db_session.scalar(select(PainPoint).where(PainPoint.journey_id == journey.id))
    assert (saved.stage_id, saved.touchpoint_id, saved.theme_key) == (
        retention.id,
        delivery.id,
        "late_delivery",
    )
    assert (saved.status, saved.owner) == ("in_progress", OWNER)
    if viewport == "phone":
        fits_the_screen(page)
        screenshot(page)
        return

    # The reports, as the CX lead downloads them.
    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="report (Excel)").click()
    xlsx = tmp_path / xlsx_download.value.suggested_filename
    xlsx_download.value.save_as(xlsx)
    assert xlsx.suffix == ".xlsx"
    from openpyxl import load_workbook

    book = load_workbook(xlsx, read_only=True)
    assert "Pain points" in book.sheetnames, book.sheetnames
    rows = list(book["Pain points"].iter_rows(values_only=True))
    header, lines = rows[0], rows[1:]
    found = [dict(zip(header, line, strict=False)) for line in lines]
    late = [r for r in found if r["theme"] == "late_delivery"]
    assert late, f"no late_delivery row in {found}"
    assert late[0]["theme_label"] == "Late delivery"
    assert (late[0]["stage"], late[0]["touchpoint"]) == ("retention", "delivery")
    book.close()

    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="report (PDF)").click()
    pdf = tmp_path / pdf_download.value.suggested_filename
    pdf_download.value.save_as(pdf)
    assert pdf.suffix == ".pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "Pain-point report" in text
        assert "Late delivery" in text
    screenshot(page)
