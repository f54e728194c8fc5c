"""A read model of what the leads list and the CSV export show beside a lead's own row.

Per row, the list and the export showed the lead's product categories (an
aggregate over lead_products) and its owner (the latest active or completed
assignment). Two nested lookups per row cost more than half of a million-row
export. lead_list_columns keeps both per lead, read by primary key:
`categories` is kept here by a statement-level trigger on lead_products;
the owner's assignment (`owner_assignment_id`, `owner_id`, `owner_name`) by
assignments/migrations/0010_list_owner.py, on assignments, the one place the
owner rule is written. Each trigger locks the leads concerned first (the lock order of
assignments.guards: the lead row before anything else), then recomputes its
columns for them, so two writers cannot leave a stale answer (FOR NO KEY UPDATE:
it waits for another writer of the lead, not for rows merely referring to it).
They run with enable_seqscan = off: plpgsql keeps a statement's plan for the session, and
one made while the tables were small would go on scanning them whole (activity 0014).

Read by leads.selectors.with_list_columns() (the leads list, the pipeline board, the CSV export).
"""

from django.db import migrations

# The rule, for the leads in `targets` (a relation of lead ids); the order is the category's, as before.
_RECOMPUTE_CATEGORIES = """
  INSERT INTO lead_list_columns AS cur (lead_id, categories)
  SELECT l.id, (SELECT string_agg(DISTINCT lp.category, ', ') FROM lead_products lp WHERE lp.lead_id = l.id)
  FROM leads l
  WHERE l.id IN ({targets})
  ON CONFLICT (lead_id) DO UPDATE SET categories = EXCLUDED.categories
  WHERE cur.categories IS DISTINCT FROM EXCLUDED.categories
"""

_CHANGED = "SELECT lead_id FROM changed_rows"

CREATE = f"""
CREATE TABLE lead_list_columns (
  lead_id uuid PRIMARY KEY,  -- no foreign key: Django's flush truncates leads without CASCADE; triggers below follow it
  categories text,
  owner_assignment_id uuid,
  owner_id varchar(255),
  owner_name varchar(255)
);
-- The leads list filtered by owner finds that owner's leads here.
CREATE INDEX idx_lead_list_columns_owner ON lead_list_columns (owner_id);
ALTER TABLE lead_list_columns ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON lead_list_columns TO authenticated;
-- Reached through leads (whose policies decide who sees the lead), by its id.
CREATE POLICY "Staff read the list columns" ON lead_list_columns FOR SELECT TO authenticated USING (true);

CREATE OR REPLACE FUNCTION lead_list_categories_apply() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET enable_seqscan = off AS $$
BEGIN
  PERFORM 1 FROM leads WHERE id IN ({_CHANGED}) ORDER BY id FOR NO KEY UPDATE;
  {_RECOMPUTE_CATEGORIES.format(targets=_CHANGED)};
  RETURN NULL;
END $$;
-- One function for the three events; each trigger names its transition table changed_rows.
CREATE TRIGGER lead_products_list_insert AFTER INSERT ON lead_products
  REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION lead_list_categories_apply();
CREATE TRIGGER lead_products_list_delete AFTER DELETE ON lead_products
  REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION lead_list_categories_apply();
CREATE OR REPLACE FUNCTION lead_list_categories_update() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET enable_seqscan = off AS $$
BEGIN
  -- A row moved to another lead changes both leads.
  PERFORM 1 FROM leads WHERE id IN (SELECT lead_id FROM old_rows UNION SELECT lead_id FROM new_rows)
   ORDER BY id FOR NO KEY UPDATE;
  {_RECOMPUTE_CATEGORIES.format(targets="SELECT lead_id FROM old_rows UNION SELECT lead_id FROM new_rows")};
  RETURN NULL;
END $$;
CREATE TRIGGER lead_products_list_update AFTER UPDATE ON lead_products
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION lead_list_categories_update();

-- A deleted or truncated lead takes its row with it.
CREATE OR REPLACE FUNCTION lead_list_columns_forget() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET enable_seqscan = off AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    TRUNCATE lead_list_columns;
  ELSE
    DELETE FROM lead_list_columns WHERE lead_id IN (SELECT id FROM old_rows);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER leads_forget_list_columns AFTER DELETE ON leads
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION lead_list_columns_forget();
CREATE TRIGGER leads_truncate_list_columns AFTER TRUNCATE ON leads
  FOR EACH STATEMENT EXECUTE FUNCTION lead_list_columns_forget();
"""  # noqa: S608 - constants of the migration, not input

BACKFILL = _RECOMPUTE_CATEGORIES.format(targets="SELECT lead_id FROM lead_products") + ";"  # noqa: S608

DROP = """
DROP TRIGGER IF EXISTS lead_products_list_insert ON lead_products;
DROP TRIGGER IF EXISTS lead_products_list_delete ON lead_products;
DROP TRIGGER IF EXISTS lead_products_list_update ON lead_products;
DROP TRIGGER IF EXISTS leads_forget_list_columns ON leads;
DROP TRIGGER IF EXISTS leads_truncate_list_columns ON leads;
DROP FUNCTION IF EXISTS lead_list_categories_apply();
DROP FUNCTION IF EXISTS lead_list_categories_update();
DROP FUNCTION IF EXISTS lead_list_columns_forget();
DROP TABLE IF EXISTS lead_list_columns;
"""


class Migration(migrations.Migration):
    dependencies = [("leads", "0021_lead_full_one_scan")]

    operations = [
        migrations.RunSQL(CREATE, DROP),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
    ]
