"""The whistle item's domain points at org.Domain (same table, duties_domain): a state-only change. It runs
before duties forgets its Domain model."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('whistles', '0004_numbers_to_core'),
        ('org', '0003_domain_from_duties'),
    ]
    run_before = [
        ('duties', '0004_domain_to_org'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='whistleitem',
                    name='domain',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='whistle_items', to='org.domain', verbose_name='domain'),
                ),
            ],
            database_operations=[],
        ),
    ]
