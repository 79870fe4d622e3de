import pytest
from django.test import Client

from tests.factories import PASSWORD, make_county


@pytest.fixture
def county(db):
    return make_county()


@pytest.fixture
def login():
    """login(user) → a Django test client signed in as that user."""

    def _login(user):
        client = Client()
        assert client.login(username=user.username, password=PASSWORD)
        return client

    return _login


@pytest.fixture
def api():
    """api(user) → a client whose requests carry that user's bearer token (or none for None)."""

    class ApiClient:
        def __init__(self, user=None):
            self.client = Client()
            self.headers = {}
            if user is not None:
                resp = self.client.post("/api/v1/auth/token", {"username": user.username, "password": PASSWORD},
                                        content_type="application/json")
                assert resp.status_code == 200, resp.content
                self.headers = {"Authorization": f"Bearer {resp.json()['token']}"}

        def get(self, path, **params):
            return self.client.get(path, params, headers=self.headers)

        def post(self, path, data=None):
            return self.client.post(path, data or {}, content_type="application/json", headers=self.headers)

        def put(self, path, data=None):
            return self.client.put(path, data or {}, content_type="application/json", headers=self.headers)

        def patch(self, path, data=None):
            return self.client.patch(path, data or {}, content_type="application/json", headers=self.headers)

        def delete(self, path):
            return self.client.delete(path, headers=self.headers)

    return ApiClient


BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session")
def _browser():
    import os

    # Playwright's sync API runs an event loop in this thread; the test's ORM calls are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=BROWSER_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(_browser, live_server):
    """A fresh Chromium page in Chinese (zh-CN, Asia/Shanghai); page.base_url is the live server."""
    context = _browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1366, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15000)
    pg.base_url = live_server.url
    yield pg
    context.close()


@pytest.fixture
def browser_login(page):
    """browser_login(user) → the page, signed in through the login form."""

    def _login(user):
        page.goto(page.base_url + "/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(page.base_url + "/")
        return page

    return _login


@pytest.fixture(autouse=True)
def _forget_kept_answers():
    """Answers kept in process memory (core.memo.Keep) are keyed by ids that a rolled-back test gives out again."""
    from tiaokuai.core.memo import Keep

    Keep.forget_all()
    yield
    Keep.forget_all()
