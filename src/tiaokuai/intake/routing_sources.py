"""What citizen requests give the text router (tiaokuai.routing.sources), registered in IntakeConfig.ready():
requests settled by people as history, requests waiting for an operator, and routed ones for a second look."""

from typing import Any

from django.urls import reverse

from tiaokuai.routing.sources import WorkItem

from .choices import RequestStatus
from .models import Request


def history() -> list[tuple[str, str]]:
    rows = (Request.objects.filter(status=RequestStatus.CLOSED).exclude(matter_code="")
            .order_by("submitted_at").values_list("description", "matter_code")[:50000])
    return list(rows)


def _item(r: Request) -> WorkItem:
    return WorkItem(pk=r.pk, number=r.number, url=reverse("intake:detail", args=[r.pk]), description=r.description,
                    place=f"{r.township} · {r.village}", chosen_name=r.matter_name, chosen_code=r.matter_code)


def waiting(viewer: Any) -> list[WorkItem]:
    rows = (Request.objects.filter(status=RequestStatus.RECEIVED).select_related("township", "village")
            .order_by("submitted_at"))
    return [_item(r) for r in rows[:100]]


def routed(viewer: Any, limit: int) -> list[WorkItem]:
    rows = (Request.objects.filter(status=RequestStatus.DISPATCHED).exclude(matter_code="")
            .select_related("township", "village").order_by("-submitted_at")[:limit])
    return [_item(r) for r in rows]


def register() -> None:
    from django.utils.translation import gettext_lazy as _

    from tiaokuai.routing import sources

    sources.register("intake", label=_("Citizen request"), history=history, waiting=waiting, routed=routed)
