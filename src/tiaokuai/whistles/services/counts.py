"""The board's counts (models.WhistleCount, ADR 0013 and 0015): whistles by status per scope.

A raise writes no counts: the new whistle has in_counts = false and the `whistles.counts` sweep folds such
whistles in (`fold`), while the boards add the few not folded yet (selectors.status_counts). Once a whistle is
in the counts, every change that moves it is kept in the same transaction: a dispatch to a body it had not called
yet (dispatches_added) and each status change (whistle_moved, the WHISTLE workflow's on_change hook, so no
transition can skip it). `recount` folds what is pending, rebuilds the table from the rows and returns the drift.

Scopes (kind, scope_id): ("all", 0); ("town", township) raised there; ("org", organisation) any dispatch, withdrawn
ones too, to it or a unit below it (what staff of a department and its units see: access.scope_whistles);
("tview", township) raised there or calling one of its bodies (what its township staff see)."""

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import connection, transaction

from tiaokuai.org.choices import TOWNSHIP_BODY_KINDS
from tiaokuai.org.models import Organisation

from ..models import Dispatch, Whistle, WhistleCount, not_in_counts_sql

Key = tuple[str, int]
ALL: Key = ("all", 0)
_BODY_KINDS = frozenset(str(k) for k in TOWNSHIP_BODY_KINDS)


Place = tuple[int, str, int | None, tuple[int, ...]]  # organisation, kind, division, the units above it


def keys_of(township_id: int, places: Iterable[Place]) -> set[Key]:
    """The scopes a whistle raised in `township_id` counts in, given every body it has called."""
    keys: set[Key] = {ALL, ("town", township_id), ("tview", township_id)}
    for org_id, kind, division_id, above in places:
        keys.add(("org", org_id))
        keys.update(("org", a) for a in above)
        if str(kind) in _BODY_KINDS and division_id is not None:
            keys.add(("tview", division_id))
    return keys


def ancestors(org_ids: Iterable[int]) -> dict[int, tuple[int, ...]]:
    """organisation → the units above it (nearest first), at any depth: one recursive query."""
    ids = sorted(set(org_ids))
    if not ids:
        return {}
    table = connection.ops.quote_name(Organisation._meta.db_table)
    marks = ", ".join(["%s"] * len(ids))
    # Only the quoted table name and placeholders are interpolated.
    sql = (f"WITH RECURSIVE up(org, anc, depth) AS (SELECT id, parent_id, 1 FROM {table} WHERE id IN ({marks}) "  # noqa: S608
           f"AND parent_id IS NOT NULL UNION SELECT u.org, o.parent_id, u.depth + 1 FROM up u JOIN {table} o "
           f"ON o.id = u.anc WHERE o.parent_id IS NOT NULL AND u.depth < 32) SELECT org, anc FROM up ORDER BY org, depth")
    out: dict[int, list[int]] = {i: [] for i in ids}
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        for org, anc in cursor.fetchall():
            out[org].append(anc)
    return {k: tuple(v) for k, v in out.items()}


def places(rows: Iterable[tuple[int, str, int | None, int | None]]) -> list[Place]:
    """(organisation, kind, division, parent) rows → places, asking for the units above only when there are any."""
    rows = list(rows)
    above = ancestors(r[0] for r in rows if r[3] is not None)
    return [(o, k, d, above.get(o, ())) for o, k, d, _p in rows]


def _places_of(whistle: Whistle) -> list[Place]:
    return places(Dispatch.objects.filter(whistle_id=whistle.pk).order_by().values_list(
        "organisation_id", "organisation__kind", "organisation__division_id", "organisation__parent_id").distinct())


def _in_counts(whistle_id: int, *, lock: bool) -> bool:
    """Whether the counts include this whistle yet. Read after the caller holds the whistle's row (lock=False:
    the workflow's compare-and-set has just updated it) or taking it (lock=True), so on PostgreSQL a concurrent
    fold either committed before (true: the change is counted here) or waits and then counts the whistle as this
    transaction leaves it (false: nothing to do here)."""
    qs = Whistle.objects.filter(pk=whistle_id)
    if lock:
        qs = qs.select_for_update()
    return bool(qs.values_list("in_counts", flat=True).first())


def bump(deltas: Mapping[tuple[str, int, str], int]) -> None:
    """Add each delta to its (kind, scope_id, status) row, creating it at the delta: one statement."""
    rows = [(k, i, s, n) for (k, i, s), n in deltas.items() if n]
    if not rows:
        return
    table = connection.ops.quote_name(WhistleCount._meta.db_table)
    values = ", ".join(["(%s, %s, %s, %s)"] * len(rows))
    params = [v for row in rows for v in row]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (kind, scope_id, status, n) VALUES {values} "  # noqa: S608 (placeholders only)
            f"ON CONFLICT (kind, scope_id, status) DO UPDATE SET n = {table}.n + excluded.n", params)


def whistle_moved(whistle: Any, old: str, new: str) -> None:
    """A status change (WHISTLE.on_change, inside Workflow.apply's transaction): -1 old, +1 new in every scope —
    once the whistle is in the counts; before that the fold counts it in the status it has then."""
    if not _in_counts(whistle.pk, lock=False):
        return
    deltas: Counter = Counter()
    for k, i in keys_of(whistle.township_id, _places_of(whistle)):
        deltas[(k, i, old)] -= 1
        deltas[(k, i, new)] += 1
    bump(deltas)


def keys_before(whistle: Whistle) -> set[Key] | None:
    """The whistle's scopes now — read before new dispatches are written (dispatches_added); None when the
    whistle is not in the counts yet (the fold will count all its dispatches). Takes the whistle's row."""
    if not _in_counts(whistle.pk, lock=True):
        return None
    return keys_of(whistle.township_id, _places_of(whistle))


def dispatches_added(whistle: Whistle, before: set[Key] | None, org_ids: Iterable[int]) -> None:
    """New dispatches on an existing whistle: +1 in its current status for each scope it did not count in."""
    if before is None:
        return
    new = places(Organisation.objects.filter(pk__in=list(org_ids)).values_list("pk", "kind", "division_id",
                                                                                "parent_id"))
    added = keys_of(whistle.township_id, new) - before
    bump({(k, i, str(whistle.status)): 1 for k, i in added})


def fold(limit: int = 5000) -> int:
    """Fold up to `limit` whistles not in the counts yet into them (+1 in their status for every scope, with all
    their dispatches); the number folded. One transaction: the whistles are claimed (in_counts = true) by one
    UPDATE … RETURNING, which on PostgreSQL waits for a transition holding a whistle's row and then returns the
    status it left."""
    table = connection.ops.quote_name(Whistle._meta.db_table)
    qn = connection.ops.quote_name
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Quoted names and the code's own condition only.
            cursor.execute(
                f"UPDATE {table} SET {qn('in_counts')} = %s WHERE {qn('id')} IN (SELECT {qn('id')} FROM {table} "  # noqa: S608
                f"WHERE {not_in_counts_sql()} ORDER BY {qn('id')} LIMIT %s) AND {qn('in_counts')} = %s "
                f"RETURNING {qn('id')}, {qn('status')}, {qn('township_id')}", [True, limit, False])
            claimed = cursor.fetchall()
        if not claimed:
            return 0
        rows = list(Dispatch.objects.filter(whistle_id__in=[w for w, _s, _t in claimed]).order_by().values_list(
            "whistle_id", "organisation_id", "organisation__kind", "organisation__division_id",
            "organisation__parent_id").distinct())
        place_of = {p[0]: p for p in places({r[1:] for r in rows})}
        called: dict[int, list[Place]] = {}
        for whistle_id, org_id, *_rest in rows:
            called.setdefault(whistle_id, []).append(place_of[org_id])
        deltas: Counter = Counter()
        for whistle_id, status, township_id in claimed:
            for k, i in keys_of(township_id, called.get(whistle_id, [])):
                deltas[(k, i, str(status))] += 1
        bump(deltas)
    return len(claimed)


def fold_sweep(now: Any) -> dict[str, int]:
    """The worker's sweep: fold the whistles raised since the last tick."""
    from tiaokuai.core.sweeps import out_of_time

    folded = 0
    while True:
        n = fold()
        folded += n
        if n == 0 or out_of_time():
            break
    return {"folded": folded}


# ---------------------------------------------------------------------------------------------- recounting


def _recount_sql() -> str:
    w = Whistle._meta.db_table
    d = Dispatch._meta.db_table
    o = Organisation._meta.db_table
    kinds = ", ".join(f"'{k}'" for k in sorted(_BODY_KINDS))  # the code's own constants, never input
    assert all(k.replace("_", "").isalpha() for k in _BODY_KINDS)
    return f"""
        WITH RECURSIVE up(org, anc, depth) AS (
            SELECT id, id, 0 FROM {o}
            UNION SELECT u.org, p.parent_id, u.depth + 1 FROM up u JOIN {o} p ON p.id = u.anc
                WHERE p.parent_id IS NOT NULL AND u.depth < 32)
        SELECT 'all', 0, status, COUNT(*) FROM {w} GROUP BY status
        UNION ALL
        SELECT 'town', township_id, status, COUNT(*) FROM {w} GROUP BY township_id, status
        UNION ALL
        SELECT 'org', x.organisation_id, x.status, COUNT(*) FROM (
            SELECT DISTINCT up.anc AS organisation_id, d.whistle_id, w.status FROM {d} d
                JOIN up ON up.org = d.organisation_id JOIN {w} w ON w.id = d.whistle_id
        ) x GROUP BY x.organisation_id, x.status
        UNION ALL
        SELECT 'tview', y.t, y.status, COUNT(*) FROM (
            SELECT township_id AS t, id, status FROM {w}
            UNION
            SELECT o.division_id, w.id, w.status FROM {d} d JOIN {o} o ON o.id = d.organisation_id
                JOIN {w} w ON w.id = d.whistle_id WHERE o.kind IN ({kinds}) AND o.division_id IS NOT NULL
        ) y GROUP BY y.t, y.status"""  # noqa: S608 (table names and the code's own constants)


def recount() -> dict[tuple[str, int, str], tuple[int, int]]:
    """Rebuild the table from the whistles and dispatches; {(kind, scope, status): (kept, counted)} for every
    row that differed (empty: no drift). One transaction; on PostgreSQL the table is locked against the
    services' updates first, so a concurrent change is either counted here or applied after."""
    with transaction.atomic():
        while fold():
            pass
        table = connection.ops.quote_name(WhistleCount._meta.db_table)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute(_recount_sql())
            counted = {(k, int(i), s): int(n) for k, i, s, n in cursor.fetchall() if i is not None}
        kept = {(k, i, s): n for k, i, s, n in WhistleCount.objects.values_list("kind", "scope_id", "status", "n")}
        drift = {key: (kept.get(key, 0), counted.get(key, 0)) for key in set(kept) | set(counted)
                 if kept.get(key, 0) != counted.get(key, 0)}
        if drift:
            WhistleCount.objects.all().delete()
            WhistleCount.objects.bulk_create(
                [WhistleCount(kind=k, scope_id=i, status=s, n=n) for (k, i, s), n in counted.items()],
                batch_size=1000)
    return drift
