"""Domain now lives in org (tiaokuai.org.models.Domain, same table duties_domain): the matter's foreign key
points there and duties drops the model from its migration state. Nothing changes in the database."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('duties', '0003_territorial_body'),
        ('org', '0003_domain_from_duties'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='matter',
                    name='domain',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='matters', to='org.domain', verbose_name='domain'),
                ),
                migrations.DeleteModel(name='Domain'),
            ],
            database_operations=[],
        ),
    ]
