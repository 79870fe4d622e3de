"""Personal data in free text: the one detector of Chinese resident ID numbers and phone numbers (the router
replaces the same spans by placeholders, routing.text) and the masking every output of free text uses
(notifications, API answers): 110101********1234, 138****0000, 0571-****5678."""

import re
from collections.abc import Iterable
from typing import Any

# 18-digit resident ID (last may be X) or legacy 15-digit one.
# The leading look-aheads only fail fast where no match can start (≈ 3x quicker scans).
ID_NUMBER_RE = re.compile(r"(?=\d)(?<![0-9a-z])(?:\d{17}[\dx]|\d{15})(?![0-9a-z])", re.IGNORECASE)
# Mobile (optionally +86, separators allowed) and landline (area code 0xx(x), 7–8 digits).
PHONE_RE = re.compile(
    r"(?=[+(\d])(?<!\d)(?:(?:\+?86[\s\-]?)?1[3-9]\d[\s\-]?\d{4}[\s\-]?\d{4}"
    r"|\(?0\d{2,3}\)?[\s\-]?\d{7,8})(?!\d)"
)


def _mask_id(match: re.Match[str]) -> str:
    value = match.group(0)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def _mask_phone(match: re.Match[str]) -> str:
    value = match.group(0)
    digits = [i for i, ch in enumerate(value) if ch.isdigit()]
    keep = set(digits[:3]) | set(digits[-4:])  # the first three and last four digits stay; separators stay
    return "".join(ch if (i in keep or not ch.isdigit()) else "*" for i, ch in enumerate(value))


def mask_phone(value: str) -> str:
    """A phone number field: the first three and last four digits stay (13812345678 → 138****5678); a short one
    keeps its first character."""
    value = (value or "").strip()
    if len(value) < 8:
        return value[:1] + "*" * (len(value) - 1)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_id_number(value: str) -> str:
    """An ID number field: the first six and last four characters stay (110101********1234)."""
    value = (value or "").strip()
    if len(value) <= 10:
        return value[:2] + "*" * max(len(value) - 2, 0)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_name(name: str) -> str:
    """A person's name: the family name stays (张三丰 → 张**); empty stays empty."""
    name = (name or "").strip()
    return name[:1] + "*" * max(1, len(name) - 1) if name else ""


def mask_text(text: str) -> str:
    """The text with every ID number and phone number in it masked (other numbers untouched)."""
    if not text or not any(ch.isdigit() for ch in text):
        return text
    return PHONE_RE.sub(_mask_phone, ID_NUMBER_RE.sub(_mask_id, text))


def contains_personal_data(text: str) -> bool:
    return bool(text) and bool(ID_NUMBER_RE.search(text) or PHONE_RE.search(text))


def mask_data(value: Any) -> Any:
    """Every string inside a JSON-like value (an audit event's before/after) masked like mask_text."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: mask_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_data(v) for v in value]
    return value


# --- The audited reveal ------------------------------------------------------------------------------------
#
# One mechanism for every record whose personal data a page or the API shows masked: a role that needs the data
# asks for one record with a stated purpose; the caller checks that the viewer may reveal it (its own access
# rules), then calls record_reveal, which refuses a reveal without a purpose and writes the audit event. The
# page shows the record unmasked for that one response only.

PURPOSE_MAX = 200


def reveal_purpose(data: Any) -> tuple[bool, str]:
    """(asked, purpose) from a query dict or form data: ?reveal=1&purpose=… (the reveal form on every page)."""
    asked = bool((data.get("reveal") or "").strip()) if data is not None else False
    purpose = (data.get("purpose") or "").strip()[:PURPOSE_MAX] if data is not None else ""
    return asked, purpose


def record_reveal(*, actor: Any, obj: Any, fields: Iterable[str], purpose: str, action: str = "core.reveal") -> None:
    """Audit that `actor` saw the unmasked `fields` of `obj`, and why. No purpose: Invalid (nothing written).
    `action` lets an app keep its own event name (org's people: org.person.view_personal_data)."""
    from django.utils.translation import gettext as _

    from . import audit
    from .errors import Invalid

    purpose = (purpose or "").strip()[:PURPOSE_MAX]
    if not purpose:
        raise Invalid(_("Please correct the errors below."),
                      details={"purpose": [_("Say why you need to see the unmasked personal data.")]})
    audit.log(actor=actor, action=action, obj=obj, after={"fields": list(fields), "purpose": purpose})


# --- Bulk export of unmasked data: its own permission, audited -------------------------------------------------
#
# Exports (xlsx, API lists) are masked. An account holding the Django permission core.export_unmasked (a
# superuser grants it in the admin to a named account or a group; ADR 0009) may ask for one unmasked, with a
# purpose: check_unmasked_export refuses before anything is built (403 without the permission, 422 without a
# purpose); record_unmasked_export writes the audit event with the row count once the export is made.

EXPORT_UNMASKED_PERMISSION = "core.export_unmasked"


def may_export_unmasked(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_active", False) and user.has_perm(EXPORT_UNMASKED_PERMISSION))


def check_unmasked_export(*, actor: Any, purpose: str) -> str:
    """The cleaned purpose if `actor` may export unmasked data; Forbidden (403) or Invalid (no purpose)."""
    from django.utils.translation import gettext as _

    from .errors import Forbidden, Invalid

    if not may_export_unmasked(actor):
        raise Forbidden(_("You may not export personal data unmasked. Ask for the permission to export unmasked "
                          "data, or export the masked list."), code="unmasked_export_forbidden")
    purpose = (purpose or "").strip()[:PURPOSE_MAX]
    if not purpose:
        raise Invalid(_("Please correct the errors below."),
                      details={"purpose": [_("Say why you need the list with personal data unmasked.")]})
    return purpose


def record_unmasked_export(*, actor: Any, what: str, label: str, rows: int, purpose: str,
                           filters: dict[str, Any] | None = None) -> None:
    """The audit event of one unmasked export: what list (`what`, e.g. "org.people"), how many rows, why, and the
    filters it was made with."""
    from django.utils import timezone

    from .audit import Event, log_many

    log_many([Event(at=timezone.now(), actor_id=actor.pk, action="core.export_unmasked", object_type="core.export",
                    object_id=what[:64], object_repr=str(label)[:200],
                    after={"rows": rows, "purpose": purpose, "filters": {k: str(v) for k, v in (filters or {}).items()}})])


def export_request(request: Any) -> tuple[bool, str, Any]:
    """A list view's export parameters: (unmasked asked, purpose, refusal response or None). The refusal is the
    error page (or JSON) in the user's language: 403 without the permission, 422 without a purpose."""
    from .error_pages import error_response
    from .errors import Forbidden, Invalid

    if not (request.GET.get("unmasked") or "").strip():
        return False, "", None
    try:
        purpose = check_unmasked_export(actor=request.user, purpose=request.GET.get("purpose", ""))
    except Forbidden as exc:
        return True, "", error_response(request, 403, exc.code, exc.message)
    except Invalid as exc:
        message = "; ".join(str(m) for ms in exc.details.values() for m in ms)
        return True, "", error_response(request, 422, exc.code, message, exc.details)
    return True, purpose, None


def export_params(request: Any) -> list[tuple[str, str]]:
    """The list's current filters, for the unmasked export form (paging and export keys left out)."""
    skip = {"page", "cursor", "format", "unmasked", "purpose"}
    return [(k, v) for k, values in request.GET.lists() if k not in skip for v in values]
