from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tiaokuai.org.models import Domain, Organisation

from .choices import BodyKind, DutyRole, ListKind, MatterKind, ReleaseStatus


class ListRelease(models.Model):
    """One version of a list (responsibility list or whistle list). A draft is edited; a published
    release is frozen and in force from its effective date until the next one takes over."""

    kind = models.CharField(_("list"), max_length=16, choices=ListKind.choices)
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=120)
    status = models.CharField(_("status"), max_length=16, choices=ReleaseStatus.choices, default=ReleaseStatus.DRAFT)
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    notes = models.TextField(_("release notes"), blank=True)
    based_on = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("list release")
        verbose_name_plural = _("list releases")
        ordering = ["kind", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "number"], name="release_unique_number"),
            models.UniqueConstraint(fields=["kind"], condition=Q(status="draft"), name="release_one_draft_per_list"),
            models.UniqueConstraint(
                fields=["kind", "effective_from"], condition=Q(status="published"), name="release_unique_effective"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.number}"

    @property
    def is_draft(self) -> bool:
        return self.status == ReleaseStatus.DRAFT


class Matter(models.Model):
    """A matter (事项) as it stands in one release. The code is stable across releases."""

    release = models.ForeignKey(ListRelease, on_delete=models.CASCADE, related_name="matters")
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="matters", verbose_name=_("domain"))
    kind = models.CharField(_("kind"), max_length=16, choices=MatterKind.choices, default=MatterKind.OTHER)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    description = models.TextField(_("description"), blank=True)
    keywords = models.CharField(
        _("keywords"), max_length=300, blank=True, help_text=_("Words people use for this matter, separated by commas.")
    )

    class Meta:
        verbose_name = _("matter")
        verbose_name_plural = _("matters")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["release", "code"], name="matter_unique_code_per_release")]
        indexes = [models.Index(fields=["code", "release"], name="matter_code_release_idx")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class BodyMixin:
    """A list row's body: an organisation, or the territorial role 属地乡镇（街道） (organisation empty), which
    each whistle or case resolves to the government of its township (duties.selectors.resolve_body)."""

    body_kind: str
    organisation: Organisation | None

    @property
    def is_territorial(self) -> bool:
        return self.body_kind == BodyKind.TERRITORIAL_TOWNSHIP

    @property
    def body_code(self) -> str:
        """The unit code, or "territorial_township" for the role (the value lists, forms and the API use)."""
        if self.is_territorial:
            return BodyKind.TERRITORIAL_TOWNSHIP.value
        return self.organisation.code if self.organisation is not None else ""

    @property
    def body_name(self) -> str:
        if self.is_territorial:
            return str(BodyKind.TERRITORIAL_TOWNSHIP.label)  # 属地乡镇（街道）
        return self.organisation.name if self.organisation is not None else ""


def _body_kind_field() -> models.CharField:
    return models.CharField(_("body kind"), max_length=24, choices=BodyKind.choices, default=BodyKind.ORGANISATION)


class Assignment(BodyMixin, models.Model):
    """A body's responsibility for a matter: primary (主体) or coordinating (配合), with its duty text. The body is
    an organisation, or the territorial role 属地乡镇（街道） (then organisation is empty)."""

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="assignments")
    body_kind = _body_kind_field()
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="duty_assignments", verbose_name=_("body"))
    role = models.CharField(_("responsibility"), max_length=16, choices=DutyRole.choices)
    duty = models.TextField(_("duty"))

    class Meta:
        verbose_name = _("responsibility assignment")
        verbose_name_plural = _("responsibility assignments")
        ordering = ["matter", "-role", "body_kind", "organisation__code"]
        constraints = [
            models.UniqueConstraint(fields=["matter", "organisation"], name="assignment_unique_body"),
            models.UniqueConstraint(fields=["matter"], condition=Q(body_kind=BodyKind.TERRITORIAL_TOWNSHIP),
                                    name="assignment_one_territorial"),
            models.UniqueConstraint(fields=["matter"], condition=Q(role="primary"), name="assignment_one_primary"),
            models.CheckConstraint(
                condition=Q(body_kind=BodyKind.ORGANISATION, organisation__isnull=False)
                | Q(body_kind=BodyKind.TERRITORIAL_TOWNSHIP, organisation__isnull=True),
                name="assignment_organisation_or_territorial"),
        ]

    def __str__(self) -> str:
        return f"{self.matter.code} {self.body_name} ({self.role})"


class ProcessStep(BodyMixin, models.Model):
    """A step of the matter's published process flow: who does what, in what order, within what time. The body
    is optional: an organisation, the territorial role 属地乡镇（街道）, or none."""

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("order"))
    body_kind = _body_kind_field()
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("body"))
    action = models.CharField(_("action"), max_length=200)
    time_limit_days = models.PositiveSmallIntegerField(_("time limit (working days)"), null=True, blank=True)

    class Meta:
        verbose_name = _("process step")
        verbose_name_plural = _("process steps")
        ordering = ["matter", "order"]
        constraints = [
            models.UniqueConstraint(fields=["matter", "order"], name="step_unique_order"),
            models.CheckConstraint(condition=~Q(body_kind=BodyKind.TERRITORIAL_TOWNSHIP, organisation__isnull=False),
                                   name="step_organisation_or_territorial"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.action}"
