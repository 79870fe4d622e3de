from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WhistlesConfig(AppConfig):
    name = "tiaokuai.whistles"
    label = "whistles"
    verbose_name = _("Whistle and report")

    def ready(self) -> None:
        from tiaokuai.duties import services as duties_services

        from . import routing_sources, services, sweeps

        duties_services.DRAFT_COPIERS["whistle"] = services.copy_items
        duties_services.PUBLISH_VALIDATORS["whistle"] = services.publish_problems
        sweeps.register()
        _register_pages()
        routing_sources.register()
        from . import audit_actions  # how this app's audit events read on a timeline

        audit_actions.register()


def _register_pages() -> None:
    """Left-navigation entries, workbench to-do and home figures (rendered by the shell)."""
    from tiaokuai.core.registry import NavEntry, register_home_cards, register_nav, register_todo
    from tiaokuai.org.choices import COUNTY_WIDE_ROLES, Role

    from . import todo

    register_todo("whistles", todo.todo, order=100)
    register_home_cards("whistles", todo.home_cards, order=100)

    staff = frozenset(Role.values) - {Role.CITIZEN}
    local = frozenset(COUNTY_WIDE_ROLES | {Role.DEPARTMENT, Role.TOWNSHIP})
    register_nav(
        NavEntry(_("Whistles"), _("Raise a whistle"), "whistles:raise", frozenset({Role.TOWNSHIP}), order=100),
        NavEntry(_("Whistles"), _("Dispatch inbox"), "whistles:inbox", frozenset({Role.DEPARTMENT, Role.TOWNSHIP}),
                 order=110),
        NavEntry(_("Whistles"), _("Whistles"), "whistles:list", staff, order=120),
        NavEntry(_("Whistles"), _("Whistle board"), "whistles:board", local, order=130),
        NavEntry(_("Whistles"), _("Disputes"), "whistles:disputes", frozenset({Role.ESTABLISHMENT_OFFICE}), order=140),
        NavEntry(_("Whistles"), _("Figures"), "whistles:figures", local, order=160),
        NavEntry(_("Lists"), _("Whistle list"), "whistles:items", staff, order=320),
    )
