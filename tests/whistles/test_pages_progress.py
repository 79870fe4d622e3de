"""The whistle page says what the whistle is waiting for, per department, in words; escalation levels and
deadlines read as text (a phone shows no hover text)."""

from tests.whistles.test_views import lead, raise_one, wl  # noqa: F401  (fixture)
from tiaokuai.whistles import services
from tiaokuai.whistles.models import Dispatch


def test_given_the_lead_finished_and_an_assist_pending_when_the_township_opens_it_then_it_says_who_it_waits_for(
        wl, login):  # noqa: F811
    whistle = services.whistle_raise(actor=wl.users["township"], item_code=None, village_code=wl.villages[0].code,
                                     description="河道边有人违法建房还排污")
    services.whistle_route_manually(actor=wl.users["establishment_office"], whistle_id=whistle.pk, lead_code="D-ZR",
                                    assist_codes=["D-HB"])
    d = lead(whistle)
    user = wl.users["department"]
    services.dispatch_respond(actor=user, dispatch_id=d.pk)
    services.dispatch_arrive(actor=user, dispatch_id=d.pk, people="李自然")
    services.dispatch_resolve(actor=user, dispatch_id=d.pk, outcome="resolved", note="")
    assist = whistle.dispatches.exclude(pk=d.pk).get()
    html = login(wl.users["township"]).get(f"/whistles/{whistle.pk}/").content.decode()
    progress = html[html.index('id="progress"'):html.index('id="dispatches"')]
    assert "当前进展" in progress and "还有 1 个单位在办理" in progress
    assert f'data-progress="{d.pk}"' in progress and "已办结" in progress
    assert assist.organisation.name in progress and "等待接单" in progress
    assert "截止" in progress  # the deadline as text


def test_given_an_escalated_dispatch_when_pages_show_it_then_the_level_is_explained(wl, login):  # noqa: F811
    whistle = raise_one(wl)
    Dispatch.objects.filter(pk=lead(whistle).pk).update(escalation_level=2)
    client = login(wl.users["department"])
    for url in (f"/whistles/{whistle.pk}/", "/whistles/inbox/"):
        html = client.get(url).content.decode()
        assert "督办第 2 级" in html and "告知部门负责人" in html, url
        assert ">L2<" not in html
