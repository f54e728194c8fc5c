"""The pipeline board reads each status column newest first: one index range per column, at any table size."""

from django.db import migrations

# Read by leads.console.board.board_columns().
CREATE_INDEX = "CREATE INDEX IF NOT EXISTS idx_leads_status_created ON leads (status, created_at DESC, id DESC);"
DROP_INDEX = "DROP INDEX IF EXISTS idx_leads_status_created;"


class Migration(migrations.Migration):
    dependencies = [("leads", "0014_live_sla_violations")]

    operations = [migrations.RunSQL(CREATE_INDEX, DROP_INDEX)]
