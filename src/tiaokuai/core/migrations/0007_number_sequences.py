"""Numbers without a lock held to commit on PostgreSQL (ADR 0017): the day's `base` on the counter row, and
core_next_number(), which gives the next number of a day from the kind's own sequence (`core_number_<prefix>`,
made by the app that numbers with that prefix) or, for a kind without one, from the counter row as before."""

from django.db import migrations, models

# Frozen here (a later change of the function is a new migration). Arguments: the prefix, the Asia/Shanghai day,
# where numbers of the prefix are stored (table, column; NULL: nowhere) and the day's head "CS-20261207-".
NEXT_NUMBER = r"""
CREATE OR REPLACE FUNCTION core_next_number(p_prefix text, p_day date, p_table text, p_column text, p_head text)
RETURNS bigint LANGUAGE plpgsql VOLATILE AS $fn$
DECLARE
    seq regclass := to_regclass('core_number_' || lower(p_prefix));
    day_base bigint;
    given bigint;
    stored bigint := 0;
BEGIN
    IF seq IS NOT NULL THEN
        -- The day's base is fixed once committed; a number is the sequence's next value minus it.
        SELECT base INTO day_base FROM core_numbercounter
         WHERE prefix = p_prefix AND day = p_day AND base IS NOT NULL;
        IF day_base IS NOT NULL THEN
            RETURN nextval(seq) - day_base;
        END IF;
        -- First number of the day: one writer at a time sets the base (the lock is held to its commit).
        PERFORM pg_advisory_xact_lock(hashtext('core_number_' || p_prefix || p_day::text));
        SELECT base INTO day_base FROM core_numbercounter
         WHERE prefix = p_prefix AND day = p_day AND base IS NOT NULL;
        IF day_base IS NOT NULL THEN
            RETURN nextval(seq) - day_base;
        END IF;
    END IF;
    IF p_table IS NOT NULL THEN  -- the highest number of the day already stored (rows loaded in bulk)
        EXECUTE format('SELECT CAST(ltrim(substr(%1$I, %2$s), ''Z'') AS bigint) FROM %3$I '
                       'WHERE %1$I >= $1 AND %1$I < $2 ORDER BY %1$I DESC LIMIT 1',
                       p_column, length(p_head) + 1, p_table)
           INTO stored USING p_head, p_head || '~';
        stored := COALESCE(stored, 0);
    END IF;
    IF seq IS NULL THEN  -- a kind without a sequence: the counter row, locked until the caller's commit
        INSERT INTO core_numbercounter (prefix, day, last) VALUES (p_prefix, p_day, 1 + stored)
        ON CONFLICT (prefix, day) DO UPDATE SET last = core_numbercounter.last + 1
        RETURNING last INTO given;
        RETURN given;
    END IF;
    given := nextval(seq);
    day_base := given - 1 - GREATEST(stored, COALESCE(
        (SELECT last FROM core_numbercounter WHERE prefix = p_prefix AND day = p_day), 0));
    INSERT INTO core_numbercounter (prefix, day, last, base) VALUES (p_prefix, p_day, 0, day_base)
    ON CONFLICT (prefix, day) DO UPDATE SET base = EXCLUDED.base;
    RETURN given - day_base;
END
$fn$
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(NEXT_NUMBER, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS core_next_number(text, date, text, text, text)")


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0006_two_factor_export_unmasked"),
    ]

    operations = [
        migrations.AddField(
            model_name="numbercounter",
            name="base",
            field=models.BigIntegerField(blank=True, null=True, verbose_name="sequence base"),
        ),
        migrations.RunPython(create, drop, elidable=False),
    ]
