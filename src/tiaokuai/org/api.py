from django.http import HttpRequest
from ninja import Router, Schema

from tiaokuai.core.api import viewer

from . import selectors

router = Router(tags=["registry"])


class DivisionOut(Schema):
    code: str
    name: str
    level: str
    kind: str
    parent: str | None


@router.get("/divisions", response=list[DivisionOut])
def list_divisions(request: HttpRequest, level: str | None = None, within: str | None = None):
    rows = selectors.divisions(viewer(request), level=level, within=within)
    return [
        {"code": d.code, "name": d.name, "level": d.level, "kind": d.kind, "parent": d.parent.code if d.parent else None}
        for d in rows
    ]
