"""Citizen requests (诉求) from every channel, their dispatches to the responsible body (the kernel's
core.dispatch), disputes, escalations, photos and the Open311 clients."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tiaokuai.core.dispatch import DispatchBase, DisputeBase, EscalationBase
from tiaokuai.core.models import AttachmentBase
from tiaokuai.duties.models import ListRelease
from tiaokuai.org.models import Division, Organisation

from .choices import (
    Channel,
    DispatchStatus,
    EscalationKind,
    InterviewLevel,
    InterviewStatus,
    Kind,
    Outcome,
    RequestStatus,
    Satisfaction,
    SupervisionReason,
    SupervisionStatus,
    SurveyStatus,
)


class Open311Client(models.Model):
    """A third party allowed to POST requests through Open311, with its own key (only a hash is stored) and
    its own rate limit."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_prefix = models.CharField(_("key starts with"), max_length=8, editable=False)
    rate_per_minute = models.PositiveIntegerField(_("requests per minute"), default=60)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("Open311 client")
        verbose_name_plural = _("Open311 clients")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# The open statuses in one fixed order: the partial indexes' condition and the duplicate query say it alike.
OPEN_STATUSES = sorted(str(x) for x in (RequestStatus.RECEIVED, RequestStatus.DISPATCHED, RequestStatus.RESOLVED))


class Request(models.Model):
    number = models.CharField(_("number"), max_length=32, unique=True)
    # What the citizen keeps to follow the request without signing in (tracking page, Open311 token).
    tracking_code = models.CharField(_("tracking code"), max_length=16, unique=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    kind = models.CharField(_("deadline class"), max_length=16, choices=Kind.choices, default=Kind.GENERAL)
    status = models.CharField(_("status"), max_length=16, choices=RequestStatus.choices,
                              default=RequestStatus.RECEIVED)
    description = models.TextField(_("description"))
    township = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("township"))
    village = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="+", verbose_name=_("village"))
    address = models.CharField(_("address"), max_length=200, blank=True, default="")
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    # A link to a photo the citizen's app gave (Open311 media_url): stored and shown as a link, never fetched.
    media_url = models.URLField(_("photo link"), max_length=500, blank=True, default="")
    # Personal data: masked on every page unless revealed (with an audit event) by a role that needs it.
    citizen_name = models.CharField(_("citizen's name"), max_length=60, blank=True, default="")
    citizen_phone = models.CharField(_("callback number"), max_length=30, blank=True, default="")
    matter_code = models.CharField(_("matter"), max_length=32, blank=True, default="")
    matter_name = models.CharField(_("matter name"), max_length=200, blank=True, default="")
    responsibility_release = models.ForeignKey(ListRelease, null=True, blank=True, on_delete=models.PROTECT,
                                               related_name="+", verbose_name=_("responsibility list version"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("taken by"))
    open311_client = models.ForeignKey(Open311Client, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="requests", verbose_name=_("Open311 client"))
    submitted_at = models.DateTimeField(_("submitted at"), db_index=True)
    updated_at = models.DateTimeField(_("updated at"), db_index=True)
    feedback_by = models.DateTimeField(_("feedback due"))
    resolved_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True, default="")
    outcome_note = models.TextField(_("answer"), blank=True, default="")
    outcome_confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                             on_delete=models.PROTECT, related_name="+",
                                             verbose_name=_("outcome confirmed by"))
    satisfaction = models.CharField(_("satisfaction"), max_length=16, choices=Satisfaction.choices, blank=True,
                                    default="")
    callback_comment = models.TextField(_("callback comment"), blank=True, default="")
    callback_at = models.DateTimeField(_("called back at"), null=True, blank=True)
    false_completion = models.BooleanField(_("false completion"), default=False)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    return_count = models.PositiveSmallIntegerField(_("times returned"), default=0)
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged",
                                    verbose_name=_("merged into"))
    supervised_at = models.DateTimeField(_("under supervision since"), null=True, blank=True, db_index=True)
    # The whistle a township raised from this request (whistles are another mechanism: only its number is kept).
    whistle_number = models.CharField(_("whistle raised from it"), max_length=32, blank=True, default="")

    class Meta:
        verbose_name = _("citizen request")
        verbose_name_plural = _("citizen requests")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["status", "submitted_at"], name="request_status_submitted_idx"),
            models.Index(fields=["township", "status"], name="request_township_status_idx"),
            models.Index(fields=["matter_code", "submitted_at"], name="request_matter_submitted_idx"),
            # Likely duplicates (selectors.likely_duplicates): open requests of the same village, or of the same
            # matter in the township, recent — partial indexes over open requests only (most are closed).
            models.Index(fields=["village", "submitted_at"], name="request_open_village_idx",
                         condition=Q(status__in=OPEN_STATUSES)),
            models.Index(fields=["township", "matter_code", "submitted_at"], name="request_open_matter_idx",
                         condition=Q(status__in=OPEN_STATUSES)),
        ]

    def __str__(self) -> str:
        return self.number


class RequestDispatch(DispatchBase):
    """A request sent to the body that answers for it (the kernel's dispatch plus two step deadlines)."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="dispatches")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="request_dispatches",
                                     verbose_name=_("body"))
    status = models.CharField(_("status"), max_length=16, choices=DispatchStatus.choices,
                              default=DispatchStatus.DISPATCHED)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True, default="")
    accept_by = models.DateTimeField(_("accept by"))
    resolve_by = models.DateTimeField(_("answer by"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    matter_code = models.CharField(_("matter"), max_length=32, blank=True, default="")
    decided_by_release = models.ForeignKey(ListRelease, null=True, blank=True, on_delete=models.PROTECT,
                                           related_name="+", verbose_name=_("decided by list version"))
    replaces = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                 verbose_name=_("replaces"))

    class Meta:
        verbose_name = _("request dispatch")
        verbose_name_plural = _("request dispatches")
        ordering = ["request_id", "id"]
        indexes = [
            models.Index(fields=["next_check_at"], name="rq_dispatch_next_check_idx"),
            models.Index(fields=["organisation", "status"], name="rq_dispatch_org_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(escalation_level__gte=0) & Q(escalation_level__lte=3),
                                   name="rq_dispatch_escalation_level_range"),
        ]

    def __str__(self) -> str:
        return f"{self.request_id}→{self.organisation_id}"


class RequestDispute(DisputeBase):
    """A body says "not ours" (citing the list); the establishment office keeps or reroutes (core.dispatch)."""

    dispatch = models.ForeignKey(RequestDispatch, on_delete=models.CASCADE, related_name="disputes")
    new_dispatch = models.ForeignKey(RequestDispatch, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    class Meta(DisputeBase.Meta):
        verbose_name = _("request dispute")
        verbose_name_plural = _("request disputes")
        constraints = [
            models.UniqueConstraint(fields=["dispatch"], condition=Q(status="open"), name="rq_dispute_one_open"),
        ]

    def __str__(self) -> str:
        return f"dispute {self.pk} on {self.dispatch_id}"


class RequestEscalation(EscalationBase):
    dispatch = models.ForeignKey(RequestDispatch, on_delete=models.CASCADE, related_name="escalations")
    kind = models.CharField(_("overdue step"), max_length=8, choices=EscalationKind.choices)

    class Meta(EscalationBase.Meta):
        verbose_name = _("request escalation")
        verbose_name_plural = _("request escalations")
        constraints = [models.UniqueConstraint(fields=["dispatch", "level"], name="rq_escalation_once_per_level")]

    def __str__(self) -> str:
        return f"{self.dispatch_id} L{self.level}"


class RequestAttachment(AttachmentBase):
    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="intake/%Y/%m/")
    # Empty for a photo an Open311 client posted (no user of ours uploaded it; the request names the client).
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")

    class Meta(AttachmentBase.Meta):
        verbose_name = _("request photo")
        verbose_name_plural = _("request photos")


class CallbackSurvey(models.Model):
    """The satisfaction callback by text message (短信回访): sent when a request closes to the citizen's mobile
    number; the reply ("1" satisfied, "2" basically, "3" not, or the words, then any comment) is recorded as the
    callback. Without a reply by `reply_by` the request is back in the callback queue for a phone call."""

    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="sms_surveys",
                                verbose_name=_("citizen request"))
    phone = models.CharField(_("mobile number"), max_length=20)
    status = models.CharField(_("status"), max_length=12, choices=SurveyStatus.choices,
                              default=SurveyStatus.WAITING)
    sent_at = models.DateTimeField(_("sent at"))
    reply_by = models.DateTimeField(_("reply by"))
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    reply = models.CharField(_("reply"), max_length=500, blank=True, default="")

    class Meta:
        verbose_name = _("SMS callback")
        verbose_name_plural = _("SMS callbacks")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["request"], condition=Q(status="waiting"), name="survey_one_waiting"),
        ]
        indexes = [
            models.Index(fields=["phone", "sent_at"], name="survey_waiting_phone_idx", condition=Q(status="waiting")),
            models.Index(fields=["reply_by"], name="survey_waiting_due_idx", condition=Q(status="waiting")),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} {self.status}"


class SupervisionItem(models.Model):
    """A finding for the supervision office (督查): one request of one unit, for one reason (overdue after the
    ladder, repeated returns, "not satisfied", false completion). Repeated findings for a unit lead to
    interviews (约谈)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="supervision_items",
                                     verbose_name=_("unit"))
    request = models.ForeignKey(Request, on_delete=models.CASCADE, related_name="supervision_items",
                                verbose_name=_("citizen request"))
    reason = models.CharField(_("reason"), max_length=20, choices=SupervisionReason.choices)
    status = models.CharField(_("status"), max_length=8, choices=SupervisionStatus.choices,
                              default=SupervisionStatus.OPEN)
    opened_at = models.DateTimeField(_("opened at"), db_index=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("closed by"))
    note = models.TextField(_("note"), blank=True, default="")

    class Meta:
        verbose_name = _("supervision item")
        verbose_name_plural = _("supervision items")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "reason"], condition=Q(status="open"),
                                    name="supervision_one_open_per_reason"),
        ]
        indexes = [models.Index(fields=["organisation", "opened_at"], name="supervision_org_opened_idx")]

    def __str__(self) -> str:
        return f"{self.request_id} {self.reason}"


class Interview(models.Model):
    """An accountability interview (约谈) of a unit: level 1 by the contact leader, 2 by the discipline
    secretary, 3 by the principal leaders with public notice (通报); the rectification promised is clocked."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="interviews",
                                     verbose_name=_("unit"))
    level = models.PositiveSmallIntegerField(_("level"), choices=InterviewLevel.choices)
    status = models.CharField(_("status"), max_length=12, choices=InterviewStatus.choices,
                              default=InterviewStatus.RECTIFYING)
    held_on = models.DateField(_("held on"))
    attendees = models.CharField(_("attendees"), max_length=300)
    minutes = models.TextField(_("minutes"))
    rectification = models.TextField(_("rectification promised"))
    rectify_by = models.DateTimeField(_("rectify by"))
    rectified_at = models.DateTimeField(_("rectified at"), null=True, blank=True)
    public_notice = models.BooleanField(_("public notice"), default=False)
    items = models.ManyToManyField(SupervisionItem, related_name="interviews", blank=True,
                                   verbose_name=_("findings"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.organisation_id} L{self.level} {self.held_on}"
