"""The territorial role 属地乡镇（街道）: a list row naming "the township where it happens" instead of one organisation."""

import io

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from openpyxl import load_workbook

from tiaokuai.core.errors import Invalid
from tiaokuai.duties import selectors, services, xlsx
from tiaokuai.duties.models import Assignment, Matter, ProcessStep

LABEL = "属地乡镇（街道）"


@pytest.fixture
def office(county):
    return county.users["establishment_office"]


@pytest.fixture
def territorial(county):
    """The published list with ZR-001's coordinating body T01 (one particular township) replaced by the role."""
    m = county.release.matters.get(code="ZR-001")
    m.assignments.filter(organisation__code="T01").delete()
    Assignment.objects.create(matter=m, body_kind="territorial_township", role="coordinating",
                              duty="负责日常巡查，发现后及时报告。")
    ProcessStep.objects.create(matter=m, order=2, body_kind="territorial_township", action="属地巡查")
    return county


# ---------------------------------------------------------------- model


def test_given_territorial_row_with_an_organisation_when_saved_then_refused(county):
    m = county.release.matters.get(code="HB-001")
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(matter=m, body_kind="territorial_township", organisation=county.township_orgs[0],
                                  role="coordinating", duty="x")
    assert not Assignment.objects.filter(matter=m, body_kind="territorial_township").exists()


def test_given_named_row_without_an_organisation_when_saved_then_refused(county):
    m = county.release.matters.get(code="HB-001")
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(matter=m, body_kind="organisation", organisation=None, role="coordinating", duty="x")


def test_given_territorial_row_when_added_twice_then_refused(territorial):
    m = territorial.release.matters.get(code="ZR-001")
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(matter=m, body_kind="territorial_township", role="coordinating", duty="y")
    assert m.assignments.filter(body_kind="territorial_township").count() == 1


def test_given_territorial_row_when_read_then_it_is_named_by_its_label_and_code(territorial):
    a = Assignment.objects.get(body_kind="territorial_township")
    assert a.is_territorial and a.body_code == "territorial_township" and a.body_name == LABEL
    assert a.organisation is None


# ---------------------------------------------------------------- resolution


def test_given_a_township_when_resolving_the_role_then_its_own_government(territorial):
    a = Assignment.objects.get(body_kind="territorial_township")
    t0, t1 = territorial.townships
    assert selectors.township_government(t1.pk) == territorial.township_orgs[1]
    assert selectors.resolve_body(a.body_kind, a.organisation, t1.pk) == territorial.township_orgs[1]
    assert selectors.resolve_body(a.body_kind, a.organisation, t0.pk) == territorial.township_orgs[0]
    named = Assignment.objects.get(matter__code="ZR-001", role="primary")
    assert selectors.resolve_body(named.body_kind, named.organisation, t1.pk) == named.organisation
    resolved = selectors.resolve_bodies(Matter.objects.get(release=territorial.release, code="ZR-001")
                                        .assignments.all(), t1.pk)
    assert [(a.role, o.code) for a, o in resolved] == [("primary", "D-ZR"), ("coordinating", "T02")]


def test_given_a_township_without_government_when_resolving_then_nothing(territorial):
    territorial.township_orgs[1].is_active = False
    territorial.township_orgs[1].save()
    assert selectors.township_government(territorial.townships[1].pk) is None
    resolved = selectors.resolve_bodies(Assignment.objects.filter(matter__code="ZR-001"),
                                        territorial.townships[1].pk)
    assert [o.code for _a, o in resolved] == ["D-ZR"]


# ---------------------------------------------------------------- services, spreadsheet, pages


def test_given_the_role_when_setting_assignments_then_saved_and_audited(county, office):
    draft = services.release_start_draft(actor=office)
    m = draft.matters.get(code="SJ-001")
    services.matter_set_assignments(actor=office, matter_id=m.pk, assignments=[
        {"organisation": "D-SJ", "role": "primary", "duty": "负责审批"},
        {"organisation": "territorial_township", "role": "coordinating", "duty": "属地巡查"}])
    assert [(a["organisation"], a["organisation_name"]) for a in selectors.matter_dump(m)["assignments"]] == [
        ("D-SJ", "县市场监管局"), ("territorial_township", LABEL)]


def test_given_the_role_twice_when_setting_assignments_then_refused_and_nothing_changes(county, office):
    draft = services.release_start_draft(actor=office)
    m = draft.matters.get(code="SJ-001")
    before = selectors.matter_dump(m)
    with pytest.raises(Invalid) as exc:
        services.matter_set_assignments(actor=office, matter_id=m.pk, assignments=[
            {"organisation": "D-SJ", "role": "primary", "duty": "a"},
            {"organisation": "territorial_township", "role": "coordinating", "duty": "b"},
            {"organisation": LABEL, "role": "coordinating", "duty": "c"}])
    assert "assignments.2.organisation" in exc.value.details
    assert selectors.matter_dump(m) == before


def test_given_territorial_rows_when_exported_then_the_cell_reads_the_label_and_the_import_round_trips(
        territorial, office):
    content = xlsx.export_release(territorial.release)
    wb = load_workbook(io.BytesIO(content))
    cells = [(r[7], r[8]) for r in wb["清单"].iter_rows(min_row=2, values_only=True) if r[0] == "ZR-001"]
    assert (LABEL, None) in cells or (LABEL, "") in cells
    assert any(r[2] == LABEL for r in wb["流程"].iter_rows(min_row=2, values_only=True))
    draft = services.release_start_draft(actor=office)
    services.matter_delete(actor=office, matter_id=draft.matters.get(code="SJ-001").pk)
    services.release_import_xlsx(actor=office, release_id=draft.pk, content=content)
    assert selectors.release_dump(draft) == selectors.release_dump(territorial.release)
    assert draft.matters.get(code="ZR-001").assignments.filter(body_kind="territorial_township").count() == 1


def test_given_a_draft_copied_from_a_territorial_list_then_the_role_is_kept(territorial, office):
    draft = services.release_start_draft(actor=office)
    assert selectors.release_dump(draft) == selectors.release_dump(territorial.release)


def test_given_the_role_as_primary_when_opening_the_public_list_then_the_label_and_no_township(territorial, client):
    m = territorial.release.matters.get(code="ZR-001")
    m.assignments.all().delete()
    Assignment.objects.create(matter=m, body_kind="territorial_township", role="primary", duty="属地负责")
    Assignment.objects.create(matter=m, organisation=territorial.departments["D-ZR"], role="coordinating", duty="配合")
    m.steps.all().delete()
    ProcessStep.objects.create(matter=m, order=1, body_kind="territorial_township", action="受理并核查")
    body = client.get(reverse("duties:public"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f"：{LABEL}" in body  # 主体：属地乡镇（街道）
    assert "青石镇人民政府" not in body and "白云乡人民政府" not in body
    assert "属地乡镇" in client.get(reverse("duties:public"), {"q": "属地"}).content.decode()


def test_given_the_role_when_comparing_versions_then_the_diff_names_it(territorial, office):
    draft = services.release_start_draft(actor=office)
    m = draft.matters.get(code="HB-001")
    services.matter_set_assignments(actor=office, matter_id=m.pk, assignments=[
        {"organisation": "D-HB", "role": "primary", "duty": "负责受理、调查和处理。"},
        {"organisation": "territorial_township", "role": "coordinating", "duty": "属地巡查"}])
    diff = selectors.release_diff(territorial.release, draft)
    added = diff["changed"][0]["assignments"]["added"]
    assert [(a["organisation"], a["organisation_name"]) for a in added] == [("territorial_township", LABEL)]
