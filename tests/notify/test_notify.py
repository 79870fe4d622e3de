"""Notifications: in-app rows, outbox deliveries, channels, retries with back-off, inbox scoping."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone

from tiaokuai.core import sweeps
from tiaokuai.core.errors import Conflict, NotFound
from tiaokuai.core.models import AuditEvent, CalendarDay
from tiaokuai.notify import channels, services, sms
from tiaokuai.notify.models import Delivery, Notification

pytestmark = pytest.mark.django_db


class FlakyChannel(channels.Channel):
    """Fails while `failures_left` > 0."""

    name = "flaky"
    failures_left = 0
    sent: list[int] = []

    def send(self, notification):
        if FlakyChannel.failures_left > 0:
            FlakyChannel.failures_left -= 1
            raise channels.ChannelError("gateway down")
        FlakyChannel.sent.append(notification.pk)


@pytest.fixture
def flaky(settings):
    channels.register_channel(FlakyChannel)
    FlakyChannel.failures_left = 0
    FlakyChannel.sent = []
    settings.TIAOKUAI = {**settings.TIAOKUAI, "NOTIFY_CHANNELS": ["flaky"],
                         "NOTIFY_BACKOFF_MINUTES": [1, 2, 4, 8, 16], "NOTIFY_MAX_ATTEMPTS": 6}
    yield FlakyChannel
    channels.CHANNELS.pop("flaky", None)


def test_given_recipients_when_notified_and_committed_then_in_app_rows_and_the_sweep_sends_log_deliveries(
        county, django_capture_on_commit_callbacks, caplog):
    users = [county.users["department"], county.users["township"], county.users["department"]]
    with caplog.at_level("INFO", logger="tiaokuai.notify"), django_capture_on_commit_callbacks(execute=True) as cbs:
        rows = services.notify(recipients=users, kind="whistles.dispatched", title="新的吹哨", url="/whistles/1/")
    assert len(rows) == 2  # duplicates skipped
    assert all(r.pk for r in rows)
    assert Notification.objects.filter(read_at__isnull=True).count() == 2
    assert cbs == []  # log-only: no task, the sweep sends them
    # Log-only: one INSERT on the write path; the notification records the channel the sweep still owes.
    assert not Delivery.objects.exists()
    assert set(Notification.objects.values_list("pending_channels", flat=True)) == {"log"}
    assert services.expand_pending(now=timezone.now()) == 2
    deliveries = list(Delivery.objects.all())
    assert {d.channel for d in deliveries} == {"log"}
    assert all(d.state == "pending" and d.next_attempt_at <= timezone.now() for d in deliveries)
    assert set(Notification.objects.values_list("pending_channels", flat=True)) == {""}
    assert services.expand_pending(now=timezone.now()) == 0  # written once
    assert sweeps.run_one("notify.retry", timezone.now())["sent"] == 2
    assert all(d.state == "sent" and d.attempts == 1 and d.sent_at for d in Delivery.objects.all())
    assert "新的吹哨" in caplog.text


def test_given_a_prompt_channel_and_many_recipients_when_notified_then_one_task_sends_every_delivery(
        county, flaky, django_capture_on_commit_callbacks, monkeypatch, settings):
    settings.TIAOKUAI = {**settings.TIAOKUAI, "NOTIFY_CHANNELS": ["flaky", "log"]}
    enqueued = []
    monkeypatch.setattr(services, "_enqueue", enqueued.append)
    users = [county.users["department"], county.users["township"], county.users["establishment_office"]]
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            services.notify(recipients=users, kind="k", title="t")
    flaky_ids = set(Delivery.objects.filter(channel="flaky").values_list("pk", flat=True))
    assert len(enqueued) == 1 and set(enqueued[0]) == flaky_ids and len(flaky_ids) == 3
    assert not Delivery.objects.filter(channel="log").exists()  # left to the sweep, which writes them
    assert Notification.objects.filter(pending_channels="log").count() == 3
    services.expand_pending(now=timezone.now())
    assert Delivery.objects.filter(channel="log", state="pending").count() == 3


def test_given_a_rolled_back_transaction_when_notified_then_nothing_is_sent_or_stored(county, flaky,
                                                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                services.notify(recipients=[county.users["township"]], kind="k", title="t")
                raise RuntimeError("business failed")
        except RuntimeError:
            pass
    assert callbacks == []
    assert Notification.objects.count() == 0 and Delivery.objects.count() == 0
    assert flaky.sent == []


def test_given_a_failing_channel_when_business_transaction_commits_then_it_is_not_rolled_back(
        county, flaky, django_capture_on_commit_callbacks):
    flaky.failures_left = 100
    office = county.users["establishment_office"]
    from tiaokuai.core import services as core_services

    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            core_services.calendar_day_set(actor=office, day=dt.date(2026, 12, 1), is_working=False)
            services.notify(recipients=[county.users["township"]], kind="calendar", title="日历调整")
    assert CalendarDay.objects.filter(date=dt.date(2026, 12, 1)).exists()
    assert Notification.objects.count() == 1
    d = Delivery.objects.get()
    assert d.state == "failed"
    assert d.attempts == 1
    assert "gateway down" in d.last_error
    assert d.next_attempt_at is not None


def test_given_failures_when_retried_then_back_off_doubles_and_dead_after_max_attempts(county, flaky):
    flaky.failures_left = 100
    services.notify(recipients=[county.users["township"]], kind="k", title="t")  # on_commit not run here
    d = Delivery.objects.get()
    assert d.state == "pending" and d.attempts == 0
    now = d.next_attempt_at
    waits = []
    for _attempt in range(6):
        result = sweeps.run_one("notify.retry", now)
        assert result["due"] == 1
        d.refresh_from_db()
        if d.state == "dead":
            break
        waits.append(round((d.next_attempt_at - now).total_seconds() / 60))
        # Not due a second earlier: the sweep leaves it alone.
        assert sweeps.run_one("notify.retry", d.next_attempt_at - dt.timedelta(seconds=1))["due"] == 0
        now = d.next_attempt_at
    assert waits == [1, 2, 4, 8, 16]
    assert d.state == "dead"
    assert d.attempts == 6
    assert d.next_attempt_at is None
    assert "gateway down" in d.last_error
    # Dead rows are never picked up again (but stay visible).
    assert sweeps.run_one("notify.retry", now + dt.timedelta(days=1))["due"] == 0


def test_given_a_failed_delivery_when_the_channel_recovers_then_the_sweep_sends_it(county, flaky):
    flaky.failures_left = 1
    services.notify(recipients=[county.users["township"]], kind="k", title="t")
    d = Delivery.objects.get()
    assert services.delivery_attempt(delivery_id=d.pk, now=d.next_attempt_at) == "failed"
    d.refresh_from_db()
    counts = sweeps.run_all(d.next_attempt_at)["notify.retry"]
    assert counts["sent"] == 1
    d.refresh_from_db()
    assert d.state == "sent" and d.attempts == 2
    assert flaky.sent == [d.notification_id]


def test_given_a_claimed_attempt_when_tried_again_at_the_same_time_then_skipped(county, flaky):
    services.notify(recipients=[county.users["township"]], kind="k", title="t")
    d = Delivery.objects.get()
    flaky.failures_left = 1
    assert services.delivery_attempt(delivery_id=d.pk, now=d.next_attempt_at) == "failed"
    assert services.delivery_attempt(delivery_id=d.pk, now=d.next_attempt_at) == "skipped"
    assert Delivery.objects.get().attempts == 1


def test_given_sms_without_gateway_when_sent_then_dead_at_once_with_reason(county, settings):
    settings.TIAOKUAI = {**settings.TIAOKUAI, "NOTIFY_CHANNELS": ["sms"]}
    settings.TIAOKUAI.pop("SMS_GATEWAY_URL", None)
    services.notify(recipients=[county.users["township"]], kind="k", title="t")
    d = Delivery.objects.get()
    assert services.delivery_attempt(delivery_id=d.pk) == "dead"
    d.refresh_from_db()
    assert "not configured" in d.last_error


def test_given_email_channel_when_sent_then_mail_goes_out(county, settings, mailoutbox):
    settings.TIAOKUAI = {**settings.TIAOKUAI, "NOTIFY_CHANNELS": ["email"], "BASE_URL": "https://tk.example"}
    user = county.users["township"]
    user.email = "qingshi@example.org"
    user.save()
    services.notify(recipients=[user], kind="k", title="新的吹哨", body="请处理", url="/whistles/1/")
    d = Delivery.objects.get()
    assert services.delivery_attempt(delivery_id=d.pk) == "sent"
    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject == "新的吹哨"
    assert "https://tk.example/whistles/1/" in mailoutbox[0].body


def test_given_sms_gateway_when_sent_then_posts_json(county, settings, monkeypatch):
    settings.TIAOKUAI = {**settings.TIAOKUAI, "NOTIFY_CHANNELS": ["sms"], "SMS_GATEWAY_URL": "http://sms.local/send"}
    calls = []

    class Response:
        status = 200

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    def fake_urlopen(request, timeout):
        calls.append((request.full_url, request.data, timeout))
        return Response()

    monkeypatch.setattr(sms.urllib.request, "urlopen", fake_urlopen)  # the SMS adapter (notify.sms)
    services.notify(recipients=[county.users["township"]], kind="k", title="短信标题")
    d = Delivery.objects.get()
    assert services.delivery_attempt(delivery_id=d.pk) == "sent"
    url, data, timeout = calls[0]
    assert url == "http://sms.local/send" and timeout == 10
    assert "13800000000" in data.decode() and "短信标题" in data.decode()


def test_given_two_users_when_listing_inbox_then_each_sees_only_their_own(county, login):
    mine = services.notify(recipients=[county.users["township"]], kind="k", title="给青石")[0]
    other = services.notify(recipients=[county.users["township_other"]], kind="k", title="给白云")[0]
    client = login(county.users["township"])
    body = client.get("/system/inbox/").content.decode()
    assert "给青石" in body and "给白云" not in body
    assert client.post(f"/system/inbox/{other.pk}/read/").status_code == 404
    assert client.post(f"/notifications/{other.pk}/open/").status_code == 404
    other.refresh_from_db()
    assert other.read_at is None
    assert client.post(f"/system/inbox/{mine.pk}/read/").status_code == 302
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_given_unread_notifications_when_inbox_listed_then_unread_first_and_count_in_top_bar(county, login):
    user = county.users["township"]
    first = services.notify(recipients=[user], kind="k", title="较早")[0]
    services.notify(recipients=[user], kind="k", title="较晚")
    services.notification_mark_read(actor=user, notification_id=services.Notification.objects.get(
        title="较晚").pk)
    client = login(user)
    body = client.get("/system/inbox/").content.decode()
    assert body.index("较早") < body.index("较晚")
    assert 'id="unread-count">1<' in body
    resp = client.post(f"/notifications/{first.pk}/open/")
    assert resp.status_code == 302


def test_given_htmx_mark_read_when_posted_then_row_and_unread_count_are_returned(county, login):
    user = county.users["township"]
    n = services.notify(recipients=[user], kind="k", title="标题")[0]
    client = login(user)
    resp = client.post(f"/system/inbox/{n.pk}/read/", headers={"HX-Request": "true"})
    assert resp.status_code == 200
    body = resp.content.decode()
    assert f'id="notification-{n.pk}"' in body and 'hx-swap-oob="true">0<' in body


def test_given_someone_elses_notification_when_marking_read_then_not_found_and_nothing_changes(county):
    n = services.notify(recipients=[county.users["township"]], kind="k", title="t")[0]
    audits = AuditEvent.objects.count()
    for actor in (county.users["township_other"], county.users["establishment_office"], AnonymousUser()):
        with pytest.raises(NotFound):
            services.notification_mark_read(actor=actor, notification_id=n.pk)
    n.refresh_from_db()
    assert n.read_at is None
    assert AuditEvent.objects.count() == audits


def test_given_the_api_when_listing_notifications_then_scoped_to_the_caller(county, api):
    services.notify(recipients=[county.users["township"]], kind="k", title="给青石")
    other = services.notify(recipients=[county.users["township_other"]], kind="k", title="给白云")[0]
    client = api(county.users["township"])
    resp = client.get("/api/v1/notifications")
    assert resp.status_code == 200
    assert [n["title"] for n in resp.json()] == ["给青石"]
    assert client.get("/api/v1/notifications/unread-count").json() == {"unread": 1}
    assert client.post(f"/api/v1/notifications/{other.pk}/read").status_code == 404
    assert client.post("/api/v1/notifications/read-all").json() == {"unread": 0}
    assert api(None).get("/api/v1/notifications").status_code == 401


def test_given_the_outbox_when_opened_then_office_sees_states_and_others_get_404(county, login, flaky, api):
    flaky.failures_left = 100
    services.notify(recipients=[county.users["township"]], kind="k", title="发送失败的通知")
    d = Delivery.objects.get()
    services.delivery_attempt(delivery_id=d.pk, now=d.next_attempt_at)
    body = login(county.users["establishment_office"]).get("/system/outbox/").content.decode()
    assert "发送失败的通知" in body and "gateway down" in body
    assert login(county.users["township"]).get("/system/outbox/").status_code == 404
    assert api(county.users["township"]).get("/api/v1/notifications/outbox").status_code == 404
    rows = api(county.users["establishment_office"]).get("/api/v1/notifications/outbox").json()
    assert rows[0]["state"] == "failed" and rows[0]["attempts"] == 1


def test_given_a_dead_delivery_when_office_sends_again_then_pending_with_one_audit_event(county, flaky):
    services.notify(recipients=[county.users["township"]], kind="k", title="t")
    Delivery.objects.update(state="dead", attempts=6, next_attempt_at=None, last_error="x")
    d = Delivery.objects.get()
    audits = AuditEvent.objects.count()
    services.delivery_retry(actor=county.users["establishment_office"], delivery_id=d.pk)
    d.refresh_from_db()
    assert d.state == "pending" and d.attempts == 0 and d.next_attempt_at <= timezone.now()
    assert AuditEvent.objects.count() == audits + 1
    with pytest.raises(Conflict):
        services.delivery_retry(actor=county.users["establishment_office"], delivery_id=d.pk)


def test_given_a_dead_delivery_when_others_send_again_then_refused_and_nothing_changes(county, flaky):
    services.notify(recipients=[county.users["township"]], kind="k", title="t")
    Delivery.objects.update(state="dead", attempts=6, next_attempt_at=None)
    d = Delivery.objects.get()
    audits = AuditEvent.objects.count()
    for actor in (county.users["township"], county.users["department"], AnonymousUser()):
        with pytest.raises(NotFound):
            services.delivery_retry(actor=actor, delivery_id=d.pk)
    d.refresh_from_db()
    assert d.state == "dead" and d.attempts == 6
    assert AuditEvent.objects.count() == audits


def test_given_a_lost_send_task_when_the_grace_minute_passes_then_the_sweep_sends_it(county, flaky):
    services.notify(recipients=[county.users["township"]], kind="k", title="t")  # on_commit never ran
    d = Delivery.objects.get()
    created = d.created_at
    assert sweeps.run_one("notify.retry", created + dt.timedelta(seconds=30))["due"] == 0
    assert sweeps.run_one("notify.retry", created + dt.timedelta(minutes=1))["sent"] == 1
    d.refresh_from_db()
    assert d.state == "sent" and d.attempts == 1


def test_given_many_rows_when_inbox_and_outbox_listed_then_query_count_does_not_grow(
        county, login, django_assert_max_num_queries):
    office = county.users["establishment_office"]
    client = login(office)
    services.notify(recipients=[office, county.users["township"]], kind="k", title="t0")
    client.get("/system/outbox/")  # warm up (session, viewer)
    with django_assert_max_num_queries(25) as few:
        client.get("/system/inbox/")
    with django_assert_max_num_queries(25) as few_outbox:
        client.get("/system/outbox/")
    for i in range(20):
        services.notify(recipients=[office, county.users["township"]], kind="k", title=f"t{i + 1}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/system/inbox/").status_code == 200
    with django_assert_max_num_queries(len(few_outbox.captured_queries)):
        assert client.get("/system/outbox/").status_code == 200


def test_given_more_due_deliveries_than_one_batch_when_swept_then_all_are_sent_in_one_tick(county):
    users = [county.users[k] for k in ("department", "township", "leader", "grid_worker", "station")]
    services.notify(recipients=users, kind="k", title="批量")
    assert Delivery.objects.count() == 0 and Notification.objects.filter(pending_channels="log").count() == 5
    counts = services.retry_due(now=timezone.now(), limit=2)
    assert counts["expanded"] == 5 and counts["sent"] == 5 and counts["due"] == 5
    assert not Delivery.objects.exclude(state="sent").exists()
