from gridcare.errors import FieldError


class PerformanceError(FieldError):
    """A performance change the rules refuse; nothing is stored."""
