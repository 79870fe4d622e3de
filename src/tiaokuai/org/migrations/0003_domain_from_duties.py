"""Domain moves from duties to org (below both duties and org's certificates), in the migration state
only: the table keeps its name (duties_domain) and its rows; no data is copied and no column changes."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('org', '0002_more_registry_fields'),
        ('duties', '0003_territorial_body'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Domain',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(max_length=16, unique=True, verbose_name='code')),
                        ('name', models.CharField(max_length=40, verbose_name='name')),
                        ('order', models.PositiveSmallIntegerField(default=0, verbose_name='order')),
                    ],
                    options={
                        'verbose_name': 'domain',
                        'verbose_name_plural': 'domains',
                        'db_table': 'duties_domain',
                        'ordering': ['order', 'code'],
                    },
                ),
                migrations.AlterField(
                    model_name='certificate',
                    name='domains',
                    field=models.ManyToManyField(related_name='certificates', to='org.domain', verbose_name='domains'),
                ),
            ],
            database_operations=[],
        ),
    ]
