"""Citizen requests on the kernel: every channel, routing by the list in force (属地 → the township government),
the body's steps, disputes, return, close and confirmation, callback, merge, reveal — given/when/then, with a
check that each refused action changes nothing and every state change has its audit event."""

import datetime as dt

import pytest

from tiaokuai.core.clocks import Unit
from tiaokuai.core.errors import Conflict, Invalid, NotFound
from tiaokuai.core.models import AuditEvent
from tiaokuai.core.personal import mask_name, mask_phone
from tiaokuai.intake import selectors, services
from tiaokuai.intake.models import Request, RequestDispatch, RequestDispute, RequestEscalation
from tiaokuai.intake.sweeps import LADDER

from .conftest import TZ

pytestmark = pytest.mark.django_db


def snapshot():
    return (list(Request.objects.order_by("pk").values()), list(RequestDispatch.objects.order_by("pk").values()),
            list(RequestDispute.objects.order_by("pk").values()), AuditEvent.objects.count())


def actions(r):
    return list(AuditEvent.objects.filter(object_type="intake.request", object_id=str(r.pk))
                .order_by("at", "id").values_list("action", flat=True))


def web(c, **kw):
    args = {"actor": None, "channel": "web", "description": "小区门口路灯坏了一个月", "village_code": c.villages[0].code,
            "citizen_name": "王小明", "citizen_phone": "13812345678"}
    args.update(kw)
    return services.request_submit(**args)


def hotline(c, **kw):
    args = {"actor": c.users["operator"], "channel": "hotline", "description": "有人在耕地上建房",
            "village_code": c.villages[0].code, "citizen_name": "李四", "citizen_phone": "13900001111",
            "matter_code": "ZR-001"}
    args.update(kw)
    return services.request_submit(**args)


# ---------------------------------------------------------------- submit and deadlines


def test_given_the_public_form_when_a_citizen_submits_then_it_is_numbered_tracked_and_waits_for_routing(rcounty, clock):
    r = web(rcounty)
    assert r.number == "RQ-20261123-0001"
    assert len(r.tracking_code) == 10 and r.channel == "web" and r.status == "received"
    # general: 7 natural days, the period ends at the end of its last day (2026-11-30, a Monday)
    assert r.feedback_by == dt.datetime(2026, 11, 30, 23, 59, 59, 999999, tzinfo=TZ)
    assert actions(r) == ["intake.submit"]
    assert web(rcounty).number == "RQ-20261123-0002"


@pytest.mark.parametrize("kind,due", [
    ("life_property", dt.datetime(2026, 11, 23, 11, 0, tzinfo=TZ)),
    ("utilities", dt.datetime(2026, 11, 24, 9, 0, tzinfo=TZ)),
    ("complex", dt.datetime(2026, 12, 8, 23, 59, 59, 999999, tzinfo=TZ)),
])
def test_given_a_deadline_class_when_submitted_then_the_feedback_deadline_follows_it(rcounty, clock, kind, due):
    assert web(rcounty, kind=kind).feedback_by == due


def test_given_the_county_sets_other_deadlines_when_submitted_then_they_apply(rcounty, clock, settings):
    settings.TIAOKUAI = {**settings.TIAOKUAI, "INTAKE_DEADLINES": {"general": {"feedback": [3, Unit.NATURAL_DAYS]}}}
    assert web(rcounty).feedback_by.date() == dt.date(2026, 11, 26)


def test_given_bad_input_when_submitting_then_per_field_errors_and_nothing_changes(rcounty, clock):
    before = snapshot()
    with pytest.raises(Invalid) as exc:
        web(rcounty, description=" ", village_code="nope", citizen_phone="abc", kind="x", latitude="200")
    assert set(exc.value.details) >= {"description", "village", "citizen_phone", "kind", "latitude"}
    assert snapshot() == before


@pytest.mark.parametrize("channel,user", [("hotline", "township"), ("grid", "department"), ("proxy", "grid_worker"),
                                          ("hotline", None), ("open311", None)])
def test_given_the_wrong_role_when_taking_a_request_on_a_channel_then_404_and_nothing_changes(
        rcounty, clock, channel, user):
    before = snapshot()
    with pytest.raises(NotFound):
        web(rcounty, channel=channel, actor=rcounty.users[user] if user else None)
    assert snapshot() == before


def test_given_a_matter_on_the_list_when_the_hotline_takes_it_then_the_primary_department_is_dispatched(rcounty, clock):
    r = hotline(rcounty)
    assert r.status == "dispatched" and r.matter_code == "ZR-001" and r.submitted_by == rcounty.users["operator"]
    (d,) = r.dispatches.all()
    assert d.organisation.code == "D-ZR" and d.status == "dispatched"
    assert d.accept_by == dt.datetime(2026, 11, 23, 11, 0, tzinfo=TZ)  # 2 working hours
    assert d.next_check_at == d.accept_by
    assert AuditEvent.objects.get(action="intake.submit").after["organisation"] == "D-ZR"


def test_given_a_territorial_matter_when_a_grid_worker_reports_then_the_township_government_of_the_place_gets_it(
        rcounty, clock):
    r = services.request_submit(actor=rcounty.users["grid_worker"], channel="grid", description="路灯不亮",
                                village_code=rcounty.villages[2].code, matter_code="CX-001")
    assert r.channel == "grid" and r.township == rcounty.townships[1]
    assert r.dispatches.get().organisation == rcounty.township_orgs[1]


def test_given_a_proxy_agent_when_reporting_a_visit_then_the_channel_is_proxy(rcounty, clock):
    r = services.request_submit(actor=rcounty.users["proxy"], channel="proxy", description="老人办证难",
                                village_code=rcounty.villages[0].code)
    assert r.channel == "proxy" and r.status == "received"


def test_given_an_unknown_matter_when_submitting_then_invalid_and_nothing_changes(rcounty, clock):
    before = snapshot()
    with pytest.raises(Invalid) as exc:
        hotline(rcounty, matter_code="NOPE")
    assert "matter" in exc.value.details
    assert snapshot() == before


# ---------------------------------------------------------------- routing by an operator


def test_given_a_waiting_request_when_the_operator_routes_it_by_matter_then_the_list_decides_the_body(rcounty, clock):
    r = web(rcounty)
    services.request_route(actor=rcounty.users["operator"], request_id=r.pk, matter_code="CX-001")
    r.refresh_from_db()
    assert r.status == "dispatched" and r.dispatches.get().organisation == rcounty.township_orgs[0]
    assert actions(r) == ["intake.submit", "intake.route", "intake.dispatch"]


def test_given_a_waiting_request_when_someone_else_routes_it_then_404_and_nothing_changes(rcounty, clock):
    r = web(rcounty)
    before = snapshot()
    for who in ("township", "department", "supervisor", "establishment_office"):
        with pytest.raises(NotFound):
            services.request_route(actor=rcounty.users[who], request_id=r.pk, matter_code="ZR-001")
    assert snapshot() == before


def test_given_a_routed_request_when_routed_again_then_conflict_and_nothing_changes(rcounty, clock):
    r = hotline(rcounty)
    before = snapshot()
    with pytest.raises(Conflict):
        services.request_route(actor=rcounty.users["operator"], request_id=r.pk, organisation_code="D-HB")
    assert snapshot() == before


# ---------------------------------------------------------------- the body's steps, close, callback


def test_given_a_dispatched_request_when_the_body_accepts_answers_and_the_operator_closes_then_every_step_is_audited(
        rcounty, clock):
    r = hotline(rcounty)
    d = r.dispatches.get()
    dept = rcounty.users["department"]
    clock.advance(minutes=30)
    services.dispatch_accept(actor=dept, dispatch_id=d.pk)
    d.refresh_from_db()
    assert d.status == "accepted" and d.next_check_at == d.resolve_by
    clock.advance(days=1)
    services.dispatch_resolve(actor=dept, dispatch_id=d.pk, outcome="resolved", note="已责令拆除")
    r.refresh_from_db()
    assert r.status == "resolved" and r.outcome == "resolved"
    services.request_close(actor=rcounty.users["operator"], request_id=r.pk)
    r.refresh_from_db()
    assert r.status == "closed" and r.closed_at == clock.now
    services.request_callback(actor=rcounty.users["operator"], request_id=r.pk, satisfaction="satisfied")
    r.refresh_from_db()
    assert r.satisfaction == "satisfied" and r.status == "closed"
    assert actions(r) == ["intake.submit", "intake.accept", "intake.resolve", "intake.answered", "intake.close",
                          "intake.callback"]
    with pytest.raises(Conflict):  # one callback per closing
        services.request_callback(actor=rcounty.users["operator"], request_id=r.pk, satisfaction="basic")


def test_given_a_dispatch_when_another_body_or_the_citizen_acts_then_404_and_nothing_changes(rcounty, clock):
    d = hotline(rcounty).dispatches.get()
    before = snapshot()
    for who in ("department_other", "township", "operator", "citizen", "township_other"):
        with pytest.raises(NotFound):
            services.dispatch_accept(actor=rcounty.users[who], dispatch_id=d.pk)
    with pytest.raises(NotFound):
        services.dispatch_accept(actor=None, dispatch_id=d.pk)
    assert snapshot() == before


def test_given_a_dispatch_not_accepted_when_answering_then_conflict_and_nothing_changes(rcounty, clock):
    d = hotline(rcounty).dispatches.get()
    before = snapshot()
    with pytest.raises(Conflict):
        services.dispatch_resolve(actor=rcounty.users["department"], dispatch_id=d.pk, outcome="resolved")
    assert snapshot() == before


def test_given_a_township_dispatch_when_its_staff_work_it_then_they_may(rcounty, clock):
    r = web(rcounty)
    services.request_route(actor=rcounty.users["operator"], request_id=r.pk, matter_code="CX-001")
    d = r.dispatches.get()
    services.dispatch_accept(actor=rcounty.users["township"], dispatch_id=d.pk)
    with pytest.raises(NotFound):
        services.dispatch_resolve(actor=rcounty.users["township_other"], dispatch_id=d.pk, outcome="resolved")
    services.dispatch_resolve(actor=rcounty.users["township"], dispatch_id=d.pk, outcome="explained", note="已解释")
    assert Request.objects.get(pk=r.pk).status == "resolved"


def test_given_a_closed_request_when_the_citizen_is_not_satisfied_then_it_reopens_to_the_body_with_a_fresh_deadline(
        rcounty, clock):
    r = hotline(rcounty)
    d = r.dispatches.get()
    dept, op = rcounty.users["department"], rcounty.users["operator"]
    services.dispatch_accept(actor=dept, dispatch_id=d.pk)
    services.dispatch_resolve(actor=dept, dispatch_id=d.pk, outcome="resolved", note="")
    services.request_close(actor=op, request_id=r.pk)
    clock.advance(days=2)
    before = snapshot()
    with pytest.raises(Invalid):  # "not satisfied" needs what the citizen said
        services.request_callback(actor=op, request_id=r.pk, satisfaction="unsatisfied")
    assert snapshot() == before
    services.request_callback(actor=op, request_id=r.pk, satisfaction="unsatisfied", comment="房子还在建",
                              not_solved=True)
    r.refresh_from_db()
    d.refresh_from_db()
    assert r.status == "dispatched" and r.reopen_count == 1 and r.false_completion
    assert d.status == "accepted" and d.resolved_at is None and d.outcome == ""
    assert d.resolve_by == dt.datetime(2026, 12, 2, 23, 59, 59, 999999, tzinfo=TZ)  # 7 days from the reopening
    assert actions(r)[-5:] == ["intake.callback", "intake.supervision_open", "intake.supervision_open",
                               "intake.reopen", "intake.dispatch_reopen"]  # false completion, not satisfied
    assert selectors.satisfaction_figures(Request.objects.all())["false_completions"] == 1


def test_given_an_answer_when_the_supervisor_returns_it_then_the_body_answers_again(rcounty, clock):
    r = hotline(rcounty)
    d = r.dispatches.get()
    dept = rcounty.users["department"]
    services.dispatch_accept(actor=dept, dispatch_id=d.pk)
    services.dispatch_resolve(actor=dept, dispatch_id=d.pk, outcome="resolved")
    before = snapshot()
    with pytest.raises(NotFound):
        services.request_return(actor=rcounty.users["township"], request_id=r.pk, reason="不行")
    with pytest.raises(Invalid):
        services.request_return(actor=rcounty.users["supervisor"], request_id=r.pk, reason="")
    assert snapshot() == before
    services.request_return(actor=rcounty.users["supervisor"], request_id=r.pk, reason="答复过于简单")
    r.refresh_from_db()
    assert r.status == "dispatched" and r.return_count == 1
    assert RequestDispatch.objects.get(pk=d.pk).status == "accepted"


# ---------------------------------------------------------------- excluded outcomes


def test_given_a_consultation_answered_on_the_spot_when_the_operator_tries_to_close_then_a_supervisor_must_confirm(
        rcounty, clock):
    r = hotline(rcounty, matter_code="", description="咨询办理居住证需要什么材料", answered_on_spot=True,
                answer="已告知所需材料")
    assert r.status == "resolved" and r.outcome == "answered_on_spot" and not r.dispatches.exists()
    before = snapshot()
    with pytest.raises(Conflict):
        services.request_close(actor=rcounty.users["operator"], request_id=r.pk)
    with pytest.raises(NotFound):
        services.request_confirm_outcome(actor=rcounty.users["operator"], request_id=r.pk)
    assert snapshot() == before
    services.request_confirm_outcome(actor=rcounty.users["supervisor"], request_id=r.pk)
    r.refresh_from_db()
    assert r.status == "closed" and r.outcome_confirmed_by == rcounty.users["supervisor"]
    services.request_callback(actor=rcounty.users["operator"], request_id=r.pk, satisfaction="basic")
    figures = selectors.satisfaction_figures(Request.objects.all())
    assert figures["callbacks"] == 1 and figures["excluded"] == 1 and figures["rate"] is None
    assert figures["rate_all"] == 100.0


def test_given_an_unreasonable_answer_when_confirmed_then_it_is_left_out_of_satisfaction(rcounty, clock):
    op, dept = rcounty.users["operator"], rcounty.users["department"]
    rows = []
    for outcome, satisfaction in (("unreasonable", "unsatisfied"), ("resolved", "satisfied")):
        r = hotline(rcounty)
        d = r.dispatches.get()
        services.dispatch_accept(actor=dept, dispatch_id=d.pk)
        services.dispatch_resolve(actor=dept, dispatch_id=d.pk, outcome=outcome, note="诉求超出法定范围")
        if outcome == "unreasonable":
            services.request_confirm_outcome(actor=rcounty.users["supervisor"], request_id=r.pk)
        else:
            services.request_close(actor=op, request_id=r.pk)
        rows.append((r, satisfaction))
    r0 = rows[0][0]
    Request.objects.filter(pk=r0.pk).update(satisfaction="unsatisfied")  # as if called back
    services.request_callback(actor=op, request_id=rows[1][0].pk, satisfaction="satisfied")
    figures = selectors.satisfaction_figures(Request.objects.all())
    assert figures["rate"] == 100.0 and figures["rate_all"] == 50.0 and figures["excluded"] == 1


def test_given_a_handler_when_answering_on_the_spot_then_refused(rcounty, clock):
    d = hotline(rcounty).dispatches.get()
    services.dispatch_accept(actor=rcounty.users["department"], dispatch_id=d.pk)
    before = snapshot()
    with pytest.raises(Invalid):
        services.dispatch_resolve(actor=rcounty.users["department"], dispatch_id=d.pk, outcome="answered_on_spot")
    with pytest.raises(Invalid):  # unreasonable needs a note
        services.dispatch_resolve(actor=rcounty.users["department"], dispatch_id=d.pk, outcome="unreasonable")
    assert snapshot() == before


# ---------------------------------------------------------------- disputes


def test_given_a_dispute_when_the_office_keeps_it_then_the_deadlines_move_by_the_paused_time(rcounty, clock):
    r = hotline(rcounty, kind="utilities")  # natural-time clocks
    d = r.dispatches.get()
    accept_by, resolve_by = d.accept_by, d.resolve_by
    services.dispatch_dispute(actor=rcounty.users["department"], dispatch_id=d.pk, reason="依清单属住建部门")
    d.refresh_from_db()
    assert d.status == "disputed" and d.next_check_at is None and d.paused_since == clock.now
    clock.advance(minutes=45)
    dispute = RequestDispute.objects.get()
    before = snapshot()
    with pytest.raises(NotFound):
        services.dispute_decide(actor=rcounty.users["operator"], dispute_id=dispute.pk, decision="keep")
    assert snapshot() == before
    services.dispute_decide(actor=rcounty.users["establishment_office"], dispute_id=dispute.pk, decision="keep")
    d.refresh_from_db()
    assert d.status == "dispatched" and d.paused_minutes == 45
    assert d.accept_by == accept_by + dt.timedelta(minutes=45) and d.resolve_by == resolve_by + dt.timedelta(minutes=45)
    assert d.next_check_at == d.accept_by


def test_given_a_dispute_when_the_office_reroutes_then_a_new_dispatch_goes_to_the_other_body(rcounty, clock):
    r = hotline(rcounty)
    d = r.dispatches.get()
    services.dispatch_dispute(actor=rcounty.users["department"], dispatch_id=d.pk, reason="不是我们的")
    with pytest.raises(Conflict):
        services.dispatch_dispute(actor=rcounty.users["department"], dispatch_id=d.pk, reason="again")
    dispute = RequestDispute.objects.get()
    services.dispute_decide(actor=rcounty.users["establishment_office"], dispute_id=dispute.pk, decision="reroute",
                            organisation_code="D-HB")
    assert RequestDispatch.objects.get(pk=d.pk).status == "withdrawn"
    new = r.dispatches.exclude(pk=d.pk).get()
    assert new.organisation.code == "D-HB" and new.replaces_id == d.pk and new.status == "dispatched"
    assert actions(r)[-3:] == ["intake.dispute", "intake.reroute", "intake.dispatch"]


# ---------------------------------------------------------------- merge, reveal, whistle link


def test_given_a_duplicate_when_the_operator_merges_it_then_both_timelines_say_so_and_its_work_stops(rcounty, clock):
    first = hotline(rcounty, description="村口有人在耕地上建房子")
    dup = hotline(rcounty, description="村口耕地上有人建房子")
    assert [x.pk for x, _s in selectors.likely_duplicates(dup)] == [first.pk]
    before = snapshot()
    with pytest.raises(NotFound):
        services.request_merge(actor=rcounty.users["department"], request_id=dup.pk, into_number=first.number)
    with pytest.raises(Invalid):
        services.request_merge(actor=rcounty.users["operator"], request_id=dup.pk, into_number=dup.number)
    assert snapshot() == before
    services.request_merge(actor=rcounty.users["operator"], request_id=dup.pk, into_number=first.number)
    dup.refresh_from_db()
    assert dup.status == "merged" and dup.merged_into == first
    assert dup.dispatches.get().status == "withdrawn"
    assert actions(dup)[-2:] == ["intake.merge", "intake.withdraw"]
    assert actions(first)[-1] == "intake.merged_in"


def test_given_personal_data_when_shown_then_masked_and_revealed_only_with_an_audit_event(rcounty, clock):
    r = hotline(rcounty)
    assert mask_name("李四") == "李*" and mask_phone("13900001111") == "139****1111"
    before = snapshot()
    for who in ("township", "department_other", "leader_none"):
        with pytest.raises(NotFound):
            services.request_reveal_contact(actor=rcounty.users.get(who), request_id=r.pk, purpose="回访")
    with pytest.raises(Invalid):
        services.request_reveal_contact(actor=rcounty.users["department"], request_id=r.pk, purpose=" ")
    assert snapshot() == before
    contact = services.request_reveal_contact(actor=rcounty.users["department"], request_id=r.pk, purpose="回访")
    assert contact == {"citizen_name": "李四", "citizen_phone": "13900001111"}
    event = AuditEvent.objects.get(action="intake.reveal", actor=rcounty.users["department"])
    assert event.after == {"fields": ["citizen_name", "citizen_phone"], "purpose": "回访"}


def test_given_a_township_handling_a_request_when_it_raises_a_whistle_then_the_request_keeps_its_number(rcounty, clock):
    r = web(rcounty)
    services.request_route(actor=rcounty.users["operator"], request_id=r.pk, matter_code="CX-001")
    with pytest.raises(NotFound):
        services.request_link_whistle(actor=rcounty.users["department"], request_id=r.pk,
                                      whistle_number="CS-20261123-0001")
    services.request_link_whistle(actor=rcounty.users["township"], request_id=r.pk, whistle_number="cs-20261123-0001")
    assert Request.objects.get(pk=r.pk).whistle_number == "CS-20261123-0001"


# ---------------------------------------------------------------- the escalation ladder


def test_given_an_overdue_dispatch_when_the_sweep_runs_then_it_climbs_the_ladder_to_supervision(rcounty, clock):
    r = hotline(rcounty, kind="life_property")  # accept 30 min, interval 60 min, natural time
    d = r.dispatches.get()
    assert LADDER.run(clock.now)["escalated"] == 0
    clock.advance(minutes=31)
    assert LADDER.run(clock.now)["escalated"] == 1
    d.refresh_from_db()
    assert d.escalation_level == 1 and RequestEscalation.objects.get().kind == "accept"
    assert LADDER.run(clock.now)["escalated"] == 0  # idempotent
    clock.advance(minutes=61)
    LADDER.run(clock.now)
    clock.advance(minutes=61)
    LADDER.run(clock.now)
    d.refresh_from_db()
    r.refresh_from_db()
    assert d.escalation_level == 3 and r.supervised_at is not None and d.next_check_at is None
    assert actions(r).count("intake.escalate") == 3
    assert list(selectors.overdue(selectors.viewer_of(rcounty.users["supervisor"]))) == [d]


def test_given_a_grid_worker_when_a_photo_is_over_10_mb_then_invalid_and_nothing_changes(rcounty, clock, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    big = SimpleUploadedFile("a.jpg", b"\xff\xd8\xff\xe0" + b"\0" * (10 * 1024 * 1024), content_type="image/jpeg")
    before = snapshot()
    with pytest.raises(Invalid) as exc:
        services.request_submit(actor=rcounty.users["grid_worker"], channel="grid", description="路灯不亮",
                                village_code=rcounty.villages[0].code, attachments=[big])
    assert "attachments" in exc.value.details
    assert snapshot() == before
    small = SimpleUploadedFile("b.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 1000, content_type="image/jpeg")
    r = services.request_submit(actor=rcounty.users["grid_worker"], channel="grid", description="路灯不亮",
                                village_code=rcounty.villages[0].code, attachments=[small])
    assert r.attachments.get().content_type == "image/jpeg"


def test_given_a_confirmed_unreasonable_request_when_the_citizen_is_not_satisfied_then_it_stays_closed(rcounty, clock):
    r = hotline(rcounty)
    d = r.dispatches.get()
    services.dispatch_accept(actor=rcounty.users["department"], dispatch_id=d.pk)
    services.dispatch_resolve(actor=rcounty.users["department"], dispatch_id=d.pk, outcome="unreasonable",
                              note="要求超出法定范围")
    services.request_confirm_outcome(actor=rcounty.users["supervisor"], request_id=r.pk)
    services.request_callback(actor=rcounty.users["operator"], request_id=r.pk, satisfaction="unsatisfied",
                              comment="不认可")
    r.refresh_from_db()
    assert r.status == "closed" and r.outcome == "unreasonable" and r.satisfaction == "unsatisfied"
    assert actions(r)[-1] == "intake.callback"
