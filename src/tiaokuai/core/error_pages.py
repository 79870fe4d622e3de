"""The one error answer outside a view's own handling: Django's 400/403/404/500 handlers and CSRF failures.

An /api/ path (or a caller asking for JSON) gets {code, message, details} like every API error (core.api);
a person gets the page templates/errors/error.html in the site shell, in the user's language (lang from
the active language, zh-hans by default). A failure while rendering that page falls back to a static page
so a crash never turns into a second crash."""

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .errors import status_message

logger = logging.getLogger("tiaokuai.errors")


def wants_json(request: HttpRequest) -> bool:
    if request.path.startswith("/api/"):
        return True
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def error_response(request: HttpRequest, status: int, code: str | None = None, message: str | None = None,
                   details: dict[str, Any] | None = None, *, as_json: bool = False) -> HttpResponse:
    """The error in the user's language: `{code, message, details}` for the API, a machine endpoint (`as_json`) or
    a client asking for JSON; else the site's error page."""
    default_code, default_message = status_message(status)
    code, message = code or default_code, message or default_message
    if as_json or wants_json(request):
        return JsonResponse({"code": code, "message": message, "details": details or {}}, status=status,
                            json_dumps_params={"ensure_ascii": False})
    context = {"status": status, "code": code, "message": message, "title": _title(status)}
    try:
        html = loader.render_to_string("errors/error.html", context, request=request)
    except Exception:  # noqa: BLE001 - the page of an error must not fail; log and answer a static page
        logger.exception("error page %s could not be rendered", status)
        lang = (get_language() or "zh-hans").lower()
        html = (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{context["title"]}</title>'
                f'</head><body><h1>{context["title"]}</h1><p>{message}</p><p><a href="/">{_("Home")}</a></p>'
                "</body></html>")
    return HttpResponse(html, status=status)


def _title(status: int) -> str:
    titles = {400: _("Bad request"), 403: _("Access denied"), 404: _("Page not found"),
              429: _("Too many attempts"), 500: _("Server error")}
    return titles.get(status, _("Error"))


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return error_response(request, 500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return error_response(request, 403, "csrf_failed",
                          _("The form has expired or was sent from another site. Go back, reload the page "
                            "and try again."))
