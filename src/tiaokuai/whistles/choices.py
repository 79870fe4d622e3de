"""Statuses of whistles and dispatches and the default clocks (what may happen next: workflows.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from tiaokuai.core.dispatch import DisputeDecision, DisputeStatus  # noqa: F401 (the kernel's, named here too)


class WhistleClass(models.TextChoices):
    MUST = "must", _("Must whistle")
    SHOULD = "should", _("Should whistle")
    MAY = "may", _("May whistle")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")
    EMERGENCY = "emergency", _("Emergency")


class WhistleStatus(models.TextChoices):
    ROUTING = "routing", _("Awaiting routing")
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved, awaiting the township")
    CONFIRMED = "confirmed", _("Confirmed")
    CLOSED = "closed", _("Closed")


# The counts table's row of the whistles counted overdue, beside one row per status (models.WhistleCount, ADR 0020).
OVERDUE_COUNT = "overdue"
COUNTED_STATES = [*WhistleStatus.choices, (OVERDUE_COUNT, _("Overdue"))]


class DispatchRole(models.TextChoices):
    LEAD = "lead", _("Lead")
    ASSIST = "assist", _("Assist")


class DispatchStatus(models.TextChoices):
    DISPATCHED = "dispatched", _("Dispatched")
    RESPONDED = "responded", _("Responded")
    ARRIVED = "arrived", _("Arrived")
    RESOLVED = "resolved", _("Resolved")
    DISPUTED = "disputed", _("Disputed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Dispatches that still count (withdrawn ones were replaced by a reroute).
ACTIVE_DISPATCH = {DispatchStatus.DISPATCHED, DispatchStatus.RESPONDED, DispatchStatus.ARRIVED,
                   DispatchStatus.RESOLVED, DispatchStatus.DISPUTED}
# Dispatches with work still pending (the clocks run unless disputed).
PENDING_DISPATCH = {DispatchStatus.DISPATCHED, DispatchStatus.RESPONDED, DispatchStatus.ARRIVED}


class Outcome(models.TextChoices):
    RESOLVED = "resolved", _("Resolved")
    PARTLY_RESOLVED = "partly_resolved", _("Partly resolved")
    CANNOT_RESOLVE = "cannot_resolve", _("Cannot be resolved")
    REFERRED = "referred", _("Referred elsewhere")


# Outcomes that need a note saying why.
OUTCOMES_NEEDING_NOTE = {Outcome.PARTLY_RESOLVED, Outcome.CANNOT_RESOLVE, Outcome.REFERRED}


class AssignmentRole(models.TextChoices):
    PRIMARY = "primary", _("Primary responsibility")
    COORDINATING = "coordinating", _("Coordinating responsibility")
    MANUAL = "", _("Routed by hand")


class EscalationKind(models.TextChoices):
    RESPOND = "respond", _("Response overdue")
    ARRIVE = "arrive", _("Arrival overdue")
    RESOLVE = "resolve", _("Resolution overdue")


class EscalationLevel(models.IntegerChoices):
    NONE = 0, _("None")
    REMINDER = 1, _("Reminder to the handler")
    HEAD = 2, _("Notice to the department head")
    SUPERVISION = 3, _("Supervision")


MAX_ESCALATION_LEVEL = 3

# Deadlines (minutes) used when a whistle is not on the list and the office routes it by hand:
# (respond, arrive, resolve) per urgency; emergency minutes are natural time, the others working time.
DEFAULT_MINUTES = {
    Urgency.NORMAL: (120, 420, 2100),
    Urgency.URGENT: (30, 210, 840),
    Urgency.EMERGENCY: (15, 60, 720),
}

# Allowed photo types by magic bytes.
IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp"}

STATUS_BADGE = {
    WhistleStatus.ROUTING: "bg-yellow-lt",
    WhistleStatus.OPEN: "bg-blue-lt",
    WhistleStatus.RESOLVED: "bg-teal-lt",
    WhistleStatus.CONFIRMED: "bg-green-lt",
    WhistleStatus.CLOSED: "bg-secondary-lt",
    DispatchStatus.DISPATCHED: "bg-yellow-lt",
    DispatchStatus.RESPONDED: "bg-blue-lt",
    DispatchStatus.ARRIVED: "bg-azure-lt",
    DispatchStatus.DISPUTED: "bg-orange-lt",
    DispatchStatus.WITHDRAWN: "bg-secondary-lt",
}
