"""A researcher invites customers from a CSV and by hand; an invited customer answers."""

from __future__ import annotations

import csv
import io
import re

import pytest
from builders import a_live_questionnaire, a_user
from sqlalchemy import select

from surveys.models import Invitation, Response

from .pages import expect, fits_the_screen, focused, log_in, tab_to

pytestmark = pytest.mark.browser

BOM = b"\xef\xbb\xbf"
# 24 random bytes, URL-safe base64.
TOKEN = r"[A-Za-z0-9_-]{32}"
BAD_EMAIL = "bruno.example.com"
CUSTOMERS = [
    ("C-1001", "anne@example.com", "web"),
    ("C-1002", "bruno@example.com", "store"),
    ("C-1003", "chloe@example.com", "web"),
]
WHY = "Retrait en magasin rapide, vendeur très aimable."


def a_csv(path, rows) -> str:
    """The file as a shop's system writes it: one header line, one customer a line."""
    lines = ["customer_ref,email,segment", *(",".join(row) for row in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def expect_counts(page, **figures) -> None:
    """The figures at the top of the invitations page, by their names."""
    for name, figure in figures.items():
        label = name.replace("_", " ").capitalize()
        box = page.locator("dl.inv-counts > div").filter(has=page.get_by_text(label, exact=True))
        expect(box.locator("dd"), f"{label} shown").to_have_text(str(figure))


def text_overflow(locator) -> float:
    """How far the element's text runs past its content box, in px (0 when it fits)."""
    return locator.evaluate(
        """e => {
          const range = document.createRange();
          range.selectNodeContents(e);
          const style = getComputedStyle(e);
          const edge = e.getBoundingClientRect().right - parseFloat(style.paddingRight)
            - parseFloat(style.borderRightWidth);
          return Math.max(range.getBoundingClientRect().right - edge, 0);
        }"""
    )


def test_researcher_invites_customers_and_one_answers(
    app, server_url, db_session, contexts, screenshot, viewport, tmp_path
):
    # The links leave the app with its public address: here, where the test serves it.
    app.config["PUBLIC_BASE_URL"] = server_url
    questionnaire = a_live_questionnaire(db_session, "csat", "purchase")
    title = questionnaire.title_in("en")
    a_user(db_session, "lea@example.com", "researcher")
    page = contexts.new(locale="en-GB", accept_downloads=True).new_page()
    log_in(page, server_url, "lea@example.com")

    # The questionnaire's page, then its invitations: none yet.
    page.goto(f"{server_url}/questionnaires/{questionnaire.id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    fits_the_screen(page)
    page.get_by_role("link", name="Invitations", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Invitations (0)")
    expect(page.get_by_text("No invitation yet.")).to_be_visible()
    expect_counts(page, invitations=0, sent=0)
    expect(page.get_by_role("button", name="Download the links (CSV)")).to_have_count(0)
    fits_the_screen(page)

    # A CSV with a bad email on its second row: every problem shown, nothing to create.
    page.get_by_role("link", name="Upload a CSV").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Upload invitations")
    fits_the_screen(page)
    bad_rows = [CUSTOMERS[0], (CUSTOMERS[1][0], BAD_EMAIL, CUSTOMERS[1][2]), CUSTOMERS[2]]
    page.get_by_label("CSV file").set_input_files(a_csv(tmp_path / "bad.csv", bad_rows))
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the invitations")
    problems = page.locator("section", has=page.get_by_role("heading", name="1 problem to fix"))
    expect(problems.get_by_role("heading", level=2)).to_have_text(
        "1 problem to fix: nothing was created"
    )
    expect(problems.locator("table.inv-errors tbody tr")).to_have_count(1)
    expect(problems.locator("table.inv-errors tbody td")).to_have_text(
        ["3", "email", "Not a valid email address."]
    )
    expect(page.get_by_role("button", name=re.compile("^Create"))).to_have_count(0)
    fits_the_screen(page)
    screenshot(page, "-refused")

    # The file fixed: three rows, a metadata column, and the button to create them.
    problems.get_by_role("link", name="upload it again").click()
    page.get_by_label("CSV file").set_input_files(a_csv(tmp_path / "invitations.csv", CUSTOMERS))
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the invitations")
    expect(page.get_by_text("3 rows read.")).to_contain_text("Metadata columns: segment.")
    expect(page.get_by_role("heading", name=re.compile("problem"))).to_have_count(0)
    sample = page.locator("table.inv-sample")
    expect(sample.locator("thead th")).to_have_text(["customer_ref", "email", "segment"])
    expect(sample.locator("tbody tr")).to_have_count(3)
    expect(sample.locator("tbody tr").nth(1).locator("td")).to_have_text(list(CUSTOMERS[1]))
    fits_the_screen(page)
    page.get_by_role("button", name="Create 3 invitations").click()

    # Back on the list: three invitations, none sent.
    expect(page.get_by_role("heading", level=1)).to_have_text("Invitations (3)")
    expect(page.get_by_text("Created 3 invitations.")).to_be_visible()
    expect_counts(page, invitations=3, sent=0, opened=0, answered=0)
    rows = page.locator("table.invitations tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.locator(".badge")).to_have_text(["created"] * 3)
    expect(rows.filter(has_text="C-1002")).to_contain_text("segment=store")
    fits_the_screen(page)

    # The links, for the shop's own mailer: a spreadsheet-friendly CSV; now they count as sent.
    with page.expect_download() as links_download:
        page.get_by_role("button", name="Download the links (CSV)").click()
    assert links_download.value.suggested_filename == f"invitations-{questionnaire.slug}.csv"
    links_download.value.save_as(tmp_path / "links.csv")
    data = (tmp_path / "links.csv").read_bytes()
    assert data.startswith(BOM), data[:20]
    lines = list(csv.reader(io.StringIO(data[len(BOM) :].decode("utf-8"), newline="")))
    assert lines[0] == [
        "customer_ref",
        "email",
        "status",
        "link",
        "qr_link",
        "expires_at",
        "segment",
    ]
    found = [dict(zip(lines[0], line, strict=True)) for line in lines[1:]]
    assert [(r["customer_ref"], r["email"], r["segment"]) for r in found] == CUSTOMERS
    assert [r["status"] for r in found] == ["sent"] * 3
    survey = re.escape(f"{server_url}/s/{questionnaire.slug}")
    for row in found:
        assert re.fullmatch(rf"{survey}\?t={TOKEN}", row["link"]), row["link"]
        token = row["link"].partition("?t=")[2]
        assert row["qr_link"] == f"{server_url}/s/{questionnaire.slug}/qr.svg?t={token}"
    assert len({r["link"] for r in found}) == 3
    page.reload()
    expect_counts(page, invitations=3, sent=3, opened=0, answered=0)
    expect(rows.locator(".badge")).to_have_text(["sent"] * 3)

    # One QR code, to print on C-1002's receipt.
    bruno = rows.filter(has_text="C-1002")
    with page.expect_download() as qr_download:
        bruno.get_by_role("link", name="SVG QR code for C-1002").click()
    assert qr_download.value.suggested_filename == "invitation-C-1002.svg"
    qr_download.value.save_as(tmp_path / "qr.svg")
    svg = (tmp_path / "qr.svg").read_text(encoding="utf-8")
    assert svg.startswith("<?xml") and "<svg" in svg
    assert "<title>Questionnaire link: C-1002</title>" in svg
    # Its public twin, from the links file, names the questionnaire as the browser shows it.
    qr = contexts.new(locale="en-GB").new_page()
    qr.goto(found[1]["qr_link"])
    expect(qr).to_have_title(title)
    qr.close()

    # One more by hand, with a mistake first: said next to the field, nothing typed lost.
    page.get_by_role("link", name="New invitation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New invitation")
    page.get_by_label("Customer reference").fill("C-2001")
    page.get_by_label("Email").fill("denis@example")
    page.get_by_label("Metadata").fill("segment=phone")
    page.get_by_role("button", name="Create the invitation").click()
    email = page.get_by_label("Email")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description("Not a valid email address.")
    expect(page.locator(".field.has-error")).to_have_count(1)
    expiry = page.get_by_label("Expires on").bounding_box()
    assert expiry["height"] >= 44, f"the date field is {expiry['height']} px tall"
    expect(page.get_by_label("Customer reference")).to_have_value("C-2001")
    expect(email).to_have_value("denis@example")
    expect(page.get_by_label("Metadata")).to_have_value("segment=phone")
    fits_the_screen(page)
    email.fill("denis@example.com")
    page.get_by_role("button", name="Create the invitation").click()
    expect(
        page.get_by_text(re.compile(rf"Invitation created for C-2001: {survey}\?t="))
    ).to_be_visible()
    expect_counts(page, invitations=4, sent=3, opened=0, answered=0)
    created = page.locator(".flash", has_text="Invitation created for C-2001")
    assert text_overflow(created) <= 1, "the new link runs out of its message"
    fits_the_screen(page)

    # C-1002 opens the link from the file on their own device, in French, keyboard only.
    customer = contexts.new(locale="fr-FR").new_page()
    customer.goto(found[1]["link"])
    expect(customer.locator("html")).to_have_attribute("lang", "fr")
    expect(customer.get_by_role("heading", level=1)).to_have_text(questionnaire.title_in("fr"))
    fits_the_screen(customer)
    page.reload()
    expect_counts(page, invitations=4, sent=3, opened=1, answered=0)
    expect(bruno.locator(".badge")).to_have_text("opened")

    tab_to(customer, "input[name=q_csat]")
    customer.keyboard.press("Space")
    for _ in range(3):
        customer.keyboard.press("ArrowRight")
    expect(customer.get_by_role("radio", name="4", exact=True)).to_be_checked()
    customer.keyboard.press("Tab")
    assert focused(customer, "textarea[name=q_why]")
    customer.keyboard.type(WHY)
    customer.keyboard.press("Tab")
    assert focused(customer, "input[name=q_emotion]")
    customer.keyboard.press("ArrowDown")  # joy -> trust
    tab_to(customer, "button[type=submit]")
    customer.keyboard.press("Enter")
    expect(customer.get_by_role("heading", level=1)).to_have_text("Merci !")
    fits_the_screen(customer)

    # The researcher's counts follow: one opened, one answered, a third of those sent.
    page.reload()
    expect_counts(page, invitations=4, sent=3, opened=1, answered=1, response_rate="33%")
    expect(bruno.locator(".badge")).to_have_text("answered")
    page.get_by_role("navigation", name="Invitations by status").get_by_role(
        "link", name="Answered"
    ).click()
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("C-1002")
    fits_the_screen(page)

    db_session.expire_all()
    invitations = db_session.scalars(
        select(Invitation)
        .where(Invitation.questionnaire_id == questionnaire.id)
        .order_by(Invitation.id)
    ).all()
    assert [(i.customer_ref, i.email, i.meta) for i in invitations] == [
        *((ref, email, {"segment": segment}) for ref, email, segment in CUSTOMERS),
        ("C-2001", "denis@example.com", {"segment": "phone"}),
    ]
    assert [i.sent_at is not None for i in invitations] == [True, True, True, False]
    (response,) = db_session.scalars(
        select(Response).where(Response.questionnaire_id == questionnaire.id)
    ).all()
    assert response.invitation_id == invitations[1].id
    assert response.language == "fr"
    assert response.meta == {"segment": "store", "customer_ref": "C-1002"}
    stored = {a.question.key: (a.number, a.choice, a.text) for a in response.answers}
    assert stored == {
        "csat": (4, None, None),
        "why": (None, None, WHY),
        "emotion": (None, "trust", None),
    }
    screenshot(page)
