"""A lead's events in the order every reader shows them: (created_at DESC, id DESC).

The per-lead index was (lead_id, created_at DESC), so each read of a lead's timeline
(get_lead_full(), the lead page) sorted the events again to break ties by id. With the
id in the index the rows arrive in order. Same name, the plan's.
"""

from django.db import migrations

FORWARD = """
DROP INDEX IF EXISTS idx_lead_activity_lead_id;
CREATE INDEX idx_lead_activity_lead_id ON lead_activity (lead_id, created_at DESC, id DESC);
"""
BACKWARD = """
DROP INDEX IF EXISTS idx_lead_activity_lead_id;
CREATE INDEX idx_lead_activity_lead_id ON lead_activity (lead_id, created_at DESC);
"""


class Migration(migrations.Migration):
    dependencies = [("activity", "0012_follow_ups_by_owner")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
