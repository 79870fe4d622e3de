import io

import pytest
from django.urls import reverse

from tiaokuai.duties import services, xlsx
from tiaokuai.duties.models import ListRelease

from .helpers import counts


@pytest.fixture
def office(county):
    return county.users["establishment_office"]


@pytest.fixture
def draft(county, office):
    return services.release_start_draft(actor=office)


def test_given_no_login_when_opening_public_page_then_list_in_force_is_shown_and_searchable(county, client):
    resp = client.get(reverse("duties:public"))
    assert resp.status_code == 200
    body = resp.content.decode()
    assert "违法占用耕地建房查处" in body and "食品经营许可" in body and "县自然资源局" in body
    body = client.get(reverse("duties:public"), {"q": "油烟"}).content.decode()
    assert "餐饮油烟污染投诉处理" in body and "食品经营许可" not in body
    body = client.get(reverse("duties:public"), {"q": "青石镇"}).content.decode()  # a body's name
    assert "违法占用耕地建房查处" in body and "食品经营许可" not in body
    body = client.get(reverse("duties:public"), {"domain": "SCJG"}).content.decode()
    assert "食品经营许可" in body and "违法占用耕地建房查处" not in body


def test_given_no_login_when_opening_signed_in_pages_then_redirected_to_login(county, client):
    for url in [reverse("duties:in_force"), reverse("duties:releases"), reverse("duties:diff"),
                reverse("duties:release", args=[county.release.pk])]:
        resp = client.get(url)
        assert resp.status_code == 302 and "/login/" in resp["Location"]


@pytest.mark.parametrize("who", ["establishment_office", "department", "township", "grid_worker", "leader"])
def test_given_signed_in_user_when_browsing_lists_then_pages_render_and_drafts_only_for_office(
        county, login, draft, who):
    client = login(county.users[who])
    matter = county.release.matters.get(code="ZR-001")
    for url in [reverse("duties:in_force"), reverse("duties:releases"), reverse("duties:diff"),
                reverse("duties:release", args=[county.release.pk]), reverse("duties:matter", args=[matter.pk]),
                reverse("duties:release_export", args=[county.release.pk])]:
        assert client.get(url).status_code == 200, url
    is_office = who == "establishment_office"
    assert client.get(reverse("duties:release", args=[draft.pk])).status_code == (200 if is_office else 404)
    draft_matter = draft.matters.get(code="ZR-001")
    assert client.get(reverse("duties:matter_edit", args=[draft_matter.pk])).status_code == (
        200 if is_office else 404)


@pytest.mark.parametrize("who", ["department", "township", "leader"])
def test_given_not_office_when_posting_writes_then_404_and_nothing_changes(county, login, draft, who):
    client = login(county.users[who])
    matter = draft.matters.get(code="ZR-001")
    before = counts()
    assert client.post(reverse("duties:release_start")).status_code == 404
    assert client.post(reverse("duties:release_publish", args=[draft.pk]),
                       {"effective_from": "2026-07-01"}).status_code == 404
    assert client.post(reverse("duties:matter_delete", args=[matter.pk])).status_code == 404
    assert client.post(reverse("duties:release_discard", args=[draft.pk])).status_code == 404
    assert counts() == before


def _matter_post(**overrides):
    data = {
        "code": "ZR-005", "name": "矿产资源违法开采查处", "domain": "ZRZY", "kind": "penalty", "legal_basis": "矿产资源法",
        "keywords": "采矿", "description": "",
        "a-TOTAL_FORMS": "2", "a-INITIAL_FORMS": "0", "a-MIN_NUM_FORMS": "0", "a-MAX_NUM_FORMS": "1000",
        "a-0-organisation": "D-ZR", "a-0-role": "primary", "a-0-duty": "立案查处",
        "a-1-organisation": "T01", "a-1-role": "coordinating", "a-1-duty": "巡查报告",
        "s-TOTAL_FORMS": "1", "s-INITIAL_FORMS": "0", "s-MIN_NUM_FORMS": "0", "s-MAX_NUM_FORMS": "1000",
        "s-0-order": "1", "s-0-organisation": "T01", "s-0-action": "发现报告", "s-0-time_limit_days": "1",
    }
    data.update(overrides)
    return data


def test_given_office_when_adding_matter_through_form_then_saved_with_bodies_and_steps(county, login, office, draft):
    client = login(office)
    resp = client.post(reverse("duties:matter_create", args=[draft.pk]), _matter_post())
    assert resp.status_code == 302, resp.content.decode()[:3000]
    matter = draft.matters.get(code="ZR-005")
    assert [(a.organisation.code, a.role) for a in matter.assignments.order_by("-role")] == [
        ("D-ZR", "primary"), ("T01", "coordinating")]
    assert matter.steps.get().action == "发现报告"


def test_given_two_primaries_in_form_when_saving_then_error_beside_row_and_nothing_saved(county, login, office, draft):
    client = login(office)
    before = counts()
    resp = client.post(reverse("duties:matter_create", args=[draft.pk]), _matter_post(**{"a-1-role": "primary"}))
    assert resp.status_code == 200
    assert "is-invalid" in resp.content.decode()
    assert counts() == before


def test_given_office_when_editing_existing_matter_then_unchanged_rows_are_kept(county, login, office, draft):
    client = login(office)
    matter = draft.matters.get(code="HB-001")
    page = client.get(reverse("duties:matter_edit", args=[matter.pk]))
    form = page.context["form"]
    data = {k: form.initial.get(k, "") for k in form.fields}
    data["name"] = "餐饮油烟扰民处理"
    for prefix, fs in (("a", page.context["assignment_formset"]), ("s", page.context["step_formset"])):
        data.update({f"{prefix}-TOTAL_FORMS": str(len(fs.initial)), f"{prefix}-INITIAL_FORMS": str(len(fs.initial)),
                     f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"})
        for i, row in enumerate(fs.initial):
            data.update({f"{prefix}-{i}-{k}": "" if v is None else v for k, v in row.items()})
    resp = client.post(reverse("duties:matter_edit", args=[matter.pk]), data)
    assert resp.status_code == 302, resp.content.decode()[:2000]
    matter.refresh_from_db()
    assert matter.name == "餐饮油烟扰民处理" and matter.assignments.count() == 2 and matter.steps.count() == 1


def test_given_office_when_publishing_through_page_then_redirected_to_diff(county, login, office, draft):
    client = login(office)
    resp = client.post(reverse("duties:release_publish", args=[draft.pk]), {"effective_from": "2025-12-01"})
    assert resp.status_code == 200 and "is-invalid" in resp.content.decode()
    assert ListRelease.objects.get(pk=draft.pk).status == "draft"
    resp = client.post(reverse("duties:release_publish", args=[draft.pk]), {"effective_from": "2026-07-01"})
    assert resp.status_code == 302 and reverse("duties:diff") in resp["Location"]
    assert ListRelease.objects.get(pk=draft.pk).status == "published"


def test_given_bad_workbook_when_importing_through_page_then_rows_listed_and_nothing_saved(
        county, login, office, draft):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "清单"
    ws.append(list(xlsx.LIST_COLUMNS))
    ws.append(["X-1", "事项", "不存在领域", "行政许可", "", "", "主体责任", "县自然资源局", "", "负责"])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "bad.xlsx"
    client = login(office)
    before = counts()
    resp = client.post(reverse("duties:release_import", args=[draft.pk]), {"file": out})
    assert resp.status_code == 200
    body = resp.content.decode()
    assert "row-errors" in body and "所属领域" in body and "不存在领域" in body
    assert counts() == before
    good = io.BytesIO(xlsx.export_release(county.release))
    good.name = "good.xlsx"
    resp = client.post(reverse("duties:release_import", args=[draft.pk]), {"file": good})
    assert resp.status_code == 302


def test_given_two_versions_when_opening_diff_page_then_changes_are_coloured(county, login, office, draft):
    services.matter_delete(actor=office, matter_id=draft.matters.get(code="SJ-001").pk)
    services.matter_update(actor=office, matter_id=draft.matters.get(code="HB-001").pk, data={"name": "油烟扰民"})
    body = login(office).get(reverse("duties:diff"), {"from": county.release.pk, "to": draft.pk}).content.decode()
    assert 'class="diff-removed"' in body and "食品经营许可" in body
    assert 'class="diff-changed"' in body and "油烟扰民" in body


def _more_matters(county, n):
    from tiaokuai.duties.models import Assignment, Matter, ProcessStep

    start = Matter.objects.filter(code__startswith="ZZ-").count()
    for i in range(start, start + n):
        m = Matter.objects.create(release=county.release, code=f"ZZ-{i:03d}", name=f"事项{i}",
                                  domain=county.domains["ZRZY"], kind="other")
        Assignment.objects.create(matter=m, organisation=county.departments["D-ZR"], role="primary", duty="负责")
        Assignment.objects.create(matter=m, organisation=county.township_orgs[0], role="coordinating", duty="配合")
        ProcessStep.objects.create(matter=m, order=1, organisation=county.departments["D-ZR"], action="办理")


@pytest.mark.parametrize("url_name", ["duties:in_force", "duties:public"])
def test_given_more_matters_when_listing_then_query_count_does_not_grow(county, login, url_name,
                                                                       django_assert_max_num_queries):
    client = login(county.users["township"])
    client.get(reverse(url_name))  # warm the session and viewer caches
    _more_matters(county, 3)
    with django_assert_max_num_queries(20) as small:
        client.get(reverse(url_name))
    _more_matters(county, 20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse(url_name))
