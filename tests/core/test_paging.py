"""Keyset (cursor) paging: every row once, in the queryset's order, ties broken by the primary key, NULLs where
the ordering puts them, backwards as well as forwards, one query per page whatever the depth."""

import datetime as dt

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from tiaokuai.core.models import AuditEvent
from tiaokuai.core.paging import CursorError, Key, decode_cursor, encode_cursor, keys_of, keyset

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _events(n: int = 11) -> list[int]:
    rows = [AuditEvent.objects.create(at=T0 + dt.timedelta(minutes=i // 3), action="t", object_type="x",
                                      object_id=str(i), seal_seq=None if i % 4 == 0 else 1000 - i)
            for i in range(n)]  # three events share each minute: ties the primary key must break
    return [r.pk for r in rows]


def _walk(qs, limit, *, ids_first=False):
    ids, cursor, pages = [], None, []
    while True:
        page = keyset(qs, limit, cursor, ids_first=ids_first)
        pages.append(page)
        ids += [r.pk for r in page]
        cursor = page.next_cursor
        if cursor is None:
            return ids, pages


@pytest.mark.parametrize("limit", [1, 2, 3, 5, 50])
def test_given_ties_when_walking_forwards_then_every_row_once_in_the_queryset_order(limit):
    _events()
    qs = AuditEvent.objects.filter(action="t").order_by("-at")
    ids, pages = _walk(qs, limit)
    assert ids == list(qs.order_by("-at", "-id").values_list("pk", flat=True))
    assert pages[0].is_first and not pages[0].has_previous and all(p.has_previous for p in pages[1:])


def test_given_nulls_last_when_walking_then_the_null_block_comes_last_and_backwards_retraces():
    _events()
    qs = AuditEvent.objects.filter(action="t").order_by(F("seal_seq").asc(nulls_last=True), "id")
    ids, pages = _walk(qs, 2)
    assert ids == list(qs.values_list("pk", flat=True))
    back = keyset(qs, 2, pages[-1].previous_cursor)
    assert [r.pk for r in back] == [r.pk for r in pages[-2]]
    assert keys_of(qs) == [Key("seal_seq", False, True), Key("id")]


@pytest.mark.parametrize("limit", [1, 3, 50])
def test_given_ids_first_when_walking_both_ways_then_the_same_pages_in_two_queries_each(limit):
    """ids_first (an order no index gives: the ids are sorted without the page's joins, then read whole) pages
    exactly like the one-query keyset, backwards too."""
    _events()
    qs = AuditEvent.objects.filter(action="t").order_by(F("seal_seq").asc(nulls_last=True), "id")
    plain, plain_pages = _walk(qs, limit)
    with CaptureQueriesContext(connection) as ctx:
        first = keyset(qs, limit, ids_first=True)
    ids, pages = _walk(qs, limit, ids_first=True)
    assert ids == plain and [p.next_cursor for p in pages] == [p.next_cursor for p in plain_pages]
    assert len(ctx) == 2 and [r.pk for r in first] == plain[:limit]
    if len(pages) > 1:
        back = keyset(qs, limit, pages[-1].previous_cursor, ids_first=True)
        assert [r.pk for r in back] == [r.pk for r in pages[-2]]


def test_given_a_deep_cursor_when_paging_then_one_query_like_the_first_page():
    _events(30)
    qs = AuditEvent.objects.filter(action="t").order_by("-at", "-id")
    last = list(qs)[-3]
    with CaptureQueriesContext(connection) as first:
        keyset(qs, 2)
    with CaptureQueriesContext(connection) as deep:
        page = keyset(qs, 2, encode_cursor([last.at, last.pk]))
    assert len(first) == len(deep) == 1
    assert len(page) == 2 and page.next_cursor is None


def test_given_a_foreign_cursor_when_decoding_then_refused():
    for bad in ("", "%%%", encode_cursor([1, 2, 3]), "eyJ2IjpbeyJ6IjoxfV19"):
        with pytest.raises(CursorError):
            decode_cursor(bad, 2)
    assert keys_of(AuditEvent.objects.order_by("actor__username")) is None  # joins: not a keyset ordering
