"""Tamper-evident audit: each event gets its place in a hash chain (seal_seq, seal); on PostgreSQL a trigger
refuses any UPDATE or DELETE of a sealed event (append-only), except inside a maintenance transaction that sets
`tiaokuai.audit_maintenance` (e.g. rebuilding a demo)."""

from django.db import migrations, models

PROTECT = """
CREATE OR REPLACE FUNCTION tiaokuai_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF OLD.seal_seq IS NOT NULL AND coalesce(current_setting('tiaokuai.audit_maintenance', true), '') <> 'on' THEN
        RAISE EXCEPTION 'audit events are append-only (event % is sealed)', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditevent_append_only BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION tiaokuai_audit_append_only();
"""
UNPROTECT = """
DROP TRIGGER IF EXISTS core_auditevent_append_only ON core_auditevent;
DROP FUNCTION IF EXISTS tiaokuai_audit_append_only();
"""


def protect(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PROTECT, params=None)


def unprotect(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNPROTECT, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0004_api_token_expiry_login_throttle'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditevent',
            name='seal',
            field=models.CharField(blank=True, db_default='', max_length=64),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='seal_seq',
            field=models.PositiveBigIntegerField(blank=True, null=True, unique=True),
        ),
        migrations.RunPython(protect, unprotect),
    ]
