"""Every error page a signed-in clerk can meet is Chinese and inside the site shell (the left menu and the top bar
stay, so the way back is one click): 404, 403 (a form sent without its CSRF token), 500."""

import pytest
from django.test import Client, RequestFactory

from tests.factories import PASSWORD
from tiaokuai.core import error_pages


def in_shell(html: str) -> bool:
    return 'lang="zh-hans"' in html and "工作台" in html and "退出登录" in html


@pytest.mark.django_db
def test_given_a_signed_in_clerk_when_a_page_is_missing_then_404_in_chinese_in_the_shell(county, login):
    client = login(county.users["township"])
    for url in ("/no-such-page/", "/whistles/999999/", "/intake/999999/"):
        resp = client.get(url)
        html = resp.content.decode()
        assert resp.status_code == 404 and "页面不存在" in html and in_shell(html), url


@pytest.mark.django_db
def test_given_a_form_sent_without_its_token_then_403_in_chinese_in_the_shell(county):
    client = Client(enforce_csrf_checks=True)
    assert client.login(username=county.users["township"].username, password=PASSWORD)
    resp = client.post("/system/inbox/read-all/")
    html = resp.content.decode()
    assert resp.status_code == 403 and "无权访问" in html and in_shell(html)


@pytest.mark.django_db
def test_given_a_crash_then_500_in_chinese_in_the_shell(county):
    request = RequestFactory().get("/whistles/")
    request.user = county.users["township"]
    resp = error_pages.server_error(request)
    html = resp.content.decode()
    assert resp.status_code == 500 and "服务器错误" in html and in_shell(html)
