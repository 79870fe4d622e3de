"""Statuses, channels, deadline classes and outcomes of citizen requests (what may happen next: workflows.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from tiaokuai.core.dispatch import DisputeDecision, DisputeStatus  # noqa: F401 - the kernel's, shared by mechanisms


class Channel(models.TextChoices):
    WEB = "web", _("Public web form")
    HOTLINE = "hotline", _("Hotline")
    PROXY = "proxy", _("Proxy agent's visit")
    GRID = "grid", _("Grid worker's report")
    OPEN311 = "open311", _("Open311")


class Kind(models.TextChoices):
    """The deadline class of a request (the common 12345 practice; the deadlines are in clocks.py)."""

    LIFE_PROPERTY = "life_property", _("Risk to life or property")
    UTILITIES = "utilities", _("Water, power, gas or heating")
    GENERAL = "general", _("General")
    COMPLEX = "complex", _("Complex")


class RequestStatus(models.TextChoices):
    RECEIVED = "received", _("Awaiting dispatch")
    DISPATCHED = "dispatched", _("Being handled")
    RESOLVED = "resolved", _("Answered, awaiting closing")
    CLOSED = "closed", _("Closed")
    MERGED = "merged", _("Merged into another request")


OPEN_REQUEST = {RequestStatus.RECEIVED, RequestStatus.DISPATCHED, RequestStatus.RESOLVED}


class DispatchStatus(models.TextChoices):
    DISPATCHED = "dispatched", _("Awaiting acceptance")
    ACCEPTED = "accepted", _("Accepted")
    RESOLVED = "resolved", _("Answered")
    DISPUTED = "disputed", _("Disputed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


PENDING_DISPATCH = {DispatchStatus.DISPATCHED, DispatchStatus.ACCEPTED}


class Outcome(models.TextChoices):
    RESOLVED = "resolved", _("Resolved")
    PARTLY_RESOLVED = "partly_resolved", _("Partly resolved")
    EXPLAINED = "explained", _("Explained to the citizen")
    CANNOT_RESOLVE = "cannot_resolve", _("Cannot be resolved")
    UNREASONABLE = "unreasonable", _("Unreasonable request")
    ANSWERED_ON_SPOT = "answered_on_spot", _("Consultation answered on the spot")


# Outcomes a supervisor confirms before the request closes; they are left out of satisfaction figures.
NEEDS_CONFIRMATION = {Outcome.UNREASONABLE, Outcome.ANSWERED_ON_SPOT}
EXCLUDED_FROM_SATISFACTION = NEEDS_CONFIRMATION
OUTCOMES_NEEDING_NOTE = {Outcome.PARTLY_RESOLVED, Outcome.CANNOT_RESOLVE, Outcome.UNREASONABLE}
# What a handler may answer (answered on the spot is the hotline operator's own outcome).
HANDLER_OUTCOMES = [o for o in Outcome.values if o != Outcome.ANSWERED_ON_SPOT]


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASIC = "basic", _("Basically satisfied")
    UNSATISFIED = "unsatisfied", _("Not satisfied")


class SurveyStatus(models.TextChoices):
    """A satisfaction callback by text message (短信回访)."""

    WAITING = "waiting", _("Waiting for the reply")
    ANSWERED = "answered", _("Replied")
    UNCLEAR = "unclear", _("Reply not understood")
    EXPIRED = "expired", _("No reply in time")
    CANCELLED = "cancelled", _("Called back by phone instead")


class EscalationKind(models.TextChoices):
    ACCEPT = "accept", _("Acceptance overdue")
    RESOLVE = "resolve", _("Answer overdue")


class EscalationLevel(models.IntegerChoices):
    NONE = 0, _("None")
    REMINDER = 1, _("Reminder to the handler")
    HEAD = 2, _("Notice to the head of the unit")
    SUPERVISION = 3, _("Supervision")


STATUS_BADGE = {
    RequestStatus.RECEIVED: "bg-yellow-lt",
    RequestStatus.DISPATCHED: "bg-blue-lt",
    RequestStatus.RESOLVED: "bg-teal-lt",
    RequestStatus.CLOSED: "bg-green-lt",
    RequestStatus.MERGED: "bg-secondary-lt",
}


class SupervisionReason(models.TextChoices):
    OVERDUE = "overdue", _("Still overdue after the escalation ladder")
    RETURNS = "returns", _("Answer returned repeatedly")
    UNSATISFIED = "unsatisfied", _("Citizen not satisfied")
    FALSE_COMPLETION = "false_completion", _("False completion")


class SupervisionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class InterviewLevel(models.IntegerChoices):
    CONTACT_LEADER = 1, _("Interview by the contact leader")
    DISCIPLINE_SECRETARY = 2, _("Interview by the discipline secretary")
    PRINCIPAL_LEADERS = 3, _("Interview by the principal leaders, with public notice")


class InterviewStatus(models.TextChoices):
    RECTIFYING = "rectifying", _("Rectification under way")
    RECTIFIED = "rectified", _("Rectified")


# Returns of one request's answer that open a supervision item.
RETURNS_FOR_SUPERVISION = 2
