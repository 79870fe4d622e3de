""""Not ours" (a body cites the list) and the establishment office's arbitration."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tiaokuai.core import audit
from tiaokuai.core import dispatch as dispatch_kernel
from tiaokuai.core.errors import Conflict
from tiaokuai.org.choices import OrganisationKind

from ..access import access_dispute
from ..choices import (
    DEFAULT_MINUTES,
    DispatchStatus,
    DisputeDecision,
    Urgency,
)
from ..clocks import DISPATCH_CLOCKS, step_unit
from ..models import (
    Dispatch,
    Dispute,
)
from ..workflows import DISPATCH, DISPUTE
from .base import _invalid, _notify_departments, _notify_office, _values, next_check
from .raising import _new_dispatches
from .steps import _dispatch_for, _on

# ---------------------------------------------------------------- disputes


@transaction.atomic
def dispatch_dispute(*, actor: Any, dispatch_id: Any, reason: str) -> Dispute:
    """"Not ours": the department cites the list; its clocks stop until the office decides."""
    d = _dispatch_for(actor, dispatch_id, "dispute")
    reason = (reason or "").strip()
    if not reason:
        raise _invalid({"reason": [_("Give the reason, citing the list.")]})
    now = timezone.now()
    dispute = dispatch_kernel.open_dispute(DISPATCH, d, Dispute, actor=actor, reason=reason, now=now,
                                           audit_on=d.whistle, after=_on(d))
    _notify_office(d.whistle, kind="whistles.dispute",
                   title=_("Dispute on whistle %(number)s") % {"number": d.whistle.number}, body=reason[:500])
    return dispute


@transaction.atomic
def dispute_decide(*, actor: Any, dispute_id: Any, decision: str, organisation_code: str | None = None,
                   note: str = "") -> Dispute:
    """The establishment office arbitrates: keep (the dispatch goes back to where it was and its pending
    deadlines move by the paused time) or reroute (the dispatch is withdrawn and a new one, with fresh
    deadlines, goes to the right body)."""
    dispute = access_dispute(actor, dispute_id)
    if dispute.status not in DISPUTE.action("keep").sources:
        raise Conflict(_("This dispute has already been decided."), code="invalid_transition")
    d = dispute.dispatch
    whistle = d.whistle
    new_org, errors = dispatch_kernel.arbitration(decision, organisation_code, d.organisation_id)
    if new_org is not None and not errors:
        if new_org.kind == OrganisationKind.TOWNSHIP and new_org.division_id == whistle.township_id:
            errors["organisation"] = [_("The raising township cannot be called by its own whistle.")]
        elif Dispatch.objects.filter(whistle=whistle, organisation=new_org).exclude(
                status=DispatchStatus.WITHDRAWN).exists():
            errors["organisation"] = [_("This body is already called on this whistle.")]
    if errors:
        raise _invalid(errors)
    now = timezone.now()
    note = (note or "").strip()
    if decision == DisputeDecision.KEEP:
        back = d.status_before_dispute or DispatchStatus.DISPATCHED
        paused, resumed = dispatch_kernel.resume(DISPATCH_CLOCKS, d, now, step_unit(whistle.urgency))
        shifted = {s.due_field: resumed[s.due_field] for s in DISPATCH_CLOCKS.steps}
        nxt = next_check(_values(d, status=back, **resumed))
        DISPATCH.apply("keep", d, actor=actor, target=back, audit_on=whistle,
                       after=_on(d, dispute=dispute.pk, paused_minutes=paused, note=note[:500],
                                 **{k: v.isoformat() for k, v in shifted.items()}),
                       next_check_at=nxt, **resumed)
        DISPUTE.apply("keep", dispute, actor=actor, after={"note": note[:500]}, decided_by=actor, decided_at=now,
                      decision_note=note)
        _notify_departments(whistle, [d.organisation_id], kind="whistles.dispute_decided",
                            title=_("Dispute on whistle %(number)s: kept with your department")
                            % {"number": whistle.number})
    else:
        assert new_org is not None
        DISPATCH.apply("reroute", d, actor=actor, audit_on=whistle,
                       after=_on(d, dispute=dispute.pk, new_organisation=new_org.code, note=note[:500]),
                       paused_since=None, next_check_at=None)
        minutes = (whistle.item.minutes(whistle.urgency) if whistle.item_id and whistle.item
                   else DEFAULT_MINUTES[Urgency(whistle.urgency)])
        (new,) = _new_dispatches(whistle, [(new_org.pk, d.role, d.matter_code, d.assignment_role)], minutes, now,
                                 decided_by_id=d.decided_by_release_id)
        Dispatch.objects.filter(pk=new.pk).update(replaces=d)
        DISPUTE.apply("reroute", dispute, actor=actor,
                      after={"new_organisation": new_org.code, "new_dispatch": new.pk, "note": note[:500]},
                      decided_by=actor, decided_at=now, decision_note=note, new_organisation=new_org,
                      new_dispatch=new)
        audit.log(actor=actor, action="whistles.dispatch", obj=whistle, after={
            "dispatches": [{"id": new.pk, "organisation": new_org.code, "role": new.role}], "replaces": d.pk})
        _notify_departments(whistle, [new_org.pk], kind="whistles.dispatch",
                            title=_("Whistle %(number)s (rerouted to you)") % {"number": whistle.number},
                            body=whistle.description[:500])
    dispute.refresh_from_db()
    return dispute
