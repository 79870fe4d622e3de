import datetime as dt

import pytest

from tiaokuai.core.errors import Conflict, Invalid, NotFound
from tiaokuai.core.models import AuditEvent
from tiaokuai.duties import selectors, services
from tiaokuai.duties.models import Assignment, ListRelease, Matter

from .helpers import D1, D2, counts


@pytest.fixture
def office(county):
    return county.users["establishment_office"]


@pytest.fixture
def draft(county, office):
    return services.release_start_draft(actor=office, kind="responsibility")


def test_given_published_list_when_office_starts_draft_then_latest_version_is_copied(county, draft):
    assert draft.number == 2 and draft.status == "draft" and draft.based_on == county.release
    assert selectors.release_dump(draft) == selectors.release_dump(county.release)
    assert AuditEvent.objects.filter(action="duties.release.start_draft").count() == 1


def test_given_draft_exists_when_starting_another_then_conflict_and_nothing_changes(county, office, draft):
    before = counts()
    with pytest.raises(Conflict):
        services.release_start_draft(actor=office, kind="responsibility")
    assert counts() == before


def test_given_other_kind_when_starting_draft_then_registered_copier_runs(county, office, draft, monkeypatch):
    calls = []
    # setitem restores the whistles app's own copier afterwards, so later tests keep it.
    monkeypatch.setitem(services.DRAFT_COPIERS, "whistle", lambda old, new: calls.append((old, new)))
    whistle = services.release_start_draft(actor=office, kind="whistle")
    assert whistle.number == 1 and calls == [(None, whistle)]


@pytest.mark.parametrize("who", [None, "department", "township", "leader", "grid_worker", "citizen"])
def test_given_not_office_when_starting_draft_or_publishing_then_not_found_and_nothing_changes(county, draft, who):
    actor = county.users[who] if who else None
    before = counts()
    with pytest.raises(NotFound):
        services.release_start_draft(actor=actor, kind="whistle")
    with pytest.raises(NotFound):
        services.release_publish(actor=actor, release_id=draft.pk, effective_from=D2)
    with pytest.raises(NotFound):
        services.matter_create(actor=actor, release_id=draft.pk,
                               data={"code": "X-1", "name": "x", "domain": "ZRZY", "kind": "other"})
    with pytest.raises(NotFound):
        services.matter_delete(actor=actor, matter_id=draft.matters.first().pk)
    assert counts() == before
    assert ListRelease.objects.get(pk=draft.pk).status == "draft"


def test_given_draft_when_published_after_latest_date_then_in_force_from_that_date(county, office, draft):
    release = services.release_publish(actor=office, release_id=draft.pk, effective_from=D2)
    assert release.status == "published" and release.effective_from == D2 and release.published_by == office
    assert selectors.release_in_force("responsibility", D2) == release
    assert selectors.release_in_force("responsibility", D2 - dt.timedelta(days=1)) == county.release
    assert AuditEvent.objects.filter(action="duties.release.publish", object_id=str(draft.pk)).count() == 1


@pytest.mark.parametrize("effective", [D1, D1 - dt.timedelta(days=1), None])
def test_given_date_not_after_latest_when_publishing_then_invalid_and_still_draft(county, office, draft, effective):
    before = counts()
    with pytest.raises(Invalid) as exc:
        services.release_publish(actor=office, release_id=draft.pk, effective_from=effective)
    assert "effective_from" in exc.value.details
    assert counts() == before and ListRelease.objects.get(pk=draft.pk).status == "draft"


def test_given_matter_without_primary_or_with_two_when_publishing_then_per_matter_messages(county, office, draft):
    zr = draft.matters.get(code="ZR-001")
    services.matter_set_assignments(actor=office, matter_id=zr.pk, assignments=[
        {"organisation": "T01", "role": "coordinating", "duty": "巡查"}])
    services.matter_create(actor=office, release_id=draft.pk,
                           data={"code": "ZR-002", "name": "新事项", "domain": "ZRZY", "kind": "inspection"})
    before = counts()
    with pytest.raises(Invalid) as exc:
        services.release_publish(actor=office, release_id=draft.pk, effective_from=D2)
    assert set(exc.value.details) == {"matters.ZR-001", "matters.ZR-002"}
    assert counts() == before


def test_given_two_primaries_when_setting_assignments_then_refused_and_unchanged(county, office, draft):
    zr = draft.matters.get(code="ZR-001")
    before = selectors.matter_dump(zr)
    with pytest.raises(Invalid) as exc:
        services.matter_set_assignments(actor=office, matter_id=zr.pk, assignments=[
            {"organisation": "D-ZR", "role": "primary", "duty": "a"},
            {"organisation": "T01", "role": "primary", "duty": "b"},
            {"organisation": "NOPE", "role": "coordinating", "duty": "c"}])
    assert "assignments.1.role" in exc.value.details and "assignments.2.organisation" in exc.value.details
    assert selectors.matter_dump(zr) == before


def _published_matter(county):
    return county.release.matters.get(code="ZR-001")


def test_given_published_version_when_any_edit_then_conflict_and_nothing_changes(county, office):
    matter = _published_matter(county)
    dump = selectors.release_dump(county.release)
    before = counts()
    attempts = [
        lambda: services.matter_create(actor=office, release_id=county.release.pk,
                                       data={"code": "N-1", "name": "n", "domain": "ZRZY"}),
        lambda: services.matter_update(actor=office, matter_id=matter.pk, data={"name": "改名"}),
        lambda: services.matter_delete(actor=office, matter_id=matter.pk),
        lambda: services.matter_set_assignments(actor=office, matter_id=matter.pk, assignments=[]),
        lambda: services.matter_set_steps(actor=office, matter_id=matter.pk, steps=[]),
        lambda: services.release_publish(actor=office, release_id=county.release.pk, effective_from=D2),
        lambda: services.release_update(actor=office, release_id=county.release.pk, title="x"),
        lambda: services.release_discard(actor=office, release_id=county.release.pk),
        lambda: services.release_import_xlsx(actor=office, release_id=county.release.pk, content=b""),
    ]
    for attempt in attempts:
        with pytest.raises(Conflict):
            attempt()
    assert counts() == before
    assert selectors.release_dump(county.release) == dump


def test_given_draft_when_editing_matter_fields_steps_then_saved_with_audit(county, office, draft):
    zr = draft.matters.get(code="ZR-001")
    services.matter_update(actor=office, matter_id=zr.pk, data={"name": "违法占地查处", "keywords": "占地,建房"})
    services.matter_set_steps(actor=office, matter_id=zr.pk, steps=[
        {"order": 1, "organisation": "T01", "action": "发现并报告", "time_limit_days": 1},
        {"order": 2, "organisation": "D-ZR", "action": "立案查处", "time_limit_days": 10}])
    zr.refresh_from_db()
    assert zr.name == "违法占地查处"
    assert [s["action"] for s in selectors.matter_dump(zr)["steps"]] == ["发现并报告", "立案查处"]
    assert AuditEvent.objects.filter(object_type="duties.matter", object_id=str(zr.pk)).count() == 2


def test_given_duplicate_code_when_creating_matter_then_invalid(county, office, draft):
    before = counts()
    with pytest.raises(Invalid) as exc:
        services.matter_create(actor=office, release_id=draft.pk,
                               data={"code": "ZR-001", "name": "重复", "domain": "ZRZY"})
    assert "code" in exc.value.details
    assert counts() == before


def test_given_two_versions_when_diffing_then_added_removed_changed_matters_and_assignments(county, office, draft):
    services.matter_delete(actor=office, matter_id=draft.matters.get(code="SJ-001").pk)
    new = services.matter_create(actor=office, release_id=draft.pk,
                                 data={"code": "ZR-009", "name": "地质灾害巡查", "domain": "ZRZY", "kind": "inspection"})
    services.matter_set_assignments(actor=office, matter_id=new.pk, assignments=[
        {"organisation": "D-ZR", "role": "primary", "duty": "负责"}])
    hb = draft.matters.get(code="HB-001")
    services.matter_update(actor=office, matter_id=hb.pk, data={"name": "餐饮油烟扰民处理", "kind": "penalty"})
    services.matter_set_assignments(actor=office, matter_id=hb.pk, assignments=[
        {"organisation": "D-HB", "role": "primary", "duty": "负责查处。"},
        {"organisation": "T01", "role": "coordinating", "duty": "巡查报告。"}])
    diff = selectors.release_diff(county.release, draft)
    assert [m["code"] for m in diff["added"]] == ["ZR-009"]
    assert [m["code"] for m in diff["removed"]] == ["SJ-001"]
    (changed,) = diff["changed"]
    assert changed["code"] == "HB-001"
    assert {f["field"]: (f["before"], f["after"]) for f in changed["fields"]} == {
        "name": ("餐饮油烟污染投诉处理", "餐饮油烟扰民处理"), "kind": ("inspection", "penalty")}
    assert [a["organisation"] for a in changed["assignments"]["added"]] == ["T01"]
    assert [a["organisation"] for a in changed["assignments"]["removed"]] == ["D-SJ"]
    assert [a["organisation"] for a in changed["assignments"]["changed"]] == ["D-HB"]
    assert diff["unchanged"] == 1


def test_given_two_versions_with_different_dates_when_asking_primary_then_version_in_force_answers(
        county, office, draft):
    zr = draft.matters.get(code="ZR-001")
    services.matter_set_assignments(actor=office, matter_id=zr.pk, assignments=[
        {"organisation": "T01", "role": "primary", "duty": "属地查处"},
        {"organisation": "D-ZR", "role": "coordinating", "duty": "业务指导"}])
    services.release_publish(actor=office, release_id=draft.pk, effective_from=D2)
    assert selectors.primary_body_on("ZR-001", dt.date(2025, 12, 31)) is None
    assert selectors.primary_body_on("ZR-001", D1).organisation.code == "D-ZR"
    assert selectors.primary_body_on("ZR-001", D2 - dt.timedelta(days=1)).organisation.code == "D-ZR"
    assert selectors.primary_body_on("ZR-001", D2).organisation.code == "T01"
    assert [a.organisation.code for a in selectors.assignments_in_force("ZR-001", D2)] == ["T01", "D-ZR"]


def test_given_draft_when_discarded_then_gone_and_new_draft_possible(county, office, draft):
    services.release_discard(actor=office, release_id=draft.pk)
    assert not ListRelease.objects.filter(pk=draft.pk).exists()
    assert Matter.objects.filter(release__pk=draft.pk).count() == 0
    assert Assignment.objects.count() == 5
    assert services.release_start_draft(actor=office).number == 2
