"""PostgreSQL: citizen request numbers (RQ-…) from their own sequence, no lock held to commit (ADR 0017)."""

from django.db import migrations

from tiaokuai.core.numbering import sequence_operation


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0007_number_sequences"),
        ("intake", "0007_sms_callback"),
    ]

    operations = [sequence_operation("RQ")]
