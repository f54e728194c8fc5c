"""An index in the API's page order, so a keyset page is an index range read with no sort.

Read by leads.api.leads.leads_filtered(): ORDER BY created_at DESC, id DESC with
the row comparison (created_at, id) < (cursor). The older idx_leads_created_at
(created_at alone) still needs a sort of the tied rows.
"""

from django.db import migrations

CREATE_KEYSET_INDEX = "CREATE INDEX IF NOT EXISTS idx_leads_created_at_id ON leads (created_at DESC, id DESC);"
DROP_KEYSET_INDEX = "DROP INDEX IF EXISTS idx_leads_created_at_id;"


class Migration(migrations.Migration):
    dependencies = [("leads", "0007_webhooks")]

    operations = [migrations.RunSQL(CREATE_KEYSET_INDEX, DROP_KEYSET_INDEX)]
