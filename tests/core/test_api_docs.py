"""The API docs page works with no internet: Swagger UI comes from the platform's own static files."""

import re

import pytest


def test_given_no_internet_when_docs_page_opened_then_every_asset_is_local(client):
    resp = client.get("/api/v1/docs")
    assert resp.status_code == 200
    html = resp.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(s.endswith("swagger-ui-bundle.js") for s in sources)
    assert all(s.startswith("/") for s in sources), sources  # no http(s):// — nothing from a CDN
    assert "cdn" not in html.lower()
    for asset in [s for s in sources if s.endswith((".js", ".css"))]:
        served = client.get(asset)
        assert served.status_code == 200, asset
        assert b"".join(served.streaming_content if served.streaming else [served.content])


@pytest.mark.browser
def test_given_no_internet_when_docs_page_opened_in_browser_then_swagger_ui_lists_the_operations(page):
    blocked = []

    def only_local(route):
        if route.request.url.startswith(page.base_url):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    page.goto(page.base_url + "/api/v1/docs")
    page.wait_for_selector(".opblock-summary-path")
    assert page.locator(".opblock").count() >= 40
    assert blocked == []
