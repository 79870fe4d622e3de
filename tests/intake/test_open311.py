"""Open311 GeoReport v2 at /open311/v2/: discovery, services (matters in force grouped by domain), definitions,
POST requests with a per-client api_key and rate limit, GET requests with the spec's filters (default 90 days,
at most 1,000), one request, tokens; JSON and XML; errors as [{"code", "description"}] that change nothing. And a
third-party client from PyPI (georeport) against a live server on 127.0.0.1."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.test import Client

from tiaokuai.core.models import AuditEvent
from tiaokuai.intake import services
from tiaokuai.intake.models import Request

BASE = "/open311/v2"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def key(rcounty):
    _client, key = services.new_open311_client(actor=None, name="第三方平台", rate_per_minute=5)
    return key


def post(data):
    return Client().post(f"{BASE}/requests.json", data)


def good(rcounty, key, **kw):
    data = {"api_key": key, "service_code": "ZR-001", "description": "村口有人在耕地上建房",
            "attribute[village]": rcounty.villages[0].code, "lat": "30.1", "long": "120.2", "first_name": "三",
            "last_name": "张", "phone": "13800001234"}
    data.update(kw)
    return data


def count():
    return Request.objects.count(), AuditEvent.objects.count()


@pytest.mark.django_db
def test_given_the_list_in_force_when_asking_for_services_then_its_matters_grouped_by_domain(rcounty):
    c = Client()
    disco = c.get(f"{BASE}/discovery.json").json()
    assert disco["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    services_ = c.get(f"{BASE}/services.json").json()
    by_code = {s["service_code"]: s for s in services_}
    assert by_code["ZR-001"]["group"] == "自然资源" and by_code["ZR-001"]["type"] == "realtime"
    assert set(by_code) == {"ZR-001", "HB-001", "SJ-001", "CX-001"}
    definition = c.get(f"{BASE}/services/ZR-001.json").json()
    village = definition["attributes"][0]
    assert village["code"] == "village" and village["required"] is True
    assert {v["key"] for v in village["values"]} == {v.code for v in rcounty.villages}
    xml = ET.fromstring(c.get(f"{BASE}/services.xml").content)
    assert xml.tag == "services" and len(xml.findall("service")) == 4
    assert c.get(f"{BASE}/services/NOPE.json").json() == [{"code": 404, "description": "service_code not found"}]


@pytest.mark.django_db
def test_given_a_client_key_when_posting_a_request_then_it_is_taken_on_the_open311_channel_and_dispatched(
        rcounty, key):
    resp = post(good(rcounty, key))
    assert resp.status_code == 201
    (answer,) = resp.json()
    r = Request.objects.get(number=answer["service_request_id"])
    assert answer["token"] == r.tracking_code
    assert r.channel == "open311" and r.open311_client.name == "第三方平台" and r.citizen_name == "张 三"
    assert r.dispatches.get().organisation.code == "D-ZR"
    one = Client().get(f"{BASE}/requests/{r.number}.json").json()[0]
    assert one["status"] == "open" and one["agency_responsible"] == "县自然资源局"
    assert one["requested_datetime"].endswith("+08:00") and "13800001234" not in str(one)
    assert Client().get(f"{BASE}/tokens/{r.tracking_code}.json").json() == [
        {"service_request_id": r.number, "token": r.tracking_code}]


@pytest.mark.django_db
@pytest.mark.parametrize("change,status,words", [
    ({"api_key": ""}, 403, "api_key"),
    ({"api_key": "wrong"}, 403, "api_key"),
    ({"service_code": "NOPE"}, 404, "service_code"),
    ({"service_code": ""}, 400, "service_code"),
    ({"attribute[village]": ""}, 400, "village"),
    ({"attribute[village]": "999"}, 400, "village"),
    ({"description": ""}, 400, "description"),
    ({"lat": "abc"}, 400, "latitude"),
])
def test_given_bad_input_when_posting_then_the_spec_error_and_nothing_changes(rcounty, key, change, status, words):
    before = count()
    resp = post(good(rcounty, key, **change))
    assert resp.status_code == status
    (error,) = resp.json()
    assert error["code"] == status and words in error["description"]
    assert count() == before


@pytest.mark.django_db
def test_given_a_client_over_its_rate_limit_when_posting_then_429_and_nothing_changes(rcounty, key):
    from django.core.cache import cache

    cache.clear()
    for _ in range(5):
        assert post(good(rcounty, key)).status_code == 201
    before = count()
    resp = post(good(rcounty, key))
    assert resp.status_code == 429 and resp.json()[0]["code"] == 429
    assert count() == before


@pytest.mark.django_db
def test_given_requests_when_listing_then_the_spec_filters_apply(rcounty, key, monkeypatch):
    from django.utils import timezone

    now = timezone.now()
    old = services.request_submit(actor=None, channel="web", description="旧诉求", village_code=rcounty.villages[0].code,
                                  citizen_phone="13800000000")
    Request.objects.filter(pk=old.pk).update(submitted_at=now - dt.timedelta(days=100))
    a = Request.objects.get(number=post(good(rcounty, key)).json()[0]["service_request_id"])
    b = Request.objects.get(number=post(good(rcounty, key, service_code="HB-001")).json()[0]["service_request_id"])
    Request.objects.filter(pk=b.pk).update(status="closed")
    c = Client()
    ids = lambda resp: {x["service_request_id"] for x in resp.json()}  # noqa: E731
    assert ids(c.get(f"{BASE}/requests.json")) == {a.number, b.number}  # default: the last 90 days
    assert ids(c.get(f"{BASE}/requests.json", {"service_code": "HB-001"})) == {b.number}
    assert ids(c.get(f"{BASE}/requests.json", {"status": "open"})) == {a.number}
    assert ids(c.get(f"{BASE}/requests.json", {"status": "closed"})) == {b.number}
    assert ids(c.get(f"{BASE}/requests.json", {"service_request_id": f"{old.number},{a.number}"})) == {
        old.number, a.number}
    start = (now - dt.timedelta(days=120)).isoformat()
    assert old.number in ids(c.get(f"{BASE}/requests.json", {"start_date": start}))
    bad = c.get(f"{BASE}/requests.json", {"start_date": "yesterday"})
    assert bad.status_code == 400 and bad.json()[0]["code"] == 400
    assert c.get(f"{BASE}/requests.json", {"status": "pending"}).status_code == 400
    xml = ET.fromstring(c.get(f"{BASE}/requests.xml").content)
    assert xml.tag == "service_requests" and len(xml.findall("request")) == 2
    assert c.get(f"{BASE}/requests/RQ-NOPE.json").status_code == 404


@pytest.mark.django_db
def test_given_more_than_the_maximum_when_listing_then_at_most_1000(rcounty, monkeypatch):
    from tiaokuai.intake import open311

    monkeypatch.setattr(open311, "MAX_RESULTS", 3)
    for i in range(5):
        services.request_submit(actor=None, channel="web", description=f"诉求{i}", village_code=rcounty.villages[0].code,
                                citizen_phone="13800000000")
    assert len(Client().get(f"{BASE}/requests.json").json()) == 3


@pytest.mark.django_db(transaction=True)
def test_given_a_live_server_when_a_third_party_open311_client_talks_to_it_then_it_reads_and_posts(
        rcounty, live_server):
    import requests
    from georeport import GeoReport

    _c, key = services.new_open311_client(actor=None, name="外部系统", rate_per_minute=100)
    endpoint = f"{live_server.url.replace('localhost', '127.0.0.1')}/open311/v2/"
    client = GeoReport(endpoint, api_key=key)
    codes = {s["service_code"] for s in client.get_service_list()}
    assert "ZR-001" in codes
    definition = client.get_service_definition("ZR-001")
    village = definition["attributes"][0]["values"][0]["key"]
    # georeport reads; the POST (which it does not wrap) goes through requests, as its README shows for writes.
    resp = requests.post(f"{endpoint}requests.json", data={
        "api_key": key, "service_code": "ZR-001", "description": "耕地上建房", "attribute[village]": village},
        timeout=10)
    assert resp.status_code == 201
    number = resp.json()[0]["service_request_id"]
    assert client.get_service_request(number)["service_request_id"] == number
    assert number in {r["service_request_id"] for r in client.get_service_requests(status="open")}
    xml_client = GeoReport(endpoint, output_format="xml")
    assert xml_client.get_service_request(number)["service_request_id"] == number


@pytest.mark.django_db
def test_given_a_request_worked_on_when_asking_for_updates_then_its_public_steps_in_order(rcounty, key):
    number = post(good(rcounty, key)).json()[0]["service_request_id"]
    r = Request.objects.get(number=number)
    d = r.dispatches.get()
    services.dispatch_accept(actor=rcounty.users["department"], dispatch_id=d.pk)
    services.dispatch_resolve(actor=rcounty.users["department"], dispatch_id=d.pk, outcome="resolved")
    services.request_close(actor=rcounty.users["operator"], request_id=r.pk)
    rows = Client().get(f"{BASE}/servicerequestupdates.json").json()
    assert [x["service_request_id"] for x in rows] == [number] * 4
    assert [x["description"] for x in rows] == ["已受理", "承办单位已签收", "已办复", "已办结"]
    assert [x["status"] for x in rows] == ["open", "open", "open", "closed"]
    assert len({x["update_id"] for x in rows}) == 4 and rows[0]["updated_datetime"].endswith("+08:00")
    xml = ET.fromstring(Client().get(f"{BASE}/servicerequestupdates.xml").content)
    assert len(xml.findall("request_update")) == 4
    assert Client().get(f"{BASE}/servicerequestupdates.json", {"end_date": "bad"}).status_code == 400


@pytest.mark.django_db
def test_given_the_fields_as_a_json_object_when_posting_then_taken_the_same_and_bad_json_is_400(rcounty, key):
    import json

    c = Client()
    resp = c.post(f"{BASE}/requests.json", json.dumps(good(rcounty, key)), content_type="application/json")
    assert resp.status_code == 201 and Request.objects.get().channel == "open311"
    before = count()
    resp = c.post(f"{BASE}/requests.json", "{nope", content_type="application/json")
    assert resp.status_code == 400 and resp.json()[0]["code"] == 400
    assert c.post(f"{BASE}/requests.json", "[]", content_type="application/json").status_code == 400
    assert count() == before
