"""The people list as a spreadsheet: masked like the page, unless the caller passed the unmasked-export check
(core.personal.check_unmasked_export) — then the ID numbers and phones are written in full."""

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tiaokuai.core.xlsx import append_row, workbook_bytes

from .access import mask_id_number, mask_phone

PEOPLE_COLUMNS = [gettext_lazy("Name"), gettext_lazy("ID number"), gettext_lazy("Phone"),
                  gettext_lazy("Current establishment slot")]


def people_xlsx(people: list[Any], *, unmasked: bool = False) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = _("People")[:31]
    append_row(ws, [str(c) for c in PEOPLE_COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for p in people:
        slots = "、".join(f"{a.organisation.name} {a.post}".strip() for a in getattr(p, "current_assignments", []))
        append_row(ws, [p.name, p.id_number if unmasked else mask_id_number(p.id_number),
                        p.phone if unmasked else mask_phone(p.phone), slots])
    for letter, width in zip("ABCD", (14, 22, 16, 40), strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"
    return workbook_bytes(wb)
