"""The optional TOTP second factor of the county-wide roles (core.twofactor): enrolment with a QR code and a
confirming code, the login page and the token API asking for the code, wrong codes counting toward the sign-in
lock, one-time recovery codes, turning it off with the password and a code, the county's setting that makes it
mandatory, and an audit event for every step. The clock is fixed; codes are computed from the secret."""

import datetime as dt
import re

import pyotp
import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import PASSWORD
from tiaokuai.core import twofactor
from tiaokuai.core.errors import Conflict, Invalid, NotFound
from tiaokuai.core.models import ApiToken, AuditEvent, LoginThrottle, RecoveryCode, TwoFactor

NOW = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC)
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def clock(monkeypatch):
    class Clock:
        now = NOW

        def advance(self, **kw):
            self.now = self.now + dt.timedelta(**kw)

    c = Clock()
    monkeypatch.setattr(timezone, "now", lambda: c.now)
    return c


def code_at(secret, when):
    return pyotp.TOTP(secret).at(when)


def enrol(user, clock):
    row = twofactor.enrol_start(user=user, at=clock.now)
    codes = twofactor.enrol_confirm(user=user, code=code_at(row.secret, clock.now), at=clock.now)
    clock.advance(seconds=30)  # the confirming code is spent; the next step's code works
    return TwoFactor.objects.get(pk=row.pk), codes


def actions():
    return list(AuditEvent.objects.filter(action__startswith="core.totp.").values_list("action", flat=True))


def password_step(client, user, **extra):
    return client.post("/login/", {"username": user.username, "password": PASSWORD}, **extra)


def test_given_an_office_clerk_when_enrolling_then_qr_is_local_svg_and_code_turns_it_on(county, clock, login):
    user = county.users["establishment_office"]
    c = login(user)
    assert "id=\"two-factor-off\"" in c.get("/account/two-factor/").content.decode()
    c.post("/account/two-factor/", {"action": "start"})
    row = TwoFactor.objects.get(user=user)
    html = c.get("/account/two-factor/").content.decode()
    assert "<svg" in html and "otpauth://totp/" in html and "http://" not in html.split('id="qr"')[1][:3000]
    assert row.confirmed_at is None and not twofactor.enabled(user)
    resp = c.post("/account/two-factor/", {"action": "confirm", "code": "000000"})
    assert "is-invalid" in resp.content.decode() and not twofactor.enabled(user)  # wrong code: nothing in force
    resp = c.post("/account/two-factor/", {"action": "confirm", "code": code_at(row.secret, clock.now)})
    html = resp.content.decode()
    assert twofactor.enabled(user) and 'id="recovery-codes"' in html
    shown = re.findall(r"<li class=\"col\">([a-z0-9]{5}-[a-z0-9]{5})</li>", html)
    assert len(shown) == 10 and RecoveryCode.objects.filter(user=user).count() == 10
    assert not RecoveryCode.objects.filter(code_hash__in=[s.replace("-", "") for s in shown]).exists()  # hashed
    assert actions() == ["core.totp.start", "core.totp.confirm_failed", "core.totp.enable"]


def test_given_a_township_clerk_then_no_enrolment(county, login):
    assert login(county.users["township"]).get("/account/two-factor/").status_code == 404
    with pytest.raises(NotFound):
        twofactor.enrol_start(user=county.users["township"], at=NOW)
    assert not TwoFactor.objects.exists()


def test_given_an_enrolled_account_when_signing_in_then_the_code_is_asked_after_the_password(county, clock):
    user = county.users["leader"]
    row, _ = enrol(user, clock)
    c = Client()
    resp = password_step(c, user)
    assert resp.status_code == 302 and resp["Location"] == "/login/code/"
    assert c.get("/").status_code == 302  # not signed in yet
    page = c.get("/login/code/").content.decode()
    assert CJK.search(page) and 'name="code"' in page
    resp = c.post("/login/code/", {"code": code_at(row.secret, clock.now)})
    assert resp.status_code == 302 and c.get("/").status_code == 200
    assert actions()[-1] == "core.totp.pass"
    # the same code again (replay, another browser) is refused
    c2 = Client()
    password_step(c2, user)
    resp = c2.post("/login/code/", {"code": code_at(row.secret, clock.now)})
    assert resp.status_code == 200 and "is-invalid" in resp.content.decode() and c2.get("/").status_code == 302


def test_given_wrong_codes_then_they_count_toward_the_lock_and_the_right_code_is_refused_while_locked(
        county, clock, settings):
    settings.TIAOKUAI = {**settings.TIAOKUAI, "LOGIN_ACCOUNT_LIMIT": 3}
    user = county.users["establishment_office"]
    row, _ = enrol(user, clock)
    c = Client()
    password_step(c, user)
    for _ in range(2):
        assert c.post("/login/code/", {"code": "123456"}).status_code == 200
    resp = c.post("/login/code/", {"code": "123456"})  # the third failure locks the account
    assert resp.status_code == 302 and resp["Location"] == "/login/"
    assert LoginThrottle.objects.get(scope="account", key=user.username).locked_until is not None
    assert password_step(c, user).status_code == 200  # locked: even the right password is refused
    assert c.post("/login/code/", {"code": code_at(row.secret, clock.now)}).status_code == 302
    assert c.get("/").status_code == 302
    assert actions().count("core.totp.fail") == 3


def test_given_the_password_step_then_it_does_not_clear_the_failure_count(county, clock, settings):
    user = county.users["establishment_office"]
    enrol(user, clock)
    c = Client()
    password_step(c, user)
    c.post("/login/code/", {"code": "123456"})
    password_step(c, user)  # a right password alone must not wipe the wrong code's count
    assert LoginThrottle.objects.get(scope="account", key=user.username).failures == 1


def test_given_a_recovery_code_then_it_signs_in_once(county, clock):
    user = county.users["leader"]
    _, codes = enrol(user, clock)
    c = Client()
    password_step(c, user)
    assert c.post("/login/code/", {"code": codes[0].upper()}).status_code == 302
    assert c.get("/").status_code == 200
    c2 = Client()
    password_step(c2, user)
    assert c2.post("/login/code/", {"code": codes[0]}).status_code == 200  # used: refused
    assert RecoveryCode.objects.filter(user=user, used_at__isnull=False).count() == 1
    event = AuditEvent.objects.filter(action="core.totp.pass").last()
    assert event.after["method"] == "recovery" and event.after["recovery_codes_left"] == 9


def test_given_an_enrolled_account_when_asking_for_a_token_then_the_code_is_required(county, clock):
    user = county.users["establishment_office"]
    row, _ = enrol(user, clock)
    c = Client()

    def token(**extra):
        return c.post("/api/v1/auth/token", {"username": user.username, "password": PASSWORD, **extra},
                      content_type="application/json")

    resp = token()
    assert resp.status_code == 401 and resp.json()["code"] == "second_factor_required"
    assert CJK.search(resp.json()["message"])
    resp = token(code="000000")
    assert resp.status_code == 401 and resp.json()["code"] == "invalid_second_factor"
    assert ApiToken.objects.count() == 0
    resp = token(code=code_at(row.secret, clock.now))
    assert resp.status_code == 200 and ApiToken.objects.count() == 1
    assert "second_factor" in str(Client().get("/api/v1/openapi.json").json()["components"]["schemas"]["TokenIn"]) \
        or "code" in Client().get("/api/v1/openapi.json").json()["components"]["schemas"]["TokenIn"]["properties"]


def test_given_wrong_token_codes_then_429_even_with_the_right_code(county, clock, settings):
    settings.TIAOKUAI = {**settings.TIAOKUAI, "LOGIN_ACCOUNT_LIMIT": 2}
    user = county.users["establishment_office"]
    row, _ = enrol(user, clock)
    c = Client()
    body = {"username": user.username, "password": PASSWORD}
    for _ in range(2):
        c.post("/api/v1/auth/token", {**body, "code": "111111"}, content_type="application/json")
    resp = c.post("/api/v1/auth/token", {**body, "code": code_at(row.secret, clock.now)},
                  content_type="application/json")
    assert resp.status_code == 429 and ApiToken.objects.count() == 0


def test_given_disable_then_password_and_code_are_both_needed_and_refusals_change_nothing(county, clock, login):
    user = county.users["establishment_office"]
    row, _ = enrol(user, clock)
    c = login(user)
    resp = c.post("/account/two-factor/", {"action": "disable", "password": "wrong", "code": code_at(row.secret,
                                                                                                   clock.now)})
    assert "is-invalid" in resp.content.decode() and twofactor.enabled(user)
    resp = c.post("/account/two-factor/", {"action": "disable", "password": PASSWORD, "code": "000000"})
    assert "is-invalid" in resp.content.decode() and twofactor.enabled(user)
    with pytest.raises(Invalid):
        twofactor.disable(user=user, password=PASSWORD, code="", at=clock.now)
    assert twofactor.enabled(user) and RecoveryCode.objects.filter(user=user).count() == 10
    resp = c.post("/account/two-factor/", {"action": "disable", "password": PASSWORD,
                                           "code": code_at(row.secret, clock.now)})
    assert resp.status_code == 302 and not twofactor.enabled(user) and not RecoveryCode.objects.exists()
    assert actions().count("core.totp.disable_failed") == 3 and actions()[-1] == "core.totp.disable"
    c2 = Client()
    assert password_step(c2, user)["Location"] != "/login/code/"  # the password alone signs in again


def test_given_an_enrolled_account_when_enrolling_again_then_conflict(county, clock):
    user = county.users["establishment_office"]
    enrol(user, clock)
    with pytest.raises(Conflict):
        twofactor.enrol_start(user=user, at=clock.now)
    assert TwoFactor.objects.filter(user=user).count() == 1


def test_given_recovery_codes_renewed_then_old_ones_stop_working(county, clock):
    user = county.users["establishment_office"]
    row, old = enrol(user, clock)
    with pytest.raises(Invalid):
        twofactor.recovery_regenerate(user=user, code=old[0], at=clock.now)  # a recovery code is not enough
    new = twofactor.recovery_regenerate(user=user, code=code_at(row.secret, clock.now), at=clock.now)
    clock.advance(seconds=30)
    assert twofactor.verify(user=user, code=old[1], at=clock.now) is None
    assert twofactor.verify(user=user, code=new[0], at=clock.now) == "recovery"


def test_given_the_county_makes_it_mandatory_then_county_wide_roles_must_enrol_first(county, clock, settings, login):
    settings.TIAOKUAI = {**settings.TIAOKUAI, "TOTP_REQUIRED": True}
    office = county.users["establishment_office"]
    c = login(office)
    resp = c.get("/whistles/")
    assert resp.status_code == 302 and resp["Location"] == "/account/two-factor/"
    assert 'id="two-factor-required"' in c.get("/account/two-factor/").content.decode()
    resp = c.get("/api/v1/whistles")
    assert resp.status_code == 403 and resp.json()["code"] == "second_factor_required"
    resp = Client().post("/api/v1/auth/token", {"username": office.username, "password": PASSWORD},
                         content_type="application/json")
    assert resp.status_code == 403 and ApiToken.objects.count() == 0
    assert login(county.users["township"]).get("/whistles/").status_code == 200  # not a county-wide role
    row, _ = enrol(office, clock)
    assert c.get("/whistles/").status_code == 200
    with pytest.raises(Conflict):  # mandatory: cannot be turned off
        twofactor.disable(user=office, password=PASSWORD, code=code_at(row.secret, clock.now), at=clock.now)
    assert twofactor.enabled(office)


def test_given_the_admin_login_then_it_goes_through_the_site_sign_in(client):
    resp = client.get("/admin/login/?next=/admin/")
    assert resp.status_code == 302 and resp["Location"].startswith("/login/?next=/admin/")


def test_every_step_reads_as_a_chinese_sentence(county, clock):
    from tiaokuai.core import timeline

    user = county.users["establishment_office"]
    enrol(user, clock)
    for entry in timeline.render(AuditEvent.objects.filter(action__startswith="core.totp.")):
        assert CJK.search(entry.sentence) and not re.search(r"[A-Za-z]{4,}", entry.sentence.replace(
            user.username, "")), entry.sentence
