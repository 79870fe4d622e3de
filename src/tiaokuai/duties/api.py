"""JSON API of the lists: /api/v1/lists/…  Reads: published versions for any signed-in user, drafts for the
establishment office. Writes: the establishment office only (others get 404)."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile

from tiaokuai.core.api import ErrorOut, Id, paging, viewer
from tiaokuai.core.errors import NotFound
from tiaokuai.core.xlsx import download

from . import selectors, services, xlsx
from .choices import ListKind
from .models import ListRelease, Matter
from .schemas import (
    DiffOut,
    ImportOut,
    MatterIn,
    MatterOut,
    MatterPatch,
    PrimaryOut,
    PublishIn,
    ReleaseOut,
    StartDraftIn,
)

router = Router(tags=["lists"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
ReleasePage = paging(500, 500)
MatterPage = paging(5000, 5000)


def release_out(r: ListRelease) -> dict[str, Any]:
    count = getattr(r, "matter_count", None)
    return {"id": r.pk, "kind": r.kind, "number": r.number, "title": r.title, "status": r.status,
            "effective_from": r.effective_from, "notes": r.notes, "based_on": r.based_on_id,
            "created_at": r.created_at, "published_at": r.published_at,
            "matter_count": count if count is not None else r.matters.count()}


def matter_out(m: Matter) -> dict[str, Any]:
    dump = selectors.matter_dump(m)
    return {"id": m.pk, "release": m.release_id, "domain_name": m.domain.name, **dump}


def _release(request: HttpRequest, release_id: Id) -> ListRelease:
    release = selectors.release_for(viewer(request), release_id)
    if release is None:
        raise NotFound(_("Not found."))
    return release


@router.get("/lists/releases", response={200: list[ReleaseOut], **ERRORS})
def list_releases(request: HttpRequest, page: Query[ReleasePage], kind: str = ListKind.RESPONSIBILITY):
    return [release_out(r) for r in page.window(selectors.releases_with_counts(viewer(request), kind))]


@router.post("/lists/releases", response={201: ReleaseOut, **ERRORS})
def start_draft(request: HttpRequest, payload: StartDraftIn):
    release = services.release_start_draft(actor=request.user, kind=payload.kind, title=payload.title)
    return Status(201, release_out(release))


@router.get("/lists/releases/{release_id}", response={200: ReleaseOut, **ERRORS})
def get_release(request: HttpRequest, release_id: Id):
    return release_out(_release(request, release_id))


@router.delete("/lists/releases/{release_id}", response={204: None, **ERRORS})
def discard_draft(request: HttpRequest, release_id: Id):
    services.release_discard(actor=request.user, release_id=release_id)
    return Status(204, None)


@router.get("/lists/releases/{release_id}/matters", response={200: list[MatterOut], **ERRORS})
def release_matters(request: HttpRequest, release_id: Id, page: Query[MatterPage], q: str = "", domain: str = ""):
    release = _release(request, release_id)
    return selectors.matter_rows(release, page.window(selectors.release_matter_ids(release, q=q, domain=domain)))


@router.post("/lists/releases/{release_id}/publish", response={200: ReleaseOut, **ERRORS})
def publish(request: HttpRequest, release_id: Id, payload: PublishIn):
    release = services.release_publish(actor=request.user, release_id=release_id,
                                       effective_from=payload.effective_from, notes=payload.notes)
    return release_out(release)


@router.post("/lists/releases/{release_id}/import", response={200: ImportOut, **ERRORS})
def import_xlsx(request: HttpRequest, release_id: Id, file: UploadedFile = File(...)):  # noqa: B008
    release = services.release_import_xlsx(actor=request.user, release_id=release_id, content=file.read())
    return {"release": release.pk, "matters": release.matters.count()}


@router.get("/lists/releases/{release_id}/export", response={200: None, **ERRORS})
def export_xlsx(request: HttpRequest, release_id: Id):
    return xlsx_response(_release(request, release_id))


def xlsx_response(release: ListRelease) -> HttpResponse:
    return download(xlsx.export_release(release), f"list-{release.kind}-v{release.number}.xlsx")


@router.post("/lists/releases/{release_id}/matters", response={201: MatterOut, **ERRORS})
def create_matter(request: HttpRequest, release_id: Id, payload: MatterIn):
    data = payload.dict(exclude={"assignments", "steps"})
    with transaction.atomic():
        matter = services.matter_create(actor=request.user, release_id=release_id, data=data)
        _set_children(request, matter, payload.assignments, payload.steps)
    return Status(201, matter_out(_matter(request, matter.pk)))


@router.get("/lists/matters/{matter_id}", response={200: MatterOut, **ERRORS})
def get_matter(request: HttpRequest, matter_id: Id):
    return matter_out(_matter(request, matter_id))


@router.patch("/lists/matters/{matter_id}", response={200: MatterOut, **ERRORS})
def update_matter(request: HttpRequest, matter_id: Id, payload: MatterPatch):
    data = payload.dict(exclude={"assignments", "steps"}, exclude_unset=True)
    with transaction.atomic():
        matter = services.matter_update(actor=request.user, matter_id=matter_id, data=data)
        _set_children(request, matter, payload.assignments, payload.steps)
    return matter_out(_matter(request, matter.pk))


@router.delete("/lists/matters/{matter_id}", response={204: None, **ERRORS})
def delete_matter(request: HttpRequest, matter_id: Id):
    services.matter_delete(actor=request.user, matter_id=matter_id)
    return Status(204, None)


def _set_children(request: HttpRequest, matter: Matter, assignments: Any, steps: Any) -> None:
    if assignments is not None:
        services.matter_set_assignments(actor=request.user, matter_id=matter.pk,
                                        assignments=[a.dict() for a in assignments])
    if steps is not None:
        services.matter_set_steps(actor=request.user, matter_id=matter.pk, steps=[s.dict() for s in steps])


def _matter(request: HttpRequest, matter_id: Id) -> Matter:
    matter = selectors.matter_for(viewer(request), matter_id)
    if matter is None:
        raise NotFound(_("Not found."))
    return matter


@router.get("/lists/diff", response={200: DiffOut, **ERRORS})
def diff(request: HttpRequest, from_id: Id = Query(..., alias="from"), to_id: Id = Query(..., alias="to")):  # noqa: B008
    old, new = _release(request, from_id), _release(request, to_id)
    return {"from_release": release_out(old), "to_release": release_out(new), **selectors.release_diff(old, new)}


@router.get("/lists/in-force", response={200: list[MatterOut], **ERRORS})
def in_force(request: HttpRequest, page: Query[MatterPage], on: dt.date | None = None, domain: str = "", q: str = "",
             kind: str = ListKind.RESPONSIBILITY):
    day = on or timezone.localdate()
    release = selectors.release_in_force(kind, day)
    if release is None:
        return page.window([])  # nothing in force (a cursor is refused as on any list)
    return selectors.matter_rows(release, page.window(selectors.release_matter_ids(release, q=q, domain=domain)))


@router.get("/lists/primary", response={200: PrimaryOut, **ERRORS})
def primary(request: HttpRequest, matter: str, on: dt.date | None = None):
    day = on or timezone.localdate()
    assignment = selectors.primary_body_on(matter, day)
    if assignment is None:
        raise NotFound(_("No list in force on that date names a primary body for this matter."))
    return {"matter": assignment.matter.code, "matter_name": assignment.matter.name, "on": day,
            "release": assignment.matter.release_id, "release_number": assignment.matter.release.number,
            "organisation": assignment.body_code, "organisation_name": assignment.body_name,
            "duty": assignment.duty}
