"""A read model of each lead's current triage, and the month's mix counted as it changes.

The one rule (leads.selectors): a lead's current priority and intent are its
latest ai_result's, with the latest person's correction of that result on top.
Asking the event log that per lead cost a nested lookup per lead (the dashboard
did it for every lead of the month) and depended on fresh planner statistics.
Now a statement-level trigger on lead_activity keeps lead_current_triage (one
row a triaged lead, looked up by primary key) whenever an ai_result or
ai_correction is appended, recomputing the rule for the leads concerned after
locking their rows (the lock routing takes first too), so two writers cannot
leave a stale answer. lead_triage_daily_counts keeps how many leads of each
business day have each (priority, intent), sharded like lead_daily_counts, so
the dashboard's mix is a sum over 30 days of counters.

Read by leads.selectors.current_triage_sql() and
leads.console.overview.selectors.priority_and_intent_mix().
"""

from django.db import migrations

# The rule, for the leads in `targets` (a relation of lead ids).
_RECOMPUTE = """
  INSERT INTO lead_current_triage AS cur
    (lead_id, lead_created_at, ai_result_id, ai_priority, ai_intent, correction_priority, correction_intent)
  SELECT l.id, l.created_at, ai.id, ai.metadata->>'priority', ai.metadata->>'intent',
         c.metadata->>'priority', c.metadata->>'intent'
  FROM leads l
  CROSS JOIN LATERAL (
    SELECT a.id, a.metadata FROM lead_activity a
    WHERE a.lead_id = l.id AND a.type = 'ai_result'
    ORDER BY a.created_at DESC, a.id DESC LIMIT 1
  ) ai
  LEFT JOIN LATERAL (
    SELECT x.metadata FROM lead_activity x
    WHERE x.lead_id = l.id AND x.type = 'ai_correction' AND x.metadata->>'overrides' = ai.id::text
    ORDER BY x.created_at DESC, x.id DESC LIMIT 1
  ) c ON true
  WHERE l.id IN ({targets})
  ON CONFLICT (lead_id) DO UPDATE SET
    ai_result_id = EXCLUDED.ai_result_id, ai_priority = EXCLUDED.ai_priority, ai_intent = EXCLUDED.ai_intent,
    correction_priority = EXCLUDED.correction_priority, correction_intent = EXCLUDED.correction_intent
  WHERE (cur.ai_result_id, cur.ai_priority, cur.ai_intent, cur.correction_priority, cur.correction_intent)
        IS DISTINCT FROM (EXCLUDED.ai_result_id, EXCLUDED.ai_priority, EXCLUDED.ai_intent,
                          EXCLUDED.correction_priority, EXCLUDED.correction_intent)
"""

CREATE_CURRENT_TRIAGE = f"""
CREATE TABLE lead_current_triage (
  lead_id uuid PRIMARY KEY,  -- no foreign key: Django's flush truncates leads without CASCADE; triggers below follow it
  lead_created_at timestamptz NOT NULL,
  ai_result_id uuid NOT NULL,
  ai_priority text,
  ai_intent text,
  correction_priority text,
  correction_intent text,
  priority text GENERATED ALWAYS AS (coalesce(correction_priority, ai_priority)) STORED,
  intent text GENERATED ALWAYS AS (coalesce(correction_intent, ai_intent)) STORED
);
CREATE INDEX idx_lead_current_triage_priority ON lead_current_triage (priority, lead_created_at DESC, lead_id DESC);
CREATE INDEX idx_lead_current_triage_intent ON lead_current_triage (intent, lead_created_at DESC, lead_id DESC);
ALTER TABLE lead_current_triage ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON lead_current_triage TO authenticated;
CREATE POLICY "Staff read the current triage" ON lead_current_triage FOR SELECT TO authenticated USING (true);

CREATE TABLE lead_triage_daily_counts (
  business_date date NOT NULL,
  priority text NOT NULL,
  intent text NOT NULL,
  shard smallint NOT NULL,
  n bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (business_date, priority, intent, shard)
);

CREATE OR REPLACE FUNCTION lead_current_triage_apply() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM new_rows WHERE type IN ('ai_result', 'ai_correction')) THEN
    RETURN NULL;
  END IF;
  -- The lead rows first, in id order (the lock order of assignments.guards), so the
  -- recompute below sees every AI event committed for them.
  PERFORM 1 FROM leads
   WHERE id IN (SELECT lead_id FROM new_rows WHERE type IN ('ai_result', 'ai_correction'))
   ORDER BY id FOR UPDATE;
  {_RECOMPUTE.format(targets="SELECT lead_id FROM new_rows WHERE type IN ('ai_result', 'ai_correction')")};
  RETURN NULL;
END $$;
CREATE TRIGGER lead_activity_current_triage AFTER INSERT ON lead_activity
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION lead_current_triage_apply();
"""  # noqa: S608 - constants of the migration, not input

# Transition tables: a trigger function reads only the ones its trigger declares.
CREATE_COUNT_TRIGGERS = """
CREATE OR REPLACE FUNCTION lead_triage_counts_insert() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  INSERT INTO lead_triage_daily_counts AS c (business_date, priority, intent, shard, n)
    SELECT business_date(lead_created_at), coalesce(priority, 'unknown'), coalesce(intent, 'unknown'),
           pg_backend_pid() % 8, count(*)
    FROM new_rows GROUP BY 1, 2, 3
    ON CONFLICT (business_date, priority, intent, shard) DO UPDATE SET n = c.n + EXCLUDED.n;
  RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION lead_triage_counts_delete() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  INSERT INTO lead_triage_daily_counts AS c (business_date, priority, intent, shard, n)
    SELECT business_date(lead_created_at), coalesce(priority, 'unknown'), coalesce(intent, 'unknown'),
           pg_backend_pid() % 8, -count(*)
    FROM old_rows GROUP BY 1, 2, 3
    ON CONFLICT (business_date, priority, intent, shard) DO UPDATE SET n = c.n + EXCLUDED.n;
  RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION lead_triage_counts_update() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  INSERT INTO lead_triage_daily_counts AS c (business_date, priority, intent, shard, n)
    SELECT d, p, i, pg_backend_pid() % 8, sum(delta) FROM (
      SELECT business_date(o.lead_created_at) AS d, coalesce(o.priority, 'unknown') AS p,
             coalesce(o.intent, 'unknown') AS i, -1 AS delta
        FROM old_rows o
      UNION ALL
      SELECT business_date(n.lead_created_at), coalesce(n.priority, 'unknown'), coalesce(n.intent, 'unknown'), 1
        FROM new_rows n
    ) changes GROUP BY 1, 2, 3 HAVING sum(delta) <> 0
    ON CONFLICT (business_date, priority, intent, shard) DO UPDATE SET n = c.n + EXCLUDED.n;
  RETURN NULL;
END $$;
CREATE TRIGGER lead_current_triage_count_insert AFTER INSERT ON lead_current_triage
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION lead_triage_counts_insert();
CREATE TRIGGER lead_current_triage_count_update AFTER UPDATE ON lead_current_triage
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION lead_triage_counts_update();
CREATE TRIGGER lead_current_triage_count_delete AFTER DELETE ON lead_current_triage
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION lead_triage_counts_delete();

-- The counters follow TRUNCATE (manage.py flush, test teardown), as lead_daily_counts does.
CREATE OR REPLACE FUNCTION lead_triage_counts_truncate() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  DELETE FROM lead_triage_daily_counts;
  RETURN NULL;
END $$;
CREATE TRIGGER lead_current_triage_counts_truncate AFTER TRUNCATE ON lead_current_triage
  FOR EACH STATEMENT EXECUTE FUNCTION lead_triage_counts_truncate();

-- A deleted or truncated lead takes its row (and so its count) with it.
CREATE OR REPLACE FUNCTION lead_current_triage_forget() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    TRUNCATE lead_current_triage;
  ELSE
    DELETE FROM lead_current_triage WHERE lead_id IN (SELECT id FROM old_rows);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER leads_forget_current_triage AFTER DELETE ON leads
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION lead_current_triage_forget();
CREATE TRIGGER leads_truncate_current_triage AFTER TRUNCATE ON leads
  FOR EACH STATEMENT EXECUTE FUNCTION lead_current_triage_forget();
"""

BACKFILL = _RECOMPUTE.format(targets="SELECT DISTINCT lead_id FROM lead_activity WHERE type = 'ai_result'") + ";"  # noqa: S608

DROP_CURRENT_TRIAGE = """
DROP TRIGGER IF EXISTS lead_activity_current_triage ON lead_activity;
DROP TRIGGER IF EXISTS leads_forget_current_triage ON leads;
DROP TRIGGER IF EXISTS leads_truncate_current_triage ON leads;
DROP FUNCTION IF EXISTS lead_current_triage_forget();
DROP FUNCTION IF EXISTS lead_current_triage_apply();
DROP TABLE IF EXISTS lead_current_triage;
DROP TABLE IF EXISTS lead_triage_daily_counts;
DROP FUNCTION IF EXISTS lead_triage_counts_insert();
DROP FUNCTION IF EXISTS lead_triage_counts_delete();
DROP FUNCTION IF EXISTS lead_triage_counts_update();
DROP FUNCTION IF EXISTS lead_triage_counts_truncate();
"""


class Migration(migrations.Migration):
    dependencies = [("activity", "0006_roles_that_hold")]

    operations = [
        migrations.RunSQL(CREATE_CURRENT_TRIAGE + CREATE_COUNT_TRIGGERS, DROP_CURRENT_TRIAGE),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
    ]
