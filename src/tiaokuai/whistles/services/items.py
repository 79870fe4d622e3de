"""The whistle list's items in a draft release, and the hooks duties calls when releases change."""

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from tiaokuai.core import audit
from tiaokuai.core.errors import Conflict, NotFound
from tiaokuai.duties.choices import ListKind, ReleaseStatus
from tiaokuai.duties.models import ListRelease, Matter

from ..choices import (
    Urgency,
)
from ..models import (
    WhistleItem,
)
from .base import _invalid

# ---------------------------------------------------------------- list releases (duties hooks)


def copy_items(old: ListRelease | None, new: ListRelease) -> None:
    """Copy the whistle items of the published version into a new draft of the whistle list."""
    if old is None:
        return
    fields = [f.name for f in WhistleItem._meta.concrete_fields if f.name not in ("id", "release")]
    WhistleItem.objects.bulk_create([
        WhistleItem(release=new, **{f: getattr(i, f) for f in fields if f != "domain"}, domain_id=i.domain_id)
        for i in WhistleItem.objects.filter(release=old)
    ])


def publish_problems(release: ListRelease) -> dict[str, list[str]]:
    """Why a draft of the whistle list may not be published: items resting on matters that the responsibility
    list in force does not have, or deadlines out of order."""
    problems: dict[str, list[str]] = {}
    resp = (ListRelease.objects.filter(kind=ListKind.RESPONSIBILITY, status=ReleaseStatus.PUBLISHED)
            .order_by("-effective_from").first())
    known = set(Matter.objects.filter(release=resp).values_list("code", flat=True)) if resp else set()
    for item in WhistleItem.objects.filter(release=release).order_by("code"):
        msgs = []
        if item.matter_code and item.matter_code not in known:
            msgs.append(_("Item %(code)s rests on matter %(matter)s, which is not on the responsibility list.")
                        % {"code": item.code, "matter": item.matter_code})
        for u in Urgency.values:
            r, a, s = item.minutes(u)
            if not (0 < r <= a <= s):
                msgs.append(_("Item %(code)s: the %(urgency)s deadlines must be respond ≤ arrive ≤ resolve.")
                            % {"code": item.code, "urgency": u})
        if msgs:
            problems[f"items.{item.code}"] = msgs
    return problems


# ---------------------------------------------------------------- items of a whistle-list draft

ITEM_FIELDS = ["name", "domain", "whistle_class", "trigger", "matter_code"] + [
    f"{step}_minutes_{u}" for step in ("respond", "arrive", "resolve") for u in Urgency.values]


def _draft_of_whistle_list(actor: Any, release_id: Any) -> ListRelease:
    from tiaokuai.duties.access import access_release, require_list_editor

    require_list_editor(actor)
    release = access_release(actor, release_id, "edit")
    if release.kind != ListKind.WHISTLE:
        raise NotFound(_("Not found."))
    if release.status != ReleaseStatus.DRAFT:
        raise Conflict(_("This version is already published and cannot be changed."), code="release_published")
    return release


@transaction.atomic
def whistle_item_save(*, actor: Any, release_id: Any, code: str, data: Mapping[str, Any]) -> WhistleItem:
    """Create or change an item (by code) in a draft of the whistle list (the establishment office)."""
    from django.core.exceptions import ValidationError

    from tiaokuai.org.models import Domain

    release = _draft_of_whistle_list(actor, release_id)
    code = (code or "").strip()
    item = WhistleItem.objects.filter(release=release, code=code).first() or WhistleItem(release=release, code=code)
    before = audit.snapshot(item, ITEM_FIELDS[1:]) if item.pk else None
    errors: dict[str, list[str]] = {}
    for name in ITEM_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name == "domain":
            domain = Domain.objects.filter(code=value).first() if isinstance(value, str) else \
                Domain.objects.filter(pk=getattr(value, "pk", value)).first()
            if domain is None:
                errors["domain"] = [_("Unknown domain.")]
            else:
                item.domain = domain
        else:
            setattr(item, name, value if value is not None else "")
    try:
        item.full_clean(exclude=["release", "domain"] if "domain" in errors else ["release"])
    except ValidationError as exc:
        for key, msgs in exc.message_dict.items():
            errors.setdefault(key, []).extend(msgs)
    for u in Urgency.values:
        r, a, s = item.minutes(u)
        if not (0 < int(r) <= int(a) <= int(s)):
            errors.setdefault(f"resolve_minutes_{u}", []).append(
                _("The deadlines must be respond ≤ arrive ≤ resolve."))
    if errors:
        raise _invalid(errors)
    item.save()
    audit.log(actor=actor, action="whistles.item.save", obj=release, before=before,
              after={"code": code, **audit.snapshot(item, ITEM_FIELDS[1:])})
    return item


@transaction.atomic
def whistle_item_delete(*, actor: Any, release_id: Any, code: str) -> None:
    release = _draft_of_whistle_list(actor, release_id)
    item = WhistleItem.objects.filter(release=release, code=code).first()
    if item is None:
        raise NotFound(_("Not found."))
    audit.log(actor=actor, action="whistles.item.delete", obj=release, before={"code": code, "name": item.name})
    item.delete()
