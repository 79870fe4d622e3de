import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from tests.demo.test_load import load
from tiaokuai.core import sweeps
from tiaokuai.core.access import viewer_for
from tiaokuai.core.models import AuditEvent, NumberCounter
from tiaokuai.duties.models import Assignment
from tiaokuai.whistles import reports, selectors, services
from tiaokuai.whistles.models import Dispatch, Dispute, Escalation, Rating, Whistle


@pytest.fixture(scope="module")
def _history(django_db_setup, django_db_blocker, tmp_path_factory):
    """One small county with its whistle history, shared by the read-only tests and rolled back at the end."""
    from django.test.utils import override_settings

    var = tmp_path_factory.mktemp("history")
    with django_db_blocker.unblock(), override_settings(VAR_DIR=var):
        with transaction.atomic():
            load(1)
            yield {"loaded_at": timezone.now()}
            transaction.set_rollback(True)


@pytest.fixture
def history(_history, db):
    return _history


def test_given_the_small_demo_when_loaded_then_the_whistle_counts_and_states_are_in_range(history):
    assert 50 <= Whistle.objects.count() <= 70
    statuses = set(Whistle.objects.values_list("status", flat=True))
    assert {"routing", "open", "closed"} <= statuses
    assert 3 <= Whistle.objects.filter(status="routing", item__isnull=True).count() <= 5
    assert Dispatch.objects.count() >= Whistle.objects.exclude(status="routing").count()
    assert Rating.objects.exists()
    assert Escalation.objects.exists()
    assert {"kept", "rerouted", "open"} <= set(Dispute.objects.values_list("status", flat=True))
    assert Whistle.objects.filter(return_count__gt=0).exists()
    assert Whistle.objects.filter(raised_at__gte=history["loaded_at"]).count() == 0
    for w in Whistle.objects.all():
        assert w.number == f"CS-{timezone.localtime(w.raised_at):%Y%m%d}-" + w.number.rsplit("-", 1)[1]


def test_given_the_demo_when_loaded_then_the_history_ends_on_the_day_it_is_loaded(history):
    latest = Whistle.objects.order_by("-raised_at").values_list("raised_at", flat=True).first()
    assert history["loaded_at"] - dt.timedelta(days=3) < latest < history["loaded_at"]
    assert AuditEvent.objects.filter(object_type="whistles.whistle", at__gt=history["loaded_at"]).count() == 0


def test_given_the_history_when_checking_dispatches_then_each_goes_to_the_body_the_list_names(history):
    from tiaokuai.duties.selectors import township_government

    bodies = {(m, o) for m, o in Assignment.objects.values_list("matter__code", "organisation_id")}
    territorial = set(Assignment.objects.filter(body_kind="territorial_township").values_list("matter__code", flat=True))
    for d in Dispatch.objects.filter(replaces__isnull=True).select_related("whistle"):
        resolved = d.matter_code in territorial and d.organisation_id == township_government(d.whistle.township_id).pk
        assert (d.matter_code, d.organisation_id) in bodies or resolved
        assert d.decided_by_release_id == d.whistle.responsibility_release_id
        item_minutes = d.whistle.item.minutes(d.whistle.urgency)
        if not d.paused_minutes and not d.whistle.return_count:
            assert (d.respond_by, d.arrive_by, d.resolve_by) == services.step_deadlines(
                d.dispatched_at, item_minutes, d.whistle.urgency)
    leads = Dispatch.objects.filter(role="lead").exclude(status="withdrawn")
    assert leads.values("whistle_id").distinct().count() == leads.count()


def test_given_the_history_when_checking_open_dispatches_then_none_lacks_deadlines_or_a_check(history):
    pending = Dispatch.objects.filter(status__in=["dispatched", "responded", "arrived"])
    assert pending.exists()
    for d in pending:
        assert d.respond_by and d.arrive_by and d.resolve_by
        assert d.next_check_at is not None or d.escalation_level == 3
    assert not Dispatch.objects.filter(status__in=["resolved", "withdrawn", "disputed"], next_check_at__isnull=False)


def test_given_the_history_when_reading_the_timeline_then_every_whistle_has_its_raise_and_changes(history):
    for w in Whistle.objects.all():
        actions = [e.action for e in AuditEvent.objects.filter(object_type="whistles.whistle", object_id=str(w.pk))]
        assert actions[0] == "whistles.raise"
        if w.status == "closed":
            assert {"whistles.respond", "whistles.arrive", "whistles.resolve", "whistles.confirm",
                    "whistles.close"} <= set(actions)


def test_given_the_history_when_computing_last_months_figures_then_they_are_not_zero(history):
    from tiaokuai.org.models import Membership

    office = Membership.objects.filter(role="establishment_office", person__user__isnull=False).first().person.user
    month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    rows = reports.monthly_figures(viewer_for(office), month)
    assert sum(r["whistles"] for r in rows) > 0
    assert sum(r["resolved"] for r in rows) > 0
    assert any(r["avg_rating"] for r in rows)


def test_given_the_history_when_asking_for_routing_labels_then_there_are_examples(history):
    labels = selectors.routing_labels()
    assert len(labels) >= 40
    assert all(text and org for text, _matter, org in labels)


def test_given_the_loaded_history_when_the_sweep_runs_then_only_the_overdue_escalate_once(history):
    now = timezone.now()
    due = {d.pk: d.escalation_level for d in Dispatch.objects.filter(next_check_at__lte=now)}
    before = Escalation.objects.count()
    first = sweeps.run_all(now)
    assert "error" not in first.get("whistles.escalate", {})
    assert Escalation.objects.count() - before == first["whistles.escalate"]["escalated"]
    for d in Dispatch.objects.filter(pk__in=list(due)):
        assert d.escalation_level in (due[d.pk], due[d.pk] + 1)
        assert d.next_check_at is None or d.next_check_at > now
    assert set(Escalation.objects.filter(at=now).values_list("dispatch_id", flat=True)) <= set(due)
    second = sweeps.run_all(now)
    assert second["whistles.escalate"]["escalated"] == 0


def _snapshot():
    rows = list(Whistle.objects.order_by("number").values_list("number", "description", "status", "urgency"))
    counters = list(NumberCounter.objects.filter(prefix="CS").order_by("day").values_list("day", "last"))
    return rows, counters


def test_given_the_same_seed_when_loading_again_then_the_numbers_and_descriptions_are_identical(history):
    first = _snapshot()
    with transaction.atomic():
        load(1, "--force")
        second = _snapshot()
        transaction.set_rollback(True)
    assert first == second
    assert first[0] and first[1]
    assert max(last for _day, last in first[1]) >= 1


def test_given_the_demo_list_when_loaded_then_it_names_the_territorial_role_and_no_particular_township(history):
    assert Assignment.objects.filter(body_kind="territorial_township").exists()
    assert not Assignment.objects.filter(organisation__kind__in=["township", "township_office"]).exists()


def test_given_the_history_when_checking_township_dispatches_then_none_goes_to_another_township(history):
    for d in Dispatch.objects.filter(organisation__kind__in=["township", "township_office"]).select_related(
            "organisation", "whistle"):
        assert d.organisation.division_id == d.whistle.township_id
    # The township raising a whistle is the one whistling: 属地 resolves to it, so it calls only the county.
    assert not Dispatch.objects.filter(organisation__kind__in=["township", "township_office"]).exists()
