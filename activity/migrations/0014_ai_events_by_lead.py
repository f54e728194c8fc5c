"""The event log's triggers read a lead's rows by index, whatever the statistics said when they were planned.

lead_current_triage_apply() (0007) looks up the latest ai_result of each lead a statement
touched, and that result's latest correction. plpgsql plans such a statement once per
session and keeps the plan: planned while lead_activity was small (a new deployment, the
first chunk of a bulk load), it went on reading the whole table for each lead as the table
grew. Seeding 5,000 leads spent 29 s in one trigger call.

So:
- partial indexes hold exactly these rows, in the order asked for (one index entry a lookup);
- the triggers that look up a statement's leads in the big tables run with
  enable_seqscan = off, so the plan they keep is an index plan (the counters' own tables
  are read by primary key anyway). Their twins on the other tables are set where they are
  created (leads 0022, assignments 0010 and 0011).

A test fills the table in one session after the trigger first ran, and counts its scans.
"""

from django.db import migrations

# Functions of this app whose statements look up the leads of a statement in lead_activity.
INDEX_ONLY_FUNCTIONS = ("lead_current_triage_apply()", "ai_agreement_counts_insert()", "ai_agreement_counts_delete()")

FORWARD = """
CREATE INDEX idx_lead_activity_ai_results ON lead_activity (lead_id, created_at DESC, id DESC)
  WHERE type = 'ai_result';
CREATE INDEX idx_lead_activity_ai_corrections ON lead_activity (lead_id, created_at DESC, id DESC)
  WHERE type = 'ai_correction';
""" + "".join(f"ALTER FUNCTION {name} SET enable_seqscan = off;\n" for name in INDEX_ONLY_FUNCTIONS)

BACKWARD = """
DROP INDEX IF EXISTS idx_lead_activity_ai_results;
DROP INDEX IF EXISTS idx_lead_activity_ai_corrections;
""" + "".join(f"ALTER FUNCTION {name} RESET enable_seqscan;\n" for name in INDEX_ONLY_FUNCTIONS)


class Migration(migrations.Migration):
    dependencies = [("activity", "0013_lead_events_in_order")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
