"""Returning contacts: the same person's earlier enquiries by phone (E.164) are an index range.

Email already has one (leads_email_business_date_key on lower(email)). Read by
leads.selectors.earlier_enquiries(), RETURNING_SQL and assignments.routing's last handler.
"""

from django.db import migrations

CREATE_INDEX = (
    "CREATE INDEX IF NOT EXISTS idx_leads_phone_created ON leads (phone, created_at DESC) WHERE phone IS NOT NULL;"
)
DROP_INDEX = "DROP INDEX IF EXISTS idx_leads_phone_created;"


class Migration(migrations.Migration):
    dependencies = [("leads", "0015_board_status_index")]

    operations = [migrations.RunSQL(CREATE_INDEX, DROP_INDEX)]
