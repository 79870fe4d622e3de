from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "tiaokuai.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from . import audit_actions  # how this app's audit events read on a timeline

        audit_actions.register()
