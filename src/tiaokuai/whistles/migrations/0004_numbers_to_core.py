"""Whistle numbers come from the kernel's counter (core.NumberCounter, prefix "CS"): copy the per-day rows
there, then drop the whistle-only counter. Reversible: the reverse copies the CS rows back."""

from django.db import migrations

PREFIX = "CS"


def to_core(apps, schema_editor):
    old = apps.get_model("whistles", "WhistleNumberCounter")
    new = apps.get_model("core", "NumberCounter")
    db = schema_editor.connection.alias
    existing = dict(new.objects.using(db).filter(prefix=PREFIX).values_list("day", "last"))
    rows = []
    for day, last in old.objects.using(db).values_list("day", "last").iterator():
        if day not in existing:
            rows.append(new(prefix=PREFIX, day=day, last=last))
        elif existing[day] < last:  # a counter never goes back
            new.objects.using(db).filter(prefix=PREFIX, day=day).update(last=last)
    new.objects.using(db).bulk_create(rows, batch_size=1000)


def to_whistles(apps, schema_editor):
    old = apps.get_model("whistles", "WhistleNumberCounter")
    new = apps.get_model("core", "NumberCounter")
    db = schema_editor.connection.alias
    old.objects.using(db).bulk_create(
        [old(day=day, last=last) for day, last in
         new.objects.using(db).filter(prefix=PREFIX).values_list("day", "last").iterator()],
        batch_size=1000)
    new.objects.using(db).filter(prefix=PREFIX).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0003_number_counter"),
        ("whistles", "0003_number_counter"),
    ]

    operations = [
        migrations.RunPython(to_core, to_whistles),
        migrations.DeleteModel(name="WhistleNumberCounter"),
    ]
