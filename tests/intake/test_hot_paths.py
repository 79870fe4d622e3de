"""The hot paths stay cheap: the likely-duplicate look-up is served by the partial indexes over open requests
(as the statement is sent, with bound parameters), an Open311 POST runs a fixed handful of statements, a revoked
api_key is refused at its next request, and core.inserts writes the row the ORM would."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tiaokuai.core import inserts
from tiaokuai.intake import selectors, services
from tiaokuai.intake.models import Open311Client, Request

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner and its partial-index rule")
def test_given_a_request_when_looking_for_duplicates_then_both_scans_use_the_partial_indexes(rcounty):
    r = services.request_submit(actor=rcounty.users["operator"], channel="hotline", description="有人在耕地上建房",
                                village_code=rcounty.villages[0].code, citizen_phone="13900001111",
                                matter_code="ZR-001")
    sent = []

    def capture(execute, sql, params, many, context):
        sent.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        selectors.likely_duplicates(r)
    plans = []
    with connection.cursor() as cursor:
        for sql, params in sent:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plans.append(" ".join(str(row[-1]) for row in cursor.fetchall()))
    assert len(plans) == 2
    assert "request_open_village_idx" in plans[0] and "request_open_matter_idx" in plans[1], plans


def test_given_open_and_closed_requests_when_looking_for_duplicates_then_only_open_similar_ones(rcounty):
    def web(text):
        return services.request_submit(actor=None, channel="web", description=text, citizen_phone="13812345678",
                                       village_code=rcounty.villages[0].code)

    a, b, other = web("村口路灯坏了很久没人管"), web("村口路灯坏了很久没人修"), web("河道里垃圾堆放")
    Request.objects.filter(pk=b.pk).update(status="closed")
    c = web("村口路灯坏了很久了")
    found = [x.number for x, _score in selectors.likely_duplicates(c)]
    assert found == [a.number] and other.number not in found


@pytest.fixture
def memory(settings):
    """The submit path's short memory on, as in a server (tests run with it off)."""
    settings.TESTING = False
    services._MEMO.clear()
    yield
    services._MEMO.clear()


def test_given_an_open311_post_when_counted_then_a_fixed_handful_of_statements(rcounty, memory):
    key = services.new_open311_client(actor=None, name="第三方", rate_per_minute=1000)[1]
    data = {"api_key": key, "service_code": "ZR-001", "description": "村口有人在耕地上建房",
            "attribute[village]": rcounty.villages[0].code}
    assert Client().post("/open311/v2/requests.json", data).status_code == 201  # warm the short memory
    with CaptureQueriesContext(connection) as ctx:
        assert Client().post("/open311/v2/requests.json", data).status_code == 201
    statements = [q["sql"] for q in ctx.captured_queries
                  if not q["sql"].startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE"))]
    # key, request (its number given by the same INSERT), dispatch, audit event, notification (the log channel's
    # delivery row is written by the notify.retry sweep from the notification's pending_channels)
    assert len(statements) == 5, statements


def test_given_a_revoked_client_when_it_posts_again_then_refused_at_once(rcounty):
    client, key = services.new_open311_client(actor=None, name="第三方", rate_per_minute=1000)
    data = {"api_key": key, "service_code": "ZR-001", "description": "村口有人在耕地上建房",
            "attribute[village]": rcounty.villages[0].code}
    assert Client().post("/open311/v2/requests.json", data).status_code == 201
    Open311Client.objects.filter(pk=client.pk).update(is_active=False)
    before = Request.objects.count()
    resp = Client().post("/open311/v2/requests.json", data)
    assert resp.status_code == 403 and resp.json()[0]["code"] == 403
    assert Request.objects.count() == before


def test_given_an_instance_when_inserted_plainly_then_the_same_row_as_the_orm_writes(rcounty):
    from django.utils import timezone

    now = timezone.now()

    def make(number):
        return Request(number=number, tracking_code=number[-6:], channel="web", description="描述",
                       township=rcounty.townships[0], village=rcounty.villages[0], latitude="30.123456",
                       longitude="120.5", submitted_at=now, updated_at=now, feedback_by=now)

    plain = inserts.insert(make("RQ-X-000001"))
    orm = make("RQ-X-000002")
    orm.save(force_insert=True)
    assert plain.pk is not None and not plain._state.adding
    rows = {r.pop("number"): r for r in Request.objects.filter(pk__in=[plain.pk, orm.pk]).values()}
    for r in rows.values():
        r.pop("id"), r.pop("tracking_code")
    assert rows["RQ-X-000001"] == rows["RQ-X-000002"]
    many = inserts.insert_many([make("RQ-X-000003"), make("RQ-X-000004")])
    assert [m.pk for m in many] == sorted(m.pk for m in many)
    assert Request.objects.get(pk=many[1].pk).number == "RQ-X-000004"
