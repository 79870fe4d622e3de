"""Who may see and change what in the registry. Missing and forbidden look the same (NotFound)."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext as _

from tiaokuai.core.access import Viewer
from tiaokuai.core.errors import NotFound

from .choices import Role


def require_registry_editor(viewer: Viewer) -> None:
    """Only the establishment office (or a superuser) writes to the registry."""
    if not viewer.is_authenticated or not viewer.can_edit_registry:
        raise NotFound(_("No such record."))


def is_staff(viewer: Viewer) -> bool:
    """A signed-in member of a government body: any role but a citizen's (a citizen account holds only
    Role.CITIZEN). The registry and the internal versions of the lists are for staff; a citizen reads the public
    responsibility list (DOMAIN.md: citizens submit and track requests)."""
    return viewer.is_authenticated and (viewer.is_superuser or bool(viewer.roles - {Role.CITIZEN}))


def require_registry_reader(viewer: Viewer) -> None:
    """The registry (units, divisions, people, staffing, certificates) is internal: a citizen is refused (403, the
    Chinese error page), not shown an empty registry."""
    if not is_staff(viewer):
        raise PermissionDenied(_("The registry of units and people is for government staff."))


def sees_personal_data(viewer: Viewer) -> bool:
    return viewer.is_authenticated and viewer.can_edit_registry


def staffing_scope_q(viewer: Viewer, prefix: str = "") -> Q | None:
    """Organisations whose staffing and people the viewer may see, as a Q on Organisation
    (with `prefix` such as "organisation__"); None means everything (county-wide viewers).

    A department sees its own units and the units under them (its stationed agencies);
    a township sees the units serving its township (its government, offices, public
    institutions and the stationed agencies working there)."""
    if viewer.county_wide:
        return None
    return (
        Q(**{f"{prefix}pk__in": viewer.organisation_ids})
        | Q(**{f"{prefix}division_id__in": viewer.township_ids})
        | Q(**{f"{prefix}division__township_id__in": viewer.township_ids})
    )


def may_see_township(viewer: Viewer, township_id: int) -> bool:
    return viewer.is_authenticated and (viewer.county_wide or township_id in viewer.township_ids)


