"""An index in the admin's order for assignments (newest first), so a page is a range read, not a sort."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("assignments", "0005_contact_times")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS idx_assignments_assigned_at_id ON assignments (assigned_at DESC, id DESC);",
            "DROP INDEX IF EXISTS idx_assignments_assigned_at_id;",
        )
    ]
