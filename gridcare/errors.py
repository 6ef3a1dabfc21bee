"""The one shape of error a user can cause: a message for a named form field."""


class FieldError(ValueError):
    """A request the rules refuse, nothing stored; `message` (translated lazily) belongs
    next to the form field `field`."""

    def __init__(self, field: str, message):
        super().__init__(message)
        self.field = field
        self.message = message
