from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "tiaokuai.routing"
    label = "routing"
    verbose_name = _("Text routing")

    def ready(self) -> None:
        from tiaokuai.core.registry import NavEntry, register_nav
        from tiaokuai.org.choices import Role

        register_nav(
            NavEntry(_("Whistles"), _("Routing queue"), "routing:queue", frozenset({Role.ESTABLISHMENT_OFFICE}),
                     order=150),
        )
        from . import audit_actions  # how this app's audit events read on a timeline

        audit_actions.register()
