"""API plumbing shared by every app: authentication, error shape, paging."""

from typing import Any

from django.contrib.auth import authenticate, get_user_model
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth

from .access import Viewer, viewer_for
from .errors import DomainError
from .models import ApiToken


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        # One query for the user alone (no ApiToken row is built): the token's user, if active.
        users = get_user_model().objects.filter(api_tokens__key_hash=ApiToken.hash_key(token), is_active=True)
        user = next(iter(users[:1]), None)
        if user is None:
            return None
        request.user = user
        return user


AUTH = [BearerToken(), SessionAuth()]


def viewer(request: HttpRequest) -> Viewer:
    return viewer_for(request.user)


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "details": details or {}}


def _field_name(loc: list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "form")]
    return ".".join(parts) or "__all__"


def install_error_handlers(api: Any) -> None:
    @api.exception_handler(DomainError)
    def on_domain_error(request, exc: DomainError):
        return api.create_response(request, error_body(exc.code, exc.message, exc.details), status=exc.status)

    @api.exception_handler(NinjaValidationError)
    def on_validation_error(request, exc: NinjaValidationError):
        details: dict[str, list[str]] = {}
        for err in exc.errors:
            msg = err.get("msg", "")
            if err.get("type") == "missing":
                msg = _("This field is required.")
            details.setdefault(_field_name(list(err.get("loc", []))), []).append(msg)
        return api.create_response(
            request, error_body("invalid", _("Please correct the errors below."), details), status=422
        )

    @api.exception_handler(AuthenticationError)
    def on_auth_error(request, exc):
        return api.create_response(
            request, error_body("unauthorized", _("Authentication required.")), status=401
        )

    @api.exception_handler(HttpError)
    def on_http_error(request, exc: HttpError):
        return api.create_response(request, error_body("error", str(exc)), status=exc.status_code)


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str


class ErrorOut(Schema):
    code: str
    message: str
    details: dict[str, Any]


auth_router = Router(tags=["auth"])


@auth_router.post("/token", response={200: TokenOut, 401: ErrorOut}, auth=None)
def issue_token(request: HttpRequest, payload: TokenIn):
    from .services import token_issue

    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        return Status(401, error_body("invalid_credentials", _("Wrong username or password.")))
    return Status(200, {"token": token_issue(user=user, at=timezone.now())})
