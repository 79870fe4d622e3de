"""The kernel's workflow tables: apply() compare-and-sets and writes exactly one audit event; a refused
action changes nothing."""

import pytest
from django.db import models
from django.utils import timezone

from tiaokuai.core import workflow
from tiaokuai.core.errors import Conflict, NotFound
from tiaokuai.core.models import AuditEvent
from tiaokuai.duties.choices import ReleaseStatus
from tiaokuai.duties.models import ListRelease

pytestmark = pytest.mark.django_db


class Colour(models.TextChoices):
    RED = "red", "red"
    GREEN = "green", "green"


def _draft(number=7):
    return ListRelease.objects.create(kind="whistle", number=number, title="t", created_at=timezone.now())


def _table():
    return workflow.Workflow("tests.release", ReleaseStatus, (
        workflow.action("publish", [ReleaseStatus.DRAFT], ReleaseStatus.PUBLISHED, who="office",
                        audit="tests.publish"),
        workflow.action("comment", [ReleaseStatus.DRAFT, ReleaseStatus.PUBLISHED], None, who=("office", "reader"),
                        audit="tests.comment"),
    ), register=False)


def test_given_a_table_then_transitions_and_available_actions_come_from_it():
    table = _table()
    assert table.transitions() == {"draft": {"published"}, "published": set()}
    assert table.available("draft", {"office"}) == ["publish", "comment"]
    assert table.available("published", {"reader"}) == ["comment"]
    assert table.available("draft", {"stranger"}) == []
    assert table.names(who="reader") == ["comment"]


def test_given_a_declaration_with_an_unknown_state_or_a_duplicate_action_then_it_is_refused():
    with pytest.raises(ValueError, match="unknown states"):
        workflow.Workflow("tests.bad", Colour, (workflow.action("go", ["red"], "blue", who="x", audit="a"),), register=False)
    with pytest.raises(ValueError, match="twice"):
        workflow.Workflow("tests.bad", Colour, (workflow.action("go", ["red"], "green", who="x", audit="a"),
                                                workflow.action("go", ["green"], "red", who="x", audit="a")),
                          register=False)


def test_given_a_draft_when_an_action_is_applied_then_state_changes_with_exactly_one_audit_event(county):
    release = _draft()
    actor = county.users["establishment_office"]
    _table().apply("publish", release, actor=actor, after={"matters": 0}, published_at=timezone.now())
    release.refresh_from_db()
    assert release.status == "published" and release.published_at is not None
    (event,) = AuditEvent.objects.filter(action="tests.publish")
    assert event.before == {"status": "draft"} and event.after == {"matters": 0, "status": "published"}
    assert event.actor == actor and event.object_id == str(release.pk)


def test_given_an_action_without_state_change_then_it_is_checked_and_audited(county):
    release = _draft()
    _table().apply("comment", release, actor=county.users["establishment_office"], after={"text": "ok"})
    assert AuditEvent.objects.filter(action="tests.comment", after={"text": "ok"}).count() == 1
    assert ListRelease.objects.get(pk=release.pk).status == "draft"


def test_given_a_state_the_table_does_not_allow_when_applied_then_conflict_and_nothing_changes(county):
    release = _draft()
    ListRelease.objects.filter(pk=release.pk).update(status="published")
    release.refresh_from_db()
    with pytest.raises(Conflict) as info:
        _table().apply("publish", release, actor=county.users["establishment_office"])
    assert info.value.code == "invalid_transition"
    assert AuditEvent.objects.count() == 0


def test_given_someone_changed_the_row_first_when_applied_then_conflict_and_no_audit_event(county):
    release = _draft()  # read as "draft" …
    ListRelease.objects.filter(pk=release.pk).update(status="published")  # … changed meanwhile
    with pytest.raises(Conflict) as info:
        _table().apply("publish", release, actor=county.users["establishment_office"], published_at=timezone.now())
    assert info.value.code == "state_conflict"
    assert AuditEvent.objects.count() == 0
    assert ListRelease.objects.get(pk=release.pk).published_at is None


def test_given_an_unknown_action_name_then_not_found():
    with pytest.raises(NotFound):
        _table().action("explode")


def test_given_the_audit_write_fails_when_applied_then_the_state_change_is_rolled_back(county, monkeypatch):
    from django.db import transaction

    from tiaokuai.core import audit

    release = _draft()

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit, "log", broken)
    with pytest.raises(RuntimeError), transaction.atomic():
        _table().apply("publish", release, actor=county.users["establishment_office"])
    assert ListRelease.objects.get(pk=release.pk).status == "draft"


def _hooked(calls):
    table = _table()
    table.on_change = lambda obj, old, new: calls.append((obj.pk, old, new, AuditEvent.objects.count()))
    return table


def test_given_an_on_change_hook_when_the_state_changes_then_it_runs_once_after_the_compare_and_set(county):
    calls = []
    release = _draft()
    table = _hooked(calls)
    table.apply("publish", release, actor=county.users["establishment_office"])
    # Called with the old and new state, the row already moved, before the audit event (same transaction).
    assert calls == [(release.pk, "draft", "published", 0)]
    table.apply("comment", release, actor=county.users["establishment_office"], after={"text": "ok"})
    assert len(calls) == 1  # no state change, no call


def test_given_an_on_change_hook_when_the_action_is_refused_then_it_is_not_called(county):
    calls = []
    release = _draft()
    ListRelease.objects.filter(pk=release.pk).update(status="published")  # the compare-and-set will fail
    with pytest.raises(Conflict):
        _hooked(calls).apply("publish", release, actor=county.users["establishment_office"])
    assert calls == [] and AuditEvent.objects.count() == 0
