"""API plumbing shared by every app: authentication, error shape, paging."""

import contextvars
import datetime
import functools
import logging
from typing import Annotated, Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Query, Router, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.schema import DjangoGetter
from ninja.security import HttpBearer, SessionAuth
from ninja.utils import check_csrf
from pydantic import ValidationError as PydanticValidationError
from pydantic import ValidationInfo, create_model, model_validator
from pydantic.functional_validators import ModelWrapValidatorHandler

from . import paging as cursor_paging
from . import validation
from .access import Viewer, viewer_for
from .errors import DomainError, Forbidden, Invalid, TooManyAttempts, status_message


class BearerToken(HttpBearer):
    def __call__(self, request: HttpRequest) -> Any:
        # ninja's HttpBearer.__call__, reading the one header from META instead of building request.headers
        # (every header of the request) for it.
        auth_value = request.META.get("HTTP_AUTHORIZATION")
        if not auth_value:
            return None
        scheme, _sep, token = auth_value.partition(" ")
        if scheme.lower() != self.openapi_scheme:
            if settings.DEBUG:
                logging.getLogger("django").error(f"Unexpected auth - '{auth_value}'")
            return None
        return self.authenticate(request, token)

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        # One indexed look-up by the token's sha256 digest (no slow hash per request): the token's user, if
        # the token is neither expired nor revoked and the user is active.
        from .services import token_user

        user = token_user(token, at=timezone.now())
        if user is None:
            return None
        request.user = user
        return user


class ApiSessionAuth(SessionAuth):
    """The signed-in session of the pages. Without a signed-in session the caller is simply not authenticated
    (401 in the user's language), never "CSRF check Failed"; a signed-in session's unsafe request without its
    CSRF token is refused with 403 in the user's language."""

    def _get_key(self, request: HttpRequest) -> str | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise Forbidden(_("The CSRF token is missing or wrong: reload the page, or call the API with a bearer "
                              "token."), code="csrf_failed")
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return request.user if key is not None else None


AUTH = [BearerToken(), ApiSessionAuth()]


def viewer(request: HttpRequest) -> Viewer:
    return viewer_for(request.user)


# --------------------------------------------------------------------------- paging and bounded ids

MAX_OFFSET = 1_000_000  # far past any list a county has; keeps the SQL OFFSET a small, valid integer
MAX_CURSOR = 2000  # characters: a cursor is a few key values
MAX_ID = 2**63 - 1  # the largest primary key a 64-bit column holds: a larger id is invalid input, not a crash

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


CURSOR_HEADER = "X-Next-Cursor"
CURSOR_HELP = ("the X-Next-Cursor header of the previous answer: the next page after it (keyset paging, the same "
               "cost at any depth; offset is then ignored)")

# The answer being built for this request (ninja's temporal response): Paging.window puts the next page's
# cursor into its headers. Set by Api.create_temporal_response, in the thread (or task) serving the request.
_ANSWER: contextvars.ContextVar[Any] = contextvars.ContextVar("tiaokuai_api_answer", default=None)


class Api(NinjaAPI):
    """The project's NinjaAPI: remembers each request's answer so list windows can add the cursor header."""

    def create_temporal_response(self, request: HttpRequest) -> Any:
        response = super().create_temporal_response(request)
        _ANSWER.set(response)
        return response


class Paging(Schema):
    """limit/offset/cursor of every API list: limit 1…maximum, offset 0…MAX_OFFSET; outside them the answer is
    422 with a per-field message in the user's language (never a server error). Every page whose list goes on
    carries the X-Next-Cursor header; `cursor=` that value gives the next page by keyset (an index range, not an
    OFFSET), and a cursor that is not ours is 422."""

    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)
    cursor: str | None = Field(None, max_length=MAX_CURSOR, description=CURSOR_HELP)

    def window(self, rows: Any) -> Any:
        keys = cursor_paging.keys_of(rows) if isinstance(rows, QuerySet) else None
        if keys is None:  # an ordering a keyset cannot follow (or a plain list): offset paging only
            if self.cursor:
                raise Invalid(_("Please correct the errors below."),
                              details={"cursor": [_("This list is not paged by cursor.")]})
            return rows[self.offset:self.offset + self.limit]
        if self.cursor:
            try:
                page = cursor_paging.keyset(rows, self.limit, self.cursor, keys)
            except cursor_paging.CursorError:
                raise Invalid(_("Please correct the errors below."),
                              details={"cursor": [_("Unknown cursor: use the X-Next-Cursor header of the previous "
                                                    "answer.")]}) from None
        else:
            page = cursor_paging.keyset_at(rows, self.limit, self.offset, keys)
        answer = _ANSWER.get()
        if answer is not None and page.next_cursor:
            answer[CURSOR_HEADER] = page.next_cursor
        return page.object_list


@functools.cache
def paging(default: int, maximum: int) -> type[Paging]:
    """The Paging schema with this list's default and largest page (one class per pair, so OpenAPI is stable)."""
    return create_model(  # type: ignore[call-overload,no-any-return]
        f"Paging{default}_{maximum}", __base__=Paging,
        limit=(int, Field(default, ge=1, le=maximum, description=f"1–{maximum}")),
        offset=(int, Field(0, ge=0, le=MAX_OFFSET, description=f"0–{MAX_OFFSET}")),
    )


# --------------------------------------------------------------------------- errors


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "details": details or {}}


def install_error_handlers(api: Any) -> None:
    """Every 4xx/5xx of the API is {code, message, details} in the user's language."""

    def respond(request: HttpRequest, status: int, code: str, message: str,
                details: dict[str, Any] | None = None) -> Any:
        return api.create_response(request, error_body(code, message, details), status=status)

    @api.exception_handler(DomainError)
    def on_domain_error(request, exc: DomainError):
        response = respond(request, exc.status, exc.code, exc.message, exc.details)
        if exc.status == 429 and exc.details.get("retry_after"):
            response["Retry-After"] = str(exc.details["retry_after"])
        return response

    @api.exception_handler(NinjaValidationError)
    def on_validation_error(request, exc: NinjaValidationError):
        return respond(request, 422, "invalid", _("Please correct the errors below."), validation.details(exc.errors))

    @api.exception_handler(PydanticValidationError)
    def on_pydantic_error(request, exc: PydanticValidationError):
        return respond(request, 422, "invalid", _("Please correct the errors below."),
                       validation.details(list(exc.errors())))

    @api.exception_handler(AuthenticationError)
    def on_auth_error(request, exc):
        return respond(request, 401, "unauthorized", _("Authentication required."))

    @api.exception_handler(HttpError)
    def on_http_error(request, exc: HttpError):
        if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
            return respond(request, 400, "malformed_json", _("The request body is not valid JSON."),
                           {"__all__": [_("Invalid JSON.")]})
        code, message = status_message(exc.status_code)
        return respond(request, exc.status_code, code, message)

    @api.exception_handler(Http404)
    def on_not_found(request, exc):
        code, message = status_message(404)
        return respond(request, 404, code, message)

    @api.exception_handler(PermissionDenied)
    def on_permission_denied(request, exc):
        code, message = status_message(403)
        return respond(request, 403, code, message)

    @api.exception_handler(RequestDataTooBig)
    def on_too_big(request, exc):
        code, message = status_message(413)
        return respond(request, 413, code, message)

    # Anything else propagates to Django's handler500 (core.error_pages), which answers an /api/ path with the
    # same {code, message, details} in JSON, after Django has logged it.
    document_errors(api)


# The errors any operation can answer, whatever its own response declaration says: malformed JSON (400),
# no or a bad token (401), a session without its CSRF token (403), a missing or forbidden object (404), input
# that fails validation (422). document_errors() adds them to every operation of the published OpenAPI.
COMMON_ERRORS = {
    "400": "Malformed request (e.g. a body that is not JSON)",
    "401": "Not signed in: no token, or an expired or revoked one",
    "403": "Refused (e.g. a signed-in session without its CSRF token)",
    "404": "Not found, or not visible to the caller",
    "422": "Invalid input: details name each field with its messages",
}


def document_errors(api: Any) -> None:
    """Wraps api.get_openapi_schema so that every operation documents COMMON_ERRORS with the ErrorOut body."""
    original = api.get_openapi_schema

    def get_openapi_schema(*args: Any, **kwargs: Any) -> Any:
        schema = original(*args, **kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.setdefault("ErrorOut", ErrorOut.model_json_schema())
        body = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for code, description in COMMON_ERRORS.items():
                    if code not in responses and int(code) not in responses:  # ninja keys its own by int
                        responses[code] = {"description": description, "content": body}
        return schema

    api.get_openapi_schema = get_openapi_schema


class TokenIn(Schema):
    username: str = Field(..., max_length=150)
    password: str = Field(..., max_length=4096)
    name: str = Field("", max_length=60, description="What the token is for (shown in the token list)")
    code: str = Field("", max_length=32, description="For an account with a second factor: the current code of its "
                      "authenticator app, or one of its recovery codes")


validation.api_only(TokenIn, "sign-in: Django's AuthenticationForm sets its limits per request from the user model (150)")


class TokenOut(Schema):
    token: str
    id: int
    expires_at: datetime.datetime


class TokenInfoOut(Schema):
    id: int
    name: str
    created_at: datetime.datetime
    expires_at: datetime.datetime | None
    last_used_at: datetime.datetime | None
    revoked_at: datetime.datetime | None
    active: bool
    current: bool


class ErrorOut(Schema):
    code: str
    message: str
    details: dict[str, Any]


auth_router = Router(tags=["auth"])
AUTH_ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def too_many_attempts(seconds: int) -> TooManyAttempts:
    from .throttle import locked_message

    return TooManyAttempts(locked_message(seconds), details={"retry_after": seconds})


@auth_router.post("/token", response={200: TokenOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut,
                                      429: ErrorOut},
                  auth=None)
def issue_token(request: HttpRequest, payload: TokenIn):
    """A bearer token for the user (shown once; expires after API_TOKEN_DAYS days). Failed attempts lock the
    account and the address for a while (429 with Retry-After), even for the right password."""
    from .models import ApiToken
    from .services import token_issue

    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        locked = getattr(request, "login_locked_for", 0)
        if locked:
            raise too_many_attempts(locked)
        return Status(401, error_body("invalid_credentials", _("Wrong username or password.")))
    from . import twofactor

    if twofactor.enabled(user):
        if not payload.code.strip():
            return Status(401, error_body("second_factor_required", _(
                "This account signs in with a second factor: send the current code of your authenticator app."),
                {"code": [_("This field is required.")]}))
        checked = twofactor.check_code(request, user, payload.code, at=timezone.now())
        if checked.locked_for:
            raise too_many_attempts(checked.locked_for)
        if not checked.ok:
            return Status(401, error_body("invalid_second_factor", _(
                "The code is wrong or has expired. Enter the current code.")))
    elif twofactor.required(user):
        return Status(403, error_body("second_factor_enrolment_required", _(
            "Your role must sign in with a second factor. Enrol it on the two-factor page first.")))
    key = token_issue(user=user, at=timezone.now(), name=payload.name)
    token = ApiToken.objects.get(key_hash=ApiToken.hash_key(key))
    return Status(200, {"token": key, "id": token.pk, "expires_at": token.expires_at})


def _token_info(t: Any, current_id: int | None, now: datetime.datetime) -> dict[str, Any]:
    active = t.revoked_at is None and t.expires_at is not None and t.expires_at > now
    return {"id": t.pk, "name": t.name, "created_at": t.created_at, "expires_at": t.expires_at,
            "last_used_at": t.last_used_at, "revoked_at": t.revoked_at, "active": active,
            "current": t.pk == current_id}


@auth_router.get("/tokens", response={200: list[TokenInfoOut], **AUTH_ERRORS})
def list_tokens(request: HttpRequest, page: Query[paging(50, 200)]):  # type: ignore[valid-type]
    """The caller's own API tokens, newest first (the token itself is never shown again)."""
    from .models import ApiToken

    now = timezone.now()
    current = getattr(request.user, "_api_token_id", None)
    return [_token_info(t, current, now) for t in page.window(ApiToken.objects.filter(user=request.user))]


@auth_router.delete("/tokens/{token_id}", response={200: TokenInfoOut, **AUTH_ERRORS})
def revoke_token(request: HttpRequest, token_id: Id):
    """Revoke one of the caller's tokens: it is refused (401) from then on."""
    from .services import token_revoke

    now = timezone.now()
    token = token_revoke(actor=request.user, token_id=token_id, at=now)
    return _token_info(token, getattr(request.user, "_api_token_id", None), now)


class DictSchema(Schema):
    """A Schema whose dict input is validated as the dict it is. ninja's Schema wraps every input in a DjangoGetter
    (attribute access in Python, per field) so that it can read model instances, managers and resolve_* methods;
    a dict (a JSON body, or an answer the view built itself) needs none of that. Any other input goes the ninja
    way."""

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(cls, values: Any, handler: ModelWrapValidatorHandler[Any], info: ValidationInfo) -> Any:
        if type(values) is dict and not cls._ninja_resolvers:
            return handler(values)
        if cls.model_config.get("extra") == "forbid" or cls.model_config.get("validate_assignment", False):
            handler(values)
        return handler(DjangoGetter(values, cls, info.context))
