"""lead_contact_times_apply() updates the contacted leads by primary key, whatever the statistics said.

plpgsql keeps the plan of its UPDATE for the session; one made while `leads` was small
could be a scan of the whole table, then repeated for each contact as the table grew (the
event log's triggers did that: activity 0014). Run with enable_seqscan = off, the plan it
keeps is the primary-key one, like the other triggers that look up a statement's leads.
"""

from django.db import migrations

FORWARD = "ALTER FUNCTION lead_contact_times_apply() SET enable_seqscan = off;"
BACKWARD = "ALTER FUNCTION lead_contact_times_apply() RESET enable_seqscan;"


class Migration(migrations.Migration):
    dependencies = [("assignments", "0010_list_owner")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
