"""The visits blueprint: the worker's pages in the field, and the officers' assignments."""

from gridcare.visits.views import field, life_events, officers  # noqa: F401 (they add the routes)
from gridcare.visits.views.blueprint import bp

__all__ = ["bp"]
