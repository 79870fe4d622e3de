"""What whistles give the text router (tiaokuai.routing.sources), registered in WhistlesConfig.ready():
the whistle list's items as labelled examples, settled whistles as history, and the whistles waiting to be
routed or worth a second look for its queue page."""

from datetime import date
from typing import Any

from django.urls import reverse

from tiaokuai.duties.choices import ListKind
from tiaokuai.duties.selectors import release_in_force
from tiaokuai.routing.sources import WorkItem

from .models import Whistle, WhistleItem


def catalogue(on: date) -> list[tuple[str, str]]:
    release = release_in_force(ListKind.WHISTLE, on)
    if release is None:
        return []
    pairs: list[tuple[str, str]] = []
    for name, trigger, code in WhistleItem.objects.filter(release=release).values_list("name", "trigger", "matter_code"):
        pairs += [(name, code), (f"{name} {trigger}", code)]
    return pairs


def history() -> list[tuple[str, str]]:
    from .selectors import routing_labels

    return [(text, matter) for text, matter, _org in routing_labels()]


def _item(w: Whistle) -> WorkItem:
    item = w.item
    return WorkItem(
        pk=w.pk, number=w.number, url=reverse("whistles:detail", args=[w.pk]), description=w.description,
        place=f"{w.township} · {w.village}",
        chosen_name=item.name if item is not None else "", chosen_code=item.matter_code if item is not None else "",
    )


def waiting(viewer: Any) -> list[WorkItem]:
    rows = Whistle.objects.filter(status="routing").select_related("township", "village", "item").order_by("raised_at")
    return [_item(w) for w in rows[:100]]


def routed(viewer: Any, limit: int) -> list[WorkItem]:
    rows = (Whistle.objects.filter(status="open", item__isnull=False)
            .select_related("item", "township", "village").order_by("-raised_at")[:limit])
    return [_item(w) for w in rows]


def register() -> None:
    from django.utils.translation import gettext_lazy as _

    from tiaokuai.routing import sources

    sources.register("whistles", label=_("Whistle"), catalogue=catalogue, history=history, waiting=waiting,
                     routed=routed)
