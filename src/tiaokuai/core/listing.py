"""The one list-page pattern (filters, search, sortable columns, server-side paging, xlsx export of what is filtered,
an empty state that says what to do), served by `list_page` and the template include `core/_list.html`.

A view asks its selector for the viewer's scoped, filtered queryset, then:

    lp = list_page(request, qs, sorts={"number": "number", "raised": ("raised_at",)}, default="-raised",
                   filters=active_filters, columns=[(_("Number"), "number"), (_("Item"), ""), ...])
    if lp.export:      # ?format=xlsx: the same filter and order, not paged
        return xlsx_response("whistles", headers, (row(w) for w in lp.rows_for_export()))
    render(..., {"list": lp, ...})

`?sort=key` sorts ascending, `?sort=-key` descending; only keys in `sorts` are honoured (anything else falls back to
the default: no user input reaches `order_by`). The primary key breaks ties so paging is stable. Paging is by page
numbers (`core.paging.paginate`), or, for lists that grow with history (`keyset=True`), by cursor
(`core.paging.cursor_paginate`: page 5,000 costs what page 1 costs) whenever the sort in force is on the list's own
columns, with a count that stops at `count_cap`. The template include renders the header links (an arrow shows
the direction; `aria-sort` on the header cell) and keeps the sort and filters in every link."""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db.models import F, OrderBy, Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from . import personal, xlsx
from .paging import CursorPage, cursor_paginate, keys_of, paginate

XLSX_TYPE = xlsx.XLSX_TYPE
EXPORT_LIMIT = 10000  # rows in one export (the filters narrow it down)
NOT_FILTERS = frozenset({"page", "cursor", "sort", "format"})
COUNT_CAP = 1000  # a keyset list's count stops here ("more than 1,000"): counting a whole history costs what it weighs


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
    can_export_unmasked: bool = False  # the user holds core.export_unmasked (the page offers the unmasked export)
    export_params: list[tuple[str, str]] = field(default_factory=list)  # the filters, for the unmasked export form
    count_queryset: Any = None  # what a keyset list counts (default: queryset), e.g. a cheaper shape of the same rows
    count_cap: int = COUNT_CAP

    @property
    def cursor(self) -> bool:
        return isinstance(self.page_obj, CursorPage)

    @cached_property
    def _counted(self) -> int:
        if not self.cursor:
            return self.page_obj.paginator.count
        qs = self.count_queryset if self.count_queryset is not None else self.queryset
        return qs.values("pk")[:self.count_cap + 1].count()

    @property
    def count(self) -> int:
        return min(self._counted, self.count_cap) if self.cursor else self._counted

    @property
    def count_capped(self) -> bool:
        return self.cursor and self._counted > self.count_cap

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
    descending, `F("due")` with empty values last in both directions (a keyset follows it: core.paging), an
    `OrderBy` (a selector's own order, e.g. a clock's `order_by_due()`) flipped for "-key" with its nulls where they
    were, then the primary key the same way."""
    if not sort:
        return []
    desc = sort.startswith("-")
    fields = sorts[sort.lstrip("-")]
    fields = [fields] if isinstance(fields, str) or not isinstance(fields, list | tuple) else list(fields)
    out: list[Any] = []
    for f in fields:
        if isinstance(f, F):  # a field (or annotation) whose empty values sort last either way: deadline-first queues
            out.append(f.desc(nulls_last=True) if desc else f.asc(nulls_last=True))
            continue
        if isinstance(f, OrderBy):  # a selector's own order (a clock's due expression): flipped, its nulls kept
            out.append(OrderBy(f.expression, descending=f.descending != desc, nulls_last=f.nulls_last or None,
                               nulls_first=f.nulls_first or None))
            continue
        if not isinstance(f, str):  # an expression (rank(...))
            out.append(f.desc() if desc else f.asc())
            continue
        flip = f.startswith("-")
        name = f.lstrip("-")
        out.append(f"-{name}" if desc != flip else name)
    out.append("-pk" if desc else "pk")
    return out


def narrow(queryset: Any, filters: Mapping[str, Any], *, search: Sequence[str] = (),
           lookups: Mapping[str, str] | None = None) -> Any:
    """A work queue's page filters over what its selector returns (the selector keeps the scope and the order):
    `filters["q"]` searched (case-insensitive, any of the `search` fields), and each filter named in `lookups`
    applied as that lookup (`{"status": "status", "township": "request__township__code"}`); empty ones left out.
    Only names the view lists reach the query, never a parameter's name."""
    q = str(filters.get("q") or "").strip()
    if q and search:
        cond = Q()
        for name in search:
            cond |= Q(**{f"{name}__icontains": q})
        queryset = queryset.filter(cond)
    for key, lookup in (lookups or {}).items():
        value = filters.get(key)
        if value not in ("", None, False):
            queryset = queryset.filter(**{lookup: value})
    return queryset


def list_page(
    request: HttpRequest, queryset: Any, *, sorts: Mapping[str, Any], default: str = "",
    filters: Mapping[str, Any] | None = None, columns: Iterable[tuple[Any, str]] = (), per_page: int | None = None,
    personal_data: bool = False, keyset: bool = False, count_queryset: Any = None, count_cap: int = COUNT_CAP,
    search: Sequence[str] = (), lookups: Mapping[str, str] | None = None, ids_first: bool = False,
) -> ListPage:
    """One page of `queryset` sorted as the request asks (within `sorts`), with the column headers to render.
    `filters` are the filters in force (for the empty state); by default any query parameter but page/sort/format.
    `personal_data`: the list holds masked personal data, so a holder of the unmasked-export permission is offered
    the unmasked export (see export_xlsx). `keyset`: page by cursor when the sort allows it (see the module's text;
    `ids_first`: the page's ids found first, for an order no index gives — core.paging.keyset); `count_queryset` then
    counts (up to `count_cap`) instead of the queryset. `search`/`lookups`: the page's own
    filters over the selector's rows (see narrow; they need `filters`). A plain list of rows computed in Python
    (a report) is sorted in Python: its `sorts` map each key to a function of a row."""
    if search or lookups:
        queryset = narrow(queryset, filters or {}, search=search, lookups=lookups)
    sort = parse_sort(request.GET.get("sort"), sorts, default)
    if hasattr(queryset, "order_by"):
        fields = order_fields(sort, sorts)
        if fields:
            queryset = queryset.order_by(*fields)
    elif sort:  # rows computed in Python (a report): each sort key is a function of a row
        queryset = sorted(queryset, key=sorts[sort.lstrip("-")], reverse=sort.startswith("-"))
    if filters is None:
        filtered = any(v for k, v in request.GET.items() if k not in NOT_FILTERS)
    else:
        filtered = any(v not in ("", None, False) for v in filters.values())
    export = request.GET.get("format") == "xlsx"
    if export:
        page_obj = None
    elif keyset and hasattr(queryset, "query") and keys_of(queryset) is not None:
        page_obj = cursor_paginate(request, queryset, per_page, ids_first=ids_first)
    else:
        page_obj = paginate(request, queryset, per_page)
    return ListPage(queryset=queryset, page_obj=page_obj, sort=sort, filtered=filtered, export=export,
                    headers=_headers(request, columns, sorts, sort),
                    can_export_unmasked=personal_data and personal.may_export_unmasked(getattr(request, "user", None)),
                    export_params=personal.export_params(request) if personal_data else [],
                    count_queryset=count_queryset, count_cap=count_cap)


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
        for paging_key in ("page", "cursor", "format"):
            params.pop(paging_key, None)
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
    return xlsx.download(xlsx.workbook_bytes(wb), f"{name}-{timezone.localdate():%Y%m%d}.xlsx")


def export_xlsx(request: HttpRequest, name: str, headers: Sequence[Any],
                rows: Callable[[bool], Iterable[Sequence[Any]]], *, what: str, label: Any,
                filters: Mapping[str, Any] | None = None, widths: Sequence[int] = ()) -> HttpResponse:
    """A list's xlsx download, masked; unmasked only when the request asks for it (`?unmasked=1&purpose=…`) and the
    user holds the unmasked-export permission (core.personal): then `rows(True)` gives the full values, nothing is
    masked, and the export is audited with its purpose, row count and filters. A refusal (403 without the
    permission, 422 without a purpose) writes nothing."""
    unmasked, purpose, refused = personal.export_request(request)
    if refused is not None:
        return refused
    materialised = list(rows(unmasked))
    response = xlsx_response(name, headers, materialised, widths=widths,
                             mask=_as_is if unmasked else personal.mask_text)
    if unmasked:
        personal.record_unmasked_export(actor=request.user, what=what, label=label, rows=len(materialised),
                                        purpose=purpose, filters=dict(filters or {}))
    return response


def _as_is(text: str) -> str:
    return text


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
