"""The journey map with scores, emotions and pain points per stage x touchpoint."""

from . import bp  # noqa: F401
