"""The request dispatches' escalation ladder ("intake.escalate"), run every minute by the worker.

The kernel's Ladder (core.escalation) does the sweep. This module says what is specific to requests: three
rungs (reminder to the handlers, notice to the head of the unit, supervision — the request then shows on the
supervision list), the interval between levels by deadline class (clocks.py), and one notification per
(body, level) per chunk listing its overdue requests.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tiaokuai.core import audit, escalation
from tiaokuai.core.clocks import Unit
from tiaokuai.org.choices import Role

from .choices import EscalationKind, EscalationLevel, Kind, SupervisionReason, SupervisionStatus
from .clocks import DISPATCH_CLOCKS, overdue_unit, spec
from .models import Request, RequestDispatch, RequestEscalation, SupervisionItem


def _kind(row: Mapping[str, Any]) -> str:
    return row.get("request__kind") or row.get("kind") or Kind.GENERAL


class RequestLadder(escalation.Ladder):
    name = "intake.escalate"
    model = RequestDispatch
    clocks = DISPATCH_CLOCKS
    audit_action = "intake.escalate"
    escalation_model = RequestEscalation
    rungs = (
        escalation.Rung(EscalationLevel.REMINDER, gettext_lazy("Reminder to the handler"), tells="handlers"),
        escalation.Rung(EscalationLevel.HEAD, gettext_lazy("Notice to the head of the unit"), tells="heads"),
        escalation.Rung(EscalationLevel.SUPERVISION, gettext_lazy("Supervision"), tells="supervision"),
    )
    fields = ("request_id", "organisation_id", "request__kind", "request__number")

    def interval_end(self, at: dt.datetime, row: Mapping[str, Any]) -> dt.datetime:
        return spec(_kind(row), "interval").due(at)

    def unit(self, row: Mapping[str, Any]) -> Unit:
        return overdue_unit(_kind(row))

    def audit_target(self, row: Mapping[str, Any]) -> tuple[str, str, str]:
        return "intake.request", str(row["request_id"]), row["request__number"]

    def record(self, escalated: list[escalation.Escalated], now: dt.datetime) -> None:
        super().record(escalated, now)
        top = [e for e in escalated if e.level == self.top]
        if not top:
            return
        Request.objects.filter(pk__in=[e.row["request_id"] for e in top], supervised_at__isnull=True).update(
            supervised_at=now)
        # A supervision item (督查) per request still overdue at the top of the ladder (one open per reason).
        open_already = set(SupervisionItem.objects.filter(
            request_id__in=[e.row["request_id"] for e in top], reason=SupervisionReason.OVERDUE,
            status=SupervisionStatus.OPEN).values_list("request_id", flat=True))
        new = {e.row["request_id"]: e for e in top if e.row["request_id"] not in open_already}
        SupervisionItem.objects.bulk_create([
            SupervisionItem(organisation_id=e.row["organisation_id"], request_id=pk, reason=SupervisionReason.OVERDUE,
                            opened_at=now) for pk, e in new.items()], ignore_conflicts=True)
        audit.log_many([audit.Event(at=now, actor_id=None, action="intake.supervision_open",
                                    object_type="intake.request", object_id=str(pk), object_repr=e.row["request__number"],
                                    after={"reason": SupervisionReason.OVERDUE, "dispatch": e.pk})
                        for pk, e in new.items()])

    def tell(self, escalated: list[escalation.Escalated]) -> None:
        from tiaokuai.org.models import Organisation

        from . import services

        outbox: dict[tuple[int | None, int], list[tuple[str, str]]] = defaultdict(list)
        for e in escalated:
            tells = self.rung(e.level).tells
            org = e.row["organisation_id"]
            outbox[(None if tells == "supervision" else org, e.level)].append((e.row["request__number"], e.step))
        orgs = {o.pk: o for o in Organisation.objects.filter(pk__in={org for org, _l in outbox if org is not None})}
        heads = services.heads_of(orgs)
        labels = {k: str(EscalationKind(k).label) for k in EscalationKind.values}
        for (org, level), items in outbox.items():
            lines = "\n".join(f"{number} — {labels[kind]}" for number, kind in items)
            tells = self.rung(level).tells
            if tells == "handlers":
                recipients: list[Any] = services.body_users(orgs[org]) if org in orgs else []
                title = _("Reminder: %(count)d overdue citizen request(s)") % {"count": len(items)}
            elif tells == "heads":
                recipients = heads.get(org, []) if org is not None else []
                title = _("Notice to the head of %(org)s: %(count)d overdue citizen request(s)") % {
                    "org": orgs[org].name if org in orgs else "", "count": len(items)}
            else:
                recipients = services.role_users(Role.SUPERVISION)
                title = _("Supervision: %(count)d citizen request(s) still overdue") % {"count": len(items)}
            services._notify(recipients=recipients, kind=f"intake.escalate.{level}", title=title, body=lines,
                             url="/intake/supervision/")


LADDER = RequestLadder()


def register() -> None:
    from tiaokuai.core import sweeps

    escalation.register(LADDER)
    sweeps.register("intake.callback_sms_expire")(expire_callback_sms)


def expire_callback_sms(now: dt.datetime) -> dict[str, int]:
    """Text-message callbacks without a reply in time are closed; their requests are in the callback queue."""
    from .services import expire_callback_sms as expire

    return expire(now)


def escalate(now: dt.datetime) -> dict[str, int]:
    return LADDER.run(now)
