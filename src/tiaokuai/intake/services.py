"""Writes of citizen requests (诉求): submit on every channel, route, the body's steps, disputes, return,
close, confirm, callback, merge, reveal of personal data.

Every write: access check → validate → the workflow table's compare-and-set with its one audit event
(core.workflow) → notifications written to the outbox in the same transaction. Events of a request and of
its dispatches are written against the request (with the dispatch in `after`): one timeline tells the story.
"""

import datetime as dt
import secrets
from collections.abc import Iterable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tiaokuai.core import attachments as core_attachments
from tiaokuai.core import audit, inserts, location, numbering
from tiaokuai.core import dispatch as dispatch_kernel
from tiaokuai.core.access import viewer_for
from tiaokuai.core.clocks import DeadlineSpec, Unit
from tiaokuai.core.errors import Conflict, Invalid, NotFound
from tiaokuai.core.memo import Memo
from tiaokuai.duties.choices import DutyRole, ListKind
from tiaokuai.duties.models import Matter
from tiaokuai.duties.selectors import assignments_in_force, release_in_force, resolve_bodies
from tiaokuai.org.choices import TOWNSHIP_BODY_KINDS, Role
from tiaokuai.org.models import Division, Membership, Organisation

from .access import (
    access_dispatch,
    access_dispute,
    access_request,
    takes_calls,
)
from .choices import (
    HANDLER_OUTCOMES,
    NEEDS_CONFIRMATION,
    OUTCOMES_NEEDING_NOTE,
    RETURNS_FOR_SUPERVISION,
    Channel,
    DispatchStatus,
    DisputeDecision,
    InterviewLevel,
    Kind,
    Outcome,
    RequestStatus,
    Satisfaction,
    SupervisionReason,
    SurveyStatus,
)
from .clocks import DISPATCH_CLOCKS, spec, step_specs
from .models import (
    CallbackSurvey,
    Interview,
    Open311Client,
    Request,
    RequestAttachment,
    RequestDispatch,
    RequestDispute,
    SupervisionItem,
)
from .workflows import DISPATCH, DISPUTE, INTERVIEW, REQUEST, SUPERVISION, SURVEY

NUMBER_PREFIX = "RQ"  # request numbers: RQ-20261207-0001
TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
TRACKING_LENGTH = 10
INVALID = "Please correct the errors below."


def _invalid(details: Mapping[str, list[str]]) -> Invalid:
    return Invalid(_(INVALID), details=dict(details))


def _url(request_id: int) -> str:
    try:
        return reverse("intake:detail", args=[request_id])
    except NoReverseMatch:
        return f"/intake/{request_id}/"


def new_tracking_code() -> str:
    return "".join(secrets.choice(TRACKING_ALPHABET) for _i in range(TRACKING_LENGTH))


# ---------------------------------------------------------------- a few seconds of memory on the submit path

_MEMO = Memo("INTAKE_CACHE_SECONDS", max_entries=5000)


def _cached(key: tuple, compute: Any) -> Any:
    """In-process memory for hot, rarely changing reads (villages, the list's answer for a matter and a
    township, a body's staff): a change reaches the submit path at most INTAKE_CACHE_SECONDS later."""
    return _MEMO.get(key, compute)


# ---------------------------------------------------------------- telling people


def body_users(org: Organisation) -> list[Any]:
    """The active users who work dispatches to this body: its department staff, or the township staff of the
    township whose government or office it is."""
    users = get_user_model().objects.filter(is_active=True)
    if org.kind in TOWNSHIP_BODY_KINDS:
        users = users.filter(person__memberships__role=Role.TOWNSHIP,
                             person__memberships__division_id=org.division_id)
    else:
        users = users.filter(person__memberships__organisation_id=org.pk,
                             person__memberships__role__in=[Role.DEPARTMENT, Role.OFFICER])
    return list(users.distinct().order_by("pk"))


def role_users(*roles: str) -> list[Any]:
    return list(get_user_model().objects.filter(is_active=True, person__memberships__role__in=list(roles))
                .distinct().order_by("pk"))


def heads_of(org_ids: Iterable[int]) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = {}
    for m in (Membership.objects.filter(organisation_id__in=list(org_ids), is_head=True, person__user__is_active=True)
              .select_related("person__user")):
        out.setdefault(m.organisation_id, []).append(m.person.user)
    return out


def _notify(**kwargs: Any) -> None:
    from tiaokuai.notify.services import notify

    if kwargs.get("recipients"):
        notify(**kwargs)


def _notify_body(request: Request, org: Organisation, *, kind: str, title: str) -> None:
    _notify(recipients=body_users(org), kind=kind, title=title, body=request.description[:500],
            url=_url(request.pk), obj=request)


# ---------------------------------------------------------------- routing by the list in force


def matter_in_force(code: str, on: dt.date) -> Matter | None:
    release = release_in_force(ListKind.RESPONSIBILITY, on)
    if release is None or not code:
        return None
    return Matter.objects.filter(release=release, code=code).first()


def body_for(matter_code: str, township_id: int, on: dt.date) -> Organisation | None:
    """The body primarily responsible for a matter where the request is (属地乡镇（街道） → the government of
    the request's township), from the list in force; None when the list names none."""
    primary = assignments_in_force(matter_code, on).filter(role=DutyRole.PRIMARY)
    bodies = resolve_bodies(primary, township_id)
    return bodies[0][1] if bodies else None


def suggested_matter(text: str) -> str:
    """The router's confident top matter for a text, or "" (a person routes it then)."""
    from tiaokuai.routing.selectors import suggest

    try:
        suggestions = suggest(text, k=1)
    except Exception:  # noqa: BLE001 - a router that fails must not lose the citizen's request
        return ""
    return suggestions[0].matter_code if suggestions and suggestions[0].confident else ""


def _new_dispatch(request: Request, org: Organisation, now: dt.datetime, *, release_id: int | None,
                  replaces: RequestDispatch | None = None,
                  deadlines: tuple[dt.datetime, dt.datetime] | None = None) -> RequestDispatch:
    accept_by, resolve_by = deadlines or tuple(spec_.due(now) for spec_ in step_specs(request.kind))
    return inserts.insert(RequestDispatch(
        request=request, organisation=org, status=DispatchStatus.DISPATCHED, dispatched_at=now,
        accept_by=accept_by, resolve_by=resolve_by, next_check_at=accept_by,
        matter_code=request.matter_code, decided_by_release_id=release_id, replaces=replaces))


def _on(d: RequestDispatch, **after: Any) -> dict[str, Any]:
    return {"dispatch": d.pk, "organisation": d.organisation.code if d.organisation_id else None, **after}


def next_check(d: RequestDispatch, **changes: Any) -> dt.datetime | None:
    """The next moment the escalation sweep must look at a dispatch (the ladder's rule, core.escalation)."""
    from .sweeps import LADDER

    row = {f: getattr(d, f) for f in DISPATCH_CLOCKS.fields}
    row.update(escalation_level=d.escalation_level, escalated_at=d.escalated_at, kind=d.request.kind)
    row.update(changes)
    return LADDER.next_check(row)


# ---------------------------------------------------------------- submit (every channel)

CHANNEL_ROLES: dict[str, set[str]] = {  # the hotline: the command centre and hotline operators (access.takes_calls)
    Channel.GRID: {Role.GRID_WORKER},
    Channel.PROXY: {Role.PROXY_AGENT},
}


def _may_submit(actor: Any, channel: str) -> bool:
    if channel in (Channel.WEB, Channel.OPEN311):
        return True
    viewer = viewer_for(actor)
    if not viewer.is_authenticated:
        return False
    if channel == Channel.HOTLINE:
        return takes_calls(viewer)
    return viewer.has_role(*CHANNEL_ROLES.get(channel, set()))


def request_submit(*, actor: Any, channel: str, description: str, village_code: str, kind: str = Kind.GENERAL,
                   citizen_name: str = "", citizen_phone: str = "", address: str = "", latitude: Any = None,
                   longitude: Any = None, matter_code: str = "", answered_on_spot: bool = False,
                   answer: str = "", attachments: Iterable[Any] = (),
                   open311_client: Open311Client | None = None, media_url: str = "") -> Request:
    """A request arrives on a channel. With a matter (given, or the router's confident suggestion) the body the
    list in force names is dispatched at once; otherwise it waits for an operator. A hotline consultation
    answered on the spot is recorded as answered (a supervisor confirms it). Photos come from staff or an Open311
    client; a photo link (media_url, http/https) is only stored, never fetched."""
    if channel not in Channel.values or not _may_submit(actor, channel):
        raise NotFound(_("You cannot take requests on this channel."))
    if channel == Channel.OPEN311 and open311_client is None:
        raise NotFound(_("You cannot take requests on this channel."))
    now = timezone.now()
    today = timezone.localdate(now)
    errors: dict[str, list[str]] = {}
    description = (description or "").strip()
    if not description:
        errors["description"] = [_("This field is required.")]
    elif len(description) > 4000:
        errors["description"] = [_("At most %(n)d characters.") % {"n": 4000}]
    if kind not in Kind.values:
        errors["kind"] = [_("Choose one of: %(values)s.") % {"values": ", ".join(Kind.values)}]
    village = _cached(("village", village_code), lambda: Division.objects.filter(
        code=village_code or "", level="village").only("pk", "township_id", "code", "name").first())
    if village is None or village.township_id is None:
        errors["village"] = [_("Unknown village.")]
    citizen_name = (citizen_name or "").strip()[:60]
    citizen_phone = (citizen_phone or "").strip()
    if citizen_phone and not (7 <= len(citizen_phone) <= 20
                              and all(c.isdigit() or c in "+- " for c in citizen_phone)):
        errors["citizen_phone"] = [_("Enter a phone number.")]
    if channel in (Channel.WEB, Channel.HOTLINE) and not citizen_phone:
        errors["citizen_phone"] = [_("A callback number is needed for the callback.")]
    lat, lng = location.latitude_longitude(latitude, longitude, errors)
    matter = None
    matter_code = (matter_code or "").strip()
    if matter_code:
        matter = _cached(("matter", matter_code, today), lambda: matter_in_force(matter_code, today))
        if matter is None:
            errors["matter"] = [_("Unknown matter (not on the list in force).")]
    if answered_on_spot and channel != Channel.HOTLINE:
        errors["answered_on_spot"] = [_("Only a hotline operator answers on the spot.")]
    answer = (answer or "").strip()
    if answered_on_spot and not answer:
        errors["answer"] = [_("Say what was answered.")]
    media_url = (media_url or "").strip()
    if media_url and not valid_media_url(media_url):
        errors["media_url"] = [_("Enter an http or https address (at most %(n)d characters).") % {"n": 500}]
    photos: list[core_attachments.Checked] = []
    if attachments:
        if open311_client is None and (actor is None or not getattr(actor, "is_authenticated", False)):
            errors["attachments"] = [_("Photos can be added by staff only.")]
        else:
            photos, photo_errors = core_attachments.check(attachments, field="attachments",
                                                          allowed=core_attachments.IMAGES)
            errors.update(photo_errors)
    if errors:
        raise _invalid(errors)
    assert village is not None and village.township_id is not None
    if matter is None and not answered_on_spot:
        code = suggested_matter(description)
        matter = matter_in_force(code, today) if code else None
    org = None
    if matter is not None and not answered_on_spot:
        code, township_id = matter.code, village.township_id
        org = _cached(("body", code, township_id, today), lambda: body_for(code, township_id, today))
    status = (RequestStatus.RESOLVED if answered_on_spot
              else RequestStatus.DISPATCHED if org is not None else RequestStatus.RECEIVED)
    user = actor if getattr(actor, "is_authenticated", False) else None
    # Everything that only reads happens before the write transaction (on SQLite BEGIN IMMEDIATE takes the
    # database's write lock): deadlines and recipients; the transaction is a handful of INSERTs.
    feedback_by = spec(kind, "feedback").due(now)
    deadlines = (spec(kind, "accept").due(now), feedback_by) if org is not None else None
    recipients = _cached(("staff", org.pk), lambda: body_users(org)) if org is not None else []
    with transaction.atomic():
        request = Request(
            tracking_code=new_tracking_code(), channel=channel, kind=kind, status=status, description=description,
            township_id=village.township_id, village=village, address=(address or "")[:200], latitude=lat,
            longitude=lng, citizen_name=citizen_name, citizen_phone=citizen_phone[:30], media_url=media_url,
            matter_code=matter.code if matter else "", matter_name=matter.name if matter else "",
            responsibility_release_id=matter.release_id if matter else None, submitted_by=user,
            open311_client=open311_client, submitted_at=now, updated_at=now,
            feedback_by=feedback_by,
        )
        if answered_on_spot:
            request.outcome, request.outcome_note, request.resolved_at = Outcome.ANSWERED_ON_SPOT, answer, now
        inserts.insert(request, number=numbering.numbered(NUMBER_PREFIX, now, (Request, "number")))
        d = (_new_dispatch(request, org, now, release_id=matter.release_id if matter else None, deadlines=deadlines)
             if org else None)
        for photo in photos:
            core_attachments.store(RequestAttachment(request=request), photo, uploaded_by=user, at=now)
        after = {"number": request.number, "channel": channel, "kind": kind, "status": status,
                 "matter": request.matter_code, "outcome": request.outcome, "dispatch": d.pk if d else None,
                 "organisation": org.code if org else None,
                 "open311_client": open311_client.name if open311_client else None, "attachments": len(photos),
                 "media_url": bool(media_url)}
        audit.log(actor=user, action="intake.submit", obj=request,
                  after={k: v for k, v in after.items() if v or k in ("number", "channel", "status")})
        if org is not None:
            _notify(recipients=recipients, kind="intake.dispatch", body=description[:500], url=_url(request.pk),
                    obj=request, title=_("Citizen request %(number)s") % {"number": request.number})
    return request


def valid_media_url(url: str) -> bool:
    """An absolute http(s) address of at most 500 characters (Open311 media_url). The server never fetches it."""
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator

    if len(url) > 500:
        return False
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        return False
    return True


# ---------------------------------------------------------------- routing by an operator


@transaction.atomic
def request_route(*, actor: Any, request_id: Any, matter_code: str = "", organisation_code: str = "") -> Request:
    """An operator dispatches a waiting request: by matter (the list in force names the body) or to a body."""
    request = access_request(actor, request_id, "operator")
    REQUEST.check("route", request.status)
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    matter = None
    org = None
    if matter_code:
        matter = matter_in_force(matter_code, today)
        if matter is None:
            errors["matter"] = [_("Unknown matter (not on the list in force).")]
    if organisation_code:
        org = Organisation.objects.filter(code=organisation_code, is_active=True).first()
        if org is None:
            errors["organisation"] = [_("Unknown organisation.")]
    elif matter is not None:
        org = body_for(matter.code, request.township_id, today)
        if org is None:
            errors["organisation"] = [_("The list names no body for this matter here; choose one.")]
    if not matter_code and not organisation_code:
        errors["matter"] = [_("Choose a matter or a body.")]
    if errors:
        raise _invalid(errors)
    assert org is not None
    now = timezone.now()
    changes: dict[str, Any] = {"updated_at": now}
    if matter is not None:
        changes.update(matter_code=matter.code, matter_name=matter.name, responsibility_release_id=matter.release_id)
    REQUEST.apply("route", request, actor=actor, after={"organisation": org.code, "matter": matter_code or None},
                  **changes)
    d = _new_dispatch(request, org, now, release_id=matter.release_id if matter else None)
    audit.log(actor=actor, action="intake.dispatch", obj=request, after=_on(d))
    _notify_body(request, org, kind="intake.dispatch",
                 title=_("Citizen request %(number)s") % {"number": request.number})
    return request


# ---------------------------------------------------------------- the body's steps


def _dispatch_for(actor: Any, dispatch_id: Any, name: str) -> RequestDispatch:
    d = access_dispatch(actor, dispatch_id)
    DISPATCH.check(name, d.status)
    return d


@transaction.atomic
def dispatch_accept(*, actor: Any, dispatch_id: Any) -> RequestDispatch:
    """The body accepts the request (签收)."""
    d = _dispatch_for(actor, dispatch_id, "accept")
    now = timezone.now()
    nxt = next_check(d, status=DispatchStatus.ACCEPTED, accepted_at=now)
    DISPATCH.apply("accept", d, actor=actor, audit_on=d.request, after=_on(d, late=now > d.accept_by),
                   accepted_at=now, next_check_at=nxt)
    Request.objects.filter(pk=d.request_id).update(updated_at=now)
    return d


@transaction.atomic
def dispatch_resolve(*, actor: Any, dispatch_id: Any, outcome: str, note: str = "") -> RequestDispatch:
    """The body answers (办复) with an outcome; the request waits for the operator (or, for "unreasonable", a
    supervisor) to close it."""
    d = _dispatch_for(actor, dispatch_id, "resolve")
    note = (note or "").strip()
    errors: dict[str, list[str]] = {}
    if outcome not in HANDLER_OUTCOMES:
        errors["outcome"] = [_("Choose one of: %(values)s.") % {"values": ", ".join(HANDLER_OUTCOMES)}]
    elif outcome in OUTCOMES_NEEDING_NOTE and not note:
        errors["note"] = [_("Say why.")]
    if not note and outcome == Outcome.EXPLAINED:
        errors["note"] = [_("Say what was explained.")]
    if errors:
        raise _invalid(errors)
    request = Request.objects.select_for_update().get(pk=d.request_id)
    d.request = request
    now = timezone.now()
    DISPATCH.apply("resolve", d, actor=actor, audit_on=request,
                   after=_on(d, outcome=outcome, note=note[:500], late=now > d.resolve_by),
                   outcome=outcome, outcome_note=note, resolved_at=now, next_check_at=None)
    if request.status == RequestStatus.DISPATCHED:
        REQUEST.apply("answered", request, actor=actor, after={"outcome": outcome}, outcome=outcome,
                      outcome_note=note, resolved_at=now, updated_at=now, outcome_confirmed_by=None)
        recipients = role_users(Role.SUPERVISION) if outcome in NEEDS_CONFIRMATION else role_users(Role.LEADER)
        _notify(recipients=recipients, kind="intake.answered",
                title=_("Request %(number)s answered: %(outcome)s") % {
                    "number": request.number, "outcome": Outcome(outcome).label},
                url=_url(request.pk), obj=request)
    return d


@transaction.atomic
def dispatch_dispute(*, actor: Any, dispatch_id: Any, reason: str) -> RequestDispute:
    """"Not ours": the body cites the list; its clocks stop until the establishment office decides."""
    d = _dispatch_for(actor, dispatch_id, "dispute")
    reason = (reason or "").strip()
    if not reason:
        raise _invalid({"reason": [_("Give the reason, citing the list.")]})
    now = timezone.now()
    dispute = dispatch_kernel.open_dispute(DISPATCH, d, RequestDispute, actor=actor, reason=reason, now=now,
                                           audit_on=d.request, after=_on(d))
    _notify(recipients=role_users(Role.ESTABLISHMENT_OFFICE), kind="intake.dispute",
            title=_("Dispute on request %(number)s") % {"number": d.request.number}, body=reason[:500],
            url=_url(d.request_id), obj=d.request)
    return dispute


@transaction.atomic
def dispute_decide(*, actor: Any, dispute_id: Any, decision: str, organisation_code: str = "",
                   note: str = "") -> RequestDispute:
    """The establishment office arbitrates: keep (the dispatch goes back to its step, its pending deadlines
    moved by the paused time) or reroute (withdrawn; a new dispatch with fresh deadlines to the right body)."""
    dispute = access_dispute(actor, dispute_id)
    DISPUTE.check("keep", dispute.status)
    d = dispute.dispatch
    request = d.request
    new_org, errors = dispatch_kernel.arbitration(decision, organisation_code, d.organisation_id)
    if errors:
        raise _invalid(errors)
    now = timezone.now()
    note = (note or "").strip()
    if decision == DisputeDecision.KEEP:
        back = d.status_before_dispute or DispatchStatus.DISPATCHED
        paused, resumed = dispatch_kernel.resume(DISPATCH_CLOCKS, d, now, spec(request.kind, "feedback").unit)
        nxt = next_check(d, status=back, **resumed)
        DISPATCH.apply("keep", d, actor=actor, target=back, audit_on=request,
                       after=_on(d, dispute=dispute.pk, paused_minutes=paused, note=note[:500]),
                       next_check_at=nxt, **resumed)
        DISPUTE.apply("keep", dispute, actor=actor, after={"note": note[:500]}, decided_by=actor, decided_at=now,
                      decision_note=note)
        _notify_body(request, d.organisation, kind="intake.dispute_decided",
                     title=_("Dispute on request %(number)s: kept with your unit") % {"number": request.number})
    else:
        assert new_org is not None
        DISPATCH.apply("reroute", d, actor=actor, audit_on=request,
                       after=_on(d, dispute=dispute.pk, new_organisation=new_org.code, note=note[:500]),
                       paused_since=None, next_check_at=None)
        new = _new_dispatch(request, new_org, now, release_id=d.decided_by_release_id, replaces=d)
        DISPUTE.apply("reroute", dispute, actor=actor,
                      after={"new_organisation": new_org.code, "new_dispatch": new.pk, "note": note[:500]},
                      decided_by=actor, decided_at=now, decision_note=note, new_organisation=new_org, new_dispatch=new)
        audit.log(actor=actor, action="intake.dispatch", obj=request, after=_on(new, replaces=d.pk))
        _notify_body(request, new_org, kind="intake.dispatch",
                     title=_("Citizen request %(number)s (rerouted to you)") % {"number": request.number})
    Request.objects.filter(pk=request.pk).update(updated_at=now)
    dispute.refresh_from_db()
    return dispute


# ---------------------------------------------------------------- operator and supervisor


def _last_dispatch(request: Request) -> RequestDispatch | None:
    return (request.dispatches.select_related("organisation").exclude(status=DispatchStatus.WITHDRAWN)
            .order_by("-id").first())


def _reopen_dispatch(actor: Any, request: Request, now: dt.datetime, reason: str, party_action: str
                     ) -> RequestDispatch | None:
    """The body must answer again: its resolved dispatch reopens with a fresh answer deadline."""
    d = _last_dispatch(request)
    if d is None or d.status != DispatchStatus.RESOLVED:
        return None
    d.request = request
    restarted = dispatch_kernel.restart(DISPATCH_CLOCKS, step_specs(request.kind), now, from_step="resolve")
    nxt = next_check(d, status=DispatchStatus.ACCEPTED, escalation_level=0, escalated_at=None, **restarted)
    DISPATCH.apply("reopen", d, actor=actor, audit_on=request, after=_on(d, reason=reason[:500], by=party_action),
                   outcome="", resolved_at=None, escalation_level=0, escalated_at=None, next_check_at=nxt,
                   **restarted)
    _notify_body(request, d.organisation, kind="intake.reopen",
                 title=_("Request %(number)s must be answered again") % {"number": request.number})
    return d


@transaction.atomic
def request_return(*, actor: Any, request_id: Any, reason: str) -> Request:
    """The operator or a supervisor returns an answer that does not do (退回): the body answers again; a
    consultation answered on the spot goes back to routing."""
    request = access_request(actor, request_id, "view")
    viewer = viewer_for(actor)
    from .access import request_parties

    parties = request_parties(viewer, request)
    if not parties & set(REQUEST.action("return").who):
        raise NotFound(_("Request not found."))
    REQUEST.check("return", request.status)
    reason = (reason or "").strip()
    if not reason:
        raise _invalid({"reason": [_("Say why the answer is returned.")]})
    now = timezone.now()
    d = _last_dispatch(request)
    target = RequestStatus.DISPATCHED if d is not None and d.status == DispatchStatus.RESOLVED else RequestStatus.RECEIVED
    REQUEST.apply("return", request, actor=actor, target=target, after={"reason": reason[:500]},
                  return_count=request.return_count + 1, outcome="", outcome_note="", resolved_at=None,
                  updated_at=now)
    if target == RequestStatus.DISPATCHED:
        _reopen_dispatch(actor, request, now, reason, "return")
        if request.return_count >= RETURNS_FOR_SUPERVISION and d is not None:
            open_supervision(actor=actor, request=request, organisation_id=d.organisation_id,
                             reason=SupervisionReason.RETURNS)
    return request


def _close_common(actor: Any, request: Request, name: str) -> Request:
    now = timezone.now()
    REQUEST.apply(name, request, actor=actor, after={"outcome": request.outcome}, closed_at=now, updated_at=now,
                  **({"outcome_confirmed_by": actor} if name == "confirm_outcome" else {}))
    send_callback_sms(actor=actor, request=request, now=now)
    return request


@transaction.atomic
def request_close(*, actor: Any, request_id: Any) -> Request:
    """The operator closes an answered request (办结). "Unreasonable" and "answered on the spot" are closed by
    a supervisor's confirmation instead."""
    request = access_request(actor, request_id, "operator")
    REQUEST.check("close", request.status)
    if request.outcome in NEEDS_CONFIRMATION:
        raise Conflict(_("A supervisor confirms this outcome before the request closes."), code="needs_confirmation")
    return _close_common(actor, request, "close")


@transaction.atomic
def request_confirm_outcome(*, actor: Any, request_id: Any) -> Request:
    """A supervisor confirms "unreasonable request" or "answered on the spot"; the request closes and stays
    out of satisfaction figures."""
    request = access_request(actor, request_id, "supervisor")
    REQUEST.check("confirm_outcome", request.status)
    if request.outcome not in NEEDS_CONFIRMATION:
        raise Conflict(_("Only “unreasonable” and “answered on the spot” need a supervisor's confirmation."),
                       code="invalid_transition")
    return _close_common(actor, request, "confirm_outcome")


@transaction.atomic
def request_callback(*, actor: Any, request_id: Any, satisfaction: str, comment: str = "",
                     not_solved: bool = False) -> Request:
    """The satisfaction callback (回访) after closing, by phone: satisfied / basically satisfied / not satisfied
    with a comment (record_callback). A text-message callback still waiting for the citizen's reply is closed."""
    request = access_request(actor, request_id, ("operator", "hotline"))
    REQUEST.check("callback", request.status)
    errors: dict[str, list[str]] = {}
    if satisfaction not in Satisfaction.values:
        errors["satisfaction"] = [_("Choose one of: %(values)s.") % {"values": ", ".join(Satisfaction.values)}]
    comment = (comment or "").strip()
    if satisfaction == Satisfaction.UNSATISFIED and not comment:
        errors["comment"] = [_("Write down what the citizen said.")]
    if errors:
        raise _invalid(errors)
    _called_back_already(request)
    for survey in CallbackSurvey.objects.filter(request=request, status=SurveyStatus.WAITING):
        SURVEY.apply("cancel", survey, actor=actor, audit_on=request, after={"survey": survey.pk})
    return record_callback(actor=actor, request=request, satisfaction=satisfaction, comment=comment,
                           not_solved=not_solved)


def _called_back_already(request: Request) -> None:
    if request.callback_at is not None and request.closed_at is not None and request.callback_at >= request.closed_at:
        raise Conflict(_("This request has already been called back."), code="invalid_transition")


def record_callback(*, actor: Any, request: Request, satisfaction: str, comment: str = "",
                    not_solved: bool = False) -> Request:
    """Record a callback's result (by phone, or the citizen's text reply) inside the caller's transaction, the
    caller having checked who. "Not satisfied" reopens the request (except a confirmed "unreasonable" or
    "answered on the spot", which stays closed and out of the figures); "not solved" on a request closed as
    resolved is recorded as a false completion (虚假办结)."""
    REQUEST.check("callback", request.status)
    _called_back_already(request)
    now = timezone.now()
    false_completion = bool(not_solved) and request.outcome in (Outcome.RESOLVED, Outcome.PARTLY_RESOLVED)
    REQUEST.apply("callback", request, actor=actor,
                  after={"satisfaction": satisfaction, "comment": comment[:500], "not_solved": bool(not_solved),
                         "false_completion": false_completion},
                  satisfaction=satisfaction, callback_comment=comment, callback_at=now,
                  false_completion=request.false_completion or false_completion, updated_at=now)
    if request.outcome in NEEDS_CONFIRMATION:
        # A confirmed "unreasonable" or "answered on the spot" stays closed and out of satisfaction figures.
        return request
    last = _last_dispatch(request)
    if last is not None and false_completion:
        open_supervision(actor=actor, request=request, organisation_id=last.organisation_id,
                         reason=SupervisionReason.FALSE_COMPLETION)
    if satisfaction == Satisfaction.UNSATISFIED and last is not None and unsatisfied_to_supervision():
        open_supervision(actor=actor, request=request, organisation_id=last.organisation_id,
                         reason=SupervisionReason.UNSATISFIED)
    if satisfaction == Satisfaction.UNSATISFIED:
        d = last
        target = (RequestStatus.DISPATCHED if d is not None and d.status == DispatchStatus.RESOLVED
                  else RequestStatus.RECEIVED)
        reason = comment[:500] or str(Satisfaction(satisfaction).label)
        REQUEST.apply("reopen", request, actor=actor, target=target, after={"reason": reason},
                      reopen_count=request.reopen_count + 1, closed_at=None, resolved_at=None, outcome="",
                      outcome_note="", outcome_confirmed_by=None, updated_at=now)
        if target == RequestStatus.DISPATCHED:
            _reopen_dispatch(actor, request, now, reason, "callback")
    return request


# ---------------------------------------------------------------- the satisfaction callback by text message

SMS_REPLY_DIGITS = {"1": Satisfaction.SATISFIED, "2": Satisfaction.BASIC, "3": Satisfaction.UNSATISFIED}
# Longest first: "基本满意" and "不满意" both end in "满意".
SMS_REPLY_WORDS = (("基本满意", Satisfaction.BASIC), ("不满意", Satisfaction.UNSATISFIED),
                   ("满意", Satisfaction.SATISFIED))
SEPARATORS = " \t,，.。:：;；、-—!！"


def callback_by_sms() -> bool:
    """The county's rule: is the satisfaction callback first sent by text message (INTAKE_CALLBACK_SMS)?"""
    return bool(settings.TIAOKUAI.get("INTAKE_CALLBACK_SMS", False))


def sms_reply_hours() -> int:
    """Hours the citizen has to reply before the request is back in the callback queue for a phone call."""
    return int(settings.TIAOKUAI.get("INTAKE_CALLBACK_SMS_HOURS", 48))


def survey_text(request: Request) -> str:
    """The text message: the county's template (INTAKE_CALLBACK_SMS_TEMPLATE, with {number} and {hours}) or
    the default, in the platform's language (the citizen signed in nowhere)."""
    from django.utils import translation

    template = str(settings.TIAOKUAI.get("INTAKE_CALLBACK_SMS_TEMPLATE") or "")
    if not template:
        with translation.override(settings.LANGUAGE_CODE):
            template = _("Your request {number} has been dealt with. Please reply within {hours} hours: 1 satisfied, "
                         "2 basically satisfied, 3 not satisfied, and any comment after the number.")
    values = {"number": request.number, "hours": sms_reply_hours()}
    return template.format_map(type("Values", (dict,), {"__missing__": lambda self, k: "{" + k + "}"})(values))


def parse_sms_reply(text: str) -> tuple[str, str] | None:
    """(satisfaction, comment) from a reply: "1"/"2"/"3" or 满意/基本满意/不满意 first (full-width digits too),
    then the comment; None when it says neither."""
    import unicodedata

    t = unicodedata.normalize("NFKC", text or "").strip()
    for word, value in [*SMS_REPLY_DIGITS.items(), *SMS_REPLY_WORDS]:
        if t.startswith(word):
            rest = t[len(word):]
            if word in SMS_REPLY_DIGITS and rest[:1].isdigit():  # "12" or "13800…": not a choice
                return None
            return str(value), rest.strip(SEPARATORS)[:500]
    return None


def send_callback_sms(*, actor: Any, request: Request, now: dt.datetime) -> CallbackSurvey | None:
    """When the county calls back by text message and the citizen gave a mobile number: the survey row, the
    text message in the outbox (notify: sent after commit, retried with back-off) and the audit event — inside
    the closing transaction. Otherwise None: the request waits in the callback queue for a phone call."""
    from tiaokuai.notify.services import text_message
    from tiaokuai.notify.sms import mobile_number

    phone = mobile_number(request.citizen_phone)
    if not callback_by_sms() or not phone:
        return None
    survey = CallbackSurvey.objects.create(request=request, phone=phone, sent_at=now,
                                           reply_by=now + dt.timedelta(hours=sms_reply_hours()))
    text_message(phone=phone, text=survey_text(request), kind="intake.callback_sms", obj=request)
    audit.log(actor=actor, action="intake.sms_sent", obj=request,
              after={"survey": survey.pk, "reply_by": survey.reply_by.isoformat()})
    return survey


@transaction.atomic
def callback_sms_reply(*, phone: str, text: str, now: dt.datetime | None = None) -> str:
    """A citizen's text reply from the SMS gateway (system action): recorded as the callback of the request
    whose survey waits for this number ("recorded"); a reply that says no choice, or comes for a request no
    longer waiting for it, closes the survey as not understood and the request stays in the callback queue
    ("unclear"); no survey waiting for the number (or too late) → "no_survey", nothing written."""
    from tiaokuai.core.personal import mask_text
    from tiaokuai.notify.sms import mobile_number

    now = now or timezone.now()
    number = mobile_number(phone)
    survey = (CallbackSurvey.objects.select_related("request").filter(
        phone=number, status=SurveyStatus.WAITING, reply_by__gte=now).order_by("-sent_at", "-id").first()
        if number else None)
    if survey is None:
        return "no_survey"
    request = survey.request
    text = (text or "").strip()[:500]
    parsed = parse_sms_reply(text)
    called = request.callback_at is not None and request.closed_at is not None and request.callback_at >= request.closed_at
    if parsed is None or request.status != RequestStatus.CLOSED or called:
        SURVEY.apply("unclear", survey, actor=None, audit_on=request,
                     after={"survey": survey.pk, "reply": mask_text(text)[:200]}, reply=text, replied_at=now)
        return "unclear"
    satisfaction, comment = parsed
    SURVEY.apply("reply", survey, actor=None, audit_on=request, after={"survey": survey.pk,
                                                                       "satisfaction": satisfaction},
                 reply=text, replied_at=now)
    record_callback(actor=None, request=request, satisfaction=satisfaction, comment=comment)
    return "recorded"


def expire_callback_sms(now: dt.datetime, limit: int = 500) -> dict[str, int]:
    """Surveys past their reply-by time without a reply: closed as expired (the request is back in the callback
    queue — selectors.callbacks_due shows it from reply_by on, whether or not this ran yet)."""
    done = 0
    rows = list(CallbackSurvey.objects.select_related("request").filter(
        status=SurveyStatus.WAITING, reply_by__lt=now).order_by("reply_by", "id")[:limit])
    for survey in rows:
        try:
            with transaction.atomic():
                SURVEY.apply("expire", survey, actor=None, audit_on=survey.request, after={"survey": survey.pk})
        except Conflict:
            continue
        done += 1
    return {"due": len(rows), "expired": done}


@transaction.atomic
def request_merge(*, actor: Any, request_id: Any, into_number: str) -> Request:
    """The operator merges a duplicate into the request it repeats; its work stops (dispatches withdrawn)."""
    request = access_request(actor, request_id, "operator")
    REQUEST.check("merge", request.status)
    into = Request.objects.filter(number=(into_number or "").strip()).first()
    if into is None or into.pk == request.pk:
        raise _invalid({"into": [_("Give the number of another request.")]})
    if into.status == RequestStatus.MERGED:
        raise _invalid({"into": [_("That request was itself merged; merge into %(number)s.") % {
            "number": into.merged_into.number if into.merged_into else ""}]})
    now = timezone.now()
    REQUEST.apply("merge", request, actor=actor, after={"into": into.number}, merged_into=into, updated_at=now)
    for d in request.dispatches.select_related("organisation").filter(
            status__in=DISPATCH.action("withdraw").sources):
        DISPATCH.apply("withdraw", d, actor=actor, audit_on=request, after=_on(d, into=into.number),
                       paused_since=None, next_check_at=None)
    audit.log(actor=actor, action="intake.merged_in", obj=into, after={"duplicate": request.number})
    Request.objects.filter(pk=into.pk).update(updated_at=now)
    return request


@transaction.atomic
def request_reveal_contact(*, actor: Any, request_id: Any, purpose: str) -> dict[str, str]:
    """The citizen's name and number, for a role that needs them (operator, supervisor, the body handling it),
    with a stated purpose: the one audited reveal (core.personal.record_reveal; no purpose → Invalid)."""
    from tiaokuai.core.personal import record_reveal

    request = access_request(actor, request_id, "view")
    from .access import request_parties

    if not request_parties(viewer_for(actor), request) & set(REQUEST.action("reveal").who):
        raise NotFound(_("Request not found."))
    REQUEST.check("reveal", request.status)
    record_reveal(actor=actor, obj=request, fields=["citizen_name", "citizen_phone"], purpose=purpose,
                  action=REQUEST.action("reveal").audit)
    return {"citizen_name": request.citizen_name, "citizen_phone": request.citizen_phone}


@transaction.atomic
def request_link_whistle(*, actor: Any, request_id: Any, whistle_number: str) -> Request:
    """The township handling a request raised a whistle for it: the request keeps the whistle's number."""
    request = access_request(actor, request_id, "handler")
    REQUEST.check("link_whistle", request.status)
    number = (whistle_number or "").strip().upper()
    if not number.startswith("CS-") or len(number) > 32:
        raise _invalid({"whistle_number": [_("Give the whistle's number (CS-…).")]})
    REQUEST.apply("link_whistle", request, actor=actor, after={"whistle_number": number}, whistle_number=number,
                  updated_at=timezone.now())
    return request


# ---------------------------------------------------------------- Open311 clients


@transaction.atomic
def open311_client_create(*, actor: Any, name: str, rate_per_minute: int = 60) -> tuple[Open311Client, str]:
    """A new Open311 client and its key (shown once; only a hash is kept)."""
    viewer = viewer_for(actor)
    if not viewer.is_superuser:
        raise NotFound(_("Not found."))
    name = (name or "").strip()
    if not name:
        raise _invalid({"name": [_("This field is required.")]})
    if Open311Client.objects.filter(name=name).exists():
        raise _invalid({"name": [_("A client with this name exists.")]})
    return new_open311_client(actor=actor, name=name, rate_per_minute=rate_per_minute)


def new_open311_client(*, actor: Any, name: str, rate_per_minute: int = 60) -> tuple[Open311Client, str]:
    """(client, key): the row and its audit event (callers check who may: the admin, the demo loader)."""
    key = secrets.token_urlsafe(24)
    client = Open311Client.objects.create(name=name, key_hash=key_hash(key), key_prefix=key[:6],
                                          rate_per_minute=max(1, int(rate_per_minute)), created_at=timezone.now())
    audit.log(actor=actor, action="intake.open311_client", obj=client,
              after={"name": name, "rate_per_minute": client.rate_per_minute})
    return client, key


def key_hash(key: str) -> str:
    from tiaokuai.core.models import secret_digest

    return secret_digest(key)


# ---------------------------------------------------------------- supervision (督查) and interviews (约谈)


def unsatisfied_to_supervision() -> bool:
    """The county's rule: does "not satisfied" at the callback open a supervision item (besides reopening)?"""
    return bool(settings.TIAOKUAI.get("INTAKE_UNSATISFIED_TO_SUPERVISION", True))


def rectify_spec() -> DeadlineSpec:
    return DeadlineSpec(int(settings.TIAOKUAI.get("INTAKE_RECTIFY_DAYS", 30)), Unit.NATURAL_DAYS)


def open_supervision(*, actor: Any, request: Request, organisation_id: int, reason: str) -> SupervisionItem | None:
    """Open a finding (one open per request and reason), told to the supervision office; inside the caller's
    transaction."""
    now = timezone.now()
    try:
        with transaction.atomic():
            item = SupervisionItem.objects.create(organisation_id=organisation_id, request=request, reason=reason,
                                                  opened_at=now)
    except IntegrityError:
        return None
    audit.log(actor=actor, action="intake.supervision_open", obj=request,
              after={"reason": reason, "organisation": Organisation.objects.get(pk=organisation_id).code,
                     "item": item.pk})
    _notify(recipients=role_users(Role.SUPERVISION), kind="intake.supervision",
            title=_("Supervision: request %(number)s — %(reason)s") % {
                "number": request.number, "reason": SupervisionReason(reason).label},
            url=_url(request.pk), obj=request)
    return item


def _supervisor(actor: Any) -> None:
    from .access import is_supervisor

    if not is_supervisor(viewer_for(actor)):
        raise NotFound(_("Not found."))


@transaction.atomic
def supervision_close(*, actor: Any, item_id: Any, note: str) -> SupervisionItem:
    _supervisor(actor)
    pk = _int(item_id)
    item = SupervisionItem.objects.select_related("request").filter(pk=pk).first() if pk is not None else None
    if item is None:
        raise NotFound(_("Not found."))
    SUPERVISION.check("close", item.status)
    note = (note or "").strip()
    if not note:
        raise _invalid({"note": [_("Say how it was followed up.")]})
    SUPERVISION.apply("close", item, actor=actor, after={"note": note[:500]}, closed_at=timezone.now(),
                      closed_by=actor, note=note)
    return item


def next_interview_level(organisation_id: int, on: dt.date) -> int:
    """First interview of a unit in a year: the contact leader; second: the discipline secretary; third and
    later: the principal leaders with public notice."""
    since = on - dt.timedelta(days=365)
    done = Interview.objects.filter(organisation_id=organisation_id, held_on__gt=since, held_on__lte=on).count()
    return min(InterviewLevel.PRINCIPAL_LEADERS, done + 1)


def findings_since_last_interview(organisation_id: int) -> Any:
    return SupervisionItem.objects.filter(organisation_id=organisation_id, interviews__isnull=True)


@transaction.atomic
def interview_record(*, actor: Any, organisation_code: str, held_on: Any, attendees: str, minutes: str,
                     rectification: str) -> Interview:
    """The supervision office records an interview of a unit with findings since its last one; its level
    follows the unit's earlier interviews; the rectification deadline is clocked."""
    _supervisor(actor)
    org = Organisation.objects.filter(code=organisation_code or "").first()
    errors: dict[str, list[str]] = {}
    if org is None:
        raise NotFound(_("Not found."))
    if isinstance(held_on, str):
        try:
            held_on = dt.date.fromisoformat(held_on)
        except ValueError:
            held_on = None
    today = timezone.localdate()
    if not isinstance(held_on, dt.date) or held_on > today:
        errors["held_on"] = [_("Give the date it was held (not in the future).")]
    for name, value in (("attendees", attendees), ("minutes", minutes), ("rectification", rectification)):
        if not (value or "").strip():
            errors[name] = [_("This field is required.")]
    findings = list(findings_since_last_interview(org.pk))
    if not findings:
        errors["organisation"] = [_("This unit has no findings since its last interview.")]
    if errors:
        raise _invalid(errors)
    level = next_interview_level(org.pk, held_on)
    start = dt.datetime.combine(held_on, dt.time(12, 0), tzinfo=ZoneInfo("Asia/Shanghai"))
    interview = Interview.objects.create(
        organisation=org, level=level, held_on=held_on, attendees=attendees.strip()[:300], minutes=minutes.strip(),
        rectification=rectification.strip(), rectify_by=rectify_spec().due(start),
        public_notice=level == InterviewLevel.PRINCIPAL_LEADERS, recorded_by=actor, recorded_at=timezone.now())
    interview.items.set(findings)
    audit.log(actor=actor, action="intake.interview", obj=interview, after={
        "organisation": org.code, "level": level, "held_on": held_on.isoformat(), "attendees": interview.attendees,
        "findings": len(findings), "rectify_by": interview.rectify_by.isoformat(),
        "public_notice": interview.public_notice})
    _notify(recipients=heads_of([org.pk]).get(org.pk, []), kind="intake.interview",
            title=_("%(org)s: %(level)s") % {"org": org.name, "level": InterviewLevel(level).label},
            body=interview.rectification[:500], url="", obj=interview)
    return interview


@transaction.atomic
def interview_rectified(*, actor: Any, interview_id: Any, note: str = "") -> Interview:
    _supervisor(actor)
    pk = _int(interview_id)
    interview = Interview.objects.filter(pk=pk).first() if pk is not None else None
    if interview is None:
        raise NotFound(_("Not found."))
    now = timezone.now()
    INTERVIEW.apply("rectify", interview, actor=actor,
                    after={"note": (note or "").strip()[:500], "late": now > interview.rectify_by}, rectified_at=now)
    return interview


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
