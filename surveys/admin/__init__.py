"""Administrators' pages: accounts and their API tokens, the audit log, a customer's data."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

# Each page module registers its routes on `bp` when imported:
from . import audit_views, customers, users, webhooks  # noqa: E402, F401
