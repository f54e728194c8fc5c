"""Decided approvals, newest first: the approvals page's "Recently decided" list is a short range of this index."""

from django.db import migrations

# Read by leads.console.overview.pages.approvals_page().
CREATE_INDEX = (
    "CREATE INDEX IF NOT EXISTS idx_lead_activity_approvals_decided ON lead_activity (created_at DESC, id DESC) "
    "WHERE type = 'approval' AND status <> 'pending';"
)
DROP_INDEX = "DROP INDEX IF EXISTS idx_lead_activity_approvals_decided;"


class Migration(migrations.Migration):
    dependencies = [("activity", "0009_staff_role_grants")]

    operations = [migrations.RunSQL(CREATE_INDEX, DROP_INDEX)]
