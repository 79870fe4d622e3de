"""Pinned query counts: every whistle list page, board, inbox and API list runs the same number of queries
whatever the page size and however deep the page (keyset paging), and the board counts the work in hand only
(closed whistles are history: not counted on the board, ADR 0011)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.whistles.test_views import cached_calendar, raise_one, wl  # noqa: F401  (fixtures)
from tiaokuai.whistles.models import Whistle
from tiaokuai.whistles.services.counts import recount

pytestmark = pytest.mark.django_db
N = 12  # whistles: more than the small page, fewer than the large one


@pytest.fixture
def many(wl):  # noqa: F811
    for i in range(N):
        raise_one(wl, description=f"第{i}处违法占用耕地建房", village=i % 2)
    return wl


def _queries(client, path, **params) -> tuple[int, str]:
    client.get(path, params)  # warm: session, viewer and calendar caches
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(path, params)
    assert resp.status_code == 200, resp.content[:300]
    sql = [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    return len(sql), resp.content.decode()


PAGES = [  # (who, path, queries); the list asks once for the user's permissions (the unmasked export: 2)
    # township staff: + their townships' bodies, read with the viewer (cached for VIEWER_CACHE_SECONDS outside tests)
    ("township", "/whistles/", 16),
    ("department", "/whistles/", 15),
    ("establishment_office", "/whistles/", 15),
    # the board exports what it shows, the whistles' words included: it asks for the permissions like the list (+2)
    ("leader", "/whistles/board/", 16),
    ("department", "/whistles/board/", 16),
    ("township", "/whistles/board/", 17),
    # the inbox finds its page's ids first (sorted by the step's deadline without the joins), then reads the rows (+1
    # when the page has rows)
    ("department", "/whistles/inbox/", 9),
    ("township", "/whistles/inbox/", 9),
]


@pytest.mark.parametrize(("who", "path", "expected"), PAGES)
def test_given_page_sizes_5_and_50_when_opening_a_list_then_the_same_pinned_query_count(
        many, login, settings, cached_calendar, who, path, expected):  # noqa: F811
    client = login(many.users[who])
    counts = []
    for size in (5, 50):
        settings.TIAOKUAI = {**settings.TIAOKUAI, "PAGE_SIZE": size}
        n, html = _queries(client, path)
        counts.append(n)
        nxt = re.search(r'data-page="next" href="\?([^"]+)"', html)
        if size == 5 and nxt:  # the next page (a keyset) costs the same as the first
            deep, _ = _queries(client, path + "?" + nxt.group(1).replace("&amp;", "&"))
            counts.append(deep)
    assert counts == [expected] * len(counts), counts


API = [  # (who, path, queries): bearer token look-up included
    ("establishment_office", "/api/v1/whistles", 5),
    ("department", "/api/v1/whistles", 5),
    ("township", "/api/v1/whistles", 6),  # + the viewer's township bodies (see PAGES)
    ("establishment_office", "/api/v1/disputes", 4),
    ("establishment_office", "/api/v1/whistle-items", 2),
    ("department", "/api/v1/notifications", 4),
    ("establishment_office", "/api/v1/divisions", 4),
    ("establishment_office", "/api/v1/organisations", 4),
    ("establishment_office", "/api/v1/people", 5),
    ("establishment_office", "/api/v1/lists/releases", 4),
    ("establishment_office", "/api/v1/auth/tokens", 2),
]


@pytest.mark.parametrize(("who", "path", "expected"), API)
def test_given_limits_5_and_50_when_listing_through_the_api_then_the_same_pinned_query_count(
        many, api, who, path, expected):
    client = api(many.users[who])
    counts = []
    for limit in (5, 50):
        client.get(path, limit=limit)
        with CaptureQueriesContext(connection) as ctx:
            resp = client.get(path, limit=limit)
        assert resp.status_code == 200, resp.content[:300]
        counts.append(len(ctx.captured_queries))
        cursor = resp.headers.get("X-Next-Cursor")
        if limit == 5 and cursor:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(path, limit=limit, cursor=cursor).status_code == 200
            counts.append(len(ctx.captured_queries))
    assert counts == [expected] * len(counts), counts


def test_given_closed_whistles_when_opening_the_board_then_only_the_work_in_hand_is_counted(
        many, login):
    Whistle.objects.filter(pk__in=list(Whistle.objects.values_list("pk", flat=True)[:5])).update(status="closed")
    recount()  # a write past the services: the board's counts table is recounted (ADR 0013)
    html = login(many.users["leader"]).get("/whistles/board/").content.decode()
    shown = dict(re.findall(r'data-count="(\w+)">(\d+)<', html))
    assert shown == {"routing": "0", "open": str(N - 5), "resolved": "0", "confirmed": "0", "overdue": "0"}


@pytest.fixture
def warm_caches(settings):
    """The in-process caches a worker has (registry data, calendar, viewers); tests switch them off."""
    from tiaokuai.core import access, worktime
    from tiaokuai.whistles.services import routes

    def clear():
        routes._MEMO.clear()
        worktime.clear_cache()
        access.clear_viewer_cache()

    clear()
    settings.TESTING = False
    yield
    settings.TESTING = True
    clear()


def test_given_a_township_token_when_raising_through_the_api_then_five_statements_the_service_four(
        wl, api, warm_caches):  # noqa: F811
    """A raise writes: the whistle with the day's number given by its own INSERT (ADR 0015), its dispatches (one
    INSERT), the audit event, the notifications (one INSERT for the batch; the log channel's outbox rows are the
    sweep's); the board's counts are the fold sweep's (ADR 0015); the API adds the token look-up. Audit and
    notifications stay in the raise's transaction."""
    from tiaokuai.whistles.services import whistle_raise

    client = api(wl.users["township"])
    payload = {"item": "CS-ZR-001", "village": wl.villages[0].code, "description": "村口有人违法占用耕地建房"}
    assert client.post("/api/v1/whistles", payload).status_code == 201  # warm the in-process caches
    with CaptureQueriesContext(connection) as ctx:
        assert client.post("/api/v1/whistles", payload).status_code == 201
    statements = [q["sql"] for q in ctx.captured_queries
                  if not q["sql"].upper().startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE"))]
    assert len(statements) == 5, statements
    with CaptureQueriesContext(connection) as ctx:
        whistle_raise(actor=wl.users["township"], item_code="CS-ZR-001", village_code=wl.villages[0].code,
                      description="又有人占地")
    statements = [q["sql"] for q in ctx.captured_queries
                  if not q["sql"].upper().startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE"))]
    assert len(statements) == 4, statements
    tables = " ".join(statements)
    assert "core_auditevent" in tables and "notify_notification" in tables and "whistles_whistlecount" not in tables
    numbered_by = "core_next_number" if connection.vendor == "postgresql" else "core_numbercounter"
    assert numbered_by in statements[0] and "whistles_whistle" in statements[0]  # one INSERT, numbered
