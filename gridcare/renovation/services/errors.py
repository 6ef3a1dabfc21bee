"""The refusals a renovation service gives: a message for a form field, nothing stored."""

from gridcare.errors import FieldError


class RenovationError(FieldError):
    """A request the rules refuse; the message says why and nothing was stored."""


class RenovationForbidden(RenovationError):
    """A move this role may not make (the page answers 403 with the message)."""
