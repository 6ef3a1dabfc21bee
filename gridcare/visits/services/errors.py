"""The error every visits service raises for a request the rules refuse."""

from gridcare.errors import FieldError


class VisitError(FieldError):
    """Something the user asked for that the rules refuse; nothing was stored."""
