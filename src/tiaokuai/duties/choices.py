from django.db import models
from django.utils.translation import gettext_lazy as _


class ListKind(models.TextChoices):
    RESPONSIBILITY = "responsibility", _("Responsibility list")
    WHISTLE = "whistle", _("Whistle list")


class ReleaseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


RELEASE_TRANSITIONS = {
    ReleaseStatus.DRAFT: {ReleaseStatus.PUBLISHED},
    ReleaseStatus.PUBLISHED: set(),  # a published version is never changed
}


class MatterKind(models.TextChoices):
    LICENSING = "licensing", _("Licensing")
    PENALTY = "penalty", _("Penalty")
    INSPECTION = "inspection", _("Inspection")
    PUBLIC_SERVICE = "public_service", _("Public service")
    OTHER = "other", _("Other")


class DutyRole(models.TextChoices):
    PRIMARY = "primary", _("Primary responsibility")
    COORDINATING = "coordinating", _("Coordinating responsibility")
