from django.db import models
from django.utils.translation import gettext_lazy as _


class ListKind(models.TextChoices):
    RESPONSIBILITY = "responsibility", _("Responsibility list")
    WHISTLE = "whistle", _("Whistle list")


class ReleaseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class MatterKind(models.TextChoices):
    LICENSING = "licensing", _("Licensing")
    PENALTY = "penalty", _("Penalty")
    INSPECTION = "inspection", _("Inspection")
    PUBLIC_SERVICE = "public_service", _("Public service")
    OTHER = "other", _("Other")


class DutyRole(models.TextChoices):
    PRIMARY = "primary", _("Primary responsibility")
    COORDINATING = "coordinating", _("Coordinating responsibility")


class BodyKind(models.TextChoices):
    """Who a list row names: one organisation, or a role that each case resolves to a body (属地)."""

    ORGANISATION = "organisation", _("Named body")
    TERRITORIAL_TOWNSHIP = "territorial_township", _("The township where it happens")


TERRITORIAL_TOWNSHIP_LABEL = "属地乡镇（街道）"  # how lists, spreadsheets and the public page name the role
