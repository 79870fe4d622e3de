"""Dispatch to bodies: a piece of work assigned to an organisation in a role, with step clocks that a
dispute pauses, an escalation ladder, an outcome kept apart from open/closed, and its escalation records.

A mechanism's dispatch model inherits `DispatchBase` and adds what it hangs off (a whistle, a request, an
admission…), its role and status choices and its step deadline fields; its escalation records inherit
`EscalationBase`, its disputes `DisputeBase` with the shared arbitration table (`dispute_workflow`) and
checks (`arbitration`). The behaviour that is the same for every mechanism lives here as functions over the
mechanism's `StepClocks`: pausing on a dispute, resuming with the pending deadlines moved by the paused
time, restarting the steps after a return or reopen. The state changes themselves go through the
mechanism's workflow table (core.workflow), the overdue sweep through its ladder (core.escalation).

The body model is `settings.TIAOKUAI_BODY_MODEL` ("org.Organisation"), named as a setting the way Django
names the user model, so the kernel imports no domain app.
"""

import datetime as dt
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import clocks
from .clocks import StepClocks, Unit
from .errors import Conflict
from .workflow import Workflow, action


class DispatchBase(models.Model):
    """What every dispatch has. Subclasses declare `role`, `status` and `outcome` with their own choices,
    their step deadline fields, and may re-declare `organisation` with their own related name."""

    organisation = models.ForeignKey(settings.TIAOKUAI_BODY_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("body"))
    # Where a disputed dispatch goes back to when the arbiter keeps it.
    status_before_dispute = models.CharField(max_length=16, blank=True, default="")
    outcome_note = models.TextField(_("outcome note"), blank=True, default="")
    dispatched_at = models.DateTimeField(_("dispatched at"))
    paused_minutes = models.PositiveIntegerField(_("paused minutes"), default=0)
    paused_since = models.DateTimeField(_("paused since"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    escalated_at = models.DateTimeField(_("last escalated at"), null=True, blank=True)
    next_check_at = models.DateTimeField(_("next check at"), null=True, blank=True)

    class Meta:
        abstract = True


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("Awaiting decision")
    KEPT = "kept", _("Kept")
    REROUTED = "rerouted", _("Rerouted")


class DisputeDecision(models.TextChoices):
    KEEP = "keep", _("Keep with this body")
    REROUTE = "reroute", _("Reroute to another body")


class DisputeBase(models.Model):
    """A body says "not ours" (citing the list) about its dispatch; an arbiter keeps or re-routes it.
    Subclasses add `dispatch` and `new_dispatch` keys to their dispatch model and the one-open-dispute
    constraint."""

    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(_("raised at"))
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=16, choices=DisputeStatus.choices, default=DisputeStatus.OPEN)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True, default="")
    new_organisation = models.ForeignKey(settings.TIAOKUAI_BODY_MODEL, null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="+", verbose_name=_("rerouted to"))

    class Meta:
        abstract = True
        ordering = ["-raised_at", "-id"]


def open_dispute[D: DisputeBase](table: Workflow, dispatch: DispatchBase, dispute_model: type[D], *, actor: Any,
                                 reason: str, now: dt.datetime, audit_on: models.Model, after: dict[str, Any]) -> D:
    """A body says "not ours": the dispute row (one open per dispatch: the model's constraint decides a race, the
    loser gets a 409 and nothing is written) and the dispatch's "dispute" action, which pauses its clocks."""
    try:
        with transaction.atomic():
            dispute = dispute_model._default_manager.create(dispatch=dispatch, raised_by=actor, raised_at=now,
                                                            reason=reason)
    except IntegrityError as exc:
        raise Conflict(gettext("This dispatch is already disputed."), code="state_conflict") from exc
    table.apply("dispute", dispatch, actor=actor, audit_on=audit_on,
                after={**after, "dispute": dispute.pk, "reason": reason[:500]},
                next_check_at=None, **pause(str(getattr(dispatch, table.state_field)), now))
    return dispute


def dispute_workflow(entity: str, *, audit_prefix: str, register: bool = True) -> Workflow:
    """The arbitration table every mechanism's disputes share: the arbiter ("office") keeps or re-routes."""
    return Workflow(entity, DisputeStatus, (
        action("keep", [DisputeStatus.OPEN], DisputeStatus.KEPT, who="office", audit=f"{audit_prefix}.dispute_kept",
               label=_("Keep")),
        action("reroute", [DisputeStatus.OPEN], DisputeStatus.REROUTED, who="office",
               audit=f"{audit_prefix}.dispute_rerouted", label=_("Reroute")),
    ), register=register)


def arbitration(decision: str, organisation_code: str | None, disputing_organisation_id: int
                ) -> tuple[Any, dict[str, list[str]]]:
    """Check an arbiter's decision: (the body to re-route to or None, per-field errors). Mechanisms add their
    own checks (e.g. a whistle's raising township cannot be called) to the errors."""
    errors: dict[str, list[str]] = {}
    if decision not in DisputeDecision.values:
        errors["decision"] = [gettext("Choose one of: %(values)s.") % {"values": ", ".join(DisputeDecision.values)}]
    new_org = None
    if decision == DisputeDecision.REROUTE:
        body_model = apps.get_model(settings.TIAOKUAI_BODY_MODEL)
        new_org = body_model._default_manager.filter(code=organisation_code or "", is_active=True).first()
        if new_org is None:
            errors["organisation"] = [gettext("Unknown organisation.")]
        elif new_org.pk == disputing_organisation_id:
            errors["organisation"] = [gettext("Choose a body other than the one disputing.")]
    return new_org, errors


class EscalationBase(models.Model):
    """One level of the ladder reached by one dispatch (once per level: subclasses add the unique
    constraint with their dispatch key). `kind` is the overdue step."""

    level = models.PositiveSmallIntegerField(_("level"))
    at = models.DateTimeField(_("at"))
    overdue_minutes = models.PositiveIntegerField(_("overdue minutes"), default=0)

    class Meta:
        abstract = True
        ordering = ["at", "id"]


def pause(status: str, now: dt.datetime) -> dict[str, Any]:
    """The field changes that pause a dispatch's clocks (a dispute): remember the status to go back to."""
    return {"status_before_dispute": str(status), "paused_since": now}


def resume(step_clocks: StepClocks, dispatch: DispatchBase, now: dt.datetime, unit: Unit | str
           ) -> tuple[int, dict[str, Any]]:
    """The paused time in the clock's unit and the field changes that resume a paused dispatch: the deadlines
    of the steps not yet done move later by the paused time (a dispute does not eat the body's time),
    those already met stay."""
    paused = max(0, clocks.elapsed(dispatch.paused_since or now, now, unit))
    shifted = {}
    for s in step_clocks.steps:
        due = getattr(dispatch, s.due_field)
        done = s.done_field is not None and getattr(dispatch, s.done_field)
        shifted[s.due_field] = due if done else clocks.shift(due, paused, unit)
    changes = {"paused_since": None, "paused_minutes": dispatch.paused_minutes + paused,
               "status_before_dispute": "", **shifted}
    return paused, changes


def restart(step_clocks: StepClocks, specs: tuple[clocks.DeadlineSpec, ...], now: dt.datetime, *,
            from_step: str) -> dict[str, Any]:
    """The field changes that run the steps from `from_step` on again from `now` (a return or reopen: the
    body must come again): fresh deadlines from the specs, those steps' done marks cleared."""
    names = [s.name for s in step_clocks.steps]
    if len(specs) != len(names):
        raise ValueError(f"{len(names)} deadline specs expected, got {len(specs)}")
    changes: dict[str, Any] = {}
    for s, spec in list(zip(step_clocks.steps, specs, strict=True))[names.index(from_step):]:
        changes[s.due_field] = spec.due(now)
        if s.done_field:
            changes[s.done_field] = None
    return changes
