"""The visits blueprint: the worker's pages in the field, and the officers' assignments."""

from gridcare.visits.views import (  # noqa: F401 (they add the routes)
    assigning,
    field,
    life_events,
    officers,
)
from gridcare.visits.views.blueprint import bp

__all__ = ["bp"]
