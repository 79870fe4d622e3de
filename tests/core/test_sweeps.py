"""The sweep registry and the `sweep` / `worker` commands."""

import datetime as dt
import json
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from tiaokuai.core import sweeps

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def registry(monkeypatch):
    """An isolated copy of the registry (the apps' real sweeps stay registered)."""
    monkeypatch.setattr(sweeps, "_REGISTRY", dict(sweeps._REGISTRY))
    return sweeps._REGISTRY


def test_given_the_installed_apps_when_listing_sweeps_then_notify_retry_is_registered():
    assert "notify.retry" in sweeps.registered()


def test_given_a_registered_sweep_when_run_all_then_it_gets_now_and_its_counts_are_returned(registry):
    seen = []

    @sweeps.register("test.count")
    def count(now):
        seen.append(now)
        return {"closed": 2}

    now = dt.datetime(2026, 12, 1, 9, 0, tzinfo=TZ)
    result = sweeps.run_all(now)
    assert result["test.count"] == {"closed": 2}
    assert seen == [now]
    assert "notify.retry" in result


def test_given_a_failing_sweep_when_run_all_then_others_still_run_and_the_error_is_reported(registry, caplog):
    ran = []

    @sweeps.register("test.a_broken")
    def broken(now):
        raise RuntimeError("boom")

    @sweeps.register("test.b_fine")
    def fine(now):
        ran.append(now)
        return {"done": 1}

    with caplog.at_level("ERROR", logger="tiaokuai.sweeps"):
        result = sweeps.run_all()
    assert result["test.a_broken"] == {"error": 1}
    assert result["test.b_fine"] == {"done": 1}
    assert ran
    assert "test.a_broken" in caplog.text and "boom" in caplog.text


def test_given_the_sweep_command_when_run_with_now_and_json_then_prints_counts(registry):
    seen = []

    @sweeps.register("test.seen")
    def record(now):
        seen.append(now)
        return {"n": 1}

    out = StringIO()
    call_command("sweep", "--now", "2026-12-01T09:00", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["sweeps"]["test.seen"] == {"n": 1}
    assert seen == [dt.datetime(2026, 12, 1, 9, 0, tzinfo=TZ)]
    out = StringIO()
    call_command("sweep", stdout=out)
    assert "test.seen: n=1" in out.getvalue()


def test_given_a_failing_sweep_when_the_command_runs_then_it_exits_with_an_error(registry):
    @sweeps.register("test.broken")
    def broken(now):
        raise RuntimeError("boom")

    with pytest.raises(CommandError):
        call_command("sweep", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("sweep", "--now", "not-a-date", stdout=StringIO())


def test_given_the_worker_when_run_once_then_sweeps_run_and_it_returns(registry, caplog):
    calls = []

    @sweeps.register("test.tick")
    def tick(now):
        calls.append(now)
        return {"x": 1}

    with caplog.at_level("INFO", logger="tiaokuai.worker"):
        call_command("worker", "--once")
    assert len(calls) == 1
    assert "test.tick[x=1]" in caplog.text


def test_given_a_budget_when_running_then_the_sweep_sees_when_it_is_out_of_time(registry):
    seen = []

    @sweeps.register("test.budget")
    def budgeted(now):
        seen.append(sweeps.out_of_time())
        return {}

    sweeps.run_one("test.budget", budget_seconds=0)
    sweeps.run_one("test.budget", budget_seconds=60)
    sweeps.run_one("test.budget")
    assert seen == [True, False, False]
    assert not sweeps.out_of_time()  # outside a sweep there is no budget
