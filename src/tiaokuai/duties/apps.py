from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DutiesConfig(AppConfig):
    name = "tiaokuai.duties"
    label = "duties"
    verbose_name = _("Responsibility lists")

    def ready(self) -> None:
        from tiaokuai.core.registry import NavEntry, register_home_cards, register_nav
        from tiaokuai.org.choices import Role

        from . import selectors

        staff = frozenset(Role.values) - {Role.CITIZEN}
        register_nav(
            NavEntry(_("Lists"), _("Responsibility list"), "duties:in_force", staff, order=300),
            NavEntry(_("Lists"), _("List versions"), "duties:releases", staff, order=310),
        )
        register_home_cards("duties", selectors.home_cards, order=300)
        from tiaokuai.core.registry import register_todo

        from . import todo

        register_todo("duties", todo.todo, order=300)  # drafts to publish on the workbench
        from . import audit_actions  # how this app's audit events read on a timeline

        audit_actions.register()
