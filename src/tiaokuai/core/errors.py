"""Domain errors with stable codes. Views and the API map them to 404 / 409 / 422."""

from typing import Any


class DomainError(Exception):
    status = 400
    code = "error"

    def __init__(self, message: Any, *, code: str | None = None, details: dict[str, Any] | None = None):
        super().__init__(str(message))
        self.message = str(message)
        if code:
            self.code = code
        self.details = details or {}


class NotFound(DomainError):
    """Missing or not allowed: both look the same to the caller."""

    status = 404
    code = "not_found"


class Conflict(DomainError):
    """The object is not in a state that allows this action (or someone else changed it first)."""

    status = 409
    code = "conflict"


class Invalid(DomainError):
    """Input does not pass validation; details maps field name to a list of messages."""

    status = 422
    code = "invalid"

    @classmethod
    def from_django(cls, exc: Any, message: Any = None) -> "Invalid":
        from django.utils.translation import gettext

        if hasattr(exc, "message_dict"):
            details = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
        else:
            details = {"__all__": [str(m) for m in getattr(exc, "messages", [exc])]}
        return cls(message or gettext("Please correct the errors below."), details=details)
