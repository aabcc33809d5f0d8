"""Pain points: follow-up by CX leads, and the pain-point report."""

from . import bp  # noqa: F401
