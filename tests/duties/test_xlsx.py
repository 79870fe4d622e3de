import io

import pytest
from openpyxl import Workbook, load_workbook

from tiaokuai.core.errors import Invalid
from tiaokuai.duties import selectors, services, xlsx

from .helpers import counts

HEAD = ["事项编码", "事项名称", "所属领域", "事项类型", "设定依据", "关键词", "责任类型", "责任单位", "单位编码", "责任内容"]
STEPS_HEAD = ["事项编码", "步骤", "承办单位", "单位编码", "办理环节", "时限（工作日）"]


def workbook(rows, steps=()):
    wb = Workbook()
    ws = wb.active
    ws.title = "清单"
    ws.append(HEAD)
    for r in rows:
        ws.append(list(r))
    st = wb.create_sheet("流程")
    st.append(STEPS_HEAD)
    for r in steps:
        st.append(list(r))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def office(county):
    return county.users["establishment_office"]


@pytest.fixture
def draft(county, office):
    return services.release_start_draft(actor=office)


def test_given_published_version_when_exported_and_imported_into_draft_then_identical(county, office, draft):
    services.matter_delete(actor=office, matter_id=draft.matters.get(code="SJ-001").pk)  # make the draft differ
    m = county.release.matters.get(code="HB-001")
    m.description = "说明文字"
    m.save()
    content = xlsx.export_release(county.release)
    wb = load_workbook(io.BytesIO(content))
    assert wb.sheetnames == ["清单", "流程"]
    assert [c.value for c in wb["清单"][1]][:10] == HEAD
    assert [c.value for c in wb["流程"][1]] == STEPS_HEAD
    assert wb["清单"].max_row == 1 + 5  # one row per matter × body
    services.release_import_xlsx(actor=office, release_id=draft.pk, content=content)
    assert selectors.release_dump(draft) == selectors.release_dump(county.release)


def test_given_units_by_name_domains_by_code_when_importing_then_matched(county, office, draft):
    content = workbook(
        [("A-1", "事项甲", "ZRZY", "行政处罚", "依据", "甲,乙", "主体责任", "县自然资源局", "", "负责"),
         ("A-1", "事项甲", "ZRZY", "行政处罚", "依据", "甲,乙", "配合责任", "", "T01", "配合")],
        [("A-1", 1, "青石镇人民政府", "", "发现报告", 1), ("A-1", 2, "", "D-ZR", "立案", None)])
    services.release_import_xlsx(actor=office, release_id=draft.pk, content=content)
    (dump,) = selectors.release_dump(draft)
    assert dump["kind"] == "penalty" and dump["domain"] == "ZRZY"
    assert [(a["organisation"], a["role"]) for a in dump["assignments"]] == [("D-ZR", "primary"),
                                                                             ("T01", "coordinating")]
    assert [(s["organisation"], s["time_limit_days"]) for s in dump["steps"]] == [("T01", 1), ("D-ZR", None)]


def test_given_bad_rows_when_importing_then_nothing_saved_and_each_row_and_column_named(county, office, draft):
    content = workbook(
        [
            ("B-1", "事项乙", "自然资源", "行政许可", "", "", "主体责任", "不存在的局", "", "负责"),  # row 2 unknown unit
            ("B-2", "事项丙", "火星领域", "行政许可", "", "", "主体责任", "县生态环境局", "", "负责"),  # row 3 domain
            ("B-3", "事项丁", "自然资源", "行政许可", "", "", "主体责任", "县生态环境局", "", "负责"),  # row 4
            ("B-3", "事项丁", "自然资源", "行政许可", "", "", "主体责任", "县市场监管局", "", "负责"),  # row 5 2nd primary
            ("B-4", "事项戊", "自然资源", "行政许可", "", "", "配合责任", "县生态环境局", "", "配合"),  # row 6 no primary
            ("B-5", "事项己", "自然资源", "行政许可", "", "", "主体责任", "县生态环境局", "", "负责"),  # row 7
            ("B-5", "事项己改", "自然资源", "行政许可", "", "", "配合责任", "", "D-SJ", "配合"),  # row 8 differs
            ("B-6", "事项庚", "自然资源", "奇怪类型", "", "", "主体责任", "", "NOPE", "负责"),  # row 9 kind + code
        ],
        [("B-9", 1, "", "", "某环节", 1), ("B-1", "x", "", "", "", "三天")],
    )
    before = counts()
    dump = selectors.release_dump(draft)
    with pytest.raises(Invalid) as exc:
        services.release_import_xlsx(actor=office, release_id=draft.pk, content=content)
    rows = {(e["sheet"], e["row"], e["column"]) for e in exc.value.details["rows"]}
    assert {
        ("清单", 2, "责任单位"), ("清单", 3, "所属领域"), ("清单", 5, "责任类型"), ("清单", 6, "责任类型"),
        ("清单", 8, "事项名称"), ("清单", 9, "事项类型"), ("清单", 9, "单位编码"),
        ("流程", 2, "事项编码"), ("流程", 3, "步骤"), ("流程", 3, "办理环节"), ("流程", 3, "时限（工作日）"),
    } <= rows
    messages = " ".join(e["message"] for e in exc.value.details["rows"])
    assert "不存在的局" in messages and "火星领域" in messages
    assert counts() == before and selectors.release_dump(draft) == dump


def test_given_not_a_workbook_or_missing_column_when_importing_then_invalid(county, office, draft):
    before = counts()
    with pytest.raises(Invalid):
        services.release_import_xlsx(actor=office, release_id=draft.pk, content=b"not excel")
    wb = Workbook()
    wb.active.title = "清单"
    wb.active.append(HEAD[:5])
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(Invalid) as exc:
        services.release_import_xlsx(actor=office, release_id=draft.pk, content=out.getvalue())
    assert {e["column"] for e in exc.value.details["rows"]} == set(HEAD[5:])
    assert counts() == before


def test_given_department_when_importing_then_not_found_and_nothing_changes(county, draft):
    from tiaokuai.core.errors import NotFound

    before = counts()
    with pytest.raises(NotFound):
        services.release_import_xlsx(actor=county.users["department"], release_id=draft.pk,
                                     content=xlsx.export_release(county.release))
    assert counts() == before
