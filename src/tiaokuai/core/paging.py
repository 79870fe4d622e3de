"""Paging of lists: page numbers (``paginate``) where a person needs them, keyset cursors (``cursor_paginate``,
``keyset``) for the long lists and the API.

A keyset page reads "the next `limit` rows after this row in the list's order" — a range an index serves — so
page 5,000 costs what page 1 costs (an OFFSET reads and throws away every row before it). The cursor is the
ordering key of the last (or first) row shown, opaque to the caller (base64 of JSON). It carries no rights:
the scoped queryset still decides what the viewer sees; a tampered cursor only moves the window inside it."""

import base64
import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import F, OrderBy, Q, QuerySet


def paginate(request, queryset, per_page: int | None = None):
    paginator = Paginator(queryset, per_page or settings.TIAOKUAI["PAGE_SIZE"])
    return paginator.get_page(request.GET.get("page"))


# --------------------------------------------------------------------------- keyset (cursor) paging


class CursorError(ValueError):
    """A cursor that is not one this module made for this ordering."""


@dataclass(frozen=True)
class Key:
    """One ordering key: a local column or an annotation (no joins: its value is read from the row)."""

    name: str
    descending: bool = False
    nulls_last: bool | None = None  # None: the column holds no NULLs (the key may not be NULL)

    def reversed(self) -> "Key":
        nulls = None if self.nulls_last is None else not self.nulls_last
        return Key(self.name, not self.descending, nulls)

    def order_by(self) -> OrderBy:
        expr = F(self.name)
        if self.nulls_last is None:
            return expr.desc() if self.descending else expr.asc()
        kw = {"nulls_last": True} if self.nulls_last else {"nulls_first": True}
        return expr.desc(**kw) if self.descending else expr.asc(**kw)

    def after(self, value: Any) -> Q:
        """Rows strictly after `value` in this key's order."""
        op = "lt" if self.descending else "gt"
        if self.nulls_last is None:
            return Q(**{f"{self.name}__{op}": value})
        if value is None:  # NULLs last: nothing after the NULL block; NULLs first: every non-NULL
            return Q(pk__in=[]) if self.nulls_last else Q(**{f"{self.name}__isnull": False})
        cond = Q(**{f"{self.name}__{op}": value})
        return cond | Q(**{f"{self.name}__isnull": True}) if self.nulls_last else cond

    def equal(self, value: Any) -> Q:
        return Q(**{f"{self.name}__isnull": True}) if value is None else Q(**{self.name: value})


def keys_of(queryset: QuerySet) -> list[Key] | None:
    """The keys of a queryset's ordering (its own or its model's), the primary key added last when missing (so
    every row has a unique place); None when the ordering is not one a keyset can follow (joins, expressions)."""
    ordering = list(queryset.query.order_by) or list(queryset.query.get_meta().ordering or [])
    keys: list[Key] = []
    for item in ordering:
        if isinstance(item, str):
            desc = item.startswith("-")
            name = item.lstrip("-+")
            key = Key(name, desc)
        elif isinstance(item, OrderBy) and isinstance(item.expression, F):
            nulls = True if item.nulls_last else (False if item.nulls_first else None)
            key = Key(item.expression.name, item.descending, nulls)
        else:
            return None
        if "__" in key.name or key.name == "?":
            return None
        if key.name == "pk":
            key = Key(queryset.model._meta.pk.attname, key.descending, key.nulls_last)
        keys.append(key)
    pk = queryset.model._meta.pk.attname
    if not any(k.name == pk for k in keys):
        keys.append(Key(pk, keys[-1].descending if keys else False))
    return keys


def _encode_value(v: Any) -> Any:
    if isinstance(v, dt.datetime):
        return {"t": v.isoformat()}
    if isinstance(v, dt.date):
        return {"d": v.isoformat()}
    if isinstance(v, Decimal):
        return {"n": str(v)}
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    return str(v)


def _decode_value(v: Any) -> Any:
    if isinstance(v, dict) and len(v) == 1:
        (tag, raw), = v.items()
        if tag == "t":
            return dt.datetime.fromisoformat(raw)
        if tag == "d":
            return dt.date.fromisoformat(raw)
        if tag == "n":
            return Decimal(raw)
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    raise CursorError("bad value")


def encode_cursor(values: list[Any], *, backwards: bool = False) -> str:
    data = json.dumps({"v": [_encode_value(v) for v in values], **({"b": 1} if backwards else {})},
                      separators=(",", ":"))
    return base64.urlsafe_b64encode(data.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, n_keys: int) -> tuple[list[Any], bool]:
    """(key values, backwards) of a cursor; CursorError when it is not one of ours for `n_keys` keys."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        values = [_decode_value(v) for v in data["v"]]
        backwards = bool(data.get("b"))
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise CursorError("bad cursor") from exc
    if len(values) != n_keys:
        raise CursorError("bad cursor")
    return values, backwards


def _row_values(row: Any, keys: list[Key]) -> list[Any]:
    if isinstance(row, dict):  # a .values() queryset
        return [row[k.name] for k in keys]
    return [getattr(row, k.name) for k in keys]


def _after(keys: list[Key], values: list[Any]) -> Q:
    """Rows after the row with these key values, in the keys' order: (k1 after v1) or (k1 = v1 and k2 after v2)…"""
    cond = Q(pk__in=[])
    prefix = Q()
    for key, value in zip(keys, values, strict=True):
        cond |= prefix & key.after(value)
        prefix &= key.equal(value)
    return cond


@dataclass
class CursorPage:
    """One keyset page: its rows, the cursors of the pages either side (None at an end), and whether it is the
    first page (no cursor given)."""

    object_list: list[Any]
    next_cursor: str | None = None
    previous_cursor: str | None = None
    is_first: bool = True
    per_page: int = 0

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous or not self.is_first


def keyset(queryset: QuerySet, limit: int, cursor: str | None = None, keys: list[Key] | None = None, *,
           ids_first: bool = False) -> CursorPage:
    """The `limit` rows of `queryset` after (or, for a backwards cursor, before) the cursor's row, in the
    queryset's order: one query (plus the queryset's own prefetches), whatever the depth. Raises CursorError
    for a cursor that is not ours, ValueError when the ordering cannot be followed by a keyset.
    ids_first: the window's ids are read first, from the narrowest form of the query (see _window): for an order
    no index gives, which must sort every matching row — sorting them without the page's joins."""
    keys = keys or keys_of(queryset)
    if keys is None:
        raise ValueError("this ordering cannot be paged by a keyset")
    values, backwards = decode_cursor(cursor, len(keys)) if cursor else (None, False)
    walk = [k.reversed() for k in keys] if backwards else keys
    qs = queryset.order_by(*[k.order_by() for k in walk])
    if values is not None:
        qs = qs.filter(_after(walk, values))
    rows = window(qs, 0, limit + 1) if ids_first else list(qs[:limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    if backwards:
        rows.reverse()
    page = CursorPage(rows, is_first=cursor is None, per_page=limit)
    if rows:
        first, last = _row_values(rows[0], keys), _row_values(rows[-1], keys)
        if backwards:
            page.next_cursor = encode_cursor(last)
            page.previous_cursor = encode_cursor(first, backwards=True) if more else None
        else:
            page.next_cursor = encode_cursor(last) if more else None
            page.previous_cursor = encode_cursor(first, backwards=True) if cursor else None
    return page


DEFERRED_JOIN_FROM = 1000  # offsets from here on find the window's ids first


def keyset_at(queryset: QuerySet, limit: int, offset: int = 0, keys: list[Key] | None = None) -> CursorPage:
    """The window at an offset (the API's offset paging, kept for callers that use it) with the cursor of the
    page after it, so a client can go on by keyset."""
    keys = keys or keys_of(queryset)
    if keys is None:
        raise ValueError("this ordering cannot be paged by a keyset")
    ordered = queryset.order_by(*[k.order_by() for k in keys])
    # A deep OFFSET walks and drops every row before the window: walk the narrowest form of the query.
    rows = list(ordered[offset:offset + limit + 1]) if offset < DEFERRED_JOIN_FROM else window(
        ordered, offset, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    page = CursorPage(rows, is_first=offset == 0, per_page=limit)
    if rows and more:
        page.next_cursor = encode_cursor(_row_values(rows[-1], keys))
    return page


def window(ordered: QuerySet, offset: int, size: int) -> list[Any]:
    """The rows [offset, offset + size) of an ordered queryset by a "deferred join": their ids from the query
    without the joins and columns of the page (the rows walked or sorted to find them stay narrow), then those
    rows whole, in the same order."""
    ids = list(ordered.values_list("pk", flat=True)[offset:offset + size])
    position = {pk: i for i, pk in enumerate(ids)}
    return sorted(ordered.filter(pk__in=ids), key=lambda row: position[row.pk])


def cursor_paginate(request, queryset, per_page: int | None = None, *, param: str = "cursor",
                    ids_first: bool = False) -> CursorPage:
    """The keyset page a page request names (?cursor=…; none or a broken one: the first page). The template
    core/_cursor_pagination.html shows first / previous / next."""
    limit = per_page or settings.TIAOKUAI["PAGE_SIZE"]
    cursor = request.GET.get(param) or None
    try:
        return keyset(queryset, limit, cursor, ids_first=ids_first)
    except CursorError:
        return keyset(queryset, limit, None, ids_first=ids_first)
