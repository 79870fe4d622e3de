from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import PARENT_LEVEL, DivisionKind, DivisionLevel, EstablishmentKind, OrganisationKind, Role


class Division(models.Model):
    """Administrative division: county → township → village/community → grid."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=16, choices=DivisionLevel.choices, db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=DivisionKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )
    # Denormalised township for villages and grids, so scoping is one indexed filter.
    township = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("township")
    )
    institution_limit = models.PositiveIntegerField(
        _("institution limit"), null=True, blank=True, help_text=_("County only: approved number of institutions.")
    )

    class Meta:
        verbose_name = _("division")
        verbose_name_plural = _("divisions")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        expected = PARENT_LEVEL.get(DivisionLevel(self.level)) if self.level else None
        if expected is None and self.parent_id:
            raise ValidationError({"parent": _("A county has no parent division.")})
        if expected is not None and (self.parent is None or self.parent.level != expected):
            raise ValidationError({"parent": _("The parent must be a division of level “%(level)s”.") % {
                "level": DivisionLevel(expected).label}})


class Organisation(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=120)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=OrganisationKind.choices, db_index=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )
    division = models.ForeignKey(
        Division, on_delete=models.PROTECT, related_name="organisations", verbose_name=_("division served")
    )
    counts_toward_limit = models.BooleanField(
        _("counts toward institution limit"), default=False,
        help_text=_("County party and government institutions counted against the county's approved limit."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    functions = models.TextField(_("main functions"), blank=True, default="")

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Person(models.Model):
    name = models.CharField(_("name"), max_length=50)
    id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="person"
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person's role in an organisation; a person may belong to several units."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=24, choices=Role.choices)
    division = models.ForeignKey(
        Division, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("division served"),
        help_text=_("For township staff, grid workers and proxy agents: the township, village or grid served."),
    )
    title = models.CharField(_("title"), max_length=60, blank=True)
    is_head = models.BooleanField(_("head of unit"), default=False)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["person", "organisation", "role"], name="membership_unique_role"),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.organisation} ({self.role})"


class EstablishmentQuota(models.Model):
    """Approved establishment (编制) of one kind for one organisation, and its leadership posts."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="quotas")
    kind = models.CharField(_("establishment kind"), max_length=16, choices=EstablishmentKind.choices)
    approved = models.PositiveIntegerField(_("approved"))
    leadership_posts = models.PositiveIntegerField(_("leadership posts"), default=0)

    class Meta:
        verbose_name = _("establishment quota")
        verbose_name_plural = _("establishment quotas")
        constraints = [models.UniqueConstraint(fields=["organisation", "kind"], name="quota_unique_kind")]

    def __str__(self) -> str:
        return f"{self.organisation} {self.kind} {self.approved}"


class StaffAssignment(models.Model):
    """Real-name placement of one person in one establishment slot (编制、岗位和人员一一对应)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="assignments")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="assignments")
    kind = models.CharField(_("establishment kind"), max_length=16, choices=EstablishmentKind.choices)
    post = models.CharField(_("post"), max_length=60)
    is_leadership = models.BooleanField(_("leadership post"), default=False)
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("reason for ending"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("staff assignment")
        verbose_name_plural = _("staff assignments")
        constraints = [
            # One person, one slot: at most one current assignment per person.
            models.UniqueConstraint(fields=["person"], condition=Q(ended_on__isnull=True),
                                    name="assignment_one_current_per_person"),
        ]
        indexes = [models.Index(fields=["organisation", "kind"], name="assignment_org_kind_idx")]

    def __str__(self) -> str:
        return f"{self.person} — {self.post}"


class Domain(models.Model):
    """A field of governance (领域), e.g. 自然资源, 生态环境: the registry's, used by lists, certificates and
    mechanisms."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=40)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        # The table keeps its first name: the model moved from duties to org (below both) without copying data.
        db_table = "duties_domain"
        verbose_name = _("domain")
        verbose_name_plural = _("domains")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class Certificate(models.Model):
    """Administrative enforcement certificate (执法证)."""

    holder = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="certificates")
    number = models.CharField(_("certificate number"), max_length=40, unique=True)
    domains = models.ManyToManyField(Domain, related_name="certificates", verbose_name=_("domains"))
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"), db_index=True)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    issuer = models.CharField(_("issuing authority"), max_length=100, blank=True, default="")
    revoke_reason = models.CharField(_("reason for revoking"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("enforcement certificate")
        verbose_name_plural = _("enforcement certificates")
        ordering = ["expires_on"]

    def __str__(self) -> str:
        return self.number

    def clean(self) -> None:
        if self.issued_on and self.expires_on and self.expires_on <= self.issued_on:
            raise ValidationError({"expires_on": _("The expiry date must be after the issue date.")})
