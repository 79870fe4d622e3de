import contextvars
import uuid

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as _CSPMiddleware
from csp.utils import build_policy
from django.contrib.messages.middleware import MessageMiddleware as _MessageMiddleware
from django.contrib.messages.storage import default_storage
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.middleware.locale import LocaleMiddleware as _LocaleMiddleware
from django.utils.functional import SimpleLazyObject, empty

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")


def current_request_id() -> str:
    return _request_id.get()


class RequestIdMiddleware:
    """Gives every request an id (or takes X-Request-ID) so audit events can be tied together."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rid = (request.META.get("HTTP_X_REQUEST_ID") or uuid.uuid4().hex)[:64]
        token = _request_id.set(rid)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = rid
        return response


# The Content-Security-Policy headers of the settings' policy (no nonce, no per-view change): (header, report-only
# header), built on first use and again after a test changes the settings.
_CSP_HEADERS: dict[str, tuple[str, str]] = {}
_CSP_PER_VIEW = ("_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro")


@receiver(setting_changed)
def _forget_csp_headers(*, setting: str, **kwargs) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _CSP_HEADERS.clear()


def _settings_csp_headers() -> tuple[str, str]:
    headers = _CSP_HEADERS.get("")
    if headers is None:
        headers = _CSP_HEADERS[""] = (build_policy(), build_policy(report_only=True))
    return headers


class CSPMiddleware(_CSPMiddleware):
    """django-csp's middleware, with the settings' policy built once instead of twice per response: an API answer
    (and most pages) neither takes a nonce nor changes the policy per view. A response that does goes through
    django-csp's own process_response."""

    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or any(
                getattr(response, name, None) is not None for name in _CSP_PER_VIEW):
            return super().process_response(request, response)
        from django.conf import settings

        if response.status_code in (500, 404) and settings.DEBUG:  # django-csp leaves the debug pages alone
            return response
        csp, csp_ro = _settings_csp_headers()
        if csp and not getattr(response, "_csp_exempt", False) and HEADER not in response and \
                not request.path_info.startswith(_excluded_prefixes(settings.CONTENT_SECURITY_POLICY)):
            response[HEADER] = csp
        if csp_ro and not getattr(response, "_csp_exempt_ro", False) and HEADER_REPORT_ONLY not in response and \
                not request.path_info.startswith(_excluded_prefixes(
                    getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None))):
            response[HEADER_REPORT_ONLY] = csp_ro
        # As django-csp: a nonce asked for after the header is written is an error, not a silent no-op.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


def _excluded_prefixes(policy) -> tuple[str, ...]:
    return tuple((policy or {}).get("EXCLUDE_URL_PREFIXES", None) or ())


class LocaleMiddleware(_LocaleMiddleware):
    """Django's LocaleMiddleware without its two look-ups of a language prefix in the path when the URLconf has no
    i18n_patterns (ours has none): the prefix only counts together with those patterns."""

    def process_request(self, request):
        from django.conf import settings
        from django.conf.urls.i18n import is_language_prefix_patterns_used
        from django.utils import translation

        if is_language_prefix_patterns_used(getattr(request, "urlconf", settings.ROOT_URLCONF))[0]:
            return super().process_request(request)
        translation.activate(translation.get_language_from_request(request, check_path=False))
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        from django.conf import settings
        from django.conf.urls.i18n import is_language_prefix_patterns_used
        from django.utils import translation
        from django.utils.cache import patch_vary_headers

        if is_language_prefix_patterns_used(getattr(request, "urlconf", settings.ROOT_URLCONF))[0]:
            return super().process_response(request, response)
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class MessageMiddleware(_MessageMiddleware):
    """Django's MessageMiddleware with the message storage made when first used: an API call (and most pages)
    never adds or reads a message, and an unused storage has nothing to store on the way out."""

    def process_request(self, request):
        request._messages = SimpleLazyObject(lambda: default_storage(request))

    def process_response(self, request, response):
        messages = getattr(request, "_messages", None)
        if isinstance(messages, SimpleLazyObject) and messages._wrapped is empty:
            return response
        return super().process_response(request, response)


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
