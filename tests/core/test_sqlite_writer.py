"""The SQLite engine queues the writers of one process on a lock (tiaokuai.core.sqlite, ADR 0019)."""

import threading
import time

import pytest
from django.db import connection, transaction

from tiaokuai.core.models import NumberCounter

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite engine's own lock")


def _writer_lock():
    from tiaokuai.core.sqlite.base import _WRITER

    return _WRITER


@pytest.mark.django_db(transaction=True)
def test_given_transactions_that_commit_fail_or_close_when_they_end_then_the_process_lock_is_free_again():
    lock = _writer_lock()
    with transaction.atomic():
        NumberCounter.objects.create(prefix="T", day="2026-11-23", last=1)
        assert lock.locked()
    assert not lock.locked()
    with pytest.raises(RuntimeError), transaction.atomic():
        NumberCounter.objects.create(prefix="T", day="2026-11-24", last=1)
        raise RuntimeError("the write failed")
    assert not lock.locked()
    assert list(NumberCounter.objects.values_list("day", flat=True)) == [__import__("datetime").date(2026, 11, 23)]


@pytest.mark.django_db(transaction=True)
def test_given_a_thread_in_a_transaction_when_another_thread_begins_then_it_waits_and_starts_after_the_commit():
    lock = _writer_lock()
    order: list[str] = []
    inside, go_on = threading.Event(), threading.Event()

    def first():
        try:
            with transaction.atomic():
                NumberCounter.objects.create(prefix="A", day="2026-11-23", last=1)
                inside.set()
                go_on.wait(timeout=10)
                order.append("first commits")
        finally:
            connection.close()

    def second():
        try:
            inside.wait(timeout=10)
            with transaction.atomic():
                order.append("second begins")
                NumberCounter.objects.create(prefix="B", day="2026-11-23", last=1)
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    assert inside.wait(timeout=10)
    time.sleep(0.2)  # the second thread is waiting for the lock meanwhile
    assert order == [] and lock.locked()
    go_on.set()
    for t in threads:
        t.join(timeout=30)
    assert order == ["first commits", "second begins"]
    assert not lock.locked() and NumberCounter.objects.count() == 2
