from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "tiaokuai.org"
    label = "org"
    verbose_name = _("Organisations and staffing")

    def ready(self) -> None:
        from tiaokuai.core import access
        from tiaokuai.core.registry import NavEntry, register_home_cards, register_nav

        from . import selectors, viewers
        from .choices import COUNTY_WIDE_ROLES, Role

        access.configure(resolver=viewers.compute_viewer, county_wide_roles=COUNTY_WIDE_ROLES,
                         registry_editor_roles={Role.ESTABLISHMENT_OFFICE})
        staff = frozenset(Role.values) - {Role.CITIZEN}
        local = frozenset(COUNTY_WIDE_ROLES | {Role.DEPARTMENT, Role.TOWNSHIP})
        register_nav(
            NavEntry(_("Registry"), _("Organisations"), "org:organisations", staff, order=400),
            NavEntry(_("Registry"), _("Divisions"), "org:divisions", staff, order=410),
            NavEntry(_("Registry"), _("Staffing"), "org:staffing", local, order=420),
            NavEntry(_("Registry"), _("Enforcement certificates"), "org:certificates", local | {Role.OFFICER},
                     order=430),
        )
        register_home_cards("org", selectors.home_cards, order=200)
        from tiaokuai.core.registry import register_todo

        from . import todo

        register_todo("org", todo.todo, order=200)  # certificates to renew on the workbench
        from . import audit_actions  # how this app's audit events read on a timeline

        audit_actions.register()
