from django.db import models
from django.utils.translation import gettext_lazy as _


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed, will retry")
    DEAD = "dead", _("Gave up")


# States a delivery may still be (re)sent from.
OPEN_STATES = (DeliveryState.PENDING, DeliveryState.FAILED)
