"""The one list-page pattern (filters, search, sortable columns, server-side paging, xlsx export of what is filtered,
an empty state that says what to do), served by `list_page` and the template include `core/_list.html`.

A view asks its selector for the viewer's scoped, filtered queryset, then:

    lp = list_page(request, qs, sorts={"number": "number", "raised": ("raised_at",)}, default="-raised",
                   filters=active_filters, columns=[(_("Number"), "number"), (_("Item"), ""), ...])
    if lp.export:      # ?format=xlsx: the same filter and order, not paged
        return xlsx_response("whistles", headers, (row(w) for w in lp.rows_for_export()))
    render(..., {"list": lp, ...})

`?sort=key` sorts ascending, `?sort=-key` descending; only keys in `sorts` are honoured (anything else falls back to
the default: no user input reaches `order_by`). The primary key breaks ties so paging is stable. Paging stays
`core.paging.paginate` (page numbers); the template include renders the header links (an arrow shows the
direction; `aria-sort` on the header cell) and keeps the sort and filters in every link."""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from . import personal, xlsx
from .paging import paginate

EXPORT_LIMIT = 10000  # rows in one export (the filters narrow it down)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOT_FILTERS = frozenset({"page", "sort", "format"})


@dataclass(frozen=True)
class Header:
    label: Any
    key: str = ""  # "" → not sortable
    direction: str = ""  # "asc" / "desc" when the list is sorted by this column
    query: str = ""  # the query string that sorts by this column (the other direction when already sorted)

    @property
    def aria_sort(self) -> str:
        return {"asc": "ascending", "desc": "descending"}.get(self.direction, "none")


@dataclass
class ListPage:
    queryset: Any  # filtered and ordered, not paged
    page_obj: Any
    sort: str  # the sort in force, e.g. "-raised"
    filtered: bool
    export: bool
    headers: list[Header] = field(default_factory=list)

    @property
    def count(self) -> int:
        return self.page_obj.paginator.count

    @property
    def sort_options(self) -> list[tuple[str, Any, str]]:
        """(value, column label, "asc"/"desc") for the sort menu of the filter form (the phone hides the headers)."""
        return [(v, h.label, d) for h in self.headers if h.key for v, d in ((h.key, "asc"), (f"-{h.key}", "desc"))]

    def rows_for_export(self, limit: int = EXPORT_LIMIT) -> Any:
        return self.queryset[:limit]


def form_filters(form: Any) -> dict[str, Any]:
    """The filters a bound, valid filter form holds (empty ones left out); none when it is unbound or invalid."""
    if not form.is_bound or not form.is_valid():
        return {}
    return {k: v for k, v in form.cleaned_data.items() if v not in ("", None, False)}


def parse_sort(value: str | None, sorts: Mapping[str, Any], default: str) -> str:
    """The requested sort if its key is allowed, else the default."""
    value = (value or "").strip()
    key = value[1:] if value.startswith("-") else value
    return value if key and key in sorts else default


def rank(field_name: str, values: Sequence[str]) -> Any:
    """An expression ordering a choice field in the order given (a workflow's or a scale's), not alphabetically by
    its code: `sorts={"urgency": rank("urgency", Urgency.values)}`."""
    from django.db.models import Case, IntegerField, Value, When

    return Case(*[When(**{field_name: v}, then=Value(i)) for i, v in enumerate(values)],
                default=Value(len(values)), output_field=IntegerField())


def order_fields(sort: str, sorts: Mapping[str, Any]) -> list[Any]:
    """The order_by arguments of a sort: each field of its key (a "-field" flips), expressions ascending or
    descending, then the primary key the same way."""
    if not sort:
        return []
    desc = sort.startswith("-")
    fields = sorts[sort.lstrip("-")]
    fields = [fields] if isinstance(fields, str) or not isinstance(fields, list | tuple) else list(fields)
    out: list[Any] = []
    for f in fields:
        if not isinstance(f, str):  # an expression (rank(...))
            out.append(f.desc() if desc else f.asc())
            continue
        flip = f.startswith("-")
        name = f.lstrip("-")
        out.append(f"-{name}" if desc != flip else name)
    out.append("-pk" if desc else "pk")
    return out


def list_page(
    request: HttpRequest, queryset: Any, *, sorts: Mapping[str, Any], default: str = "",
    filters: Mapping[str, Any] | None = None, columns: Iterable[tuple[Any, str]] = (), per_page: int | None = None,
) -> ListPage:
    """One page of `queryset` sorted as the request asks (within `sorts`), with the column headers to render.
    `filters` are the filters in force (for the empty state); by default any query parameter but page/sort/format."""
    sort = parse_sort(request.GET.get("sort"), sorts, default)
    fields = order_fields(sort, sorts)
    if fields and hasattr(queryset, "order_by"):
        queryset = queryset.order_by(*fields)
    if filters is None:
        filtered = any(v for k, v in request.GET.items() if k not in NOT_FILTERS)
    else:
        filtered = any(v not in ("", None, False) for v in filters.values())
    export = request.GET.get("format") == "xlsx"
    page_obj = None if export else paginate(request, queryset, per_page)
    return ListPage(queryset=queryset, page_obj=page_obj, sort=sort, filtered=filtered, export=export,
                    headers=_headers(request, columns, sorts, sort))


def _headers(request: HttpRequest, columns: Iterable[tuple[Any, str]], sorts: Mapping[str, Any],
             sort: str) -> list[Header]:
    out = []
    for label, key in columns:
        if not key or key not in sorts:
            out.append(Header(label))
            continue
        direction = "asc" if sort == key else "desc" if sort == f"-{key}" else ""
        params = request.GET.copy()
        params["sort"] = f"-{key}" if direction == "asc" else key
        params.pop("page", None)
        params.pop("format", None)
        out.append(Header(label, key, direction, params.urlencode()))
    return out


def xlsx_response(name: str, headers: Sequence[Any], rows: Iterable[Sequence[Any]],
                  *, widths: Sequence[int] = (), mask: Callable[[str], str] = personal.mask_text) -> HttpResponse:
    """An xlsx download of `rows` under `headers`: every text cell passes the personal-data mask (ID numbers and
    phone numbers) and the formula guard (`core.xlsx.append_row`)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = str(name)[:31]
    xlsx.append_row(ws, [str(h) for h in headers])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        xlsx.append_row(ws, [mask(v) if isinstance(v, str) else v for v in (_plain(v) for v in row)])
    from openpyxl.utils import get_column_letter

    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    response = HttpResponse(xlsx.workbook_bytes(wb), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


def _plain(value: Any) -> Any:
    """A cell value openpyxl can store: aware datetimes in local time without the zone, lazy text as text."""
    import datetime as dt

    from django.utils.functional import Promise

    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    if value is None:
        return ""
    return value
