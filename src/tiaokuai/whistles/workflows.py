"""The workflow tables of whistles, dispatches and disputes: the only statement of what may happen next.

Services change state only through these tables (`Workflow.apply`: compare-and-set and the one audit
event); pages, the inbox and the API offer `Workflow.available(state, parties)`; tests read them.

Parties: "handler" — staff of the body the dispatch is addressed to (a county department, or the
township government for duties of the township where it happens); "township" — staff of the raising
township; "office" — the establishment office (arbitration, manual routing); "system" — the platform
itself (the cascade when every body has finished, the escalation sweep).
"""

from django.utils.translation import gettext_lazy as _

from tiaokuai.core.dispatch import dispute_workflow
from tiaokuai.core.workflow import Workflow, action

from .choices import DispatchStatus as D
from .choices import WhistleStatus as W

_PENDING = (D.DISPATCHED, D.RESPONDED, D.ARRIVED)


def _counts_moved(whistle, old: str, new: str) -> None:  # type: ignore[no-untyped-def]
    """Every whistle status change keeps the board's counts (services.counts) in its own transaction."""
    from .services.counts import whistle_moved

    whistle_moved(whistle, old, new)


def _overdue_moved(dispatch, old: str, new: str) -> None:  # type: ignore[no-untyped-def]
    """Every dispatch status change keeps its whistle's earliest deadline and overdue count (services.counts)."""
    from .services.counts import dispatch_moved

    dispatch_moved(dispatch, old, new)


WHISTLE = Workflow("whistles.whistle", W, (
    action("route", [W.ROUTING], W.OPEN, who="office", audit="whistles.route", label=_("Route")),
    # The last body to finish turns the whistle over to the township (a cascade of dispatch "resolve").
    action("all_resolved", [W.OPEN], W.RESOLVED, who="system", audit="whistles.all_resolved",
           label=_("All bodies finished")),
    action("confirm", [W.RESOLVED], W.CONFIRMED, who="township", audit="whistles.confirm", label=_("Confirm")),
    action("return", [W.RESOLVED], W.OPEN, who="township", audit="whistles.return", label=_("Return")),
    action("rate", [W.CONFIRMED, W.CLOSED], None, who="township", audit="whistles.rate", label=_("Rate")),
    action("close", [W.CONFIRMED], W.CLOSED, who="township", audit="whistles.close", label=_("Close")),
    action("reopen", [W.CLOSED], W.OPEN, who="township", audit="whistles.reopen", label=_("Reopen")),
    action("attach", [W.ROUTING, W.OPEN, W.RESOLVED, W.CONFIRMED], None, who=("township", "handler"),
           audit="whistles.attach", label=_("Add photos")),
), on_change=_counts_moved)

DISPATCH = Workflow("whistles.dispatch", D, (
    action("respond", [D.DISPATCHED], D.RESPONDED, who="handler", audit="whistles.respond", label=_("Respond")),
    action("arrive", [D.RESPONDED], D.ARRIVED, who="handler", audit="whistles.arrive", label=_("Report on site")),
    action("resolve", [D.ARRIVED], D.RESOLVED, who="handler", audit="whistles.resolve", label=_("Resolve")),
    action("dispute", _PENDING, D.DISPUTED, who="handler", audit="whistles.dispute", label=_("Not ours")),
    action("note", [*_PENDING, D.DISPUTED, D.RESOLVED], None, who="handler", audit="whistles.note",
           label=_("Progress note")),
    # Arbitration: keep sends the dispatch back to the step it was on; reroute withdraws it.
    action("keep", [D.DISPUTED], _PENDING, who="office", audit="whistles.keep", label=_("Keep")),
    action("reroute", [D.DISPUTED], D.WITHDRAWN, who="office", audit="whistles.reroute", label=_("Reroute")),
    # The township returns or reopens the whistle: finished bodies must come again.
    action("reopen", [D.RESOLVED], D.RESPONDED, who="township", audit="whistles.dispatch_reopen",
           label=_("Reopen")),
    # The escalation sweep raises the level of an overdue pending step (no status change).
    action("escalate", _PENDING, None, who="system", audit="whistles.escalate", label=_("Escalate")),
), on_change=_overdue_moved)

DISPUTE = dispute_workflow("whistles.dispute", audit_prefix="whistles")
