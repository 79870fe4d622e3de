"""The page side of a state change, shared by every app's action views: a small form posts to an action view,
which calls one service as the signed-in user and goes back to the page it came from. A refusal (a conflicting
state, invalid input) becomes one flash message in the user's language and changes nothing — the service's
transaction saw to that; a missing or hidden object is a 404."""

import functools
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from .errors import Conflict, Invalid, NotFound


def not_found_as_404(view: Callable[..., Any]) -> Callable[..., Any]:
    """A view decorator: NotFound from a selector or service is the site's 404 page."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc

    return wrapper


def next_url(request: HttpRequest, fallback: str) -> str:
    """Where to go back to: the form's `next` when it is on this site, else `fallback`."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return fallback


def refusal_text(exc: Invalid) -> str:
    """An Invalid as one sentence: its message and its per-field messages."""
    details = "; ".join(str(m) for ms in exc.details.values() for m in (ms if isinstance(ms, list) else [ms]))
    return f"{exc.message} {details}".strip()


def form_errors(form: Any) -> str:
    """A bound form's errors as one line, each after its field's label."""
    return "; ".join(f"{form.fields[k].label if k in form.fields else ''} {' '.join(v)}".strip()
                     for k, v in form.errors.items())


def run_action(request: HttpRequest, fn: Callable[..., Any], *, done: Any = None,
               **kwargs: Any) -> tuple[bool, Any]:
    """Call one service as the signed-in user: (True, its result) and `done` flashed, or (False, None) with the
    refusal flashed."""
    try:
        result = fn(actor=request.user, **kwargs)
    except Conflict as exc:
        messages.error(request, exc.message)
        return False, None
    except Invalid as exc:
        messages.error(request, refusal_text(exc))
        return False, None
    if done:
        messages.success(request, done)
    return True, result
