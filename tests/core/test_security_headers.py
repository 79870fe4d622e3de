"""Security headers: a Content-Security-Policy with no inline script, HTTPS settings from the environment, and
`tiaokuai check-deploy` naming each missing control."""

import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "tiaokuai"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I)


def test_given_any_template_then_no_inline_script_and_no_inline_event_handler():
    offenders = []
    for path in SRC.rglob("*.html"):
        if "static/vendor" in str(path):
            continue
        text = path.read_text()
        for pattern in (INLINE_SCRIPT, INLINE_HANDLER):
            offenders += [f"{path.relative_to(SRC)}: {m.group(0)}" for m in pattern.finditer(text)]
    assert offenders == []


@pytest.mark.parametrize("path", ["/login/", "/api/v1/openapi.json", "/api/v1/docs", "/no-such-page/"])
def test_given_any_response_then_csp_allows_scripts_from_this_site_only(county, client, path):
    resp = client.get(path)
    policy = resp["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-eval" not in policy
    assert resp["X-Content-Type-Options"] == "nosniff"
    assert resp["Referrer-Policy"] == "same-origin"


def test_given_development_settings_when_checking_deploy_then_each_missing_control_is_named(settings, monkeypatch):
    from tiaokuai.core.management.commands.check_deploy import deployment_problems

    monkeypatch.delenv("TIAOKUAI_BACKUP_DIR", raising=False)
    settings.SECURE_SSL_REDIRECT = False
    settings.SECURE_HSTS_SECONDS = 0
    settings.PROXY_HOPS_SET = False
    problems = " ".join(deployment_problems())
    for variable in ("TIAOKUAI_SSL_REDIRECT", "TIAOKUAI_HSTS_SECONDS", "TIAOKUAI_PROXY_HOPS", "TIAOKUAI_BACKUP_DIR"):
        assert variable in problems


def test_given_https_settings_when_checking_deploy_then_those_are_not_reported(settings, monkeypatch, tmp_path):
    from tiaokuai.core.management.commands.check_deploy import deployment_problems

    monkeypatch.setenv("TIAOKUAI_BACKUP_DIR", str(tmp_path))
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.PROXY_HOPS_SET = True
    problems = " ".join(deployment_problems())
    for variable in ("TIAOKUAI_SSL_REDIRECT", "TIAOKUAI_HSTS_SECONDS", "TIAOKUAI_PROXY_HOPS", "TIAOKUAI_BACKUP_DIR",
                     "Content-Security-Policy"):
        assert variable not in problems


def test_given_ssl_redirect_and_hsts_when_requested_then_redirect_and_header(county, client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    resp = client.get("/login/")
    assert resp.status_code == 301 and resp["Location"].startswith("https://")
    secure = client.get("/login/", secure=True)
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")


def test_given_proxy_hops_when_client_address_read_then_the_proxy_seen_address(rf, settings):
    from tiaokuai.core.throttle import client_address

    settings.TIAOKUAI = {**settings.TIAOKUAI, "PROXY_HOPS": 1}
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.1.2.3", REMOTE_ADDR="127.0.0.1")
    assert client_address(request) == "10.1.2.3"  # the forged left part is ignored
    settings.TIAOKUAI = {**settings.TIAOKUAI, "PROXY_HOPS": 0}
    assert client_address(request) == "127.0.0.1"


@pytest.mark.browser
def test_given_csp_when_pages_open_in_a_browser_then_no_violation(county, page, browser_login):
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    browser_login(county.users["township"])
    for path in ["/", "/whistles/raise/", "/whistles/", "/api/v1/docs"]:
        page.goto(page.base_url + path)
        page.wait_for_load_state("networkidle")
    page.goto(page.base_url + "/api/v1/docs")
    page.wait_for_selector(".opblock-summary-path")
    assert violations == []


@pytest.mark.browser
def test_given_csp_when_office_pages_open_then_no_violation_and_chart_drawn(county, page, browser_login):
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: violations.append(str(e)))
    browser_login(county.users["establishment_office"])
    for path in ["/org/staffing/", "/whistles/figures/", f"/lists/releases/{county.release.pk}/"]:
        resp = page.goto(page.base_url + path)
        assert resp.status < 400, path
        page.wait_for_load_state("networkidle")
    assert violations == []
