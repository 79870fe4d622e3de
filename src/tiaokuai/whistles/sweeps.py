"""The whistle dispatches' escalation ladder ("whistles.escalate"), run every minute by the worker.

The kernel's Ladder (core.escalation) does the sweep: claiming due rows in chunks, levels, next looks,
audit events. This module says what is specific to whistles: three rungs (reminder to the handlers, notice
to the heads of the body, supervision), the interval between levels (one working day; an hour for
emergencies), Escalation rows and the supervision mark, and one notification per (body, level) per
chunk listing that body's overdue whistles. See docs/adr/0004 and 0008.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tiaokuai.core import escalation
from tiaokuai.core import sweeps as core_sweeps
from tiaokuai.core.clocks import Unit
from tiaokuai.org.choices import Role

from . import services
from .choices import EscalationKind, EscalationLevel
from .clocks import DISPATCH_CLOCKS, step_unit
from .models import Dispatch, Escalation, Whistle
from .services import counts


class DispatchLadder(escalation.Ladder):
    name = "whistles.escalate"
    model = Dispatch
    clocks = DISPATCH_CLOCKS
    audit_action = "whistles.escalate"
    escalation_model = Escalation
    rungs = (
        escalation.Rung(EscalationLevel.REMINDER, gettext_lazy("Reminder to the handler"), tells="handlers"),
        escalation.Rung(EscalationLevel.HEAD, gettext_lazy("Notice to the department head"), tells="heads"),
        escalation.Rung(EscalationLevel.SUPERVISION, gettext_lazy("Supervision"), tells="supervision"),
    )
    fields = ("whistle_id", "organisation_id", "whistle__urgency", "whistle__number")

    def interval_end(self, at: dt.datetime, row: Mapping[str, Any]) -> dt.datetime:
        return services.escalation_interval_end(at, row.get("whistle__urgency") or row.get("urgency") or "normal")

    def unit(self, row: Mapping[str, Any]) -> Unit:
        return step_unit(row.get("whistle__urgency") or row.get("urgency") or "normal")

    def audit_target(self, row: Mapping[str, Any]) -> tuple[str, str, str]:
        # Written on the whistle (with the dispatch in `after`): the whistle's timeline tells the whole story.
        return "whistles.whistle", str(row["whistle_id"]), row["whistle__number"]

    def record(self, escalated: list[escalation.Escalated], now: dt.datetime) -> None:
        super().record(escalated, now)
        supervised = {e.row["whistle_id"] for e in escalated if e.level == self.top}
        if supervised:
            Whistle.objects.filter(pk__in=list(supervised), supervised_at__isnull=True).update(supervised_at=now)

    def tell(self, escalated: list[escalation.Escalated]) -> None:
        """One notification per (body, level), listing the overdue whistles; supervision gets one list."""
        from tiaokuai.org.models import Organisation

        outbox: dict[tuple[int | None, int], list[tuple[str, str, int]]] = defaultdict(list)
        for e in escalated:
            tells = self.rung(e.level).tells
            org = e.row["organisation_id"]
            outbox[(None if tells == "supervision" else org, e.level)].append((e.row["whistle__number"], e.step, org))
        levels = {self.rung(level).tells for _o, level in outbox}
        org_ids = {org for org, _level in outbox if org is not None}
        staff = services.department_users(org_ids) if "handlers" in levels else {}
        heads = services.department_users(org_ids, heads_only=True) if "heads" in levels else {}
        names = dict(Organisation.objects.filter(pk__in=org_ids | {o for items in outbox.values()
                                                                   for _n, _k, o in items}).values_list("pk", "name"))
        labels = {k: str(EscalationKind(k).label) for k in EscalationKind.values}
        for (org, level), items in outbox.items():
            lines = "\n".join(f"{number} — {labels[kind]}" + (f" ({names.get(o, '')})" if org is None else "")
                              for number, kind, o in items)
            tells = self.rung(level).tells
            if tells == "handlers":
                recipients: list[Any] = staff.get(org, [])
                title = _("Reminder: %(count)d overdue whistle dispatch(es)") % {"count": len(items)}
            elif tells == "heads":
                recipients = heads.get(org, [])
                title = _("Notice to the head of %(org)s: %(count)d overdue whistle dispatch(es)") % {
                    "org": names.get(org, ""), "count": len(items)}
            else:
                recipients = list(get_user_model().objects.filter(
                    is_active=True, person__memberships__role=Role.SUPERVISION).distinct())
                title = _("Supervision: %(count)d whistle dispatch(es) still overdue") % {"count": len(items)}
            services._notify(recipients=recipients, kind=f"whistles.escalate.{level}", title=title, body=lines,
                             url="/whistles/board/?overdue=1")


LADDER = DispatchLadder()


def register() -> None:
    escalation.register(LADDER)
    # New whistles into the board's counts table (ADR 0015): a raise writes no counts itself.
    core_sweeps.register("whistles.counts")(counts.fold_sweep)


def escalate(now: dt.datetime) -> dict[str, int]:
    return LADDER.run(now)
