"""How notification audit events read on a timeline (registered from NotifyConfig.ready())."""

from django.utils.translation import gettext_lazy as _

from tiaokuai.core import timeline


def register() -> None:
    timeline.register_action("notify.delivery_retry", _("{actor} retried a failed delivery"))
