"""The renovation pages: programmes, cases and their moves, follow-ups, report, catalogue."""

from gridcare.renovation.views import cases, catalogue, programmes, reports  # noqa: F401
from gridcare.renovation.views.blueprint import bp

__all__ = ["bp"]
