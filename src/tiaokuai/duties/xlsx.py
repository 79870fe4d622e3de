"""The spreadsheet layout counties use for the responsibility list (openpyxl).

Sheet "清单": one row per matter × body; sheet "流程": one row per process step. Units are matched by
单位编码 or by exact name, domains by name or code, matter kinds by their Chinese label. The territorial role
is written 属地乡镇（街道） in 责任单位/承办单位 with 单位编码 empty, and read back from that text."""

import io
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from tiaokuai.core.xlsx import append_row
from tiaokuai.org.models import Organisation

from .choices import TERRITORIAL_TOWNSHIP_LABEL, BodyKind, DutyRole, MatterKind
from .models import Domain, ListRelease, Matter

LIST_SHEET = "清单"
STEPS_SHEET = "流程"

C_CODE, C_NAME, C_DOMAIN, C_KIND, C_BASIS, C_KEYWORDS = "事项编码", "事项名称", "所属领域", "事项类型", "设定依据", "关键词"
C_ROLE, C_UNIT, C_UNIT_CODE, C_DUTY, C_DESCRIPTION = "责任类型", "责任单位", "单位编码", "责任内容", "事项说明"
C_STEP, C_STEP_UNIT, C_ACTION, C_DAYS = "步骤", "承办单位", "办理环节", "时限（工作日）"

LIST_COLUMNS = [C_CODE, C_NAME, C_DOMAIN, C_KIND, C_BASIS, C_KEYWORDS, C_ROLE, C_UNIT, C_UNIT_CODE, C_DUTY]
LIST_OPTIONAL = [C_DESCRIPTION]  # not in every county's sheet; kept so a round trip is lossless
STEPS_COLUMNS = [C_CODE, C_STEP, C_STEP_UNIT, C_UNIT_CODE, C_ACTION, C_DAYS]

KIND_LABELS = {
    MatterKind.LICENSING: "行政许可",
    MatterKind.PENALTY: "行政处罚",
    MatterKind.INSPECTION: "行政检查",
    MatterKind.PUBLIC_SERVICE: "公共服务",
    MatterKind.OTHER: "其他",
}
ROLE_LABELS = {DutyRole.PRIMARY: "主体责任", DutyRole.COORDINATING: "配合责任"}
MATTER_COLUMNS = [C_NAME, C_DOMAIN, C_KIND, C_BASIS, C_KEYWORDS, C_DESCRIPTION]


# ---------------------------------------------------------------- export

def export_release(release: ListRelease) -> bytes:
    # openpyxl is imported here, not at module level: it is large, and web workers should not carry
    # it until someone actually imports or exports a list.
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = LIST_SHEET
    append_row(ws, LIST_COLUMNS + LIST_OPTIONAL)
    steps_ws = wb.create_sheet(STEPS_SHEET)
    append_row(steps_ws, STEPS_COLUMNS)
    matters = (release.matters.select_related("domain")
               .prefetch_related("assignments__organisation", "steps__organisation").order_by("code"))
    for m in matters:
        head = [m.code, m.name, m.domain.name, KIND_LABELS.get(m.kind, m.kind), m.legal_basis, m.keywords]
        assignments = sorted(m.assignments.all(), key=lambda a: (a.role != DutyRole.PRIMARY, a.body_code))
        for a in assignments or [None]:
            body = ([ROLE_LABELS.get(a.role, a.role), *_unit_cells(a), a.duty] if a is not None else ["", "", "", ""])
            append_row(ws, head + body + [m.description])
        for s in sorted(m.steps.all(), key=lambda s: s.order):
            append_row(steps_ws, [m.code, s.order, *_unit_cells(s), s.action, s.time_limit_days])
    for sheet, widths in ((ws, [14, 30, 12, 10, 40, 20, 10, 24, 12, 50, 30]), (steps_ws, [14, 6, 24, 12, 40, 12])):
        for i, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = width
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDEBF7")
            cell.alignment = Alignment(horizontal="center")
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _unit_cells(row: Any) -> list[str]:
    """[责任单位, 单位编码] of an assignment or step: the unit, 属地乡镇（街道） and no code, or blanks."""
    if row.is_territorial:
        return [TERRITORIAL_TOWNSHIP_LABEL, ""]
    return [row.organisation.name, row.organisation.code] if row.organisation is not None else ["", ""]


# ---------------------------------------------------------------- import

@dataclass
class RowError:
    sheet: str
    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}

    def __str__(self) -> str:
        return _("Sheet %(sheet)s, row %(row)d, column %(column)s: %(message)s") % self.as_dict()


@dataclass
class ParsedAssignment:
    organisation_id: int | None  # None for the territorial role
    role: str
    duty: str
    body_kind: str = BodyKind.ORGANISATION


@dataclass
class ParsedStep:
    order: int
    organisation_id: int | None
    action: str
    time_limit_days: int | None
    body_kind: str = BodyKind.ORGANISATION


@dataclass
class ParsedMatter:
    code: str
    name: str
    domain_id: int
    kind: str
    legal_basis: str
    keywords: str
    description: str
    first_row: int
    assignments: list[ParsedAssignment] = field(default_factory=list)
    steps: list[ParsedStep] = field(default_factory=list)


@dataclass
class Parsed:
    matters: list[ParsedMatter] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def cell_int(value: Any) -> int | None:
    """A whole number, None when blank; raises ValueError otherwise."""
    text = cell_text(value)
    if not text:
        return None
    number = int(text)
    if number < 0:
        raise ValueError(text)
    return number


TERRITORIAL = 0  # the "unit id" _Units.find gives the territorial role (ids of real units start at 1)


def _body(unit_id: int) -> tuple[str, int | None]:
    """(body kind, organisation id) for a unit id from _Units.find."""
    return (BodyKind.TERRITORIAL_TOWNSHIP, None) if unit_id == TERRITORIAL else (BodyKind.ORGANISATION, unit_id)


class _Units:
    def __init__(self) -> None:
        self.by_code: dict[str, int] = {}
        self.by_name: dict[str, list[int]] = {}
        for pk, code, name in Organisation.objects.filter(is_active=True).values_list("pk", "code", "name"):
            self.by_code[code] = pk
            self.by_name.setdefault(name, []).append(pk)

    def find(self, code: str, name: str) -> tuple[int | None, str, str]:
        """(id, column at fault, message). The territorial role (属地乡镇（街道）, no code) is (TERRITORIAL, "", "")."""
        if not code and name == TERRITORIAL_TOWNSHIP_LABEL:
            return TERRITORIAL, "", ""
        if code:
            pk = self.by_code.get(code)
            if pk is None:
                return None, C_UNIT_CODE, _("Unknown unit code “%(code)s”.") % {"code": code}
            return pk, "", ""
        if not name:
            return None, "", ""
        pks = self.by_name.get(name, [])
        if not pks:
            return None, "", _("Unknown unit “%(name)s”.") % {"name": name}
        if len(pks) > 1:
            return None, "", _("More than one unit is named “%(name)s”; give its unit code.") % {"name": name}
        return pks[0], "", ""


def _header(ws: Any, sheet: str, required: list[str], errors: list[RowError]) -> dict[str, int] | None:
    rows = ws.iter_rows(min_row=1, max_row=1, values_only=True)
    first = next(rows, None) or ()
    index = {cell_text(v): i for i, v in enumerate(first) if cell_text(v)}
    missing = [c for c in required if c not in index]
    for c in missing:
        errors.append(RowError(sheet, 1, c, _("The column is missing from the header row.")))
    return None if missing else index


def parse_workbook(content: bytes) -> Parsed:
    out = Parsed()
    errors = out.errors
    try:
        from openpyxl import load_workbook

        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable upload is the same error to the user
        errors.append(RowError("", 0, "", _("The file is not an Excel workbook (.xlsx).")))
        return out
    if LIST_SHEET not in wb.sheetnames:
        errors.append(RowError(LIST_SHEET, 0, "", _("The workbook has no sheet named “%(sheet)s”.")
                               % {"sheet": LIST_SHEET}))
        return out
    units = _Units()
    domains_by_key: dict[str, int] = {}
    for pk, code, name in Domain.objects.values_list("pk", "code", "name"):
        domains_by_key.setdefault(name, pk)
        domains_by_key[code] = pk
    kinds: dict[str, str] = {}
    for value, label in MatterKind.choices:
        kinds[value] = value
        kinds[str(label)] = value
    kinds.update({label: value for value, label in KIND_LABELS.items()})
    roles = {label: value for value, label in ROLE_LABELS.items()} | {v: v for v in DutyRole.values} | {
        "主体": DutyRole.PRIMARY, "配合": DutyRole.COORDINATING}

    ws = wb[LIST_SHEET]
    index = _header(ws, LIST_SHEET, LIST_COLUMNS, errors)
    if index is None:
        return out
    matters: dict[str, ParsedMatter] = {}
    first_values: dict[str, dict[str, str]] = {}
    primary_row: dict[str, int] = {}
    body_rows: dict[tuple[str, int], int] = {}
    for row_number, values in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
        row = {c: cell_text(values[i]) if i < len(values) else "" for c, i in index.items()}
        if not any(row.values()):
            continue

        def err(column: str, message: str, row_number: int = row_number) -> None:
            errors.append(RowError(LIST_SHEET, row_number, column, message))

        code = row[C_CODE]
        if not code:
            err(C_CODE, _("The matter code is required."))
            continue
        if len(code) > Matter._meta.get_field("code").max_length:
            err(C_CODE, _("The matter code is too long."))
            continue
        matter_values = {c: row.get(c, "") for c in MATTER_COLUMNS}
        if code not in matters:
            ok = True
            if not row[C_NAME]:
                err(C_NAME, _("The matter name is required."))
                ok = False
            elif len(row[C_NAME]) > 200:
                err(C_NAME, _("The matter name is too long."))
                ok = False
            domain_id = domains_by_key.get(row[C_DOMAIN])
            if domain_id is None:
                err(C_DOMAIN, _("Unknown domain “%(domain)s”.") % {"domain": row[C_DOMAIN]})
                ok = False
            kind = kinds.get(row[C_KIND]) if row[C_KIND] else MatterKind.OTHER
            if kind is None:
                err(C_KIND, _("Unknown matter type “%(kind)s”; use one of: %(labels)s.")
                    % {"kind": row[C_KIND], "labels": "、".join(KIND_LABELS.values())})
                ok = False
            if len(row[C_KEYWORDS]) > 300:
                err(C_KEYWORDS, _("The keywords are too long."))
                ok = False
            first_values[code] = matter_values
            matters[code] = ParsedMatter(
                code=code, name=row[C_NAME], domain_id=domain_id or 0, kind=kind or MatterKind.OTHER,
                legal_basis=row[C_BASIS], keywords=row[C_KEYWORDS], description=row.get(C_DESCRIPTION, ""),
                first_row=row_number,
            )
            if not ok:
                matters[code].domain_id = 0
        else:
            first = first_values[code]
            for column in MATTER_COLUMNS:
                if column in index and matter_values[column] != first[column]:
                    err(column, _("Differs from row %(row)d of the same matter (%(code)s).")
                        % {"row": matters[code].first_row, "code": code})
        matter = matters[code]

        role_text, unit_name, unit_code, duty = row[C_ROLE], row[C_UNIT], row[C_UNIT_CODE], row[C_DUTY]
        if not (role_text or unit_name or unit_code or duty):
            continue  # a matter row without a body; "missing primary" is reported below
        role = roles.get(role_text)
        if role is None:
            err(C_ROLE, _("The responsibility type must be 主体责任 or 配合责任."))
        unit_id, column, message = units.find(unit_code, unit_name)
        if unit_id is None:
            err(column or C_UNIT, message or _("The responsible unit is required."))
        if not duty:
            err(C_DUTY, _("The duty text is required."))
        if unit_id is not None:
            seen = body_rows.get((code, unit_id))
            if seen is not None:
                err(C_UNIT, _("This unit is already listed for the matter in row %(row)d.") % {"row": seen})
                unit_id = None
            else:
                body_rows[(code, unit_id)] = row_number
        if role == DutyRole.PRIMARY:
            if code in primary_row:
                err(C_ROLE, _("Matter %(code)s has two primary bodies (rows %(first)d and %(row)d).")
                    % {"code": code, "first": primary_row[code], "row": row_number})
                role = None
            else:
                primary_row[code] = row_number
        if role is not None and unit_id is not None and duty:
            kind, org_id = _body(unit_id)
            matter.assignments.append(ParsedAssignment(organisation_id=org_id, role=role, duty=duty, body_kind=kind))

    for code, matter in matters.items():
        if code not in primary_row:
            errors.append(RowError(LIST_SHEET, matter.first_row, C_ROLE,
                                   _("Matter %(code)s has no primary body (主体责任).") % {"code": code}))

    if STEPS_SHEET in wb.sheetnames:
        _parse_steps(wb[STEPS_SHEET], matters, units, errors)
    out.matters = [matters[c] for c in sorted(matters)]
    wb.close()
    return out


def _parse_steps(ws: Any, matters: dict[str, ParsedMatter], units: _Units, errors: list[RowError]) -> None:
    index = _header(ws, STEPS_SHEET, STEPS_COLUMNS, errors)
    if index is None:
        return
    seen: dict[tuple[str, int], int] = {}
    for row_number, values in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
        raw = {c: values[i] if i < len(values) else None for c, i in index.items()}
        row = {c: cell_text(v) for c, v in raw.items()}
        if not any(row.values()):
            continue

        def err(column: str, message: str, row_number: int = row_number) -> None:
            errors.append(RowError(STEPS_SHEET, row_number, column, message))

        code = row[C_CODE]
        matter = matters.get(code)
        if matter is None:
            err(C_CODE, _("Matter “%(code)s” is not on the sheet 清单.") % {"code": code})
        try:
            order = cell_int(raw[C_STEP])
            if order is None or order < 1:
                raise ValueError
        except ValueError:
            err(C_STEP, _("The step number must be a whole number from 1."))
            order = None
        if order is not None and matter is not None:
            if (code, order) in seen:
                err(C_STEP, _("Step %(step)d of %(code)s is already in row %(row)d.")
                    % {"step": order, "code": code, "row": seen[(code, order)]})
                order = None
            else:
                seen[(code, order)] = row_number
        unit_id, column, message = units.find(row[C_UNIT_CODE], row[C_STEP_UNIT])
        if message:
            err(column or C_STEP_UNIT, message)
        action = row[C_ACTION]
        if not action:
            err(C_ACTION, _("The step text is required."))
        elif len(action) > 200:
            err(C_ACTION, _("The step text is too long."))
        try:
            days = cell_int(raw[C_DAYS])
        except ValueError:
            err(C_DAYS, _("The time limit must be a whole number of working days."))
            days = None
        if matter is not None and order is not None and action and not message:
            kind, org_id = _body(unit_id) if unit_id is not None else (BodyKind.ORGANISATION, None)
            matter.steps.append(ParsedStep(order=order, organisation_id=org_id, action=action, time_limit_days=days,
                                           body_kind=kind))
