import contextvars
import uuid

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")


def current_request_id() -> str:
    return _request_id.get()


class RequestIdMiddleware:
    """Gives every request an id (or takes X-Request-ID) so audit events can be tied together."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rid = (request.headers.get("X-Request-ID") or uuid.uuid4().hex)[:64]
        token = _request_id.set(rid)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = rid
        return response


class RejectNullCharactersMiddleware:
    """Refuses (400, in the user's language) a request whose path, query string or JSON body holds a NUL
    character. PostgreSQL cannot store one in text and the driver fails on it, so without this guard any API
    field or search box would turn "\\u0000" into a server error; forms already refuse it per field (Django's
    ProhibitNullCharactersValidator). Uploaded files are not looked at."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            from django.utils.translation import gettext as _

            from .error_pages import error_response

            return error_response(request, 400, "null_character",
                                  _("The request contains a null character, which is not allowed."))
        return self.get_response(request)

    @staticmethod
    def _has_nul(request) -> bool:
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query or "\x00" in query:
            return True
        if request.method in ("POST", "PUT", "PATCH") and request.content_type == "application/json":
            body = request.body
            if b"\x00" in body:
                return True
            if b"\\u0000" in body:
                import json

                try:
                    return _contains_nul(json.loads(body))
                except ValueError:
                    return False  # malformed JSON is the API's own 400
        return False


def _contains_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_contains_nul(v) for v in value)
    return False
