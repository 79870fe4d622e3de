import pytest
from django.core.management.base import CommandError
from django.db import transaction

from tests.demo.test_load import accounts, load, row_counts
from tiaokuai.core.models import AuditEvent
from tiaokuai.demo import generate
from tiaokuai.duties.models import Matter
from tiaokuai.org.models import Division, Organisation, Person


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


@pytest.fixture
def demo(db, var_dir):
    load()
    return accounts(var_dir)


def _load_in_savepoint(var_dir, seed):
    with transaction.atomic():
        load(seed)
        text = (var_dir / "demo-accounts.json").read_text(encoding="utf-8")
        divisions = list(Division.objects.order_by("code").values_list("code", "name"))
        orgs = list(Organisation.objects.order_by("code").values_list("code", "name", "parent__code"))
        people = list(Person.objects.order_by("name", "id_number").values_list("name", "id_number", "phone"))
        matters = list(Matter.objects.order_by("release__number", "code").values_list("code", "name"))
        transaction.set_rollback(True)
    assert not Division.objects.exists()
    return text, divisions, orgs, people, matters


def test_given_the_same_seed_when_loading_twice_into_fresh_databases_then_everything_is_identical(db, var_dir):
    first = _load_in_savepoint(var_dir, 7)
    second = _load_in_savepoint(var_dir, 7)
    assert first == second
    other = _load_in_savepoint(var_dir, 8)
    assert other[0] != first[0]


def test_given_a_loaded_county_when_loading_again_without_force_then_nothing_changes(demo, var_dir):
    before = row_counts()
    file_before = (var_dir / "demo-accounts.json").read_bytes()
    with pytest.raises(CommandError, match="not empty"):
        load(2)
    assert row_counts() == before
    assert (var_dir / "demo-accounts.json").read_bytes() == file_before


def test_given_a_loaded_county_when_loading_with_force_then_it_is_replaced(demo, var_dir):
    before = row_counts()
    load(1, "--force")
    assert row_counts() == before
    assert AuditEvent.objects.filter(action="demo.load").count() == 1
    assert accounts(var_dir) == demo


def test_given_extensions_when_loading_then_present_ones_are_called_and_missing_ones_skipped(db, var_dir,
                                                                                             monkeypatch):
    calls = []

    def fake(**kwargs):
        calls.append(kwargs)

    import tests.demo.test_reload as me

    monkeypatch.setattr(me, "fake_extension", fake, raising=False)
    monkeypatch.setattr(generate, "EXTENSIONS", ["tiaokuai.nothing_here.demo.load", "tests.demo.test_reload.fake_extension"])
    load()
    assert len(calls) == 1
    assert set(calls[0]) == {"rng", "county", "scale", "release"}
    assert calls[0]["county"].code == "331122" and calls[0]["release"].number == 1
    assert calls[0]["scale"].townships == 3


