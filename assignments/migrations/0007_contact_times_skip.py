"""lead_contact_times_apply() returns at once when the new events hold no contact.

Most events (consent, notes, AI analyses, assignments) are not contacts, and an
UPDATE of no rows still fires the statement triggers on leads (the daily
counters): intake paid for two trigger calls it did not need.
"""

from importlib import import_module

from django.db import migrations

previous = import_module("assignments.migrations.0005_contact_times")
CONTACT_PREDICATE = previous.CONTACT_PREDICATE

CREATE_CONTACT_TIMES = f"""
CREATE OR REPLACE FUNCTION lead_contact_times_apply() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM new_rows WHERE {CONTACT_PREDICATE}) THEN
    RETURN NULL;
  END IF;
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
"""  # noqa: S608 - a constant of the migrations, not input
RESTORE_CONTACT_TIMES = previous.CREATE_CONTACT_TIMES.split("CREATE TRIGGER")[0]


class Migration(migrations.Migration):
    dependencies = [("assignments", "0006_assigned_at_index")]

    operations = [migrations.RunSQL(CREATE_CONTACT_TIMES, RESTORE_CONTACT_TIMES)]
