"""leads.first_response_at and last_contact_at, kept by the database from the events.

One writer per fact: these two columns follow the contact events of
lead_activity (a call, an email a person sent, a status change to
`contacted`), so no code path that appends such an event can let them drift.
Read by assignments.services (the first response) and the console.
Statement-level with a transition table, so a COPY of many events costs one
UPDATE (the demo seeder relies on that).
"""

from django.db import migrations

# The one rule of what counts as a contact (the demo data leaves these times to this trigger).
CONTACT_PREDICATE = """(
  type = 'call'
  OR (type = 'email' AND status = 'completed' AND actor_type = 'user')
  OR (type = 'status_change' AND metadata->>'to_status' = 'contacted')
)"""

CREATE_CONTACT_TIMES = f"""
CREATE OR REPLACE FUNCTION lead_contact_times_apply() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  UPDATE leads l
     SET first_response_at = LEAST(l.first_response_at, c.first_at),
         last_contact_at = GREATEST(l.last_contact_at, c.last_at)
    FROM (SELECT lead_id, min(created_at) AS first_at, max(created_at) AS last_at
            FROM new_rows WHERE {CONTACT_PREDICATE} GROUP BY lead_id) c
   WHERE l.id = c.lead_id
     AND (l.first_response_at IS DISTINCT FROM LEAST(l.first_response_at, c.first_at)
          OR l.last_contact_at IS DISTINCT FROM GREATEST(l.last_contact_at, c.last_at));
  RETURN NULL;
END $$;

CREATE TRIGGER lead_activity_contact_times AFTER INSERT ON lead_activity
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION lead_contact_times_apply();

-- Events written before this migration.
UPDATE leads l SET first_response_at = c.first_at, last_contact_at = c.last_at
  FROM (SELECT lead_id, min(created_at) AS first_at, max(created_at) AS last_at
          FROM lead_activity WHERE {CONTACT_PREDICATE} GROUP BY lead_id) c
 WHERE l.id = c.lead_id;
"""  # noqa: S608 - a constant of this module, not input
DROP_CONTACT_TIMES = """
DROP TRIGGER IF EXISTS lead_activity_contact_times ON lead_activity;
DROP FUNCTION IF EXISTS lead_contact_times_apply();
"""


class Migration(migrations.Migration):
    dependencies = [("assignments", "0004_sales_groups"), ("activity", "0003_get_pending_follow_ups")]

    operations = [migrations.RunSQL(CREATE_CONTACT_TIMES, DROP_CONTACT_TIMES)]
