"""The board's counts (models.WhistleCount, ADR 0013 and 0015): whistles by status per scope.

A raise writes no counts: the new whistle has in_counts = false and the `whistles.counts` sweep folds such
whistles in (`fold`), while the boards add the few not folded yet (selectors.status_counts). Once a whistle is
in the counts, every change that moves it is kept in the same transaction: a dispatch to a body it had not called
yet (dispatches_added) and each status change (whistle_moved, the WHISTLE workflow's on_change hook, so no
transition can skip it). `recount` folds what is pending, rebuilds the table from the rows and returns the drift.

Scopes (kind, scope_id): ("all", 0); ("town", township) raised there; ("org", organisation) any dispatch, withdrawn
ones too, to it or a unit below it (what staff of a department and its units see: access.scope_whistles);
("tview", township) raised there or calling one of its bodies (what its township staff see).

Overdue (ADR 0020): a whistle's `overdue_from` is the earliest deadline on its dispatches' running clocks, set by the
raise and refreshed in the transaction of every dispatch change (dispatch_moved, the DISPATCH workflow's on_change;
dispatches_added). The row OVERDUE_COUNT of each scope counts the whistles marked `overdue_counted`: the sweep marks
those whose deadline has passed (count_overdue), a change that leaves a marked whistle on time unmarks it. So a
marked whistle is always overdue, and the card is the marked ones plus the few overdue since the last tick."""

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.db.models import Min, OuterRef, Subquery
from django.utils import timezone

from tiaokuai.org.choices import TOWNSHIP_BODY_KINDS
from tiaokuai.org.models import Organisation

from ..choices import OVERDUE_COUNT, PENDING_DISPATCH
from ..clocks import DISPATCH_CLOCKS
from ..models import Dispatch, Whistle, WhistleCount, not_in_counts_ids_sql, overdue_uncounted_ids_sql

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


def _in_counts(whistle_id: int) -> bool:
    """Whether the counts include this whistle yet. Read after the workflow's compare-and-set has updated the
    whistle's row, so on PostgreSQL a concurrent fold either committed before (true: the change is counted here)
    or waits and then counts the whistle as this transaction leaves it (false: nothing to do here)."""
    return bool(Whistle.objects.filter(pk=whistle_id).values_list("in_counts", flat=True).first())


def bump(deltas: Mapping[tuple[str, int, str], int]) -> None:
    """Add each delta to its (kind, scope_id, status) row, creating it at the delta: one statement. The rows are
    written in one order (sorted) by every transaction, so two that share rows wait for each other rather than
    deadlock on PostgreSQL."""
    rows = sorted((k, i, s, n) for (k, i, s), n in deltas.items() if n)
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
    if not _in_counts(whistle.pk):
        return
    deltas: Counter = Counter()
    for k, i in keys_of(whistle.township_id, _places_of(whistle)):
        deltas[(k, i, old)] -= 1
        deltas[(k, i, new)] += 1
    bump(deltas)


class Before(NamedTuple):
    """What the counts hold of a stored whistle before new dispatches are written (keys_before)."""

    keys: set[Key]
    in_counts: bool
    overdue_counted: bool


def keys_before(whistle: Whistle) -> Before:
    """The whistle's scopes now and whether the counts hold it (by status; as overdue) — read before new dispatches
    are written (dispatches_added). Takes the whistle's row first, so on PostgreSQL a concurrent fold or overdue
    mark either committed before (and is seen here) or waits for this transaction."""
    in_counts, overdue_counted = Whistle.objects.select_for_update().filter(pk=whistle.pk).values_list(
        "in_counts", "overdue_counted").get()
    keys = keys_of(whistle.township_id, _places_of(whistle)) if in_counts or overdue_counted else set()
    return Before(keys, in_counts, overdue_counted)


def dispatches_added(whistle: Whistle, before: Before, org_ids: Iterable[int]) -> None:
    """New dispatches on an existing whistle: +1 in its current status (and as overdue, when it is counted so) for
    each scope it did not count in; its earliest running deadline refreshed."""
    if before.in_counts or before.overdue_counted:
        new = places(Organisation.objects.filter(pk__in=list(org_ids)).values_list("pk", "kind", "division_id",
                                                                                    "parent_id"))
        added = keys_of(whistle.township_id, new) - before.keys
        deltas: Counter = Counter()
        for k, i in added:
            if before.in_counts:
                deltas[(k, i, str(whistle.status))] += 1
            if before.overdue_counted:
                deltas[(k, i, OVERDUE_COUNT)] += 1
        bump(deltas)
    overdue_refreshed(whistle.pk)


# ---------------------------------------------------------------------------------------------- overdue


def earliest_running_deadline(whistle_ref: Any) -> Subquery:
    """The earliest deadline on the running clocks of a whistle's dispatches (NULL: none runs): its own ~2
    dispatches, through the whistle index."""
    return Subquery(
        Dispatch.objects.filter(whistle_id=whistle_ref, status__in=sorted(PENDING_DISPATCH),
                                paused_since__isnull=True)
        .order_by().values("whistle_id").annotate(m=Min(DISPATCH_CLOCKS.due_expression())).values("m")[:1])


def dispatch_moved(dispatch: Any, old: str, new: str) -> None:
    """A dispatch status change (DISPATCH.on_change, inside Workflow.apply's transaction): its whistle's earliest
    running deadline refreshed, and the whistle unmarked as overdue if the change left it on time."""
    overdue_refreshed(dispatch.whistle_id)


def overdue_refreshed(whistle_id: int) -> None:
    """Set the whistle's overdue_from from its dispatches; when it is counted overdue but no longer is, unmark it
    and take it out of every scope's overdue count. The UPDATE takes the whistle's row first, so the mark read
    after it is the one a concurrent sweep left (on PostgreSQL the sweep's UPDATE waits for this one and then
    re-checks its condition on the row as this transaction left it)."""
    Whistle.objects.filter(pk=whistle_id).update(overdue_from=earliest_running_deadline(whistle_id))
    overdue_from, counted, township = Whistle.objects.filter(pk=whistle_id).values_list(
        "overdue_from", "overdue_counted", "township_id").get()
    if not counted or (overdue_from is not None and overdue_from <= timezone.now()):
        return
    Whistle.objects.filter(pk=whistle_id).update(overdue_counted=False)
    called = _places_of(Whistle(pk=whistle_id))
    bump({(k, i, OVERDUE_COUNT): -1 for k, i in keys_of(township, called)})


def count_overdue(now: Any, limit: int = 5000) -> int:
    """Mark up to `limit` whistles whose earliest deadline has passed as counted overdue (+1 in every scope's
    overdue count); the number marked. Claimed over the partial index of those not counted yet (a few: the
    deadlines passed since the last tick), the deadline re-checked on each row."""
    qn = connection.ops.quote_name
    with transaction.atomic():
        marked = _claim("overdue_counted", overdue_uncounted_ids_sql(now), order="overdue_from", limit=limit,
                        still=(f" AND {qn('overdue_from')} <= %s", [connection.ops.adapt_datetimefield_value(now)]),
                        returning=("id", "township_id"))
        if marked:
            keys = _keys_by_whistle(marked)
            bump(Counter((k, i, OVERDUE_COUNT) for whistle_id, _t in marked for k, i in keys[whistle_id]))
    return len(marked)


def _claim(flag: str, candidates: tuple[str, tuple[Any, ...]], *, order: str, limit: int,
           still: tuple[str, list[Any]] = ("", []), returning: tuple[str, ...]) -> list[tuple]:
    """Set the whistles' boolean `flag` on up to `limit` of `candidates` ((SQL, params): a SELECT of ids with the
    flag off), in `order`, and return `returning` of each: one UPDATE … RETURNING whose condition (the flag still
    off, and `still`) is checked again on each row — on PostgreSQL after waiting for a transaction holding it, so a
    row is claimed as that transaction left it, or not at all."""
    table = connection.ops.quote_name(Whistle._meta.db_table)
    qn = connection.ops.quote_name
    sql, params = candidates
    with connection.cursor() as cursor:
        # Quoted names and the model's own conditions only.
        cursor.execute(
            f"UPDATE {table} SET {qn(flag)} = %s WHERE {qn('id')} IN ({sql} ORDER BY {qn(order)} LIMIT %s) "  # noqa: S608
            f"AND {qn(flag)} = %s{still[0]} RETURNING {', '.join(qn(c) for c in returning)}",
            [True, *params, limit, False, *still[1]])
        return cursor.fetchall()


def _keys_by_whistle(whistles: Iterable[tuple[int, int]]) -> dict[int, set[Key]]:
    """(whistle, township) → the scopes each counts in, with all its dispatches: two queries for any number."""
    whistles = list(whistles)
    rows = list(Dispatch.objects.filter(whistle_id__in=[w for w, _t in whistles]).order_by().values_list(
        "whistle_id", "organisation_id", "organisation__kind", "organisation__division_id",
        "organisation__parent_id").distinct())
    place_of = {p[0]: p for p in places({r[1:] for r in rows})}
    called: dict[int, list[Place]] = {}
    for whistle_id, org_id, *_rest in rows:
        called.setdefault(whistle_id, []).append(place_of[org_id])
    return {w: keys_of(t, called.get(w, [])) for w, t in whistles}


def fold(limit: int = 5000) -> int:
    """Fold up to `limit` whistles not in the counts yet into them (+1 in their status for every scope, with all
    their dispatches); the number folded. One transaction: the whistles are claimed (in_counts = true) by one
    UPDATE … RETURNING, which on PostgreSQL waits for a transition holding a whistle's row and then returns the
    status it left."""
    with transaction.atomic():
        claimed = _claim("in_counts", not_in_counts_ids_sql(), order="id", limit=limit,
                         returning=("id", "status", "township_id"))
        if not claimed:
            return 0
        keys = _keys_by_whistle((w, t) for w, _s, t in claimed)
        bump(Counter((k, i, str(status)) for whistle_id, status, _t in claimed for k, i in keys[whistle_id]))
    return len(claimed)


def fold_sweep(now: Any) -> dict[str, int]:
    """The worker's sweep: fold the whistles raised since the last tick, then count those overdue since then."""
    from tiaokuai.core.sweeps import out_of_time

    done = {"folded": 0, "overdue": 0}
    for key, step in (("folded", fold), ("overdue", lambda: count_overdue(now))):
        while True:
            n = step()
            done[key] += n
            if n == 0 or out_of_time():
                break
    return done


# ---------------------------------------------------------------------------------------------- recounting


def _recount_sql() -> str:
    w = Whistle._meta.db_table
    d = Dispatch._meta.db_table
    o = Organisation._meta.db_table
    kinds = ", ".join(f"'{k}'" for k in sorted(_BODY_KINDS))  # the code's own constants, never input
    assert all(k.replace("_", "").isalpha() for k in _BODY_KINDS)
    counted = "true" if connection.vendor == "postgresql" else "1"
    # Each whistle once in its status and once more as OVERDUE_COUNT when it is counted overdue; the scopes below
    # group these rows exactly as they group the whistles.
    return f"""
        WITH RECURSIVE up(org, anc, depth) AS (
            SELECT id, id, 0 FROM {o}
            UNION SELECT u.org, p.parent_id, u.depth + 1 FROM up u JOIN {o} p ON p.id = u.anc
                WHERE p.parent_id IS NOT NULL AND u.depth < 32),
        ws(id, township_id, status) AS (
            SELECT id, township_id, status FROM {w}
            UNION ALL SELECT id, township_id, '{OVERDUE_COUNT}' FROM {w} WHERE overdue_counted = {counted})
        SELECT 'all', 0, status, COUNT(*) FROM ws GROUP BY status
        UNION ALL
        SELECT 'town', township_id, status, COUNT(*) FROM ws GROUP BY township_id, status
        UNION ALL
        SELECT 'org', x.organisation_id, x.status, COUNT(*) FROM (
            SELECT DISTINCT up.anc AS organisation_id, d.whistle_id, w.status FROM {d} d
                JOIN up ON up.org = d.organisation_id JOIN ws w ON w.id = d.whistle_id
        ) x GROUP BY x.organisation_id, x.status
        UNION ALL
        SELECT 'tview', y.t, y.status, COUNT(*) FROM (
            SELECT township_id AS t, id, status FROM ws
            UNION
            SELECT o.division_id, w.id, w.status FROM {d} d JOIN {o} o ON o.id = d.organisation_id
                JOIN ws w ON w.id = d.whistle_id WHERE o.kind IN ({kinds}) AND o.division_id IS NOT NULL
        ) y GROUP BY y.t, y.status"""  # noqa: S608 (table names and the code's own constants)


def fill_overdue_from() -> int:
    """Set overdue_from of every whistle with a running clock from its dispatches, past the services and without
    touching the counts: for rows loaded in bulk (the migration, the demo history, the bench data), before
    `recount`. The number of whistles set."""
    running = Dispatch.objects.filter(status__in=sorted(PENDING_DISPATCH), paused_since__isnull=True).values(
        "whistle_id")
    return Whistle.objects.filter(pk__in=running).update(overdue_from=earliest_running_deadline(OuterRef("pk")))


def _overdue_from_repaired() -> int:
    """Whistles whose overdue_from differs from their dispatches (a write past the services), set again through
    overdue_refreshed (which unmarks and uncounts those no longer overdue); how many there were."""
    expected = dict(Dispatch.objects.filter(status__in=sorted(PENDING_DISPATCH), paused_since__isnull=True)
                    .order_by().values("whistle_id").annotate(m=Min(DISPATCH_CLOCKS.due_expression()))
                    .values_list("whistle_id", "m"))
    stored = dict(Whistle.objects.filter(overdue_from__isnull=False).values_list("pk", "overdue_from"))
    wrong = sorted(w for w in set(expected) | set(stored) if expected.get(w) != stored.get(w))
    for whistle_id in wrong:
        with transaction.atomic():
            overdue_refreshed(whistle_id)
    return len(wrong)


def recount() -> dict[tuple[str, int, str], tuple[int, int]]:
    """Rebuild the table from the whistles and dispatches; {(kind, scope, status): (kept, counted)} for every
    row that differed (empty: no drift) — and ("whistle", 0, "overdue_from"): (wrong, 0) when whistles' earliest
    deadlines had drifted from their dispatches (set again first). One transaction after that repair; on
    PostgreSQL the table is locked against the services' updates first, so a concurrent change is either counted
    here or applied after."""
    wrong = _overdue_from_repaired()
    with transaction.atomic():
        while fold():
            pass
        now = timezone.now()
        while count_overdue(now):
            pass
        table = connection.ops.quote_name(WhistleCount._meta.db_table)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
            # Marked overdue but on time (a write past the services): unmarked; the recount below then counts it so.
            Whistle.objects.filter(overdue_counted=True).exclude(overdue_from__lte=now).update(overdue_counted=False)
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
    if wrong:
        drift[("whistle", 0, "overdue_from")] = (wrong, 0)
    return drift
