"""Two people press "respond" on the same dispatch at the same moment: one succeeds, the other gets 409.
Two townships raise at the same moment: both get a number, distinct and consecutive."""

import os
import threading

import pytest
from django.db import connection

from tiaokuai.core.models import AuditEvent
from tiaokuai.whistles import services
from tiaokuai.whistles.models import Dispatch

from .conftest import make_whistle_list

# In-memory SQLite (the default test database) uses a shared cache whose table locks fail at once
# ("database table is locked") instead of waiting: real concurrency needs a file database, as in production.
# On the in-memory default the last test below re-runs it in a child pytest against a file SQLite database.
needs_real_database = pytest.mark.skipif(
    connection.vendor == "sqlite" and not os.environ.get("TIAOKUAI_TEST_DATABASE_URL"),
    reason="threads need a file SQLite database or PostgreSQL (set TIAOKUAI_TEST_DATABASE_URL/NAME)",
)


@needs_real_database
@pytest.mark.django_db(transaction=True)
def test_given_two_concurrent_responds_when_both_post_then_one_200_and_one_409(api):
    from tests.factories import make_county, make_user

    c = make_county()
    make_whistle_list(c)
    second = make_user("huanbao2", "钱环保", c.departments["D-HB"], "department")
    w = services.whistle_raise(actor=c.users["township"], item_code="CS-HB-01", village_code=c.villages[0].code,
                               description="饭店油烟直排")
    lead = Dispatch.objects.get(whistle=w, role="lead")
    clients = [api(c.users["department_other"]), api(second)]
    events_before = AuditEvent.objects.filter(action="whistles.respond").count()
    barrier = threading.Barrier(2)
    codes: list[int] = []

    def press(client):
        try:
            barrier.wait(timeout=10)
            codes.append(client.post(f"/api/v1/dispatches/{lead.pk}/actions/respond").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=press, args=(cl,)) for cl in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(codes) == [200, 409]
    lead.refresh_from_db()
    assert lead.status == "responded"
    assert AuditEvent.objects.filter(action="whistles.respond").count() == events_before + 1


@needs_real_database
@pytest.mark.django_db(transaction=True)
def test_given_two_townships_raising_at_once_when_both_commit_then_distinct_consecutive_numbers():
    from django.contrib.auth import get_user_model

    from tests.factories import make_county
    from tiaokuai.whistles.models import Whistle

    c = make_county()
    make_whistle_list(c)
    first = services.whistle_raise(actor=c.users["township"], item_code="CS-HB-01", village_code=c.villages[0].code,
                                   description="先吹一哨")
    barrier = threading.Barrier(2)
    numbers: list[str] = []
    errors: list[BaseException] = []

    def raise_one():
        try:
            actor = get_user_model().objects.get(pk=c.users["township"].pk)  # one user object per thread
            barrier.wait(timeout=10)
            numbers.append(services.whistle_raise(actor=actor, item_code="CS-HB-01", village_code=c.villages[0].code,
                                                  description="饭店油烟直排").number)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=raise_one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    prefix, seq = first.number.rsplit("-", 1)
    assert sorted(numbers) == [f"{prefix}-{int(seq) + 1:04d}", f"{prefix}-{int(seq) + 2:04d}"]
    assert Whistle.objects.filter(number__startswith=prefix).count() == 3


@pytest.mark.django_db(transaction=True)
def test_given_a_dispatch_when_the_compare_and_set_loses_then_conflict_and_one_audit_event():
    """The service re-checks the state in the UPDATE itself: a stale read cannot win twice."""
    from tests.factories import make_county
    from tiaokuai.core.errors import Conflict
    from tiaokuai.core.states import transition
    from tiaokuai.whistles.choices import DispatchStatus

    c = make_county()
    make_whistle_list(c)
    w = services.whistle_raise(actor=c.users["township"], item_code="CS-HB-01", village_code=c.villages[0].code,
                               description="饭店油烟直排")
    lead = Dispatch.objects.get(whistle=w, role="lead")
    transition(Dispatch, lead.pk, expected=DispatchStatus.DISPATCHED, target=DispatchStatus.RESPONDED)
    with pytest.raises(Conflict):
        transition(Dispatch, lead.pk, expected=DispatchStatus.DISPATCHED, target=DispatchStatus.RESPONDED)


@pytest.mark.skipif(not needs_real_database.args[0], reason="the threaded test above runs directly on this database")
def test_given_in_memory_sqlite_when_testing_concurrency_then_it_runs_in_a_child_process_on_a_file_database(
        tmp_path):
    """The default test database cannot hold two transactions at once; run the threaded tests against a file
    SQLite database (WAL, BEGIN IMMEDIATE, busy timeout — as in production) in a child pytest."""
    import subprocess
    import sys
    from pathlib import Path

    env = dict(os.environ, TIAOKUAI_VAR_DIR=str(tmp_path), TIAOKUAI_TEST_DATABASE_URL="x",
               TIAOKUAI_TEST_DATABASE_NAME=str(tmp_path / "concurrency.sqlite3"))
    env.pop("DATABASE_URL", None)
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(  # noqa: S603 (our own interpreter and test file)
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         str(Path(__file__).relative_to(root)), "-k", "concurrent or at_once"],
        cwd=root, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "2 passed" in result.stdout
