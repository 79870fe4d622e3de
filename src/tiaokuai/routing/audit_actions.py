"""How routing audit events read on a timeline (registered from RoutingConfig.ready())."""

from django.utils.translation import gettext_lazy as _

from tiaokuai.core import timeline
from tiaokuai.core.timeline import Field


def register() -> None:
    a = timeline.register_action
    a("routing.terms_add", _("{actor} taught the router words for {matter_code}: {words}"))
    a("routing.term_remove", _("{actor} removed the word {word} from {matter_code}"))
    a("routing.train", _("{actor} trained a routing model: {reason}"),
      fields={"accuracy": _("accuracy on held-back data"),
              "active_accuracy": _("active model's accuracy on the same data"),
              "switched": Field(_("now in use"), kind="bool"), "threshold": _("confidence threshold")})
