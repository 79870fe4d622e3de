"""One error answer: every API 4xx/5xx is {code, message, details} in the user's language; bounded paging and
ids; text bounds equal to the forms'; HTML error pages in Chinese in the site shell."""

import re

import pytest
from django.test import Client

CJK = re.compile(r"[\u4e00-\u9fff]")
HUGE = "9223372036854775808"


def chinese(text: str) -> bool:
    return bool(CJK.search(text))


def assert_error(resp, status, code=None):
    import json

    assert resp.status_code == status, resp.content
    body = json.loads(resp.content)
    assert set(body) == {"code", "message", "details"}
    if code:
        assert body["code"] == code
    assert chinese(body["message"]), body
    for messages in body["details"].values():
        assert all(chinese(m) for m in messages), body
    return body


LISTS = ["/api/v1/people", "/api/v1/organisations", "/api/v1/certificates", "/api/v1/notifications",
         "/api/v1/notifications/outbox", "/api/v1/whistles", "/api/v1/divisions", "/api/v1/whistle-items",
         "/api/v1/disputes", "/api/v1/lists/releases", "/api/v1/lists/in-force"]


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("params", [{"offset": -1}, {"limit": -5}, {"limit": 0}, {"offset": HUGE},
                                    {"limit": HUGE}, {"limit": "x"}, {"limit": 100000}])
def test_given_out_of_bounds_paging_when_listing_then_422_in_chinese_per_field(county, api, path, params):
    resp = api(county.users["establishment_office"]).get(path, **params)
    body = assert_error(resp, 422, "invalid")
    assert set(body["details"]) == set(params)


def test_given_negative_offset_when_listing_people_then_message_names_the_bound(county, api):
    body = assert_error(api(county.users["establishment_office"]).get("/api/v1/people", offset=-1), 422)
    assert "0" in body["details"]["offset"][0]


def test_given_paging_within_bounds_when_listing_then_window(county, api):
    client = api(county.users["establishment_office"])
    everyone = client.get("/api/v1/organisations").json()
    window = client.get("/api/v1/organisations", limit=2, offset=1).json()
    assert window == everyone[1:3]


@pytest.mark.parametrize("path", ["/api/v1/people/" + HUGE, "/api/v1/whistles/" + HUGE, "/api/v1/lists/matters/0"])
def test_given_id_beyond_64_bits_when_fetching_then_422_not_500(county, api, path):
    assert_error(api(county.users["establishment_office"]).get(path), 422, "invalid")


def test_given_malformed_json_when_posting_then_400_in_chinese(county, api):
    client = api(county.users["township"])
    resp = client.client.post("/api/v1/whistles", "{not json", content_type="application/json",
                              headers=client.headers)
    assert_error(resp, 400, "malformed_json")


def test_given_wrong_types_when_posting_then_422_with_chinese_message_per_field(county, api):
    resp = api(county.users["township"]).post("/api/v1/whistles", {"village": 5, "description": ["x"],
                                                                    "latitude": "north"})
    body = assert_error(resp, 422, "invalid")
    assert {"village", "description", "latitude"} <= set(body["details"])


def test_given_description_longer_than_the_form_allows_when_raising_then_422_and_nothing_stored(county, api):
    from tiaokuai.whistles.models import Whistle

    client = api(county.users["township"])
    resp = client.post("/api/v1/whistles", {"village": "330001001", "description": "x" * 4001})
    body = assert_error(resp, 422, "invalid")
    assert "description" in body["details"]
    resp = client.post("/api/v1/whistles", {"village": "330001001", "description": "漏水", "address": "路" * 201})
    assert "address" in assert_error(resp, 422)["details"]
    assert Whistle.objects.count() == 0


def test_given_no_token_when_posting_then_401_in_chinese_not_csrf(county, client):
    resp = client.post("/api/v1/whistles", {"village": "x", "description": "y"}, content_type="application/json")
    assert_error(resp, 401, "unauthorized")


def test_given_session_without_csrf_token_when_posting_then_403_in_chinese(county):
    from tests.factories import PASSWORD

    client = Client(enforce_csrf_checks=True)
    assert client.login(username=county.users["township"].username, password=PASSWORD)
    resp = client.post("/api/v1/notifications/read-all", content_type="application/json")
    assert_error(resp, 403, "csrf_failed")


def test_given_unknown_api_path_when_called_then_404_json_in_chinese(county, client):
    assert_error(client.get("/api/v1/no-such-thing"), 404, "not_found")


def test_given_english_user_when_error_then_message_in_english(county, api):
    resp = api(county.users["township"]).client.get("/api/v1/people", {"offset": -1},
                                                    headers={"Accept-Language": "en"})
    assert resp.status_code in (401, 422)
    assert not chinese(resp.json()["message"])


def test_given_unknown_page_when_opened_then_chinese_404_in_site_shell(county, client):
    resp = client.get("/no-such-page/")
    assert resp.status_code == 404
    html = resp.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "页面不存在" in html
    assert "vendor/tabler.min.css" in html


def test_given_login_form_without_csrf_token_when_posted_then_chinese_403_page(county):
    resp = Client(enforce_csrf_checks=True).post("/login/", {"username": "x", "password": "y"})
    assert resp.status_code == 403
    html = resp.content.decode()
    assert '<html lang="zh-hans">' in html and chinese(html)
    assert "CSRF verification failed" not in html


@pytest.mark.parametrize(("status", "path"), [(400, "/x/"), (403, "/x/"), (500, "/x/"), (500, "/api/v1/x")])
def test_given_handler_when_called_then_chinese_page_or_json(db, rf, status, path):
    from tiaokuai.core import error_pages

    request = rf.get(path)
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    handler = {400: error_pages.bad_request, 403: error_pages.permission_denied, 500: error_pages.server_error}[status]
    resp = handler(request) if status == 500 else handler(request, None)
    assert resp.status_code == status
    if path.startswith("/api/"):
        assert_error(resp, status, "server_error")
    else:
        assert '<html lang="zh-hans">' in resp.content.decode() and chinese(resp.content.decode())


def test_openapi_schema_names_are_unique_and_error_codes_documented(client):
    import json

    def no_duplicate_keys(pairs):  # a JSON object with a key twice breaks Swagger UI's parser
        keys = [k for k, _ in pairs]
        assert len(keys) == len(set(keys)), keys
        return dict(pairs)

    schema = json.loads(client.get("/api/v1/openapi.json").content, object_pairs_hook=no_duplicate_keys)
    schemas = schema["components"]["schemas"]
    figures = schema["paths"]["/api/v1/whistle-figures"]["get"]["responses"]["200"]["content"]["application/json"]
    assert figures["schema"]["$ref"].endswith("/WhistleFiguresOut")
    assert "month" in schemas["WhistleFiguresOut"]["properties"]
    assert "month" not in schemas["FiguresOut"]["properties"]  # the staffing figures keep their own name
    undocumented = []
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            codes = set(op["responses"])
            needed = {"422"} | ({"401"} if op.get("security") or path != "/api/v1/auth/token" else set())
            if not needed <= codes:
                undocumented.append((method, path, sorted(needed - codes)))
    assert undocumented == []


@pytest.mark.parametrize("case", ["query", "json", "page"])
def test_given_a_null_character_when_sent_then_400_in_chinese_and_nothing_stored(county, api, case):
    from tiaokuai.whistles.models import Whistle

    client = api(county.users["township"])
    if case == "query":
        resp = client.get("/api/v1/people", q="a\x00b")
    elif case == "json":
        resp = client.post("/api/v1/whistles", {"village": "330001001", "description": "漏\x00水"})
    else:
        resp = client.client.get("/org/people/", {"q": "\x00"})
        assert resp.status_code == 400 and '<html lang="zh-hans">' in resp.content.decode()
        return
    assert_error(resp, 400, "null_character")
    assert Whistle.objects.count() == 0
