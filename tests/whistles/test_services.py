"""Whistle flow services: every transition and its refusals (given / when / then)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tiaokuai.core import worktime
from tiaokuai.core.errors import Conflict, Invalid, NotFound
from tiaokuai.core.models import AuditEvent, NumberCounter
from tiaokuai.duties.models import ListRelease
from tiaokuai.whistles import selectors, services
from tiaokuai.whistles.models import (
    Attachment,
    Dispatch,
    Dispute,
    Rating,
    Whistle,
    WhistleItem,
)

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
WEBP = b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 32


def raise_(c, item="CS-HB-01", village=None, **kw):
    kw.setdefault("description", "某餐馆油烟直排，群众多次投诉")
    return services.whistle_raise(actor=kw.pop("actor", c.users["township"]), item_code=item,
                                  village_code=village or c.villages[0].code, **kw)


def state():
    return {
        "whistles": list(Whistle.objects.order_by("id").values_list("id", "status", "reopen_count")),
        "dispatches": list(Dispatch.objects.order_by("id").values_list(
            "id", "status", "outcome", "respond_by", "arrive_by", "resolve_by", "paused_since", "next_check_at")),
        "disputes": list(Dispute.objects.order_by("id").values_list("id", "status")),
        "ratings": Rating.objects.count(),
        "attachments": Attachment.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def refused(call, exc=NotFound):
    before = state()
    with pytest.raises(exc):
        call()
    assert state() == before


def lead(w):
    return Dispatch.objects.get(whistle=w, role="lead")


def to_resolved(c, w, user_key="department_other"):
    """Take every active dispatch of w through respond → arrive → resolve (users by organisation)."""
    users = {"D-ZR": c.users["department"], "D-HB": c.users["department_other"], "D-SJ": None}
    for d in Dispatch.objects.filter(whistle=w).exclude(status="withdrawn").select_related("organisation"):
        user = users.get(d.organisation.code) or _station_head(c, d.organisation)
        services.dispatch_respond(actor=user, dispatch_id=d.pk)
        services.dispatch_arrive(actor=user, dispatch_id=d.pk, people="张三、李四")
        services.dispatch_resolve(actor=user, dispatch_id=d.pk, outcome="resolved", note="已处置")
    return Whistle.objects.get(pk=w.pk)


def _station_head(c, org):
    from django.contrib.auth import get_user_model

    from tests.factories import make_user

    u = get_user_model().objects.filter(username=f"staff-{org.code}").first()
    return u or make_user(f"staff-{org.code}", f"{org.name}人员", org, "department", is_head=True)


# ---------------------------------------------------------------- raise

def test_given_item_on_list_when_township_raises_then_primary_leads_and_coordinating_assists(wcounty, clock):
    w = raise_(wcounty, "CS-HB-01")
    assert w.status == "open" and w.number == "CS-20261123-0001"
    rows = list(w.dispatches.order_by("-role", "id").values_list("organisation__code", "role", "assignment_role",
                                                                 "matter_code", "decided_by_release_id"))
    assert rows == [("D-HB", "lead", "primary", "HB-001", wcounty.release.pk),
                    ("D-SJ", "assist", "coordinating", "HB-001", wcounty.release.pk)]
    assert w.item_release_id == wcounty.whistle_release.pk and w.responsibility_release_id == wcounty.release.pk
    assert list(AuditEvent.objects.filter(object_type="whistles.whistle").values_list("action", flat=True)) == [
        "whistles.raise"]


def test_given_township_is_coordinating_body_when_it_raises_then_it_is_not_dispatched_to_itself(wcounty, clock):
    w = raise_(wcounty, "CS-ZR-01")
    assert list(w.dispatches.values_list("organisation__code", "role")) == [("D-ZR", "lead")]


def test_given_other_township_is_coordinating_when_raised_then_it_assists(wcounty, clock):
    w = raise_(wcounty, "CS-ZR-01", village=wcounty.villages[2].code, actor=wcounty.users["township_other"])
    assert sorted(w.dispatches.values_list("organisation__code", "role")) == [("D-ZR", "lead"), ("T01", "assist")]


def test_given_normal_urgency_when_raised_then_deadlines_are_in_working_time_and_next_check_is_earliest(wcounty, clock):
    w = raise_(wcounty)
    d = lead(w)
    assert d.respond_by == worktime.add_working_minutes(clock.now, 120)
    assert d.respond_by.astimezone(TZ) == dt.datetime(2026, 11, 23, 11, 0, tzinfo=TZ)
    assert d.arrive_by.astimezone(TZ) == dt.datetime(2026, 11, 24, 9, 0, tzinfo=TZ)  # 1 working day (7 h)
    assert d.next_check_at == d.respond_by


def test_given_a_time_before_national_day_when_raised_then_deadline_falls_after_the_holiday(wcounty, clock):
    clock.set(2026, 9, 30, 16, 30)
    d = lead(raise_(wcounty))
    # 60 minutes left on 30 September, the other 60 after the holiday (1–7 October).
    assert d.respond_by.astimezone(TZ) == dt.datetime(2026, 10, 8, 9, 30, tzinfo=TZ)


def test_given_emergency_when_raised_then_deadlines_run_in_natural_time(wcounty, clock):
    clock.set(2026, 9, 30, 23, 0)
    d = lead(raise_(wcounty, urgency="emergency"))
    assert d.respond_by.astimezone(TZ) == dt.datetime(2026, 9, 30, 23, 15, tzinfo=TZ)
    assert d.arrive_by.astimezone(TZ) == dt.datetime(2026, 10, 1, 0, 0, tzinfo=TZ)


def test_given_no_item_when_raised_then_it_waits_for_the_office_to_route_it(wcounty, clock):
    w = raise_(wcounty, None)
    assert w.status == "routing" and w.dispatches.count() == 0
    w = services.whistle_route_manually(actor=wcounty.users["establishment_office"], whistle_id=w.pk,
                                        lead_code="D-ZR", assist_codes=["D-SJ"])
    assert w.status == "open"
    assert sorted(Dispatch.objects.filter(whistle=w).values_list("organisation__code", "role")) == [
        ("D-SJ", "assist"), ("D-ZR", "lead")]
    refused(lambda: services.whistle_route_manually(actor=wcounty.users["establishment_office"], whistle_id=w.pk,
                                                    lead_code="D-ZR", assist_codes=[]), Conflict)


def test_given_routing_whistle_when_township_tries_to_route_then_nothing_changes(wcounty, clock):
    w = raise_(wcounty, None)
    refused(lambda: services.whistle_route_manually(actor=wcounty.users["township"], whistle_id=w.pk,
                                                    lead_code="D-ZR", assist_codes=[]))
    refused(lambda: services.whistle_route_manually(actor=wcounty.users["establishment_office"], whistle_id=w.pk,
                                                    lead_code="NOPE", assist_codes=[]), Invalid)


@pytest.mark.parametrize("who", ["department", "establishment_office", "grid_worker", "citizen"])
def test_given_not_township_staff_when_raising_then_nothing_changes(wcounty, clock, who):
    refused(lambda: raise_(wcounty, actor=wcounty.users[who]))


def test_given_anonymous_when_raising_then_nothing_changes(wcounty, clock):
    from django.contrib.auth.models import AnonymousUser

    refused(lambda: raise_(wcounty, actor=AnonymousUser()))


def test_given_bad_input_when_raising_then_every_field_error_is_reported_and_nothing_changes(wcounty, clock):
    before = state()
    with pytest.raises(Invalid) as exc:
        raise_(wcounty, "NO-SUCH", village="999", description="  ", urgency="soon", latitude=200)
    assert set(exc.value.details) == {"item", "village", "description", "urgency", "latitude"}
    assert state() == before


def test_given_village_of_other_township_when_raising_then_it_is_a_field_error(wcounty, clock):
    refused(lambda: raise_(wcounty, village=wcounty.villages[2].code), Invalid)


def test_given_photos_when_raising_then_only_real_images_are_accepted(wcounty, clock, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    refused(lambda: raise_(wcounty, attachments=[SimpleUploadedFile("x.jpg", b"GIF89a" + b"\x00" * 20)]), Invalid)
    settings.TIAOKUAI = {**settings.TIAOKUAI, "MAX_UPLOAD_BYTES": 50}
    refused(lambda: raise_(wcounty, attachments=[SimpleUploadedFile("big.png", PNG)]), Invalid)
    settings.TIAOKUAI = {**settings.TIAOKUAI, "MAX_UPLOAD_BYTES": 1000}
    w = raise_(wcounty, attachments=[SimpleUploadedFile("a.png", PNG), SimpleUploadedFile("b.jpg", JPEG),
                                     SimpleUploadedFile("c.webp", WEBP)])
    assert sorted(w.attachments.values_list("content_type", flat=True)) == ["image/jpeg", "image/png", "image/webp"]
    assert all((tmp_path / a.file.name).exists() for a in w.attachments.all())


def test_given_two_whistles_on_one_day_when_raised_then_numbers_count_up(wcounty, clock):
    assert [raise_(wcounty).number for _ in range(2)] == ["CS-20261123-0001", "CS-20261123-0002"]


def test_given_midnight_in_shanghai_when_raised_then_numbers_restart_with_the_new_day(wcounty, clock):
    clock.set(2026, 11, 23, 23, 59)  # 15:59 UTC: still the 23rd in Shanghai
    assert [raise_(wcounty).number for _ in range(2)] == ["CS-20261123-0001", "CS-20261123-0002"]
    clock.set(2026, 11, 24, 0, 0)  # 16:00 UTC on the 23rd, but the 24th in Shanghai
    assert raise_(wcounty).number == "CS-20261124-0001"
    clock.set(2026, 11, 23, 23, 59, 30)  # a late writer for the 23rd continues that day's series (ADR 0017:
    late = raise_(wcounty).number       # on PostgreSQL after a gap where the 24th took values in between)
    assert late.startswith("CS-20261123-") and late > "CS-20261123-0002"


def test_given_whistles_numbered_before_the_counter_when_raised_then_numbering_continues_after_them(wcounty, clock):
    w = raise_(wcounty)
    NumberCounter.objects.filter(prefix="CS").delete()  # as after the migration, or rows loaded in bulk
    Whistle.objects.filter(pk=w.pk).update(number="CS-20261123-0041")
    assert raise_(wcounty).number == "CS-20261123-0042"


def test_given_a_refused_raise_when_numbering_then_no_number_is_used_up(wcounty, clock):
    refused(lambda: raise_(wcounty, village="nowhere"), Invalid)
    assert raise_(wcounty).number == "CS-20261123-0001"


# ---------------------------------------------------------------- department steps

def test_given_dispatch_when_department_responds_arrives_and_resolves_then_whistle_awaits_township(wcounty, clock):
    w = raise_(wcounty, "CS-ZR-01")
    d = lead(w)
    dept = wcounty.users["department"]
    clock.advance(minutes=10)
    d = services.dispatch_respond(actor=dept, dispatch_id=d.pk)
    assert d.status == "responded" and d.next_check_at == d.arrive_by
    d = services.dispatch_arrive(actor=dept, dispatch_id=d.pk, people="李自然、执法队员2名")
    assert d.status == "arrived" and d.next_check_at == d.resolve_by
    services.dispatch_add_note(actor=dept, dispatch_id=d.pk, text="已现场核查")
    d = services.dispatch_resolve(actor=dept, dispatch_id=d.pk, outcome="resolved", note="已立案")
    assert d.status == "resolved" and d.outcome == "resolved" and d.next_check_at is None
    w.refresh_from_db()
    assert w.status == "resolved"
    # Every state change has its event: the last body finishing turns the whistle over (all_resolved).
    assert list(AuditEvent.objects.values_list("action", flat=True)) == [
        "whistles.raise", "whistles.respond", "whistles.arrive", "whistles.note", "whistles.resolve",
        "whistles.all_resolved"]
    # The township hears of each step (taken, on site, resolved), in the same transaction as the step.
    from tiaokuai.notify.models import Notification

    told = list(Notification.objects.filter(recipient=wcounty.users["township"]).order_by("id")
                .values_list("kind", "title"))
    assert [k for k, _t in told] == ["whistles.responded", "whistles.arrived", "whistles.resolved"]
    assert "已接单" in told[0][1] and "李自然、执法队员2名" in told[1][1]


def test_given_two_dispatches_when_only_one_is_resolved_then_whistle_stays_open(wcounty, clock):
    w = raise_(wcounty, "CS-HB-01")
    user = wcounty.users["department_other"]
    d = lead(w)
    services.dispatch_respond(actor=user, dispatch_id=d.pk)
    services.dispatch_arrive(actor=user, dispatch_id=d.pk, people="赵环保")
    services.dispatch_resolve(actor=user, dispatch_id=d.pk, outcome="partly_resolved", note="需市场监管配合")
    w.refresh_from_db()
    assert w.status == "open"


def test_given_dispatch_of_other_department_when_acting_then_not_found_and_nothing_changes(wcounty, clock):
    d = lead(raise_(wcounty, "CS-ZR-01"))
    for who in ["department_other", "township", "establishment_office", "citizen"]:
        refused(lambda who=who: services.dispatch_respond(actor=wcounty.users[who], dispatch_id=d.pk))
    refused(lambda: services.dispatch_respond(actor=wcounty.users["department"], dispatch_id=999999))


def test_given_wrong_state_when_acting_then_conflict_and_nothing_changes(wcounty, clock):
    d = lead(raise_(wcounty, "CS-ZR-01"))
    dept = wcounty.users["department"]
    refused(lambda: services.dispatch_arrive(actor=dept, dispatch_id=d.pk, people="x"), Conflict)
    refused(lambda: services.dispatch_resolve(actor=dept, dispatch_id=d.pk, outcome="resolved"), Conflict)
    services.dispatch_respond(actor=dept, dispatch_id=d.pk)
    refused(lambda: services.dispatch_respond(actor=dept, dispatch_id=d.pk), Conflict)  # double click


def test_given_bad_step_input_when_acting_then_invalid_and_nothing_changes(wcounty, clock):
    d = lead(raise_(wcounty, "CS-ZR-01"))
    dept = wcounty.users["department"]
    services.dispatch_respond(actor=dept, dispatch_id=d.pk)
    refused(lambda: services.dispatch_arrive(actor=dept, dispatch_id=d.pk, people=" "), Invalid)
    refused(lambda: services.dispatch_arrive(actor=dept, dispatch_id=d.pk, people="x",
                                             arrived_at=clock.now + dt.timedelta(hours=1)), Invalid)
    services.dispatch_arrive(actor=dept, dispatch_id=d.pk, people="x")
    refused(lambda: services.dispatch_resolve(actor=dept, dispatch_id=d.pk, outcome="done"), Invalid)
    refused(lambda: services.dispatch_resolve(actor=dept, dispatch_id=d.pk, outcome="cannot_resolve"), Invalid)


# ---------------------------------------------------------------- disputes

def test_given_dispute_when_office_keeps_then_status_is_back_and_deadlines_move_by_the_paused_working_time(
        wcounty, clock):
    w = raise_(wcounty, "CS-ZR-01")
    d = lead(w)
    dept = wcounty.users["department"]
    services.dispatch_respond(actor=dept, dispatch_id=d.pk)
    clock.advance(minutes=30)  # 09:30
    dispute = services.dispatch_dispute(actor=dept, dispatch_id=d.pk, reason="依清单第3项，属乡镇职责")
    d.refresh_from_db()
    assert d.status == "disputed" and d.paused_since == clock.now and d.next_check_at is None
    refused(lambda: services.dispatch_arrive(actor=dept, dispatch_id=d.pk, people="x"), Conflict)
    clock.set(2026, 11, 23, 15, 0)  # 09:30 → 15:00 = 150 + 60 working minutes
    services.dispute_decide(actor=wcounty.users["establishment_office"], dispute_id=dispute.pk, decision="keep",
                            note="清单明确由自然资源局主体负责")
    old_arrive, old_resolve = d.arrive_by, d.resolve_by
    d.refresh_from_db()
    assert d.status == "responded" and d.paused_since is None and d.paused_minutes == 210
    assert d.arrive_by == worktime.add_working_minutes(old_arrive, 210)
    assert d.resolve_by == worktime.add_working_minutes(old_resolve, 210)
    assert Dispute.objects.get().status == "kept"


def test_given_dispute_when_office_reroutes_then_dispatch_is_withdrawn_and_new_body_gets_fresh_deadlines(
        wcounty, clock):
    w = raise_(wcounty, "CS-ZR-01")
    d = lead(w)
    dispute = services.dispatch_dispute(actor=wcounty.users["department"], dispatch_id=d.pk, reason="非我局职责")
    clock.advance(hours=2)
    services.dispute_decide(actor=wcounty.users["establishment_office"], dispute_id=dispute.pk, decision="reroute",
                            organisation_code="D-HB", note="改派")
    d.refresh_from_db()
    assert d.status == "withdrawn"
    new = Dispatch.objects.get(whistle=w, organisation__code="D-HB")
    assert (new.role, new.status, new.replaces_id, new.matter_code) == ("lead", "dispatched", d.pk, "ZR-001")
    assert new.respond_by == worktime.add_working_minutes(clock.now, 120)
    assert Dispute.objects.get().status == "rerouted"
    assert selectors.routing_labels() == [("某餐馆油烟直排，群众多次投诉", "ZR-001", "D-HB")]


def test_given_open_dispute_when_deciding_badly_or_not_office_then_nothing_changes(wcounty, clock):
    d = lead(raise_(wcounty, "CS-ZR-01"))
    dispute = services.dispatch_dispute(actor=wcounty.users["department"], dispatch_id=d.pk, reason="非我局职责")
    assert selectors.routing_labels() == []
    office = wcounty.users["establishment_office"]
    refused(lambda: services.dispute_decide(actor=wcounty.users["department"], dispute_id=dispute.pk,
                                            decision="keep"))
    refused(lambda: services.dispute_decide(actor=office, dispute_id=dispute.pk, decision="reroute",
                                            organisation_code="T01"), Invalid)  # the raising township itself
    refused(lambda: services.dispute_decide(actor=office, dispute_id=dispute.pk, decision="maybe"), Invalid)
    services.dispute_decide(actor=office, dispute_id=dispute.pk, decision="keep")
    refused(lambda: services.dispute_decide(actor=office, dispute_id=dispute.pk, decision="keep"), Conflict)
    refused(lambda: services.dispatch_dispute(actor=wcounty.users["department"], dispatch_id=d.pk, reason=" "),
            Invalid)


# ---------------------------------------------------------------- township

def test_given_resolved_whistle_when_township_confirms_rates_and_closes_then_closed(wcounty, clock):
    w = to_resolved(wcounty, raise_(wcounty, "CS-ZR-01"))
    town = wcounty.users["township"]
    refused(lambda: services.whistle_close(actor=town, whistle_id=w.pk), Conflict)  # confirm first
    refused(lambda: services.whistle_confirm(actor=wcounty.users["township_other"], whistle_id=w.pk))
    services.whistle_confirm(actor=town, whistle_id=w.pk)
    d = lead(w)
    services.whistle_rate(actor=town, whistle_id=w.pk,
                          ratings=[{"dispatch_id": d.pk, "speed": 5, "attitude": 4, "result": 5, "comment": "及时"}])
    refused(lambda: services.whistle_rate(actor=town, whistle_id=w.pk, ratings=[
        {"dispatch_id": d.pk, "speed": 1, "attitude": 1, "result": 1}]), Conflict)  # once per dispatch
    services.whistle_close(actor=town, whistle_id=w.pk)
    w.refresh_from_db()
    assert w.status == "closed" and w.closed_at == clock.now
    assert Rating.objects.get().speed == 5


def test_given_bad_ratings_when_rating_then_invalid_and_nothing_changes(wcounty, clock):
    w = to_resolved(wcounty, raise_(wcounty, "CS-ZR-01"))
    town = wcounty.users["township"]
    refused(lambda: services.whistle_rate(actor=town, whistle_id=w.pk, ratings=[]), Conflict)  # not confirmed yet
    services.whistle_confirm(actor=town, whistle_id=w.pk)
    d = lead(w)
    refused(lambda: services.whistle_rate(actor=town, whistle_id=w.pk, ratings=[
        {"dispatch_id": d.pk, "speed": 6, "attitude": 0, "result": 3}]), Invalid)
    refused(lambda: services.whistle_rate(actor=town, whistle_id=w.pk, ratings=[
        {"dispatch_id": 999, "speed": 3, "attitude": 3, "result": 3}]), Invalid)


def test_given_resolved_whistle_when_township_returns_then_named_dispatches_reopen_with_new_deadlines(wcounty, clock):
    w = to_resolved(wcounty, raise_(wcounty, "CS-HB-01"))
    ld = lead(w)
    clock.advance(hours=1)
    refused(lambda: services.whistle_return(actor=wcounty.users["township"], whistle_id=w.pk, reason=""), Invalid)
    services.whistle_return(actor=wcounty.users["township"], whistle_id=w.pk, reason="油烟仍未整改",
                            dispatch_ids=[ld.pk])
    w.refresh_from_db()
    ld.refresh_from_db()
    assert w.status == "open" and w.return_count == 1
    assert ld.status == "responded" and ld.outcome == "" and ld.arrived_at is None
    assert ld.resolve_by == worktime.add_working_minutes(clock.now, 2100)
    assert Dispatch.objects.get(whistle=w, role="assist").status == "resolved"


def test_given_closed_whistle_when_reopened_within_the_window_then_open_and_after_it_conflict(wcounty, clock, settings):
    w = to_resolved(wcounty, raise_(wcounty, "CS-ZR-01"))
    town = wcounty.users["township"]
    services.whistle_confirm(actor=town, whistle_id=w.pk)
    services.whistle_close(actor=town, whistle_id=w.pk)
    clock.advance(days=16)
    refused(lambda: services.whistle_reopen(actor=town, whistle_id=w.pk, reason="问题反弹"), Conflict)
    settings.TIAOKUAI = {**settings.TIAOKUAI, "WHISTLE_REOPEN_DAYS": 30}
    refused(lambda: services.whistle_reopen(actor=wcounty.users["department"], whistle_id=w.pk, reason="x"))
    services.whistle_reopen(actor=town, whistle_id=w.pk, reason="问题反弹")
    w.refresh_from_db()
    assert w.status == "open" and w.reopen_count == 1 and w.closed_at is None
    assert lead(w).status == "responded"


# ---------------------------------------------------------------- selectors and list hooks

def test_given_whistles_when_selecting_then_each_viewer_sees_their_own(wcounty, clock):
    from tiaokuai.core.access import viewer_for

    w = raise_(wcounty, "CS-ZR-01")
    seen = {k: list(selectors.visible_whistles(viewer_for(u)).values_list("pk", flat=True))
            for k, u in wcounty.users.items()}
    assert seen["township"] == [w.pk] and seen["department"] == [w.pk] and seen["leader"] == [w.pk]
    assert seen["township_other"] == [] and seen["department_other"] == [] and seen["citizen"] == []
    inbox = selectors.dispatch_inbox(viewer_for(wcounty.users["department"]))
    assert [d.whistle_id for d in inbox] == [w.pk]
    acts = selectors.allowed_actions(viewer_for(wcounty.users["department"]), w)
    assert acts[lead(w).pk] == ["respond", "dispute", "note"]


def test_given_published_whistle_list_when_starting_a_draft_then_items_are_copied(wcounty, clock, monkeypatch):
    from tiaokuai.duties import services as duties_services
    from tiaokuai.duties.services import release_start_draft

    # Registered by WhistlesConfig.ready(); set again because another test may have removed it from the registry.
    monkeypatch.setitem(duties_services.DRAFT_COPIERS, "whistle", services.copy_items)

    draft = release_start_draft(actor=wcounty.users["establishment_office"], kind="whistle")
    assert sorted(WhistleItem.objects.filter(release=draft).values_list("code", flat=True)) == [
        "CS-HB-01", "CS-SJ-01", "CS-ZR-01"]
    WhistleItem.objects.filter(release=draft, code="CS-SJ-01").update(matter_code="XX-999")
    problems = services.publish_problems(ListRelease.objects.get(pk=draft.pk))
    assert list(problems) == ["items.CS-SJ-01"]


# ---------------------------------------------------------------- versions, board, labels

def test_given_a_new_responsibility_version_when_raising_then_new_whistles_follow_it_and_old_ones_stay_pinned(
        wcounty, clock):
    from django.utils import timezone

    from tiaokuai.duties.models import Assignment
    from tiaokuai.duties.services import copy_matters

    old = raise_(wcounty, "CS-HB-01")
    v2 = ListRelease.objects.create(kind="responsibility", number=2, title="v2", status="published",
                                    effective_from=dt.date(2026, 11, 1), created_at=timezone.now(),
                                    published_at=timezone.now())
    copy_matters(wcounty.release, v2)
    Assignment.objects.filter(matter__release=v2, matter__code="HB-001", role="coordinating").delete()
    new = raise_(wcounty, "CS-HB-01")
    assert new.responsibility_release_id == v2.pk
    assert list(new.dispatches.values_list("organisation__code", flat=True)) == ["D-HB"]
    assert sorted(old.dispatches.values_list("organisation__code", "decided_by_release_id")) == [
        ("D-HB", wcounty.release.pk), ("D-SJ", wcounty.release.pk)]


def test_given_overdue_and_on_time_whistles_when_filtering_the_board_then_overdue_ones_show(wcounty, clock):
    from tiaokuai.core.access import viewer_for

    late = raise_(wcounty, "CS-ZR-01")
    clock.advance(hours=3)  # past the 2-working-hour respond deadline of the first
    fresh = raise_(wcounty, "CS-ZR-01")
    leader = viewer_for(wcounty.users["leader"])
    assert [w.pk for w in selectors.board(leader, overdue=True)] == [late.pk]
    assert [w.pk for w in selectors.board(leader, overdue=False)] == [fresh.pk]
    assert [w.pk for w in selectors.board(leader, department="D-ZR", domain="ZRZY")] == [fresh.pk, late.pk]
    assert list(selectors.board(leader, township=wcounty.townships[1].code)) == []


def test_given_a_kept_dispute_when_listing_routing_labels_then_the_whistle_counts_for_the_same_body(wcounty, clock):
    d = lead(raise_(wcounty, "CS-ZR-01", description="村民在基本农田上建房"))
    dispute = services.dispatch_dispute(actor=wcounty.users["department"], dispatch_id=d.pk, reason="非我局职责")
    services.dispute_decide(actor=wcounty.users["establishment_office"], dispute_id=dispute.pk, decision="keep")
    assert selectors.routing_labels() == [("村民在基本农田上建房", "ZR-001", "D-ZR")]


def test_given_emergency_dispute_when_kept_then_deadlines_move_by_natural_minutes(wcounty, clock):
    d = lead(raise_(wcounty, "CS-ZR-01", urgency="emergency"))
    dispute = services.dispatch_dispute(actor=wcounty.users["department"], dispatch_id=d.pk, reason="非我局职责")
    clock.advance(minutes=40)
    services.dispute_decide(actor=wcounty.users["establishment_office"], dispute_id=dispute.pk, decision="keep")
    old_respond = d.respond_by
    d.refresh_from_db()
    assert d.status == "dispatched" and d.paused_minutes == 40
    assert d.respond_by == old_respond + dt.timedelta(minutes=40)


def test_given_a_whistle_list_draft_when_the_office_edits_items_then_they_change_and_others_cannot(wcounty, clock):
    from tiaokuai.duties.services import release_start_draft

    office = wcounty.users["establishment_office"]
    draft = release_start_draft(actor=office, kind="whistle")
    item = services.whistle_item_save(actor=office, release_id=draft.pk, code="CS-ZR-02", data={
        "name": "山体滑坡迹象需专业排查", "domain": "ZRZY", "whistle_class": "must", "matter_code": "ZR-001",
        "trigger": "发现即吹"})
    assert item.pk and item.release_id == draft.pk and item.respond_minutes_normal == 120
    refused(lambda: services.whistle_item_save(actor=office, release_id=draft.pk, code="CS-ZR-02", data={
        "domain": "XX", "respond_minutes_normal": 5000}), Invalid)
    refused(lambda: services.whistle_item_save(actor=wcounty.users["township"], release_id=draft.pk, code="CS-X",
                                               data={"name": "x"}))
    refused(lambda: services.whistle_item_save(actor=office, release_id=wcounty.whistle_release.pk, code="CS-X",
                                               data={"name": "x"}), Conflict)  # published: frozen
    services.whistle_item_delete(actor=office, release_id=draft.pk, code="CS-ZR-02")
    assert not WhistleItem.objects.filter(release=draft, code="CS-ZR-02").exists()


def test_given_a_body_called_on_a_whistle_when_a_second_live_call_is_written_then_the_database_refuses_it(wcounty):
    """A body is called once per whistle (routing and rerouting check it; the constraint holds it against a
    write that slips past, such as two reroutes at once); a withdrawn call does not count."""
    from django.db import IntegrityError, transaction

    w = raise_(wcounty)
    d = lead(w)
    copy = {f.attname: getattr(d, f.attname) for f in Dispatch._meta.concrete_fields if not f.primary_key}
    with pytest.raises(IntegrityError), transaction.atomic():
        Dispatch.objects.create(**copy)
    Dispatch.objects.create(**{**copy, "status": "withdrawn"})
    assert Dispatch.objects.filter(whistle=w, organisation_id=d.organisation_id).count() == 2


def test_given_a_body_called_at_the_same_moment_when_new_dispatches_are_written_then_409_and_nothing_written(wcounty):
    """Two reroutes (or a route and a reroute) to one body at once: the one that finds the body already called by
    the other gets a Conflict, not a server error, and its transaction writes nothing more."""
    from django.utils import timezone

    from tiaokuai.core.errors import Conflict
    from tiaokuai.whistles.services.raising import _new_dispatches

    w = raise_(wcounty)
    d = lead(w)
    before = state()
    with pytest.raises(Conflict):
        _new_dispatches(w, [(d.organisation_id, "assist", "", "")], (30, 60, 120), timezone.now(),
                        decided_by_id=None)
    assert state() == before
