from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "tiaokuai.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from . import audit, audit_actions, sweeps  # how this app's audit events read on a timeline

        audit_actions.register()
        sweeps.register("core.audit_seal")(audit.seal_sweep)  # tamper evidence within a minute of each write
