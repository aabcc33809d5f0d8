"""Webhooks: events recorded with the change that caused them, delivered signed after it commits."""
