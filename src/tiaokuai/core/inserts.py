"""Plain INSERTs of model instances on hot write paths (a citizen's request, its dispatch, notifications).

The ORM's save() compiles the INSERT afresh on every call (several hundred microseconds of Python for a wide
row); insert() sends the statement built once per model and column list, with each value prepared by its own
field (get_db_prep_save: time zones, decimals, JSON, foreign keys), and reads the new id back with RETURNING.
The instance ends as save() would leave it: pk set, no longer "adding". No model signals are sent (the platform
connects none) and save() overrides are not called — use it only for plain rows inside a service's transaction.
"""

from collections.abc import Sequence
from functools import lru_cache

from django.db import DEFAULT_DB_ALIAS, connections, models


@lru_cache(maxsize=64)
def _statement(model: type[models.Model], columns: tuple[str, ...], rows: int, vendor: str) -> str:
    qn = connections[DEFAULT_DB_ALIAS].ops.quote_name
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    return "INSERT INTO {} ({}) VALUES {} RETURNING {}".format(  # noqa: S608 (model metadata only)
        qn(model._meta.db_table), ", ".join(qn(c) for c in columns), ", ".join([placeholders] * rows),
        qn(model._meta.pk.column))


def _fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def insert_many[M: models.Model](objs: Sequence[M]) -> list[M]:
    """INSERT unsaved instances of one model (their pk unset) in one statement; sets their pks."""
    objs = list(objs)
    if not objs:
        return objs
    model = type(objs[0])
    connection = connections[DEFAULT_DB_ALIAS]  # the connection itself, not the proxy (read for every value)
    if not connection.features.can_return_columns_from_insert:  # pragma: no cover - SQLite < 3.35
        return model._default_manager.bulk_create(objs)  # returns ids from SQLite 3.35 and PostgreSQL
    fields = _fields(model)
    params = []
    for obj in objs:
        params.extend(f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields)
    sql = _statement(model, tuple(f.column for f in fields), len(objs), connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = [row[0] for row in cursor.fetchall()]
    # RETURNING gives the rows in VALUES order on SQLite and PostgreSQL for a single multi-row INSERT.
    for obj, pk in zip(objs, sorted(ids) if len(ids) > 1 else ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs


def insert[M: models.Model](obj: M) -> M:
    """INSERT one unsaved instance (pk unset); sets its pk."""
    insert_many([obj])
    return obj
