"""Absolute public links, for what leaves the app: emails, QR codes, CSV files, the API, the CLI.

Always the configured public address, never the host a request came in by (a shop may call
the API on an internal name that customers cannot reach).
"""

from __future__ import annotations

from urllib.parse import quote

from flask import current_app


def public_base() -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/")


def questionnaire_link(slug: str) -> str:
    return f"{public_base()}/s/{slug}"


def invitation_link(slug: str, token: str) -> str:
    return f"{questionnaire_link(slug)}?t={quote(token)}"


def invitation_qr_link(slug: str, token: str) -> str:
    return f"{questionnaire_link(slug)}/qr.svg?t={quote(token)}"
