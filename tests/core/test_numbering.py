"""Per-kind, per-day numbers (core.numbering): PREFIX-YYYYMMDD-NNNN on the Asia/Shanghai day."""

import datetime as dt
import os
import threading
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from tiaokuai.core import numbering
from tiaokuai.core.models import AuditEvent, NumberCounter

TZ = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


def test_given_a_prefix_when_numbering_twice_then_four_digit_numbers_count_up_from_one():
    assert [numbering.next_number("RQ", at(2026, 11, 23, 10)) for _ in range(2)] == [
        "RQ-20261123-0001", "RQ-20261123-0002"]


def test_given_two_prefixes_and_two_days_when_numbering_then_each_prefix_and_day_counts_on_its_own():
    assert numbering.next_number("CS", at(2026, 11, 23, 9)) == "CS-20261123-0001"
    assert numbering.next_number("RQ", at(2026, 11, 23, 9)) == "RQ-20261123-0001"
    assert numbering.next_number("CS", at(2026, 11, 24, 9)) == "CS-20261124-0001"
    late = numbering.next_number("CS", at(2026, 11, 23, 18))
    # A write for the 23rd after the 24th began continues the 23rd's series (on PostgreSQL the sequence the
    # kinds share across days may have moved on in between: a later number, not always the next; ADR 0017).
    assert late.startswith("CS-20261123-") and late > "CS-20261123-0001"
    assert numbering.next_number("AJ", at(2026, 11, 24, 9)) == "AJ-20261124-0001"
    # A kind without a sequence of its own (AJ here) counts on its day's counter row on both engines.
    assert list(NumberCounter.objects.filter(prefix="AJ").values_list("day", "last")) == [(dt.date(2026, 11, 24), 1)]


def test_given_midnight_in_shanghai_when_numbering_then_the_new_day_starts_at_one_whatever_the_utc_date():
    assert numbering.next_number("RQ", at(2026, 11, 23, 23, 59, 59)) == "RQ-20261123-0001"
    # 16:00 UTC on the 23rd is 00:00 on the 24th in Shanghai.
    assert numbering.next_number("RQ", dt.datetime(2026, 11, 23, 16, 0, tzinfo=dt.UTC)) == "RQ-20261124-0001"
    late = numbering.next_number("RQ", dt.datetime(2026, 11, 23, 15, 59, tzinfo=dt.UTC))
    assert late.startswith("RQ-20261123-") and late > "RQ-20261123-0001"


def test_given_many_numbers_in_a_row_when_numbering_then_all_distinct_and_consecutive():
    numbers = [numbering.next_number("AJ", at(2026, 11, 23, 10)) for _ in range(300)]
    assert len(set(numbers)) == 300
    assert [numbering.parse_sequence(n) for n in numbers] == list(range(1, 301))
    assert numbers == sorted(numbers)


def test_given_the_ten_thousandth_number_of_a_day_when_numbering_then_it_grows_wider_and_still_sorts():
    numbering.advance("CS", {dt.date(2026, 11, 23): 9998})
    numbers = [numbering.next_number("CS", at(2026, 11, 23, 10)) for _ in range(3)]
    assert numbers == ["CS-20261123-9999", "CS-20261123-Z10000", "CS-20261123-Z10001"]
    assert numbers == sorted(numbers)
    assert numbering.parse_sequence(numbers[1]) == 10000


def test_given_numbers_stored_before_the_counter_when_numbering_then_it_continues_after_the_highest():
    for repr_ in ("RQ-20261123-0007", "RQ-20261123-0041", "RQ-20261122-0900", "CS-20261123-0500"):
        AuditEvent.objects.create(at=at(2026, 11, 23, 8), action="x", object_type="x", object_id="1",
                                  object_repr=repr_)
    used_in = (AuditEvent, "object_repr")
    assert numbering.next_number("RQ", at(2026, 11, 23, 10), used_in=used_in) == "RQ-20261123-0042"
    assert numbering.next_number("RQ", at(2026, 11, 24, 10), used_in=used_in) == "RQ-20261124-0001"


def test_given_a_rolled_back_write_when_numbering_again_then_its_number_is_given_again():
    with pytest.raises(RuntimeError), transaction.atomic():
        assert numbering.next_number("RQ", at(2026, 11, 23, 10)) == "RQ-20261123-0001"
        raise RuntimeError("the numbered row could not be written")
    assert numbering.next_number("RQ", at(2026, 11, 23, 10)) == "RQ-20261123-0001"


@pytest.mark.parametrize("prefix", ["", "cs", "C-S", "TOO-LONG-PREFIX-X", "1CS"])
def test_given_a_malformed_prefix_when_numbering_then_refused_and_nothing_counted(prefix):
    with pytest.raises(ValueError):
        numbering.next_number(prefix, at(2026, 11, 23, 10))
    assert NumberCounter.objects.count() == 0


def test_given_a_bulk_load_when_advancing_then_later_numbers_continue_after_it_and_never_go_back():
    day = dt.date(2026, 11, 23)
    numbering.advance("CS", {day: 40})
    numbering.advance("CS", {day: 12})  # a smaller load does not move the counter back
    assert numbering.last_used("CS", day) == 40
    assert numbering.next_number("CS", at(2026, 11, 23, 10)) == "CS-20261123-0041"
    assert numbering.last_used("RQ", day) == 0


def _store(number: str) -> None:
    AuditEvent.objects.create(at=at(2026, 11, 23, 8), action="x", object_type="x", object_id="1", object_repr=number)


def test_given_rows_numbered_by_their_insert_when_more_come_then_the_series_runs_on_past_ten_thousand():
    """numbered(): the number is SQL inside the row's own INSERT (core.inserts.insert(number=…)); a bulk load's
    advance is the floor, stored numbers run on, and five-digit sequences keep sorting after four-digit ones."""
    from tiaokuai.core import inserts

    numbering.advance("AJ", {dt.date(2026, 11, 23): 9998})
    given = []
    for _ in range(3):
        event = AuditEvent(at=at(2026, 11, 23, 8), action="x", object_type="x", object_id="1", seal="")
        inserts.insert(event, number=numbering.numbered("AJ", at(2026, 11, 23, 10), (AuditEvent, "object_repr")))
        given.append(event.object_repr)
        assert AuditEvent.objects.get(pk=event.pk).object_repr == event.object_repr  # stored as returned
    assert given == ["AJ-20261123-9999", "AJ-20261123-Z10000", "AJ-20261123-Z10001"]
    assert numbering.next_number("AJ", at(2026, 11, 23, 11), used_in=(AuditEvent, "object_repr")) == \
        "AJ-20261123-Z10002"
    assert sorted(given) == given


def test_given_a_rolled_back_numbered_insert_when_numbering_again_then_its_number_is_given_again():
    from tiaokuai.core import inserts

    def insert_one() -> str:
        event = AuditEvent(at=at(2026, 11, 23, 8), action="x", object_type="x", object_id="1", seal="")
        inserts.insert(event, number=numbering.numbered("RQ", at(2026, 11, 23, 10), (AuditEvent, "object_repr")))
        return event.object_repr

    _store("RQ-20261123-0003")
    with pytest.raises(RuntimeError), transaction.atomic():
        assert insert_one() == "RQ-20261123-0004"
        raise RuntimeError("the rest of the write failed")
    assert insert_one() == "RQ-20261123-0004"
    assert insert_one() == "RQ-20261123-0005"


# ---------------------------------------------------------------- PostgreSQL: no lock held to commit (ADR 0017)

on_postgresql = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="the sequence path is PostgreSQL's (SQLite serialises writers with BEGIN IMMEDIATE)")


def _numbered_event(prefix: str, when: dt.datetime) -> str:
    from tiaokuai.core import inserts

    event = AuditEvent(at=when, action="x", object_type="x", object_id="1", seal="")
    inserts.insert(event, number=numbering.numbered(prefix, when, (AuditEvent, "object_repr")))
    return event.object_repr


@on_postgresql
def test_given_the_days_numbers_started_when_a_numbered_write_rolls_back_then_its_number_stays_unused():
    assert _numbered_event("RQ", at(2026, 11, 23, 10)) == "RQ-20261123-0001"
    with pytest.raises(RuntimeError), transaction.atomic():
        assert _numbered_event("RQ", at(2026, 11, 23, 10)) == "RQ-20261123-0002"
        raise RuntimeError("the rest of the write failed")
    assert _numbered_event("RQ", at(2026, 11, 23, 10)) == "RQ-20261123-0003"  # a gap, never a number twice


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_given_a_writer_holding_its_number_uncommitted_when_another_numbers_then_it_is_not_kept_waiting():
    """The reason for the sequence: a number taken does not lock the day until its writer commits."""
    from django.db import connection

    first_day_number = _numbered_event("CS", at(2026, 11, 23, 10))  # the day's base, committed
    holding, release = threading.Event(), threading.Event()
    held: list[str] = []

    def hold_a_number():
        try:
            with transaction.atomic():
                held.append(_numbered_event("CS", at(2026, 11, 23, 10)))
                holding.set()
                release.wait(timeout=20)
        finally:
            connection.close()

    thread = threading.Thread(target=hold_a_number)
    thread.start()
    try:
        assert holding.wait(timeout=20)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")  # waiting on the other writer would fail here
            mine = _numbered_event("CS", at(2026, 11, 23, 10))
    finally:
        release.set()
        thread.join(timeout=30)
    assert first_day_number == "CS-20261123-0001"
    assert sorted([held[0], mine]) == ["CS-20261123-0002", "CS-20261123-0003"]


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_given_a_new_day_when_six_writers_number_at_once_then_one_sets_the_base_and_all_get_one_to_six():
    from django.db import connection

    barrier = threading.Barrier(6)
    numbers: list[str] = []
    errors: list[BaseException] = []

    def number_one():
        try:
            barrier.wait(timeout=20)
            with transaction.atomic():
                numbers.append(_numbered_event("CS", at(2026, 11, 25, 10)))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=number_one) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert sorted(numbers) == [f"CS-20261125-{i:04d}" for i in range(1, 7)]
    assert NumberCounter.objects.filter(prefix="CS", day=dt.date(2026, 11, 25), base__isnull=False).count() == 1


@on_postgresql
def test_given_a_day_numbered_from_the_sequence_when_a_bulk_load_advances_it_then_numbers_continue_after_the_load():
    assert _numbered_event("CS", at(2026, 11, 23, 10)) == "CS-20261123-0001"  # the day's base is set
    numbering.advance("CS", {dt.date(2026, 11, 23): 40})
    assert _numbered_event("CS", at(2026, 11, 23, 11)) == "CS-20261123-0041"
    numbering.advance("CS", {dt.date(2026, 11, 23): 12})  # a smaller load moves nothing back
    assert _numbered_event("CS", at(2026, 11, 23, 12)) == "CS-20261123-0042"
