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


class Forbidden(DomainError):
    """Signed in, but the request itself is refused (e.g. a session POST without its CSRF token)."""

    status = 403
    code = "forbidden"


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


class TooManyAttempts(DomainError):
    """Throttled: too many failed sign-ins for this account or address; details carry retry_after seconds."""

    status = 429
    code = "too_many_attempts"


# One code and one message per HTTP status, for every error not raised as a DomainError (framework errors,
# unknown URLs, crashes). The API and the HTML error pages both read it (core.error_pages, core.api).
def status_message(status: int) -> tuple[str, str]:
    from django.utils.translation import gettext as _

    table = {
        400: ("bad_request", _("The request could not be understood.")),
        401: ("unauthorized", _("Authentication required.")),
        403: ("forbidden", _("You do not have permission to do this.")),
        404: ("not_found", _("Page not found.")),
        405: ("method_not_allowed", _("This method is not allowed here.")),
        409: ("conflict", _("Someone changed this first; reload and try again.")),
        413: ("too_large", _("The request is too large.")),
        422: ("invalid", _("Please correct the errors below.")),
        429: ("too_many_attempts", _("Too many attempts; please wait and try again.")),
    }
    if status in table:
        return table[status]
    if status >= 500:
        return "server_error", _("Something went wrong on our side; it has been logged. Please try again later.")
    return "error", _("The request could not be understood.")
