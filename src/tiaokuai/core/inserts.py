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

from .numbering import Numbered


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


def insert[M: models.Model](obj: M, *, number: Numbered | None = None) -> M:
    """INSERT one unsaved instance (pk unset); sets its pk. number=core.numbering.numbered(…): the row's number is
    given by the same statement (and set on the instance from RETURNING)."""
    if number is None:
        insert_many([obj])
        return obj
    model = type(obj)
    connection = connections[DEFAULT_DB_ALIAS]
    fields = [f for f in _fields(model) if f.name != number.field]
    number_column = model._meta.get_field(number.field).column
    sql = _numbered_statement(model, tuple(f.column for f in fields), number_column, number.with_sql,
                              number.value_sql)
    params = [*number.with_params, *(f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields),
              *number.value_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        pk, value = cursor.fetchone()
    obj.pk = pk
    setattr(obj, number.field, value)
    obj._state.adding = False
    obj._state.db = connection.alias
    return obj


@lru_cache(maxsize=16)
def _numbered_statement(model: type[models.Model], columns: tuple[str, ...], number_column: str, with_sql: str,
                        value_sql: str) -> str:
    qn = connections[DEFAULT_DB_ALIAS].ops.quote_name
    return "{}INSERT INTO {} ({}, {}) VALUES ({}, {}) RETURNING {}, {}".format(  # noqa: S608 (metadata, own SQL)
        f"WITH {with_sql} " if with_sql else "", qn(model._meta.db_table), ", ".join(qn(c) for c in columns),
        qn(number_column), ", ".join(["%s"] * len(columns)), value_sql, qn(model._meta.pk.column),
        qn(number_column))
