"""The workflow tables of requests, their dispatches and disputes: the only statement of what may happen next.

Parties: "operator" — the hotline / command centre (takes, routes, closes, calls back, merges); "hotline" — a
hotline operator (takes calls, calls back, sees the citizen's number to call); "supervisor" —
the supervision office (confirms "unreasonable" and "answered on the spot", returns answers); "handler" —
staff of the body the dispatch is addressed to (a county department, or the township government for duties
of the township where the request is); "office" — the establishment office (arbitration); "system" — the
platform (the cascade when the body answers, the callback rule, the escalation sweep).
"""

from django.utils.translation import gettext_lazy as _

from tiaokuai.core.dispatch import dispute_workflow
from tiaokuai.core.workflow import Workflow, action

from .choices import DispatchStatus as D
from .choices import InterviewStatus, SupervisionStatus, SurveyStatus
from .choices import RequestStatus as R

_OPEN = (R.RECEIVED, R.DISPATCHED, R.RESOLVED)
_PENDING = (D.DISPATCHED, D.ACCEPTED)

REQUEST = Workflow("intake.request", R, (
    action("route", [R.RECEIVED], R.DISPATCHED, who="operator", audit="intake.route", label=_("Dispatch")),
    # The body's answer turns the request over to the operator (a cascade of dispatch "resolve").
    action("answered", [R.DISPATCHED], R.RESOLVED, who="system", audit="intake.answered",
           label=_("Answered by the body")),
    action("close", [R.RESOLVED], R.CLOSED, who="operator", audit="intake.close", label=_("Close")),
    action("confirm_outcome", [R.RESOLVED], R.CLOSED, who="supervisor", audit="intake.confirm_outcome",
           label=_("Confirm the outcome and close")),
    # Back to the body (its dispatch reopens), or to routing when it had none (answered on the spot).
    action("return", [R.RESOLVED], (R.DISPATCHED, R.RECEIVED), who=("operator", "supervisor"), audit="intake.return",
           label=_("Return the answer")),
    action("callback", [R.CLOSED], None, who=("operator", "hotline"), audit="intake.callback", label=_("Record the callback")),
    # "Not satisfied" at the callback reopens the request (to its body, or to routing when it had none).
    action("reopen", [R.CLOSED], (R.DISPATCHED, R.RECEIVED), who="system", audit="intake.reopen",
           label=_("Reopen")),
    action("merge", [R.RECEIVED, R.DISPATCHED], R.MERGED, who="operator", audit="intake.merge",
           label=_("Merge as a duplicate")),
    action("reveal", [*_OPEN, R.CLOSED, R.MERGED], None, who=("operator", "hotline", "supervisor", "handler"),
           audit="intake.reveal", label=_("Show the citizen's contact")),
    action("link_whistle", [R.RECEIVED, R.DISPATCHED], None, who="handler", audit="intake.link_whistle",
           label=_("Link the whistle raised from it")),
))

DISPATCH = Workflow("intake.dispatch", D, (
    action("accept", [D.DISPATCHED], D.ACCEPTED, who="handler", audit="intake.accept", label=_("Accept")),
    action("resolve", [D.ACCEPTED], D.RESOLVED, who="handler", audit="intake.resolve", label=_("Answer")),
    action("dispute", _PENDING, D.DISPUTED, who="handler", audit="intake.dispute", label=_("Not ours")),
    action("keep", [D.DISPUTED], _PENDING, who="office", audit="intake.keep", label=_("Keep")),
    action("reroute", [D.DISPUTED], D.WITHDRAWN, who="office", audit="intake.reroute", label=_("Reroute")),
    # A returned answer, or a reopened request: the body must answer again.
    action("reopen", [D.RESOLVED], D.ACCEPTED, who=("operator", "supervisor", "system"),
           audit="intake.dispatch_reopen", label=_("Reopen")),
    # A merged request's work stops.
    action("withdraw", [*_PENDING, D.DISPUTED], D.WITHDRAWN, who="operator", audit="intake.withdraw",
           label=_("Withdraw")),
    action("escalate", _PENDING, None, who="system", audit="intake.escalate", label=_("Escalate")),
))

# Arbitration: the kernel's table shared by every mechanism's disputes (audit intake.dispute_kept / _rerouted).
DISPUTE = dispute_workflow("intake.dispute", audit_prefix="intake")

SUPERVISION = Workflow("intake.supervision", SupervisionStatus, (
    action("close", [SupervisionStatus.OPEN], SupervisionStatus.CLOSED, who="supervisor",
           audit="intake.supervision_close", label=_("Close the finding")),
))

INTERVIEW = Workflow("intake.interview", InterviewStatus, (
    action("rectify", [InterviewStatus.RECTIFYING], InterviewStatus.RECTIFIED, who="supervisor",
           audit="intake.interview_rectified", label=_("Rectification done")),
))

# The satisfaction callback by text message: the citizen's reply (or none in time) decides; a phone call made
# meanwhile cancels it. Events are written on the request (its timeline).
SURVEY = Workflow("intake.survey", SurveyStatus, (
    action("reply", [SurveyStatus.WAITING], SurveyStatus.ANSWERED, who="system", audit="intake.sms_reply",
           label=_("Reply recorded")),
    action("unclear", [SurveyStatus.WAITING], SurveyStatus.UNCLEAR, who="system", audit="intake.sms_unclear",
           label=_("Reply not understood")),
    action("expire", [SurveyStatus.WAITING], SurveyStatus.EXPIRED, who="system", audit="intake.sms_expired",
           label=_("No reply in time")),
    action("cancel", [SurveyStatus.WAITING], SurveyStatus.CANCELLED, who=("operator", "hotline"),
           audit="intake.sms_cancelled", label=_("Called back by phone instead")),
))
