from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "tiaokuai.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from tiaokuai.core.registry import NavEntry, register_nav
        from tiaokuai.org.choices import Role

        from . import sweeps  # noqa: F401  (registers notify.retry)

        register_nav(
            NavEntry(_("System"), _("Notifications"), "notify:inbox", frozenset(Role.values) - {Role.CITIZEN},
                     order=900),
            NavEntry(_("System"), _("Outbox"), "notify:outbox", frozenset({Role.ESTABLISHMENT_OFFICE}), order=910),
        )
        from . import audit_actions  # how this app's audit events read on a timeline

        audit_actions.register()
