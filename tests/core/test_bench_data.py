"""The bench data generator's database paths (bench/data/generate.py): rows written by its row builders read back
as the ORM wrote them, on either engine; on PostgreSQL, the indexes and foreign keys it drops for a load are
the migrations' own and are built back identically."""

import datetime as dt
import importlib.util
from pathlib import Path

import pytest
from django.db import connection, transaction

from tiaokuai.core.models import AuditEvent
from tiaokuai.notify.models import Notification
from tiaokuai.whistles.models import Dispatch, Escalation, Whistle

ROOT = Path(__file__).resolve().parents[2]
BULK = [Whistle, Dispatch, Escalation, AuditEvent, Notification]


def _generator():
    spec = importlib.util.spec_from_file_location("bench_data_generate", ROOT / "bench" / "data" / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.django_db
def test_rows_read_back_as_written():
    g = _generator()
    table = g.Table(AuditEvent, g.Adapter(connection.vendor), with_id=False)
    at = dt.datetime(2026, 3, 4, 9, 30, 15, tzinfo=g.SHANGHAI)
    table.add(at=at, actor_id=None, action="bench.test", object_type="whistles.whistle", object_id="7",
              object_repr="CS-20260304-0501", before=None, request_id="",
              after={"number": "CS-20260304-0501", "item": "河道", "dispatches": [{"id": 1, "late": True}]})
    table.add(at=at + dt.timedelta(minutes=5), action="bench.test", object_type="whistles.whistle", object_id="7",
              object_repr="CS-20260304-0501", before={"status": "resolved"}, request_id="", after={"status": "x"})
    rows = table.take()
    assert table.rows == [] and len(rows) == 2
    if connection.vendor == "postgresql":  # as the producer process hands them over: one binary COPY stream
        table.column_types(connection)
        data = table.encode(rows)
        assert isinstance(data, bytes) and data.startswith(b"PGCOPY\n")
    else:
        data = rows
    with transaction.atomic():
        assert table.write(connection, data, len(rows)) == 2
    first, second = AuditEvent.objects.filter(action="bench.test").order_by("at")
    assert first.at == at and first.actor_id is None and first.before is None
    assert first.after == {"number": "CS-20260304-0501", "item": "河道", "dispatches": [{"id": 1, "late": True}]}
    assert second.before == {"status": "resolved"} and second.after == {"status": "x"}
    assert first.seal == "" and first.seal_seq is None  # the column defaults the rows did not give


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the bulk mode's index drop is PostgreSQL's")
def test_secondary_keys_are_the_migrations_and_come_back_identical():
    g = _generator()
    keys = g.SecondaryKeys(BULK)
    tables = sorted({m._meta.db_table for m in BULK})

    def definitions(cursor):
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) UNION ALL "
                       "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                       "WHERE conrelid::regclass::text = ANY(%s)", [tables, tables])
        return sorted(cursor.fetchall())

    with connection.cursor() as cursor:
        before = definitions(cursor)
        assert keys.missing(cursor) == []  # every derived name is in the migrated schema
        kinds = {k for k, _t, _n, _s in keys.statements}
        assert kinds == {"index", "fk"} and len(keys.statements) > 30
        assert keys.drop(cursor) == len(keys.statements)
        left = {n for n, _d in definitions(cursor)}
        assert "whistles_whistle_pkey" in left and "whistles_whistle_number_key" in left  # kept
        assert "escalation_once_per_level" in left and "dispatch_queue_idx" not in left
        assert len(keys.missing(cursor)) == len(keys.statements)
        assert len(keys.build(cursor)) == len(keys.statements)
        assert definitions(cursor) == before
