"""History rows, consent records and plan versions are append-only in the database too,
on PostgreSQL: an UPDATE or DELETE by any client, raw SQL included, is refused by a
trigger. (The application refuses them already; see models.AppendOnly and Plan.save.)
A TRUNCATE, as test databases and a restore use, is a statement, not row changes."""

from django.db import migrations

TABLES = ("tracker_historyentry", "tracker_consent", "tracker_plan")

FUNCTION = """
CREATE OR REPLACE FUNCTION tracker_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% rows are append-only: what happened is never changed or deleted',
        TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
"""


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION tracker_append_only()"
        )


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS tracker_append_only()")


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0008_assistance_forms"),
    ]

    operations = [migrations.RunPython(add, remove)]
