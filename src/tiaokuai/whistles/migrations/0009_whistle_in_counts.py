from django.db import migrations, models


def add_column(apps, schema_editor):
    # Whistles stored before this migration are in the counts table already (0008 counted them): they get true;
    # new whistles start at false (the model's default) and the whistles.counts sweep folds them in (ADR 0015).
    # A plain ADD COLUMN with a constant default: instant on both engines, where Django's AddField would rebuild
    # the whole whistle table on SQLite (twice: once more to change the default).
    table = schema_editor.quote_name("whistles_whistle")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {table} ADD COLUMN in_counts boolean NOT NULL DEFAULT true")
        schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN in_counts DROP DEFAULT")
        # Statistics for the new column at once (autovacuum would come later): without them the planner takes half
        # the table for "not in the counts" and the boards' read of the pending whistles walks the dispatches.
        schema_editor.execute(f"ANALYZE {table}")
    else:
        schema_editor.execute(f"ALTER TABLE {table} ADD COLUMN in_counts bool NOT NULL DEFAULT 1")


def drop_column(apps, schema_editor):
    table = schema_editor.quote_name("whistles_whistle")
    schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN in_counts")


class Migration(migrations.Migration):

    dependencies = [
        ("whistles", "0008_whistle_counts"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="whistle",
                    name="in_counts",
                    field=models.BooleanField(default=False, verbose_name="in the board's counts"),
                ),
            ],
            database_operations=[migrations.RunPython(add_column, drop_column)],
        ),
        migrations.AddIndex(
            model_name="whistle",
            index=models.Index(condition=models.Q(("in_counts", False)), fields=["id"],
                               name="whistle_not_in_counts_idx"),
        ),
    ]
