"""PostgreSQL: whistle numbers (CS-…) from their own sequence, no lock held to commit (ADR 0017)."""

from django.db import migrations

from tiaokuai.core.numbering import sequence_operation


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0007_number_sequences"),
        ("whistles", "0009_whistle_in_counts"),
    ]

    operations = [sequence_operation("CS")]
