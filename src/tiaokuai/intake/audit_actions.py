"""How request audit events read on a timeline (registered from IntakeConfig.ready())."""

from django.utils.translation import gettext_lazy as _

from tiaokuai.core import timeline
from tiaokuai.core.timeline import Field
from tiaokuai.org.models import Organisation

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
from .models import RequestDispatch

REQUEST = "intake.request"


def register() -> None:
    org_by_code = timeline.model_lookup(Organisation, key="code")
    dispatch_org = timeline.model_lookup(RequestDispatch, name="organisation__name")
    dispatch_status = Field(_("status"), choices=DispatchStatus)
    hidden = Field(hidden=True)
    timeline.register_fields(REQUEST, {
        "status": Field(_("status"), choices=RequestStatus),
        "channel": Field(_("channel"), choices=Channel),
        "kind": Field(_("deadline class"), choices=Kind),
        "organisation": Field(_("body"), lookup=org_by_code),
        "new_organisation": Field(_("rerouted to"), lookup=org_by_code),
        "outcome": Field(_("outcome"), choices=Outcome),
        "satisfaction": Field(_("satisfaction"), choices=Satisfaction),
        "escalation_level": _("escalation level"),
        "overdue_minutes": Field(_("overdue by"), kind="minutes"),
        "paused_minutes": Field(_("clock paused for"), kind="minutes"),
        "late": Field(_("late"), kind="bool"),
        "not_solved": Field(_("citizen says not solved"), kind="bool"),
        "false_completion": Field(_("false completion"), kind="bool"),
        "matter": _("matter"), "note": _("explanation"), "comment": _("comment"), "reason": _("reason"),
        "number": hidden, "dispatch": Field(_("body"), lookup=dispatch_org), "dispute": hidden, "replaces": hidden,
        "open311_client": _("Open311 client"), "attachments": Field(_("photos")), "by": hidden,
        "fields": hidden, "item": hidden, "into": _("merged into"), "duplicate": _("duplicate"), "whistle_number": _("whistle"),
    })
    step = {"status": dispatch_status, "dispatch": hidden, "organisation": hidden}
    a = timeline.register_action
    a("intake.submit", _("{actor} took the request ({channel})"), fields={"dispatch": hidden})
    a("intake.route", _("{actor} dispatched the request to {organisation}"))
    a("intake.dispatch", _("{actor} sent the request to {organisation}"), fields={"dispatch": hidden})
    a("intake.accept", _("{actor} accepted the request"), fields=step)
    a("intake.resolve", _("{actor} answered: {outcome}"), fields=step)
    a("intake.answered", _("The body has answered; waiting for the request to be closed"))
    a("intake.dispute", _("{actor} disputed the dispatch: {reason}"), fields=step)
    a("intake.keep", _("{actor} decided the dispute: {organisation} keeps the request"),
      fields={"status": dispatch_status, "dispatch": hidden})
    a("intake.reroute", _("{actor} decided the dispute: rerouted from {organisation} to {new_organisation}"),
      fields={"status": dispatch_status, "dispatch": hidden})
    a("intake.dispatch_reopen", _("{actor} reopened the dispatch of {organisation}: {reason}"),
      fields=step | {"organisation": Field(_("body"), lookup=org_by_code)})
    a("intake.withdraw", _("{actor} withdrew the dispatch of {organisation}"),
      fields=step | {"organisation": Field(_("body"), lookup=org_by_code)})
    a("intake.escalate", _("{actor}: {dispatch} {kind}, escalated to level {escalation_level}"),
      fields={"kind": Field(_("overdue step"), choices=EscalationKind)})
    timeline.register_fields("intake.requestdispute", {"new_organisation": Field(_("rerouted to"), lookup=org_by_code),
                                                       "new_dispatch": hidden})
    a("intake.dispute_kept", _("{actor} decided the dispute: kept"))
    a("intake.dispute_rerouted", _("{actor} decided the dispute: rerouted to {new_organisation}"))
    a("intake.return", _("{actor} returned the answer: {reason}"))
    a("intake.close", _("{actor} closed the request"))
    a("intake.confirm_outcome", _("{actor} confirmed the outcome ({outcome}) and closed the request"))
    a("intake.callback", _("{actor} called the citizen back: {satisfaction}"))
    survey = {"survey": hidden, "status": Field(_("status"), choices=SurveyStatus)}
    a("intake.sms_sent", _("{actor} sent the satisfaction callback by text message"),
      fields={"survey": hidden, "reply_by": Field(_("reply by"), kind="datetime")})
    a("intake.sms_reply", _("The citizen replied by text message: {satisfaction}"), fields=survey)
    a("intake.sms_unclear", _("The citizen's text reply was not understood: {reply}"),
      fields=survey | {"reply": _("reply")})
    a("intake.sms_expired", _("No text reply in time: back in the callback queue"), fields=survey)
    a("intake.sms_cancelled", _("{actor} called back by phone; the text message callback is closed"),
      fields=survey)
    a("intake.reopen", _("{actor} reopened the request: {reason}"))
    a("intake.merge", _("{actor} merged the request into {into}"))
    a("intake.merged_in", _("{actor} merged duplicate {duplicate} into this request"))
    a("intake.reveal", _("{actor} viewed the citizen's contact details"),
      fields={"purpose": _("purpose"), "fields": Field(hidden=True)})
    a("intake.link_whistle", _("{actor} raised whistle {whistle_number} for the request"))
    a("intake.open311_client", _("{actor} registered Open311 client {name}"))
    a("intake.supervision_open", _("{actor} opened a supervision item: {reason}"),
      fields={"reason": Field(_("reason"), choices=SupervisionReason), "item": hidden, "dispatch": hidden})
    timeline.register_fields("intake.supervisionitem", {"status": Field(_("status"), choices=SupervisionStatus)})
    a("intake.supervision_close", _("{actor} closed the supervision item: {note}"))
    timeline.register_fields("intake.interview", {
        "status": Field(_("status"), choices=InterviewStatus), "level": Field(_("level"), choices=InterviewLevel),
        "organisation": Field(_("unit"), lookup=org_by_code), "held_on": Field(_("held on"), kind="date"),
        "attendees": _("attendees"), "findings": _("findings"), "rectify_by": Field(_("rectify by"), kind="datetime"),
        "public_notice": Field(_("public notice"), kind="bool"), "late": Field(_("late"), kind="bool")})
    a("intake.interview", _("{actor} recorded an interview of {organisation}: {level}"))
    a("intake.interview_rectified", _("{actor} recorded the rectification as done"))
