"""Sign-in protection (per account and per address, with back-off) and API tokens with expiry, listing and
revocation, ended by a password change; password policy."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import PASSWORD
from tiaokuai.core.models import ApiToken, AuditEvent, LoginThrottle

CJK = re.compile(r"[\u4e00-\u9fff]")


def token_request(client, username, password, **extra):
    return client.post("/api/v1/auth/token", {"username": username, "password": password},
                       content_type="application/json", **extra)


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_given_ten_wrong_passwords_when_the_right_one_comes_eleventh_then_refused_with_429(county, client):
    user = county.users["township"]
    for _ in range(10):
        assert token_request(client, user.username, "wrong-password").status_code in (401, 429)
    resp = token_request(client, user.username, PASSWORD)
    assert resp.status_code == 429
    body = resp.json()
    assert body["code"] == "too_many_attempts" and CJK.search(body["message"])
    assert int(resp["Retry-After"]) > 0
    assert ApiToken.objects.count() == 0


def test_given_nine_wrong_passwords_when_the_right_one_comes_then_accepted_and_count_cleared(county, client):
    user = county.users["township"]
    for _ in range(9):
        assert token_request(client, user.username, "wrong-password").status_code == 401
    assert token_request(client, user.username, PASSWORD).status_code == 200
    assert not LoginThrottle.objects.filter(scope="account").exists()


def test_given_locked_account_when_lock_expires_then_right_password_works_and_next_lock_is_longer(county, client):
    user = county.users["township"]
    for _ in range(10):
        token_request(client, user.username, "wrong-password")
    row = LoginThrottle.objects.get(scope="account", key=user.username)
    first_lock = row.locked_until - row.last_failure_at
    LoginThrottle.objects.filter(pk=row.pk).update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    token_request(client, user.username, "wrong-password")  # one more failure after the lock: doubled
    row.refresh_from_db()
    assert row.locked_until - row.last_failure_at == 2 * first_lock
    LoginThrottle.objects.filter(pk=row.pk).update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    assert token_request(client, user.username, PASSWORD).status_code == 200


def test_given_many_failures_from_one_address_when_another_account_signs_in_then_refused(county, client):
    for i in range(50):
        token_request(client, f"nobody{i}", "wrong-password")
    assert token_request(client, county.users["department"].username, PASSWORD).status_code == 429
    other_address = token_request(client, county.users["department"].username, PASSWORD,
                                  REMOTE_ADDR="10.0.0.9")
    assert other_address.status_code == 200


def test_given_locked_account_when_signing_in_on_the_login_page_then_chinese_message_and_no_session(county):
    user = county.users["township"]
    client = Client()
    for _ in range(10):
        client.post("/login/", {"username": user.username, "password": "wrong-password"})
    resp = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert resp.status_code == 200  # the form again, not the redirect home
    assert "尝试次数过多" in resp.content.decode()
    assert "_auth_user_id" not in client.session


def test_given_token_when_listed_then_own_tokens_only_and_current_marked(county, client):
    user = county.users["township"]
    token = token_request(client, user.username, PASSWORD).json()
    token_request(client, county.users["department"].username, PASSWORD)
    resp = client.get("/api/v1/auth/tokens", headers=bearer(token["token"]))
    assert resp.status_code == 200
    rows = resp.json()
    assert [r["id"] for r in rows] == [token["id"]]
    assert rows[0]["current"] and rows[0]["active"]
    assert "token" not in rows[0] and "key_hash" not in rows[0]


def test_given_revoked_token_when_used_then_401(county, client):
    token = token_request(client, county.users["township"].username, PASSWORD).json()
    resp = client.delete(f"/api/v1/auth/tokens/{token['id']}", headers=bearer(token["token"]))
    assert resp.status_code == 200 and resp.json()["revoked_at"]
    assert client.get("/api/v1/divisions", headers=bearer(token["token"])).status_code == 401
    assert AuditEvent.objects.filter(action="core.token_revoke").count() == 1


def test_given_another_users_token_when_revoking_then_404_and_token_still_works(county, client):
    mine = token_request(client, county.users["township"].username, PASSWORD).json()
    theirs = token_request(client, county.users["department"].username, PASSWORD).json()
    resp = client.delete(f"/api/v1/auth/tokens/{theirs['id']}", headers=bearer(mine["token"]))
    assert resp.status_code == 404
    assert client.get("/api/v1/divisions", headers=bearer(theirs["token"])).status_code == 200


def test_given_expired_token_when_used_then_401(county, client):
    token = token_request(client, county.users["township"].username, PASSWORD).json()
    ApiToken.objects.filter(pk=token["id"]).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.get("/api/v1/divisions", headers=bearer(token["token"])).status_code == 401


def test_given_token_when_issued_then_expires_after_the_configured_days(county, client, settings):
    before = timezone.now()
    token = token_request(client, county.users["township"].username, PASSWORD).json()
    expires = ApiToken.objects.get(pk=token["id"]).expires_at
    days = settings.TIAOKUAI["API_TOKEN_DAYS"]
    assert before + dt.timedelta(days=days) <= expires <= timezone.now() + dt.timedelta(days=days)


def test_given_password_changed_when_old_token_used_then_401(county, client):
    user = county.users["township"]
    token = token_request(client, user.username, PASSWORD).json()
    assert client.get("/api/v1/divisions", headers=bearer(token["token"])).status_code == 200
    user.set_password("a-new-Passw0rd-2026")
    user.save()
    assert client.get("/api/v1/divisions", headers=bearer(token["token"])).status_code == 401


def test_given_many_sign_ins_when_tokens_issued_then_only_the_newest_stay_live(county, client, settings):
    settings.TIAOKUAI = {**settings.TIAOKUAI, "API_TOKENS_PER_USER": 3}
    user = county.users["township"]
    tokens = [token_request(client, user.username, PASSWORD).json()["token"] for _ in range(5)]
    assert [client.get("/api/v1/divisions", headers=bearer(t)).status_code for t in tokens] == [401, 401, 200, 200, 200]


def test_given_token_when_used_then_one_indexed_lookup_and_no_write(county, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    token = token_request(client, county.users["township"].username, PASSWORD).json()["token"]
    client.get("/api/v1/notifications/unread-count", headers=bearer(token))  # last_used_at written once
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/api/v1/notifications/unread-count", headers=bearer(token)).status_code == 200
    token_queries = [q["sql"] for q in ctx.captured_queries if "core_apitoken" in q["sql"]]
    assert len(token_queries) == 1 and token_queries[0].startswith("SELECT")
    assert '"key_hash" =' in token_queries[0]
    assert ApiToken._meta.get_field("key_hash").unique


@pytest.mark.parametrize("password", ["12345678901", "password123", "qingshi-zhen"])
def test_given_weak_password_when_validated_then_refused_in_chinese(county, password):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    user = county.users["township"]
    with pytest.raises(ValidationError) as exc:
        validate_password(password if password != "qingshi-zhen" else user.username + "1", user)
    assert all(CJK.search(m) for m in exc.value.messages)
