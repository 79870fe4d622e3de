"""Who may do what with whistles. Missing and forbidden look the same (NotFound)."""

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.fields.related_lookups import RelatedIn
from django.utils.translation import gettext as _

from tiaokuai.core.access import Viewer, viewer_for
from tiaokuai.core.errors import NotFound
from tiaokuai.org.choices import Role

from .models import Dispatch, Dispute, Whistle


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def is_office(viewer: Viewer) -> bool:
    return viewer.is_superuser or Role.ESTABLISHMENT_OFFICE in viewer.roles


def is_township_staff(viewer: Viewer) -> bool:
    return Role.TOWNSHIP in viewer.roles and bool(viewer.township_ids)


def is_department_staff(viewer: Viewer) -> bool:
    return bool(viewer.roles & {Role.DEPARTMENT, Role.OFFICER}) and bool(viewer.organisation_ids)


# A township's staff (role township) work the dispatches addressed to its government and offices: the
# territorial role 属地乡镇（街道） resolves to them, and the office may call another township by hand.


def handles_organisation(viewer: Viewer, organisation_id: int) -> bool:
    """Whether the viewer works dispatches addressed to this organisation: department staff and officers of it (or
    a unit above it), township staff of the township whose government or office it is (Viewer.township_body_ids)."""
    if is_department_staff(viewer) and organisation_id in viewer.organisation_ids:
        return True
    return is_township_staff(viewer) and organisation_id in viewer.township_body_ids


class _ProbeIn(RelatedIn):
    """`organisation__probe_in=[…]`: IN over "+organisation_id", a term no index serves. In a probe of one
    whistle's dispatches (its whistle_id leads the index) SQLite otherwise seeks the index once per organisation of
    the viewer (13 seeks for a department with its agencies); so it seeks the whistle once and checks the ~2 rows
    found. PostgreSQL already did so."""

    lookup_name = "probe_in"

    def process_lhs(self, compiler: Any, connection: Any, lhs: Any = None) -> Any:
        sql, params = super().process_lhs(compiler, connection, lhs)
        return f"+{sql}", params


Dispatch._meta.get_field("organisation").register_lookup(_ProbeIn)


def handled_q(viewer: Viewer, prefix: str = "", *, probe: bool = False) -> Q:
    """Dispatch rows (or `prefix`-related rows) the viewer works — handles_organisation() in SQL: ids only (the
    township's bodies come with the viewer), so the dispatch index on (organisation, status) or on (whistle,
    organisation) serves a probe, and PostgreSQL estimates a statement reading many dispatches at once.
    probe=True: for a probe of one whistle's dispatches (see _ProbeIn)."""
    lookup = f"{prefix}organisation__probe_in" if probe else f"{prefix}organisation_id__in"
    cond = Q(pk__in=[])
    if is_department_staff(viewer):
        cond |= Q(**{lookup: viewer.organisation_ids})
    if is_township_staff(viewer):
        cond |= Q(**{lookup: viewer.township_body_ids})
    return cond


def _seen_through(viewer: Viewer) -> tuple[frozenset[int], Q | None]:
    """The one rule of what a non-county viewer sees: (the townships whose whistles it sees because they were
    raised there, the dispatches that make a whistle visible to it — any status, withdrawn ones too)."""
    own = (frozenset(viewer.township_ids)
           if viewer.township_ids and viewer.roles & {Role.TOWNSHIP, Role.GRID_WORKER, Role.OFFICER} else frozenset())
    # For a probe of each whistle's own dispatches (scope_whistles' EXISTS): see _ProbeIn.
    called = handled_q(viewer, probe=True) if is_department_staff(viewer) or is_township_staff(viewer) else None
    return own, called


def scope_whistles(viewer: Viewer, qs: QuerySet[Whistle]) -> QuerySet[Whistle]:
    """Whistles the viewer may see: county-wide roles all; townships their own; departments (and townships)
    those that called them (any dispatch, withdrawn ones too)."""
    if not viewer.is_authenticated:
        return qs.none()
    if viewer.county_wide:
        return qs
    own, handled = _seen_through(viewer)
    # EXISTS over the whistle's own dispatches (its whistle_id index, ~2 rows) rather than IN over all the viewer's
    # dispatches: a page walks the whistles newest first and stops after one page, so its cost does not grow with
    # the department's history (an IN list is every dispatch the department ever had).
    called = Dispatch.objects.filter(handled, whistle_id=OuterRef("pk")).order_by() if handled is not None else None
    if own and called is not None:
        # "Raised here OR calling us": under an OR, PostgreSQL turns the EXISTS into a hashed subplan that reads
        # every dispatch of the county before the first row; a scalar subquery stays a per-row probe.
        return qs.alias(_calls_viewer=Subquery(called.values("pk")[:1])).filter(
            Q(township_id__in=own) | Q(_calls_viewer__isnull=False))
    if own:
        return qs.filter(township_id__in=own)
    if called is not None:
        return qs.filter(Exists(called))
    return qs.none()


def may_see_whistle(viewer: Viewer, whistle: Whistle, org_ids: set[int] | None = None) -> bool:
    if not viewer.is_authenticated:
        return False
    if viewer.county_wide:
        return True
    if whistle.township_id in viewer.township_ids and viewer.roles & {Role.TOWNSHIP, Role.GRID_WORKER, Role.OFFICER}:
        return True
    if is_township_staff(viewer) and Dispatch.objects.filter(handled_q(viewer), whistle=whistle).exists():
        return True  # another township's whistle that calls this township
    if org_ids is None:
        org_ids = set(Dispatch.objects.filter(whistle=whistle).values_list("organisation_id", flat=True))
    return bool(org_ids & set(viewer.organisation_ids)) and bool(viewer.roles & {Role.DEPARTMENT, Role.OFFICER})


def may_handle(viewer: Viewer, dispatch: Dispatch) -> bool:
    """The viewer works this dispatch: staff of the body it is addressed to (handles_organisation)."""
    return handles_organisation(viewer, dispatch.organisation_id)


def whistle_parties(viewer: Viewer, whistle: Whistle) -> set[str]:
    """The workflow parties (workflows.py) the viewer is on this whistle."""
    parties: set[str] = set()
    if Role.TOWNSHIP in viewer.roles and whistle.township_id in viewer.township_ids:
        parties.add("township")
    if is_office(viewer):
        parties.add("office")
    return parties


def dispatch_parties(viewer: Viewer, dispatch: Dispatch) -> set[str]:
    """The workflow parties the viewer is on this dispatch."""
    parties: set[str] = set()
    if may_handle(viewer, dispatch):
        parties.add("handler")
    if is_office(viewer):
        parties.add("office")
    return parties


def may_reveal_whistle(viewer: Viewer, whistle: Whistle, dispatches: list[Dispatch]) -> bool:
    """Who needs the phone and ID numbers typed in a whistle's free text (its description, notes, reasons): the
    raising township, the establishment office and the bodies working it; leaders and supervision read it
    masked."""
    if whistle_parties(viewer, whistle):
        return True
    return any(d.status != "withdrawn" and may_handle(viewer, d) for d in dispatches)


def _not_found() -> NotFound:
    return NotFound(_("Whistle not found."))


def access_whistle(user: Any, whistle_id: Any, action: str = "view") -> Whistle:
    """The whistle if the user may do `action` ("view" | "township" (raising township's staff) | "office")."""
    viewer = viewer_for(user)
    pk = _int(whistle_id)
    if pk is None or not viewer.is_authenticated:
        raise _not_found()
    whistle = Whistle.objects.select_related("item", "township", "village").filter(pk=pk).first()
    if whistle is None:
        raise _not_found()
    if action == "township":
        ok = Role.TOWNSHIP in viewer.roles and whistle.township_id in viewer.township_ids
    elif action == "office":
        ok = is_office(viewer)
    else:
        ok = may_see_whistle(viewer, whistle)
    if not ok:
        raise _not_found()
    return whistle


def access_dispatch(user: Any, dispatch_id: Any, action: str = "act") -> Dispatch:
    """A dispatch the user's department may act on ("act"), or see ("view")."""
    viewer = viewer_for(user)
    pk = _int(dispatch_id)
    if pk is None or not viewer.is_authenticated:
        raise NotFound(_("Dispatch not found."))
    dispatch = Dispatch.objects.select_related("whistle", "organisation").filter(pk=pk).first()
    if dispatch is None:
        raise NotFound(_("Dispatch not found."))
    if action == "act":
        ok = may_handle(viewer, dispatch)
    else:
        ok = may_see_whistle(viewer, dispatch.whistle)
    if not ok:
        raise NotFound(_("Dispatch not found."))
    return dispatch


def access_dispute(user: Any, dispute_id: Any) -> Dispute:
    viewer = viewer_for(user)
    pk = _int(dispute_id)
    if pk is None or not is_office(viewer):
        raise NotFound(_("Dispute not found."))
    dispute = Dispute.objects.select_related("dispatch", "dispatch__whistle", "dispatch__organisation").filter(
        pk=pk).first()
    if dispute is None:
        raise NotFound(_("Dispute not found."))
    return dispute
