"""A lead's owner kept in lead_list_columns (leads/migrations/0022), for the leads list, the board and the CSV export.

THE owner rule, written here only: a lead's owner is its latest assignment that is active or
completed (a rep who responded keeps the lead), by (assigned_at, id). A statement-level trigger
on assignments recomputes it for the leads a statement touched, after locking their rows, as the
categories' trigger does, and with enable_seqscan = off as it does. Python reads the result: leads.selectors.with_list_columns() and
owned_by() (the console's owner filter), and the board's SLA mark through owner_assignment_id.
"""

from django.db import migrations

_RECOMPUTE_OWNER = """
  INSERT INTO lead_list_columns AS cur (lead_id, owner_assignment_id, owner_id, owner_name)
  SELECT l.id, o.id, o.owner_id, o.owner_name
  FROM leads l
  LEFT JOIN LATERAL (
    SELECT a.id, a.owner_id, a.owner_name FROM assignments a
    WHERE a.lead_id = l.id AND a.status IN ('active', 'completed')
    ORDER BY a.assigned_at DESC, a.id DESC LIMIT 1
  ) o ON true
  WHERE l.id IN ({targets})
  ON CONFLICT (lead_id) DO UPDATE SET
    owner_assignment_id = EXCLUDED.owner_assignment_id, owner_id = EXCLUDED.owner_id, owner_name = EXCLUDED.owner_name
  WHERE (cur.owner_assignment_id, cur.owner_id, cur.owner_name)
        IS DISTINCT FROM (EXCLUDED.owner_assignment_id, EXCLUDED.owner_id, EXCLUDED.owner_name)
"""

_CHANGED = "SELECT lead_id FROM changed_rows"
# Updated rows whose owner-relevant columns changed (an active assignment completed keeps its owner, and
# the SLA trigger's update then takes no lock); a row moved to another lead changes both.
_MOVED = """SELECT x.lead_id FROM old_rows o JOIN new_rows n ON n.id = o.id,
    LATERAL (VALUES (o.lead_id), (n.lead_id)) AS x (lead_id)
    WHERE (o.lead_id, o.owner_id, o.owner_name, o.assigned_at, o.status IN ('active', 'completed'))
          IS DISTINCT FROM (n.lead_id, n.owner_id, n.owner_name, n.assigned_at, n.status IN ('active', 'completed'))"""

CREATE = f"""
CREATE OR REPLACE FUNCTION lead_list_owner_apply() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET enable_seqscan = off AS $$
BEGIN
  PERFORM 1 FROM leads WHERE id IN ({_CHANGED}) ORDER BY id FOR NO KEY UPDATE;
  {_RECOMPUTE_OWNER.format(targets=_CHANGED)};
  RETURN NULL;
END $$;
CREATE TRIGGER assignments_list_owner_insert AFTER INSERT ON assignments
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION lead_list_owner_apply();
CREATE TRIGGER assignments_list_owner_delete AFTER DELETE ON assignments
  REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION lead_list_owner_apply();
CREATE OR REPLACE FUNCTION lead_list_owner_update() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET enable_seqscan = off AS $$
BEGIN
  PERFORM 1 FROM leads WHERE id IN ({_MOVED}) ORDER BY id FOR NO KEY UPDATE;
  {_RECOMPUTE_OWNER.format(targets=_MOVED)};
  RETURN NULL;
END $$;
CREATE TRIGGER assignments_list_owner_update AFTER UPDATE ON assignments
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION lead_list_owner_update();
"""  # noqa: S608 - constants of the migration, not input

BACKFILL = _RECOMPUTE_OWNER.format(targets="SELECT lead_id FROM assignments") + ";"  # noqa: S608

DROP = """
DROP TRIGGER IF EXISTS assignments_list_owner_insert ON assignments;
DROP TRIGGER IF EXISTS assignments_list_owner_delete ON assignments;
DROP TRIGGER IF EXISTS assignments_list_owner_update ON assignments;
DROP FUNCTION IF EXISTS lead_list_owner_apply();
DROP FUNCTION IF EXISTS lead_list_owner_update();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("assignments", "0009_latest_owner_index"),
        ("leads", "0022_lead_list_columns"),
    ]

    operations = [
        migrations.RunSQL(CREATE, DROP),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
    ]
