"""QR codes of invitation links, as SVG: made here by segno, never by an online service.

An online generator would see every customer's private link. SVG stays sharp at any size,
so the same file serves a receipt, a parcel insert and a poster on a shop counter.
"""

from __future__ import annotations

import io

import segno

# 0.8 mm per module: a typical invitation link (QR version 5, 45 modules with the quiet
# zone) prints 36 mm wide, which fits a 58 mm receipt and scans from a phone at arm's length.
MODULE_MM = 0.8
# The four-module light margin the QR standard requires; painted white so the code still
# scans when printed on coloured paper.
QUIET_ZONE = 4


def qr_svg(link: str, title: str = "Questionnaire link") -> bytes:
    """The link as a standalone SVG file; `title` is its accessible name (escaped by segno)."""
    code = segno.make(link, error="m", micro=False)
    out = io.BytesIO()
    code.save(
        out,
        kind="svg",
        scale=MODULE_MM,
        unit="mm",
        border=QUIET_ZONE,
        light="#fff",
        title=title,
        xmldecl=True,
    )
    return out.getvalue()


def qr_filename(customer_ref: str, fallback: str) -> str:
    """A download name safe on every system: ASCII letters, digits, `-` and `_` only."""
    stem = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "-" for c in customer_ref)
    stem = "-".join(part for part in stem.split("-") if part)[:60]
    return f"invitation-{stem or fallback}.svg"
