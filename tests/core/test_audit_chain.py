"""Tamper-evident audit: the seal sweep chains every event; `tiaokuai audit verify` finds an edited or deleted
event; on PostgreSQL a sealed event cannot be changed or deleted at all."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from tiaokuai.core import audit, sweeps
from tiaokuai.core.models import AuditEvent

pytestmark = pytest.mark.django_db


class _Obj:
    class _meta:  # noqa: N801 (what audit.object_type_of reads)
        label_lower = "tests.thing"

    def __init__(self, pk):
        self.pk = pk

    def __str__(self):
        return f"thing {self.pk}"


def _events(n):
    for i in range(n):
        audit.log(actor=None, action="tests.change", obj=_Obj(i), before={"n": i}, after={"n": i + 1, "名": "值"})


def _tamper(sql, params):
    """Change the table behind the platform's back (on PostgreSQL as a maintenance session would)."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL tiaokuai.audit_maintenance = 'on'")
        cursor.execute(sql, params)


def _verify():
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def test_given_new_events_when_the_sweep_runs_then_they_are_chained_and_verify_passes():
    _events(5)
    assert "core.audit_seal" in sweeps.registered()
    assert sweeps.run_one("core.audit_seal", budget_seconds=30) == {"sealed": 5}
    assert list(AuditEvent.objects.order_by("seal_seq").values_list("seal_seq", flat=True)) == [1, 2, 3, 4, 5]
    _events(2)  # later events join the end of the chain
    assert audit.seal_pending() == 2 and audit.seal_pending() == 0
    assert "7" in _verify()
    assert audit.verify() == (7, [])


def test_given_a_sealed_event_edited_behind_the_platforms_back_then_verify_names_it():
    _events(4)
    audit.seal_pending()
    victim = AuditEvent.objects.order_by("seal_seq")[1]
    _tamper("UPDATE core_auditevent SET object_repr = %s WHERE id = %s", ["thing 99", victim.pk])
    checked, problems = audit.verify()
    assert checked == 4 and [(p.kind, p.event_id) for p in problems] == [("edited", victim.pk)]
    with pytest.raises(CommandError):
        _verify()


def test_given_a_sealed_event_deleted_then_verify_finds_the_gap():
    _events(4)
    audit.seal_pending()
    victim = AuditEvent.objects.order_by("seal_seq")[2]
    _tamper("DELETE FROM core_auditevent WHERE id = %s", [victim.pk])
    _checked, problems = audit.verify()
    assert [(p.kind, p.seal_seq) for p in problems] == [("missing", 3)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the append-only trigger is PostgreSQL's")
def test_given_postgresql_when_a_sealed_event_is_changed_or_deleted_then_the_database_refuses():
    _events(2)
    audit.seal_pending()
    event = AuditEvent.objects.order_by("seal_seq").first()
    for sql in ("UPDATE core_auditevent SET action = 'x' WHERE id = %s", "DELETE FROM core_auditevent WHERE id = %s"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "tests.change"
