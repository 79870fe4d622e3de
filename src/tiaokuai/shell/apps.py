from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShellConfig(AppConfig):
    """The top layer: navigation, the home page and the system pages, drawn from what the apps
    register in tiaokuai.core.registry."""

    name = "tiaokuai.shell"
    label = "shell"
    verbose_name = _("Shell")

    def ready(self) -> None:
        from tiaokuai.core.registry import NavEntry, register_nav
        from tiaokuai.org.choices import COUNTY_WIDE_ROLES, Role

        register_nav(
            NavEntry(_("Overview"), _("Workbench"), "home", frozenset(Role.values), order=0),
            NavEntry(_("System"), _("Working calendar"), "shell:calendar",
                     frozenset({Role.ESTABLISHMENT_OFFICE}), order=920),
            NavEntry(_("System"), _("Two-factor sign-in"), "two_factor", frozenset(COUNTY_WIDE_ROLES), order=930),
        )
