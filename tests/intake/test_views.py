"""Request pages through the test client: the public form and tracking page (no sign-in, no personal data),
the hotline form, the inbox, the request page (404 for others; masked contact, audited reveal), supervision."""

import pytest
from django.test import Client
from django.urls import reverse

from tiaokuai.core.models import AuditEvent
from tiaokuai.intake import services
from tiaokuai.intake.models import Request

pytestmark = pytest.mark.django_db


def test_given_no_sign_in_when_a_citizen_uses_the_public_form_then_a_tracking_page_without_personal_data(rcounty, clock):
    c = Client()
    assert c.get(reverse("intake:submit")).status_code == 200
    resp = c.post(reverse("intake:submit"), {"description": "路灯坏了", "village": rcounty.villages[0].code,
                                             "kind": "general", "citizen_name": "王小明",
                                             "citizen_phone": "13812345678"})
    r = Request.objects.get()
    assert resp.status_code == 302 and resp.url == reverse("intake:track_code", args=[r.tracking_code]) + "?new=1"
    page = c.get(resp.url).content.decode()
    assert r.tracking_code in page and r.number in page and "已受理" in page
    assert "13812345678" not in page and "王小明" not in page and "路灯坏了" not in page
    assert c.get(reverse("intake:track"), {"code": r.tracking_code.lower()}).url.endswith(f"/{r.tracking_code}/")
    assert c.get(reverse("intake:track_code", args=["NOPE"])).status_code == 404


def test_given_bad_input_on_the_public_form_then_messages_beside_the_fields_and_nothing_stored(rcounty, clock):
    resp = Client().post(reverse("intake:submit"), {"description": "", "village": "x", "kind": "general"})
    assert resp.status_code == 200 and Request.objects.count() == 0
    assert "is-invalid" in resp.content.decode()


def test_given_the_operator_when_taking_a_call_then_the_request_is_dispatched_and_the_page_shows_it(
        rcounty, clock, login):
    c = login(rcounty.users["operator"])
    page = c.get(reverse("intake:hotline")).content.decode()
    assert reverse("routing:suggest") in page and 'id="routing-suggestions"' in page
    resp = c.post(reverse("intake:hotline"), {
        "citizen_name": "李四", "citizen_phone": "13900001111", "description": "耕地上建房", "matter": "ZR-001",
        "village": rcounty.villages[0].code, "kind": "general"})
    r = Request.objects.get()
    assert resp.status_code == 302 and r.channel == "hotline" and r.status == "dispatched"
    page = c.get(reverse("intake:detail", args=[r.pk])).content.decode()
    assert "李*" in page and "139****1111" in page and "13900001111" not in page
    assert "受理诉求" in page  # the timeline reads as a sentence


def test_given_a_request_when_others_open_it_then_404(rcounty, clock, login):
    r = services.request_submit(actor=rcounty.users["operator"], channel="hotline", description="耕地上建房",
                                village_code=rcounty.villages[0].code, citizen_phone="13900001111",
                                matter_code="ZR-001")
    url = reverse("intake:detail", args=[r.pk])
    for who in ("department_other", "township_other", "citizen"):
        assert login(rcounty.users[who]).get(url).status_code == 404
    assert Client().get(url).status_code == 302  # to sign in
    for who in ("department", "township", "supervisor", "establishment_office"):
        assert login(rcounty.users[who]).get(url).status_code == 200


def test_given_the_inbox_when_the_body_accepts_then_answers_then_the_request_waits_for_closing(rcounty, clock, login):
    r = services.request_submit(actor=rcounty.users["operator"], channel="hotline", description="耕地上建房",
                                village_code=rcounty.villages[0].code, citizen_phone="13900001111",
                                matter_code="ZR-001")
    d = r.dispatches.get()
    c = login(rcounty.users["department"])
    assert r.number in c.get(reverse("intake:inbox")).content.decode()
    c.post(reverse("intake:dispatch_action", args=[d.pk, "accept"]))
    c.post(reverse("intake:dispatch_action", args=[d.pk, "resolve"]), {"outcome": "resolved", "note": "已处理"})
    r.refresh_from_db()
    assert r.status == "resolved"
    other = login(rcounty.users["department_other"])
    assert other.post(reverse("intake:dispatch_action", args=[d.pk, "accept"])).status_code == 404
    op = login(rcounty.users["operator"])
    op.post(reverse("intake:request_action", args=[r.pk, "close"]))
    op.post(reverse("intake:request_action", args=[r.pk, "callback"]), {"satisfaction": "basic"})
    r.refresh_from_db()
    assert r.status == "closed" and r.satisfaction == "basic"


def test_given_the_handler_when_revealing_the_contact_then_shown_once_and_audited(rcounty, clock, login):
    r = services.request_submit(actor=rcounty.users["operator"], channel="hotline", description="耕地上建房",
                                village_code=rcounty.villages[0].code, citizen_name="李四",
                                citizen_phone="13900001111", matter_code="ZR-001")
    c = login(rcounty.users["department"])
    resp = c.post(reverse("intake:request_action", args=[r.pk, "reveal"]), follow=True)  # no purpose: refused
    assert "13900001111" not in resp.content.decode() and not AuditEvent.objects.filter(action="intake.reveal")
    resp = c.post(reverse("intake:request_action", args=[r.pk, "reveal"]), {"purpose": "回访"}, follow=True)
    assert "13900001111" in resp.content.decode()
    assert AuditEvent.objects.filter(action="intake.reveal").count() == 1
    assert login(rcounty.users["township_other"]).post(
        reverse("intake:request_action", args=[r.pk, "reveal"]), {"purpose": "回访"}).status_code == 404
    assert AuditEvent.objects.filter(action="intake.reveal").count() == 1


def test_given_an_overdue_request_then_the_supervision_page_lists_it(rcounty, clock, login):
    r = services.request_submit(actor=rcounty.users["operator"], channel="hotline", description="燃气泄漏",
                                village_code=rcounty.villages[0].code, citizen_phone="13900001111",
                                matter_code="ZR-001", kind="life_property")
    clock.advance(hours=1)
    page = login(rcounty.users["supervisor"]).get(reverse("intake:supervision")).content.decode()
    assert r.number in page and "status-overdue" in page
    assert login(rcounty.users["department"]).get(reverse("intake:supervision")).status_code == 404


def test_given_work_waiting_when_each_role_opens_the_workbench_then_its_request_work_is_listed(rcounty, clock, login):
    r = services.request_submit(actor=rcounty.users["operator"], channel="hotline", description="耕地上建房",
                                village_code=rcounty.villages[0].code, citizen_phone="13900001111",
                                matter_code="ZR-001")
    waiting = services.request_submit(actor=None, channel="web", description="想反映情况",
                                      village_code=rcounty.villages[0].code, citizen_phone="13900001111")
    home = login(rcounty.users["department"]).get("/").content.decode()
    assert r.number in home
    assert waiting.number in login(rcounty.users["operator"]).get("/").content.decode()


@pytest.mark.parametrize("who,name", [("department", "intake:inbox"), ("operator", "intake:list"),
                                      ("supervisor", "intake:supervision"), ("operator", "intake:callbacks"),
                                      ("supervisor", "intake:supervision_items")])
def test_given_more_rows_when_a_list_page_is_opened_then_the_query_count_stays_the_same(rcounty, clock, login, who,
                                                                                         name):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    op = rcounty.users["operator"]

    def add(n):
        for _i in range(n):
            r = services.request_submit(actor=op, channel="hotline", description="耕地上建房", matter_code="ZR-001",
                                        village_code=rcounty.villages[0].code, citizen_phone="13900001111",
                                        kind="life_property")
            d = r.dispatches.get()
            services.dispatch_accept(actor=rcounty.users["department"], dispatch_id=d.pk)
            services.dispatch_resolve(actor=rcounty.users["department"], dispatch_id=d.pk, outcome="resolved")
            services.request_close(actor=op, request_id=r.pk)
            services.request_callback(actor=op, request_id=r.pk, satisfaction="unsatisfied", comment="没解决")
            services.request_submit(actor=op, channel="hotline", description="耕地", matter_code="ZR-001",
                                    village_code=rcounty.villages[0].code, citizen_phone="13900001111",
                                    kind="life_property")

    c = login(rcounty.users[who])
    counts = []
    for n in (1, 4):
        add(n)
        clock.advance(hours=3)
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(reverse(name)).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts


def test_given_a_phone_number_in_the_citizens_words_then_pages_api_and_open311_mask_it(rcounty, clock, login, api):
    r = services.request_submit(actor=rcounty.users["operator"], channel="hotline", matter_code="ZR-001",
                                description="耕地上建房，联系我13912345678", village_code=rcounty.villages[0].code,
                                citizen_phone="13900001111")
    page = login(rcounty.users["department"]).get(reverse("intake:detail", args=[r.pk])).content.decode()
    assert "13912345678" not in page and "139****5678" in page
    assert "13912345678" not in api(rcounty.users["department"]).get(f"/api/v1/requests/{r.pk}").content.decode()
    assert "13912345678" not in Client().get(f"/open311/v2/requests/{r.number}.json").content.decode()


def test_given_a_township_handling_a_request_when_it_turns_it_into_a_whistle_then_the_raise_form_opens_filled(
        rcounty, clock, login):
    # given a request routed to the township where it happens
    r = services.request_submit(actor=None, channel="web", description="桥面护栏断裂，行人有坠落危险",
                                village_code=rcounty.villages[0].code, kind="general", address="青石1村村口",
                                citizen_name="王小明", citizen_phone="13812345678")
    services.request_route(actor=rcounty.users["operator"], request_id=r.pk, matter_code="CX-001")
    c = login(rcounty.users["township"])
    # when the township opens the request, the link to the raise form carries what the request knows
    page = c.get(reverse("intake:detail", args=[r.pk])).content.decode()
    start = page.index(reverse("whistles:raise") + "?")
    url = page[start:page.index('"', start)].replace("&amp;", "&")
    form = c.get(url).content.decode()
    # then the raise form opens with the description, village and address filled, ready to check and send
    assert "桥面护栏断裂，行人有坠落危险" in form and "青石1村村口" in form
    assert f'value="{rcounty.villages[0].code}" selected' in form


def test_given_a_phone_in_a_request_when_on_the_workbench_then_masked(rcounty, clock, login):
    services.request_submit(actor=rcounty.users["operator"], channel="hotline", description="占地建房，来电13912345678",
                            village_code=rcounty.villages[0].code, citizen_phone="13900001111", matter_code="ZR-001")
    html = login(rcounty.users["department"]).get("/").content.decode()  # its "to accept" list
    assert "139****5678" in html and "13912345678" not in html


def test_given_a_phone_in_an_answer_when_the_request_page_shows_it_then_masked(rcounty, clock, login):
    r = services.request_submit(actor=rcounty.users["operator"], channel="hotline", description="占地建房",
                                village_code=rcounty.villages[0].code, citizen_phone="13900001111", matter_code="ZR-001")
    d = r.dispatches.get()
    services.dispatch_accept(actor=rcounty.users["department"], dispatch_id=d.pk)
    services.dispatch_resolve(actor=rcounty.users["department"], dispatch_id=d.pk, outcome="resolved",
                              note="已拆除，执法人员电话13912345678")
    for who in ("operator", "department"):
        html = login(rcounty.users[who]).get(reverse("intake:detail", args=[r.pk])).content.decode()
        assert "139****5678" in html and "13912345678" not in html, who
