"""Open311 photos: `media_url` (an http/https link: stored, shown on the request page, returned by GET, never
fetched by the server) and a multipart `media` upload (one photo; too large → 413, not a photo → 415, a bad link
→ 400, in the spec's error format, and nothing written); GET returns an uploaded photo as a signed link served
here, which only opens photos posted through Open311."""

import http.server
import io
import threading

import pytest
from django.conf import settings
from django.test import Client

from tiaokuai.core.models import AuditEvent
from tiaokuai.intake import services
from tiaokuai.intake.models import Request, RequestAttachment

BASE = "/open311/v2"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 200


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def key(rcounty):
    return services.new_open311_client(actor=None, name="第三方平台", rate_per_minute=100)[1]


def data(rcounty, key, **kw):
    d = {"api_key": key, "service_code": "ZR-001", "description": "村口有人在耕地上建房",
         "attribute[village]": rcounty.villages[0].code}
    d.update(kw)
    return d


def upload(content: bytes, name: str = "photo.jpg"):
    f = io.BytesIO(content)
    f.name = name
    return f


def state():
    return Request.objects.count(), AuditEvent.objects.count(), RequestAttachment.objects.count()


class _Hits(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802
        _Hits.hits.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.mark.django_db
def test_given_a_media_url_when_posting_then_it_is_stored_returned_and_shown_but_never_fetched(rcounty, key):
    server = http.server.HTTPServer(("127.0.0.1", 0), _Hits)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        link = f"http://127.0.0.1:{server.server_port}/photo.jpg"
        resp = Client().post(f"{BASE}/requests.json", data(rcounty, key, media_url=link))
        assert resp.status_code == 201
        number = resp.json()[0]["service_request_id"]
        r = Request.objects.get(number=number)
        assert r.media_url == link
        one = Client().get(f"{BASE}/requests/{number}.json").json()[0]
        assert one["media_url"] == link
        staff = Client()
        staff.force_login(rcounty.users["operator"])
        page = staff.get(f"/intake/{r.pk}/").content.decode()
        assert f'href="{link}"' in page and 'rel="noopener noreferrer nofollow"' in page
        assert _Hits.hits == []
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.django_db
@pytest.mark.parametrize("link", ["ftp://example.org/a.jpg", "javascript:alert(1)", "/relative.jpg",
                                  "http://" + "a" * 500 + ".cn/x.jpg", "http://exa mple.org/x"])
def test_given_a_bad_media_url_when_posting_then_400_in_the_spec_format_and_nothing_written(rcounty, key, link):
    before = state()
    resp = Client().post(f"{BASE}/requests.json", data(rcounty, key, media_url=link))
    assert resp.status_code == 400
    assert resp.json()[0]["code"] == 400 and "media_url" in resp.json()[0]["description"]
    assert state() == before


@pytest.mark.django_db
def test_given_a_photo_upload_when_posting_then_stored_and_get_returns_a_signed_link_that_serves_it(rcounty, key):
    resp = Client().post(f"{BASE}/requests.json", data(rcounty, key, media=upload(JPEG)))
    assert resp.status_code == 201, resp.content
    number = resp.json()[0]["service_request_id"]
    photo = RequestAttachment.objects.get(request__number=number)
    assert photo.content_type == "image/jpeg" and photo.uploaded_by_id is None
    listed = Client().get(f"{BASE}/requests.json", {"service_request_id": number}).json()[0]["media_url"]
    assert listed.startswith("http://testserver/open311/v2/media/")
    got = Client().get(listed.removeprefix("http://testserver"))
    assert got.status_code == 200 and b"".join(got.streaming_content) == JPEG
    assert got["Content-Type"] == "image/jpeg" and got["X-Content-Type-Options"] == "nosniff"
    # a forged or altered token opens nothing
    assert Client().get(f"{BASE}/media/{photo.pk}").status_code == 404
    assert Client().get(listed.removeprefix("http://testserver")[:-2] + "xx").status_code == 404


@pytest.mark.django_db
def test_given_a_staff_photo_when_reading_through_open311_then_no_link_and_a_signed_token_for_it_is_refused(
        rcounty, key):
    from django.core import signing

    from tiaokuai.intake.open311 import MEDIA_SALT

    r = services.request_submit(actor=rcounty.users["operator"], channel="hotline", description="路灯坏了",
                                village_code=rcounty.villages[0].code, citizen_phone="13800001234",
                                attachments=[("p.jpg", JPEG)])
    photo = RequestAttachment.objects.get(request=r)
    assert Client().get(f"{BASE}/requests/{r.number}.json").json()[0]["media_url"] == ""
    token = signing.dumps(photo.pk, salt=MEDIA_SALT)
    assert Client().get(f"{BASE}/media/{token}").status_code == 404


@pytest.mark.django_db
def test_given_a_too_large_or_wrong_media_when_posting_then_413_or_415_and_nothing_written(
        rcounty, key, monkeypatch):
    monkeypatch.setitem(settings.TIAOKUAI, "MAX_UPLOAD_BYTES", 1024)
    before = state()
    big = Client().post(f"{BASE}/requests.json", data(rcounty, key, media=upload(JPEG + b"\x00" * 2000)))
    assert big.status_code == 413 and big.json() == [{"code": 413, "description": "media is larger than 1 MB"}]
    html = Client().post(f"{BASE}/requests.json", data(rcounty, key, media=upload(b"<svg onload=x>", "p.jpg")))
    assert html.status_code == 415 and html.json()[0]["code"] == 415
    xml = Client().post(f"{BASE}/requests.xml", data(rcounty, key, media=upload(b"%PDF-1.4 ...", "a.pdf")))
    assert xml.status_code == 415 and b"<errors><error><code>415</code>" in xml.content
    two = Client().post(f"{BASE}/requests.json", data(rcounty, key, media=[upload(JPEG), upload(JPEG)]))
    assert two.status_code == 400
    assert state() == before


@pytest.mark.django_db(transaction=True)
def test_given_a_live_server_when_a_client_posts_a_photo_then_georeport_reads_its_media_url(rcounty, live_server):
    import requests
    from georeport import GeoReport

    key = services.new_open311_client(actor=None, name="外部系统", rate_per_minute=100)[1]
    endpoint = f"{live_server.url.replace('localhost', '127.0.0.1')}/open311/v2/"
    resp = requests.post(f"{endpoint}requests.json", data=data(rcounty, key), files={"media": ("p.jpg", JPEG,
                                                                                          "image/jpeg")}, timeout=10)
    assert resp.status_code == 201, resp.text
    number = resp.json()[0]["service_request_id"]
    media_url = GeoReport(endpoint).get_service_request(number)["media_url"]
    assert media_url.startswith(endpoint + "media/")
    assert requests.get(media_url, timeout=10).content == JPEG
