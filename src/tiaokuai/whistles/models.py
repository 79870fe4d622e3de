"""The whistle list (吹哨清单), whistles (吹哨), dispatches to departments (派单/报到) and what hangs off them."""

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tiaokuai.core.dispatch import DispatchBase, DisputeBase, EscalationBase
from tiaokuai.core.models import AttachmentBase
from tiaokuai.duties.models import ListRelease
from tiaokuai.org.models import Division, Domain, Organisation

from .choices import (
    COUNTED_STATES,
    AssignmentRole,
    DispatchRole,
    DispatchStatus,
    EscalationKind,
    Outcome,
    Urgency,
    WhistleClass,
    WhistleStatus,
)


class WhistleItem(models.Model):
    """One item of the whistle list as it stands in one release (ListRelease kind="whistle").
    The code is stable across releases. The bodies called come from the responsibility list: the matter's
    primary body leads, its coordinating bodies assist."""

    release = models.ForeignKey(ListRelease, on_delete=models.CASCADE, related_name="whistle_items")
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="whistle_items", verbose_name=_("domain"))
    whistle_class = models.CharField(_("class"), max_length=8, choices=WhistleClass.choices,
                                     default=WhistleClass.SHOULD)
    trigger = models.TextField(_("when to whistle"), blank=True)
    matter_code = models.CharField(_("responsibility-list matter"), max_length=32, blank=True)
    respond_minutes_normal = models.PositiveIntegerField(_("respond within (normal, working minutes)"), default=120)
    respond_minutes_urgent = models.PositiveIntegerField(_("respond within (urgent, working minutes)"), default=30)
    respond_minutes_emergency = models.PositiveIntegerField(_("respond within (emergency, minutes)"), default=15)
    arrive_minutes_normal = models.PositiveIntegerField(_("arrive within (normal, working minutes)"), default=420)
    arrive_minutes_urgent = models.PositiveIntegerField(_("arrive within (urgent, working minutes)"), default=210)
    arrive_minutes_emergency = models.PositiveIntegerField(_("arrive within (emergency, minutes)"), default=60)
    resolve_minutes_normal = models.PositiveIntegerField(_("resolve within (normal, working minutes)"), default=2100)
    resolve_minutes_urgent = models.PositiveIntegerField(_("resolve within (urgent, working minutes)"), default=840)
    resolve_minutes_emergency = models.PositiveIntegerField(_("resolve within (emergency, minutes)"), default=720)

    class Meta:
        verbose_name = _("whistle list item")
        verbose_name_plural = _("whistle list items")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["release", "code"], name="whistle_item_unique_code")]
        indexes = [models.Index(fields=["code", "release"], name="whistle_item_code_release_idx")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def minutes(self, urgency: str) -> tuple[int, int, int]:
        """(respond, arrive, resolve) minutes for an urgency."""
        return (getattr(self, f"respond_minutes_{urgency}"), getattr(self, f"arrive_minutes_{urgency}"),
                getattr(self, f"resolve_minutes_{urgency}"))


class Whistle(models.Model):
    number = models.CharField(_("number"), max_length=32, unique=True)
    status = models.CharField(_("status"), max_length=16, choices=WhistleStatus.choices, default=WhistleStatus.OPEN)
    item = models.ForeignKey(WhistleItem, null=True, blank=True, on_delete=models.PROTECT, related_name="whistles",
                             verbose_name=_("whistle list item"))
    item_release = models.ForeignKey(ListRelease, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("whistle list version"))
    responsibility_release = models.ForeignKey(ListRelease, null=True, blank=True, on_delete=models.PROTECT,
                                               related_name="+", verbose_name=_("responsibility list version"))
    township = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("township"))
    village = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("village"))
    grid = models.ForeignKey(Division, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("grid"))
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("raised by"))
    raising_org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="raised_whistles",
                                    verbose_name=_("raising unit"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    description = models.TextField(_("description"))
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL)
    raised_at = models.DateTimeField(_("raised at"), db_index=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    return_count = models.PositiveSmallIntegerField(_("times returned"), default=0)
    # Set by the escalation sweep at level 3: the whistle shows on the supervision board.
    supervised_at = models.DateTimeField(_("under supervision since"), null=True, blank=True, db_index=True)
    # Whether the board's counts table (WhistleCount) includes this whistle. A raise writes no counts: the
    # whistles.counts sweep folds new ones in, and the boards add the few not folded yet (ADR 0015).
    in_counts = models.BooleanField(_("in the board's counts"), default=False)
    # The earliest deadline on its dispatches' running clocks (NULL: no clock runs); the whistle is overdue once it
    # has passed. Kept by services.counts in the transaction of every change to its dispatches (ADR 0020).
    overdue_from = models.DateTimeField(_("overdue from"), null=True, blank=True)
    # Whether the board's counts hold it as overdue: the whistles.counts sweep marks it once overdue_from has
    # passed; a change that leaves it on time unmarks it in the same transaction (ADR 0020).
    overdue_counted = models.BooleanField(_("counted overdue"), default=False)

    class Meta:
        verbose_name = _("whistle")
        verbose_name_plural = _("whistles")
        ordering = ["-raised_at", "-id"]
        indexes = [
            models.Index(fields=["township", "status"], name="whistle_township_status_idx"),
            models.Index(fields=["status", "raised_at"], name="whistle_status_raised_idx"),
            # The whistles not folded into the counts yet: a few seconds' worth of raises, whatever the history.
            models.Index(fields=["id"], name="whistle_not_in_counts_idx", condition=models.Q(in_counts=False)),
            # The open work by its earliest running deadline: "overdue" filters and counts read a range of it.
            models.Index(fields=["overdue_from"], name="whistle_overdue_idx",
                         condition=models.Q(overdue_from__isnull=False)),
            # Those not counted overdue yet: the few whose deadline passed since the sweep's last tick (ADR 0020).
            models.Index(fields=["overdue_from"], name="whistle_overdue_uncounted_idx",
                         condition=models.Q(overdue_counted=False, overdue_from__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.number


class Dispatch(DispatchBase):
    """The call to one body for one whistle, pinned to the list versions that decided it (the kernel's
    dispatch, core.dispatch, plus the whistle's three step deadlines and its list decision)."""

    whistle = models.ForeignKey(Whistle, on_delete=models.CASCADE, related_name="dispatches")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="whistle_dispatches",
                                     verbose_name=_("body"))
    role = models.CharField(_("role"), max_length=8, choices=DispatchRole.choices)
    status = models.CharField(_("status"), max_length=16, choices=DispatchStatus.choices,
                              default=DispatchStatus.DISPATCHED)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True, default="")
    respond_by = models.DateTimeField(_("respond by"))
    arrive_by = models.DateTimeField(_("arrive by"))
    resolve_by = models.DateTimeField(_("resolve by"))
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    arrival_people = models.CharField(_("who came"), max_length=300, blank=True, default="")
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    matter_code = models.CharField(_("matter"), max_length=32, blank=True, default="")
    assignment_role = models.CharField(_("responsibility"), max_length=16, choices=AssignmentRole.choices,
                                       blank=True, default="")
    decided_by_release = models.ForeignKey(ListRelease, null=True, blank=True, on_delete=models.PROTECT,
                                           related_name="+", verbose_name=_("decided by list version"))
    replaces = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                 verbose_name=_("replaces"))

    class Meta:
        verbose_name = _("dispatch")
        verbose_name_plural = _("dispatches")
        ordering = ["whistle_id", "-role", "id"]
        indexes = [
            models.Index(fields=["next_check_at"], name="dispatch_next_check_idx"),
            models.Index(fields=["organisation", "status"], name="dispatch_org_status_idx"),
            # The open dispatches are a few thousand among millions: overdue counts and filters start here.
            models.Index(fields=["status"], name="dispatch_status_idx"),
            # A body's queue (selectors.dispatch_inbox, the workbench): its open and disputed dispatches with every
            # column the queue's order reads, so the page's ids are sorted from this index alone (PostgreSQL; ADR 0020).
            models.Index(fields=["organisation", "status", "paused_since", "responded_at", "respond_by", "arrived_at",
                                 "arrive_by", "resolve_by", "id"],
                         condition=Q(status__in=["arrived", "dispatched", "disputed", "responded"]),
                         name="dispatch_queue_idx"),
            # "Does this whistle call the viewer's body?" (access.scope_whistles' EXISTS) from the index alone.
            models.Index(fields=["whistle", "organisation", "status"], name="dispatch_whistle_org_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(escalation_level__gte=0) & Q(escalation_level__lte=3),
                                   name="dispatch_escalation_level_range"),
            # A body is called once per whistle (routing and rerouting refuse a second call): two concurrent
            # reroutes to the same body cannot both land, and a body's dispatches in a month are its whistles.
            models.UniqueConstraint(fields=["whistle", "organisation"], condition=~Q(status="withdrawn"),
                                    name="dispatch_one_live_call_per_body"),
        ]

    def __str__(self) -> str:
        return f"{self.whistle_id}→{self.organisation_id} ({self.role})"


class DispatchNote(models.Model):
    dispatch = models.ForeignKey(Dispatch, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("note"))
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class Attachment(AttachmentBase):
    """A photo of a whistle, possibly of one dispatch or progress note (file and metadata: core.AttachmentBase)."""

    whistle = models.ForeignKey(Whistle, on_delete=models.CASCADE, related_name="attachments")
    dispatch = models.ForeignKey(Dispatch, null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="attachments")
    note = models.ForeignKey(DispatchNote, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="attachments")
    file = models.FileField(_("file"), upload_to="whistles/%Y/%m/")

    class Meta(AttachmentBase.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")


class Dispute(DisputeBase):
    """A department says "not ours" (citing the list); the establishment office keeps or reroutes (core.dispatch)."""

    dispatch = models.ForeignKey(Dispatch, on_delete=models.CASCADE, related_name="disputes")
    new_organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+", verbose_name=_("rerouted to"))
    new_dispatch = models.ForeignKey(Dispatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta(DisputeBase.Meta):
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["dispatch"], condition=Q(status="open"), name="dispute_one_open"),
        ]

    def __str__(self) -> str:
        return f"dispute {self.pk} on {self.dispatch_id}"


def _score() -> list:
    return [MinValueValidator(1), MaxValueValidator(5)]


class Rating(models.Model):
    """The township's rating of one dispatch (once per dispatch); it feeds the department's evaluation."""

    dispatch = models.OneToOneField(Dispatch, on_delete=models.CASCADE, related_name="rating")
    speed = models.PositiveSmallIntegerField(_("speed"), validators=_score())
    attitude = models.PositiveSmallIntegerField(_("attitude"), validators=_score())
    result = models.PositiveSmallIntegerField(_("result"), validators=_score())
    comment = models.TextField(_("comment"), blank=True, default="")
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.CheckConstraint(condition=Q(speed__gte=1, speed__lte=5, attitude__gte=1, attitude__lte=5,
                                               result__gte=1, result__lte=5), name="rating_scores_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.speed}/{self.attitude}/{self.result}"


class Escalation(EscalationBase):
    dispatch = models.ForeignKey(Dispatch, on_delete=models.CASCADE, related_name="escalations")
    kind = models.CharField(_("overdue step"), max_length=8, choices=EscalationKind.choices)

    class Meta(EscalationBase.Meta):
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["at", "id"]
        constraints = [models.UniqueConstraint(fields=["dispatch", "level"], name="escalation_once_per_level")]

    def __str__(self) -> str:
        return f"{self.dispatch_id} L{self.level}"


def _false_sql() -> str:
    """False as a literal: SQLite uses a partial index only for a condition it can match term by term."""
    from django.db import connection

    return "false" if connection.vendor == "postgresql" else "0"


def not_in_counts_ids_sql() -> tuple[str, tuple[Any, ...]]:
    """(SQL, params): SELECT of the ids of the whistles not folded into the counts yet, written as the partial index
    whistle_not_in_counts_idx states it — a statement of its own, so that it is read through that index first (a
    condition among others lets SQLite prefer the status index and walk the open work)."""
    from django.db import connection

    qn = connection.ops.quote_name
    t = qn(Whistle._meta.db_table)
    return f"SELECT {qn('id')} FROM {t} WHERE {t}.{qn('in_counts')} = {_false_sql()}", ()  # noqa: S608


def overdue_uncounted_ids_sql(now: Any) -> tuple[str, tuple[Any, ...]]:
    """(SQL, params): SELECT of the ids of the overdue whistles not counted overdue yet at `now`, written as the
    partial index whistle_overdue_uncounted_idx states it — the whistles whose deadline passed since the sweep's
    last tick."""
    from django.db import connection

    qn = connection.ops.quote_name
    t = qn(Whistle._meta.db_table)
    return (f"SELECT {qn('id')} FROM {t} WHERE {t}.{qn('overdue_counted')} = {_false_sql()} "  # noqa: S608
            f"AND {t}.{qn('overdue_from')} IS NOT NULL AND {t}.{qn('overdue_from')} <= %s",
            (connection.ops.adapt_datetimefield_value(now),))


class WhistleCount(models.Model):
    """How many whistles of one scope are in one status — the board's cards without walking the work in hand
    (ADR 0013). Kept by services.counts in the same transaction as each raise, dispatch and status change;
    `tiaokuai reconcile_whistle_counts` recounts it from the rows and reports drift.

    Scopes: "all" (scope_id 0), "town" (raised in township scope_id), "org" (any dispatch, withdrawn ones too,
    to organisation scope_id: what its staff see), "tview" (what staff of township scope_id see: raised there,
    or calling one of its bodies)."""

    kind = models.CharField(_("scope"), max_length=8)
    scope_id = models.IntegerField(_("scope id"))
    # A whistle status, or OVERDUE_COUNT: the whistles counted overdue (ADR 0020).
    status = models.CharField(_("status"), max_length=16, choices=COUNTED_STATES)
    n = models.IntegerField(_("whistles"), default=0)

    class Meta:
        verbose_name = _("whistle count")
        verbose_name_plural = _("whistle counts")
        constraints = [models.UniqueConstraint(fields=["kind", "scope_id", "status"], name="whistle_count_once")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.scope_id} {self.status} {self.n}"
