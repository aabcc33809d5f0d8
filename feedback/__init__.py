"""Parcours insight: text analysis, metrics, journey-map aggregates and reports."""
