from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "tiaokuai.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from . import sweeps  # noqa: F401  (registers notify.retry)
