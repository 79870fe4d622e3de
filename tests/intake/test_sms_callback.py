"""The satisfaction callback by text message: when a request closes and the citizen gave a mobile number, a text
goes through the SMS adapter (the county's gateway over HTTP — here a fake one on 127.0.0.1 — or a file) as an
outbox delivery, retried with back-off; the reply (1/2/3 or 满意/基本满意/不满意, then a comment) comes back from the
gateway and is recorded as the callback through the callback service; no mobile number, an unclear reply, or no
reply in the hours set → the request is in the operators' callback queue."""

import datetime as dt
import http.server
import json
import threading

import pytest
from django.test import Client

from tiaokuai.core.access import viewer_for
from tiaokuai.core.models import AuditEvent
from tiaokuai.core.sweeps import run_one
from tiaokuai.intake import selectors, services
from tiaokuai.intake.models import CallbackSurvey, Request
from tiaokuai.notify.models import Delivery, Notification
from tiaokuai.notify.services import retry_due

pytestmark = pytest.mark.django_db
TOKEN = "inbound-secret"


class Gateway(http.server.BaseHTTPRequestHandler):
    """A county SMS gateway: records what it is sent; answers the queued statuses, then 200."""

    received: list[dict] = []
    statuses: list[int] = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Gateway.received.append({"auth": self.headers.get("Authorization"), "body": json.loads(body)})
        self.send_response(Gateway.statuses.pop(0) if Gateway.statuses else 200)
        self.end_headers()
        self.wfile.write(b'{"ok": true}')

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(settings):
    Gateway.received, Gateway.statuses = [], []
    server = http.server.HTTPServer(("127.0.0.1", 0), Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.TIAOKUAI = {**settings.TIAOKUAI, "INTAKE_CALLBACK_SMS": True, "INTAKE_CALLBACK_SMS_HOURS": 24,
                         "SMS_BACKEND": "http", "SMS_GATEWAY_URL": f"http://127.0.0.1:{server.server_port}/send",
                         "SMS_GATEWAY_TOKEN": "gw-token", "SMS_INBOUND_TOKEN": TOKEN, "NOTIFY_SWEEP_CHANNELS": ["log"]}
    yield Gateway
    server.shutdown()
    server.server_close()


def closed(c, clock, phone="13900001111", capture=None):
    r = services.request_submit(actor=c.users["operator"], channel="hotline", description="有人在耕地上建房",
                                village_code=c.villages[0].code, citizen_phone=phone, matter_code="ZR-001")
    d = r.dispatches.get()
    services.dispatch_accept(actor=c.users["department"], dispatch_id=d.pk)
    services.dispatch_resolve(actor=c.users["department"], dispatch_id=d.pk, outcome="resolved", note="已拆除")
    clock.advance(hours=1)
    if capture is not None:
        with capture(execute=True):
            services.request_close(actor=c.users["operator"], request_id=r.pk)
    else:
        services.request_close(actor=c.users["operator"], request_id=r.pk)
    r.refresh_from_db()
    return r


def reply(phone, text, token=TOKEN):
    return Client().post("/intake/sms/reply/", {"phone": phone, "text": text},
                         headers={"Authorization": f"Bearer {token}"})


def queue(c):
    return list(selectors.callbacks_due(viewer_for(c.users["operator"])))


def test_given_a_mobile_number_when_the_request_closes_then_the_gateway_gets_the_text_retried_until_it_takes_it(
        rcounty, clock, gateway, django_capture_on_commit_callbacks):
    gateway.statuses = [503]
    r = closed(rcounty, clock, capture=django_capture_on_commit_callbacks)
    survey = CallbackSurvey.objects.get(request=r)
    assert survey.status == "waiting" and survey.phone == "13900001111"
    assert survey.reply_by == clock.now + dt.timedelta(hours=24)
    delivery = Delivery.objects.get(notification__to_phone="13900001111")
    assert delivery.channel == "sms" and delivery.state == "failed" and delivery.attempts == 1  # 503: retried
    retry_due(now=clock.now + dt.timedelta(minutes=2))  # the outbox's retry sweep (log deliveries go too)
    delivery.refresh_from_db()
    assert delivery.state == "sent"
    assert len(gateway.received) == 2 and gateway.received[1]["auth"] == "Bearer gw-token"
    body = gateway.received[1]["body"]
    assert body["phone"] == "13900001111" and r.number in body["text"] and "1" in body["text"]
    assert Notification.objects.get(pk=delivery.notification_id).recipient is None
    assert r not in queue(rcounty)  # waiting for the reply, not in the operators' queue
    assert "intake.sms_sent" in AuditEvent.objects.filter(object_id=str(r.pk)).values_list("action", flat=True)


def test_given_a_refusing_gateway_when_sending_then_the_delivery_is_dead_at_once(
        rcounty, clock, gateway, django_capture_on_commit_callbacks):
    gateway.statuses = [400]
    closed(rcounty, clock, capture=django_capture_on_commit_callbacks)
    assert Delivery.objects.get(channel="sms").state == "dead"


@pytest.mark.parametrize("text,satisfaction,comment,status", [
    ("1", "satisfied", "", "closed"),
    ("２ 还可以", "basic", "还可以", "closed"),
    ("基本满意，速度慢了点", "basic", "速度慢了点", "closed"),
    ("3 路灯还是不亮", "unsatisfied", "路灯还是不亮", "dispatched"),
    ("不满意", "unsatisfied", "", "dispatched"),
])
def test_given_a_waiting_survey_when_the_citizen_replies_then_it_is_recorded_as_the_callback(
        rcounty, clock, gateway, text, satisfaction, comment, status):
    r = closed(rcounty, clock)
    clock.advance(hours=2)
    resp = reply("+86 139-0000-1111", text)
    assert resp.status_code == 200 and resp.json() == {"result": "recorded"}
    r.refresh_from_db()
    assert r.satisfaction == satisfaction and r.callback_comment == comment and r.status == status
    survey = CallbackSurvey.objects.get(request=r)
    assert survey.status == "answered" and survey.reply == text and survey.replied_at == clock.now
    actions = list(AuditEvent.objects.filter(object_id=str(r.pk)).order_by("id").values_list("action", flat=True))
    replied = actions.index("intake.sms_reply")
    assert actions[replied + 1] == "intake.callback"
    assert ("intake.reopen" in actions[replied:]) == (status == "dispatched")
    assert r not in queue(rcounty)


def test_given_an_unclear_reply_when_received_then_the_request_is_back_in_the_queue_and_not_called_back(
        rcounty, clock, gateway):
    r = closed(rcounty, clock)
    assert reply("13900001111", "你们是谁？").json() == {"result": "unclear"}
    r.refresh_from_db()
    assert r.satisfaction == "" and r.callback_at is None
    assert CallbackSurvey.objects.get(request=r).status == "unclear"
    assert r in queue(rcounty)
    assert reply("13900001111", "1").json() == {"result": "no_survey"}  # the survey is closed


def test_given_no_reply_in_the_hours_set_when_the_time_passes_then_the_request_is_back_in_the_queue(
        rcounty, clock, gateway):
    r = closed(rcounty, clock)
    assert r not in queue(rcounty)
    clock.advance(hours=24, seconds=1)
    assert r in queue(rcounty)  # from reply_by on, even before the sweep ran
    assert run_one("intake.callback_sms_expire", clock.now) == {"due": 1, "expired": 1}
    assert CallbackSurvey.objects.get(request=r).status == "expired"
    before = Request.objects.values().get(pk=r.pk)
    assert reply("13900001111", "1").json() == {"result": "no_survey"}  # too late: nothing written
    assert Request.objects.values().get(pk=r.pk) == before


@pytest.mark.parametrize("phone", ["", "0571-88881234", "88881234"])
def test_given_no_mobile_number_when_the_request_closes_then_no_text_and_straight_to_the_queue(
        rcounty, clock, gateway, phone):
    r = services.request_submit(actor=None, channel="web", description="路灯坏了", village_code=rcounty.villages[0].code,
                                citizen_phone=phone or "13900001111")
    if not phone:
        Request.objects.filter(pk=r.pk).update(citizen_phone="")
    else:
        Request.objects.filter(pk=r.pk).update(citizen_phone=phone)
    services.request_route(actor=rcounty.users["operator"], request_id=r.pk, matter_code="ZR-001")
    d = r.dispatches.get()
    services.dispatch_accept(actor=rcounty.users["department"], dispatch_id=d.pk)
    services.dispatch_resolve(actor=rcounty.users["department"], dispatch_id=d.pk, outcome="resolved", note="修好了")
    services.request_close(actor=rcounty.users["operator"], request_id=r.pk)
    assert not CallbackSurvey.objects.exists() and not Delivery.objects.filter(channel="sms").exists()
    assert Request.objects.get(pk=r.pk) in queue(rcounty)


def test_given_the_county_does_not_call_back_by_text_when_closing_then_nothing_is_sent(rcounty, clock, settings):
    settings.TIAOKUAI = {**settings.TIAOKUAI, "INTAKE_CALLBACK_SMS": False}
    r = closed(rcounty, clock)
    assert not CallbackSurvey.objects.exists() and r in queue(rcounty)


def test_given_a_waiting_survey_when_an_operator_calls_back_by_phone_then_the_survey_is_cancelled(
        rcounty, clock, gateway):
    r = closed(rcounty, clock)
    services.request_callback(actor=rcounty.users["operator"], request_id=r.pk, satisfaction="satisfied")
    assert CallbackSurvey.objects.get(request=r).status == "cancelled"
    before = Request.objects.values().get(pk=r.pk)
    assert reply("13900001111", "3 不行").json() == {"result": "no_survey"}
    assert Request.objects.values().get(pk=r.pk) == before


def test_given_the_inbound_endpoint_when_the_token_is_wrong_or_unset_then_refused_and_nothing_changes(
        rcounty, clock, gateway, settings):
    r = closed(rcounty, clock)
    before = (Request.objects.values().get(pk=r.pk), AuditEvent.objects.count(),
              list(CallbackSurvey.objects.values()))
    assert reply("13900001111", "1", token="guess").status_code == 403
    assert Client().post("/intake/sms/reply/", {"phone": "13900001111", "text": "1"}).status_code == 403
    assert reply("13700000000", "1").json() == {"result": "no_survey"}
    settings.TIAOKUAI = {**settings.TIAOKUAI, "SMS_INBOUND_TOKEN": ""}
    assert reply("13900001111", "1", token="").status_code == 404
    assert (Request.objects.values().get(pk=r.pk), AuditEvent.objects.count(),
            list(CallbackSurvey.objects.values())) == before


def test_given_the_file_backend_when_sending_then_one_json_line_per_message(
        rcounty, clock, settings, tmp_path, django_capture_on_commit_callbacks):
    path = tmp_path / "sms.jsonl"
    settings.TIAOKUAI = {**settings.TIAOKUAI, "INTAKE_CALLBACK_SMS": True, "SMS_BACKEND": "file",
                         "SMS_FILE_PATH": str(path), "INTAKE_CALLBACK_SMS_TEMPLATE": "请评价{number}：回复1/2/3"}
    r = closed(rcounty, clock, capture=django_capture_on_commit_callbacks)
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [(x["phone"], x["text"]) for x in lines] == [("13900001111", f"请评价{r.number}：回复1/2/3")]
    assert Delivery.objects.get(channel="sms").state == "sent"


@pytest.mark.parametrize("text,expected", [
    ("1", ("satisfied", "")), ("1。很好", ("satisfied", "很好")), ("满意", ("satisfied", "")),
    ("不满意 没修好", ("unsatisfied", "没修好")), ("13800000000", None), ("4", None), ("", None), ("好的", None),
])
def test_given_replies_when_parsed_then_the_choice_and_the_comment(text, expected):
    assert services.parse_sms_reply(text) == expected


def test_given_a_waiting_survey_when_the_operator_opens_the_request_then_the_page_says_so(rcounty, clock, gateway):
    r = closed(rcounty, clock)
    c = Client()
    c.force_login(rcounty.users["operator"])
    page = c.get(f"/intake/{r.pk}/").content.decode()
    assert "短信回访" in page and "等待回复" in page
    reply("13900001111", "你好")
    page = c.get(f"/intake/{r.pk}/").content.decode()
    assert "回复无法识别" in page and "“你好”" in page


def test_given_a_gateway_with_basic_auth_and_its_own_field_names_when_sending_then_it_gets_them(
        rcounty, clock, gateway, settings, django_capture_on_commit_callbacks):
    import base64

    settings.TIAOKUAI = {**settings.TIAOKUAI, "SMS_GATEWAY_TOKEN": "", "SMS_GATEWAY_USER": "county",
                         "SMS_GATEWAY_PASSWORD": "pw", "SMS_GATEWAY_PHONE_FIELD": "mobile",
                         "SMS_GATEWAY_TEXT_FIELD": "content", "SMS_GATEWAY_EXTRA": {"sign": "示范县12345"}}
    closed(rcounty, clock, capture=django_capture_on_commit_callbacks)
    (sent,) = gateway.received
    assert sent["auth"] == "Basic " + base64.b64encode(b"county:pw").decode()
    assert sent["body"]["mobile"] == "13900001111" and sent["body"]["sign"] == "示范县12345"
    assert "content" in sent["body"] and "phone" not in sent["body"]
