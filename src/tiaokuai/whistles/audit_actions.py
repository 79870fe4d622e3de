"""How whistle audit events read on a timeline (registered from WhistlesConfig.ready())."""

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from tiaokuai.core import timeline
from tiaokuai.core.timeline import Field
from tiaokuai.org.models import Organisation

from .choices import (
    DispatchRole,
    DispatchStatus,
    EscalationKind,
    Outcome,
    Urgency,
    WhistleClass,
    WhistleStatus,
)
from .models import Dispatch, WhistleItem

WHISTLE = "whistles.whistle"
STEPS = {"respond": _("Respond"), "arrive": _("Arrive"), "resolve": _("Resolve")}


def register() -> None:
    org_by_code = timeline.model_lookup(Organisation, key="code")
    dispatch_org = timeline.model_lookup(Dispatch, name="organisation__name")
    dispatch_status = Field(_("status"), choices=DispatchStatus)
    hidden = Field(hidden=True)
    timeline.register_fields(WHISTLE, {
        "status": Field(_("status"), choices=WhistleStatus),
        "whistle_status": Field(_("whistle status"), choices=WhistleStatus),
        "organisation": Field(_("department"), lookup=org_by_code),
        "new_organisation": Field(_("rerouted to"), lookup=org_by_code),
        "lead": Field(_("lead department"), lookup=org_by_code),
        "assist": Field(_("assisting departments"), lookup=org_by_code),
        "role": Field(_("role"), choices=DispatchRole),
        "item": Field(_("item"), lookup=timeline.model_lookup(WhistleItem, key="code")),
        "urgency": Field(_("urgency"), choices=Urgency),
        "outcome": Field(_("outcome"), choices=Outcome),
        "kind": Field(_("overdue step"), choices=EscalationKind),
        "escalation_level": _("escalation level"),
        "overdue_minutes": Field(_("overdue by"), kind="minutes"),
        "paused_minutes": Field(_("clock paused for"), kind="minutes"),
        "late": Field(_("late"), kind="bool"),
        "people": _("people on site"),
        "arrived_at": Field(_("arrived at"), kind="datetime"),
        "respond_by": Field(_("respond by"), kind="datetime"),
        "arrive_by": Field(_("arrive by"), kind="datetime"),
        "resolve_by": Field(_("resolve by"), kind="datetime"),
        "text": _("text"),
        "speed": _("Speed"), "attitude": _("Attitude"), "result": _("Result"),
        "ratings": _("ratings"),
        "dispatches": Field(_("departments called")),
        "dispatch": Field(_("department"), lookup=dispatch_org),
        "id": hidden, "dispute": hidden, "new_dispatch": hidden, "item_release": hidden,
        "responsibility_release": hidden, "attachments": hidden,
    })
    # Departments in a list of dispatches / ratings are named by "organisation"; the id is internal.
    step = {"status": dispatch_status, "dispatch": hidden, "organisation": hidden}
    a = timeline.register_action
    a("whistles.raise", _("{actor} raised the whistle"))
    a("whistles.route", _("{actor} routed the whistle to {lead}"), fields={"dispatches": hidden})
    a("whistles.respond", _("{actor} accepted the dispatch"), fields=step)
    a("whistles.arrive", _("{actor} arrived on site: {people}"), fields=step)
    a("whistles.note", _("{actor} added a progress note: {text}"),
      fields=step | {"note": hidden, "attachments": Field(_("photos"))})
    a("whistles.resolve", _("{actor} resolved it: {outcome}"), fields=step | {"note": _("explanation")})
    a("whistles.dispute", _("{actor} disputed the dispatch: {reason}"), fields=step)
    a("whistles.keep", _("{actor} decided the dispute: {organisation} keeps the work"),
      fields={"status": dispatch_status, "dispatch": hidden})
    a("whistles.reroute", _("{actor} decided the dispute: rerouted from {organisation} to {new_organisation}"),
      fields={"status": dispatch_status, "dispatch": hidden})
    a("whistles.dispatch", _("{actor} dispatched it: {dispatches}"),
      fields={"dispatches": Field(_("departments called")), "replaces": hidden})
    a("whistles.dispatch_reopen", _("{actor} reopened the dispatch of {organisation}"), fields=step | {
        "organisation": Field(_("department"), lookup=org_by_code)})
    a("whistles.all_resolved", _("Every department has resolved it; waiting for the township to confirm"))
    timeline.register_fields("whistles.dispute", {"new_organisation": Field(_("rerouted to"), lookup=org_by_code),
                                                  "new_dispatch": hidden})
    a("whistles.dispute_kept", _("{actor} decided the dispute: kept"))
    a("whistles.dispute_rerouted", _("{actor} decided the dispute: rerouted to {new_organisation}"))
    a("whistles.confirm", _("{actor} confirmed it is solved"))
    a("whistles.return", _("{actor} returned it as not solved: {reason}"), fields={"dispatches": hidden})
    a("whistles.rate", _("{actor} rated the departments"), fields={"dispatch": hidden, "organisation": Field(
        _("department"), lookup=org_by_code)})
    a("whistles.close", _("{actor} closed the whistle"))
    a("whistles.reopen", _("{actor} reopened the whistle: {reason}"), fields={"dispatches": hidden})
    a("whistles.attach", _("{actor} added photos"), fields={"dispatch": Field(_("department"), lookup=dispatch_org)})
    a("whistles.escalate", _("{actor}: {dispatch} {kind}, escalated to level {escalation_level}"),
      fields={"dispatch": Field(_("department"), lookup=dispatch_org)})
    # Whistle items are edited on a list version (object duties.listrelease).
    item_fields: dict[str, Field] = {
        "whistle_class": Field(_("class"), choices=WhistleClass),
        "trigger": _("trigger"), "matter_code": _("matter code"),
    }
    for s, label in STEPS.items():
        for u in Urgency:
            item_fields[f"{s}_minutes_{u.value}"] = Field(format_lazy("{} ({})", label, u.label), kind="minutes")
    a("whistles.item.save", _("{actor} saved whistle item {code} {name}"), fields=item_fields)
    a("whistles.item.delete", _("{actor} deleted whistle item {code} {name}"), fields=item_fields)
