from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WhistlesConfig(AppConfig):
    name = "tiaokuai.whistles"
    label = "whistles"
    verbose_name = _("Whistle and report")

    def ready(self) -> None:
        from tiaokuai.duties import services as duties_services

        from . import services, sweeps

        duties_services.DRAFT_COPIERS["whistle"] = services.copy_items
        duties_services.PUBLISH_VALIDATORS["whistle"] = services.publish_problems
        sweeps.register()
