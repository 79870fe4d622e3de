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


class TwoFactorRequiredMiddleware:
    """With TIAOKUAI["TOTP_REQUIRED"], a signed-in county-wide user without a second factor reaches only the
    enrolment page (and sign-out, static files, the language switch); the API answers 403 in the user's language.
    Off (the default), it costs nothing."""

    ALLOWED_URL_NAMES = ("two_factor", "logout")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        if settings.TIAOKUAI.get("TOTP_REQUIRED") and getattr(request, "user", None) is not None \
                and request.user.is_authenticated and not self._exempt(request):
            from . import twofactor

            if twofactor.required(request.user) and not twofactor.enabled(request.user):
                return self._refuse(request)
        return self.get_response(request)

    def _exempt(self, request) -> bool:
        from django.conf import settings
        from django.urls import reverse

        path = request.path_info
        if path.startswith((settings.STATIC_URL or "/static/", "/i18n/")):
            return True
        return path in {reverse(name) for name in self.ALLOWED_URL_NAMES}

    def _refuse(self, request):
        from django.shortcuts import redirect
        from django.utils.translation import gettext as _

        if request.path_info.startswith("/api/"):
            from django.http import JsonResponse

            return JsonResponse({"code": "second_factor_required", "message": _(
                "Your role must sign in with a second factor. Enrol it on the two-factor page first."),
                "details": {}}, status=403)
        return redirect("two_factor")
