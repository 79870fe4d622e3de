"""属地乡镇（街道） on whistles: the role resolves to the township of the whistle, and dispatches to a township's
government are worked by that township's staff from its inbox (and by nobody else)."""

import pytest

from tests.whistles.test_services import lead, raise_, refused, state
from tiaokuai.core.access import viewer_for
from tiaokuai.core.errors import NotFound
from tiaokuai.duties.models import Assignment
from tiaokuai.whistles import reports, selectors, services
from tiaokuai.whistles.models import Dispatch


def _territorial(c, code, *, primary=False):
    """Make the township role (instead of T01, one particular township) a body of matter `code`."""
    m = c.release.matters.get(code=code)
    m.assignments.filter(organisation__kind="township").delete()
    if primary:
        m.assignments.filter(role="primary").update(role="coordinating")
    Assignment.objects.create(matter=m, body_kind="territorial_township", role="primary" if primary else "coordinating",
                              duty="属地巡查，先期处置。")
    services.clear_route_cache()


# ---------------------------------------------------------------- resolution


def test_given_the_role_when_resolved_for_a_township_then_its_own_government(wcounty):
    _territorial(wcounty, "ZR-001")
    route = services.routes_for(*services.releases_in_force(wcounty.release.effective_from)).get("CS-ZR-01")
    role = next(b for b in route.bodies if b.territorial)
    for township, gov in zip(wcounty.townships, wcounty.township_orgs, strict=True):
        resolved = services.resolve_body(role, township.pk)
        assert (resolved.organisation_id, resolved.code, resolved.role) == (gov.pk, gov.code, "coordinating")


def test_given_the_role_coordinating_when_another_township_raises_then_no_fixed_township_is_called(wcounty, clock):
    _territorial(wcounty, "ZR-001")
    w = raise_(wcounty, "CS-ZR-01", village=wcounty.villages[2].code, actor=wcounty.users["township_other"])
    # 属地 is 白云乡 itself (the one whistling): not 青石镇 (T01), as a fixed township on the list made it before.
    assert list(w.dispatches.values_list("organisation__code", "role")) == [("D-ZR", "lead")]


def test_given_the_role_is_primary_when_the_township_raises_then_the_county_bodies_named_still_come(wcounty, clock):
    _territorial(wcounty, "ZR-001", primary=True)
    w = raise_(wcounty, "CS-ZR-01", village=wcounty.villages[2].code, actor=wcounty.users["township_other"])
    assert w.status == "open"
    assert list(w.dispatches.values_list("organisation__code", "role", "assignment_role")) == [
        ("D-ZR", "lead", "coordinating")]


def test_given_the_role_is_primary_and_alone_when_raised_then_the_office_routes_it(wcounty, clock):
    m = wcounty.release.matters.get(code="SJ-001")
    m.assignments.all().delete()
    Assignment.objects.create(matter=m, body_kind="territorial_township", role="primary", duty="属地负责")
    services.clear_route_cache()
    w = raise_(wcounty, "CS-SJ-01")
    assert w.status == "routing" and not w.dispatches.exists()


# ---------------------------------------------------------------- a township's inbox


@pytest.fixture
def called(wcounty, clock):
    """青石镇 whistles; the office calls 县自然资源局 to lead and 白云乡人民政府 (T02) to assist."""
    w = raise_(wcounty, None)
    services.whistle_route_manually(actor=wcounty.users["establishment_office"], whistle_id=w.pk, lead_code="D-ZR",
                                    assist_codes=["T02"])
    return Dispatch.objects.get(whistle=w, organisation__code="T02")


def test_given_a_dispatch_to_a_township_when_its_staff_open_the_inbox_then_it_is_there(wcounty, called, login):
    other = wcounty.users["township_other"]
    assert list(selectors.dispatch_inbox(viewer_for(other))) == [called]
    assert not selectors.dispatch_inbox(viewer_for(wcounty.users["township"])).exists()
    assert not selectors.dispatch_inbox(viewer_for(wcounty.users["grid_worker"])).exists()
    assert called not in selectors.dispatch_inbox(viewer_for(wcounty.users["department"]))
    html = login(other).get("/whistles/inbox/").content.decode()
    assert called.whistle.number in html
    assert login(other).get(f"/whistles/{called.whistle_id}/").status_code == 200
    assert called.whistle in selectors.visible_whistles(viewer_for(other))
    assert selectors.allowed_actions(viewer_for(other), called.whistle)[called.pk] != []


def test_given_a_dispatch_to_a_township_when_its_staff_work_it_then_respond_arrive_resolve(wcounty, called):
    other = wcounty.users["township_other"]
    services.dispatch_respond(actor=other, dispatch_id=called.pk)
    services.dispatch_arrive(actor=other, dispatch_id=called.pk, people="白云乡 陈白云")
    services.dispatch_resolve(actor=other, dispatch_id=called.pk, outcome="resolved", note="已处置")
    called.refresh_from_db()
    assert called.status == "resolved"


def test_given_a_dispatch_to_a_township_when_its_staff_dispute_it_then_it_waits_for_the_office(wcounty, called):
    services.dispatch_dispute(actor=wcounty.users["township_other"], dispatch_id=called.pk, reason="不属本乡")
    called.refresh_from_db()
    assert called.status == "disputed"


@pytest.mark.parametrize("who", ["township", "grid_worker", "department", "department_other", "station", "leader"])
def test_given_a_dispatch_to_another_township_when_someone_else_acts_then_404_and_nothing_changes(wcounty, called,
                                                                                                   who):
    actor = wcounty.users[who]
    refused(lambda: services.dispatch_respond(actor=actor, dispatch_id=called.pk), NotFound)
    refused(lambda: services.dispatch_dispute(actor=actor, dispatch_id=called.pk, reason="x"), NotFound)
    services.dispatch_respond(actor=wcounty.users["township_other"], dispatch_id=called.pk)
    refused(lambda: services.dispatch_arrive(actor=actor, dispatch_id=called.pk, people="某人"), NotFound)


def test_given_a_dispatch_to_another_township_when_posting_its_action_then_404(wcounty, called, login):
    before = state()
    resp = login(wcounty.users["grid_worker"]).post(f"/whistles/dispatches/{called.pk}/respond/")
    assert resp.status_code == 404
    assert state() == before


def test_given_township_dispatches_when_computing_figures_by_department_then_townships_are_not_ranked(
        wcounty, called):
    services.dispatch_respond(actor=wcounty.users["township_other"], dispatch_id=called.pk)
    month = called.dispatched_at.date().replace(day=1)
    names = [r["name"] for r in reports.monthly_figures(viewer_for(wcounty.users["leader"]), month)]
    assert "县自然资源局" in names and "白云乡人民政府" not in names
    assert lead(called.whistle).organisation.code == "D-ZR"
