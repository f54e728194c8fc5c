"""Database rules for assignments: the SLA trigger and its counters.

Read by: assignments.services (never writes sla_met / response_time_minutes),
leads.selectors.dashboard_stats() (avg response time counters).
"""

from django.db import migrations

CREATE_ASSIGNMENT_RULES = """
ALTER TABLE assignments ALTER COLUMN id SET DEFAULT gen_random_uuid(),
  ALTER COLUMN assigned_at SET DEFAULT now(),
  ALTER COLUMN status SET DEFAULT 'active';

DO $$ DECLARE c text; BEGIN
  FOR c IN SELECT conname FROM pg_constraint WHERE conrelid = 'assignments'::regclass AND contype = 'f' LOOP
    EXECUTE format('ALTER TABLE assignments DROP CONSTRAINT %I', c);
  END LOOP;
END $$;
ALTER TABLE assignments ADD CONSTRAINT fk_assignments_lead
  FOREIGN KEY (lead_id) REFERENCES leads(id) ON DELETE CASCADE;

-- My queue (owner, most urgent first) and the SLA breach scan.
CREATE INDEX idx_assignments_active_owner ON assignments (owner_id, sla_deadline) WHERE status = 'active';
CREATE INDEX idx_assignments_active_deadline ON assignments (sla_deadline) WHERE status = 'active';
-- The edge day of the dashboard's 30-day response-time window.
CREATE INDEX idx_assignments_completed_at ON assignments (completed_at) INCLUDE (response_time_minutes)
  WHERE completed_at IS NOT NULL;

COMMENT ON TABLE assignments IS 'Lead ownership and SLA compliance; sla_met and response_time_minutes are set by trigger_check_sla.';
"""
DROP_ASSIGNMENT_RULES = """
DROP INDEX IF EXISTS idx_assignments_completed_at;
DROP INDEX IF EXISTS idx_assignments_active_deadline;
DROP INDEX IF EXISTS idx_assignments_active_owner;
ALTER TABLE assignments DROP CONSTRAINT IF EXISTS fk_assignments_lead;
ALTER TABLE assignments ADD CONSTRAINT assignments_lead_id_fk_leads_id
  FOREIGN KEY (lead_id) REFERENCES leads(id) DEFERRABLE INITIALLY DEFERRED;
"""

# SEED-NOTES #9: computed on INSERT and UPDATE, whenever completed_at is set or
# changed (and the deadline or start with it), cleared when it is cleared.
CREATE_SLA_TRIGGER = """
CREATE OR REPLACE FUNCTION check_sla_met() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.completed_at IS NULL THEN
    NEW.sla_met = NULL;
    NEW.response_time_minutes = NULL;
  ELSE
    NEW.sla_met = (NEW.completed_at <= NEW.sla_deadline);
    -- Rounded to the nearest minute, as the plan's integer assignment did.
    NEW.response_time_minutes = round(GREATEST(EXTRACT(EPOCH FROM (NEW.completed_at - NEW.assigned_at)), 0) / 60)::integer;
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER trigger_check_sla BEFORE INSERT OR UPDATE ON assignments
  FOR EACH ROW EXECUTE FUNCTION check_sla_met();
"""
DROP_SLA_TRIGGER = """
DROP TRIGGER IF EXISTS trigger_check_sla ON assignments;
DROP FUNCTION IF EXISTS check_sla_met();
"""

# Response-time sums by business date of completion, for the dashboard's
# 30-day average without scanning every assignment.
CREATE_RESPONSE_COUNTERS = """
CREATE TABLE assignment_daily_responses (
  business_date date NOT NULL,
  shard smallint NOT NULL,
  completed bigint NOT NULL DEFAULT 0,
  minutes_sum bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (business_date, shard)
);

"""
# One function per event keeps each one's transition tables obvious.
CREATE_RESPONSE_TRIGGERS = """
CREATE OR REPLACE FUNCTION assignment_responses_insert() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  INSERT INTO assignment_daily_responses AS c (business_date, shard, completed, minutes_sum)
    SELECT business_date(completed_at), pg_backend_pid() % 8, count(*), sum(response_time_minutes)
    FROM new_rows WHERE completed_at IS NOT NULL AND response_time_minutes IS NOT NULL GROUP BY 1
    ON CONFLICT (business_date, shard) DO UPDATE
      SET completed = c.completed + EXCLUDED.completed, minutes_sum = c.minutes_sum + EXCLUDED.minutes_sum;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION assignment_responses_delete() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  INSERT INTO assignment_daily_responses AS c (business_date, shard, completed, minutes_sum)
    SELECT business_date(completed_at), pg_backend_pid() % 8, -count(*), -sum(response_time_minutes)
    FROM old_rows WHERE completed_at IS NOT NULL AND response_time_minutes IS NOT NULL GROUP BY 1
    ON CONFLICT (business_date, shard) DO UPDATE
      SET completed = c.completed + EXCLUDED.completed, minutes_sum = c.minutes_sum + EXCLUDED.minutes_sum;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION assignment_responses_update() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  INSERT INTO assignment_daily_responses AS c (business_date, shard, completed, minutes_sum)
    SELECT d, pg_backend_pid() % 8, sum(k), sum(m) FROM (
      SELECT business_date(o.completed_at) AS d, -1 AS k, -o.response_time_minutes AS m
        FROM old_rows o JOIN new_rows n USING (id)
        WHERE o.completed_at IS NOT NULL AND o.response_time_minutes IS NOT NULL
          AND (o.completed_at, o.response_time_minutes) IS DISTINCT FROM (n.completed_at, n.response_time_minutes)
      UNION ALL
      SELECT business_date(n.completed_at), 1, n.response_time_minutes
        FROM old_rows o JOIN new_rows n USING (id)
        WHERE n.completed_at IS NOT NULL AND n.response_time_minutes IS NOT NULL
          AND (o.completed_at, o.response_time_minutes) IS DISTINCT FROM (n.completed_at, n.response_time_minutes)
    ) changes GROUP BY 1
    ON CONFLICT (business_date, shard) DO UPDATE
      SET completed = c.completed + EXCLUDED.completed, minutes_sum = c.minutes_sum + EXCLUDED.minutes_sum;
  RETURN NULL;
END $$;

CREATE TRIGGER assignments_responses_insert AFTER INSERT ON assignments
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assignment_responses_insert();
CREATE TRIGGER assignments_responses_update AFTER UPDATE ON assignments
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assignment_responses_update();
CREATE TRIGGER assignments_responses_delete AFTER DELETE ON assignments
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION assignment_responses_delete();

CREATE OR REPLACE FUNCTION assignment_responses_rebuild() RETURNS void
  LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
  DELETE FROM assignment_daily_responses;
  INSERT INTO assignment_daily_responses (business_date, shard, completed, minutes_sum)
    SELECT business_date(completed_at), 0, count(*), sum(response_time_minutes) FROM assignments
    WHERE completed_at IS NOT NULL AND response_time_minutes IS NOT NULL GROUP BY 1;
$$;
REVOKE ALL ON FUNCTION assignment_responses_rebuild() FROM PUBLIC;
"""
DROP_RESPONSE_COUNTERS = """
DROP FUNCTION IF EXISTS assignment_responses_rebuild();
DROP TRIGGER IF EXISTS assignments_responses_insert ON assignments;
DROP TRIGGER IF EXISTS assignments_responses_update ON assignments;
DROP TRIGGER IF EXISTS assignments_responses_delete ON assignments;
DROP FUNCTION IF EXISTS assignment_responses_insert();
DROP FUNCTION IF EXISTS assignment_responses_update();
DROP FUNCTION IF EXISTS assignment_responses_delete();
DROP TABLE IF EXISTS assignment_daily_responses;
"""

CREATE_ASSIGNMENT_RLS = """
ALTER TABLE assignments ENABLE ROW LEVEL SECURITY;
GRANT SELECT, INSERT, UPDATE ON assignments TO authenticated;
CREATE POLICY "System can create assignments" ON assignments FOR INSERT TO authenticated WITH CHECK (true);
CREATE POLICY "Authenticated users can view assignments" ON assignments FOR SELECT TO authenticated USING (true);
CREATE POLICY "Authenticated users can update assignments" ON assignments FOR UPDATE TO authenticated USING (true) WITH CHECK (true);
"""
DROP_ASSIGNMENT_RLS = """
DROP POLICY IF EXISTS "System can create assignments" ON assignments;
DROP POLICY IF EXISTS "Authenticated users can view assignments" ON assignments;
DROP POLICY IF EXISTS "Authenticated users can update assignments" ON assignments;
REVOKE ALL ON assignments FROM authenticated;
ALTER TABLE assignments DISABLE ROW LEVEL SECURITY;
"""


class Migration(migrations.Migration):
    dependencies = [("assignments", "0001_initial"), ("leads", "0002_database_rules")]

    operations = [
        migrations.RunSQL(CREATE_ASSIGNMENT_RULES, DROP_ASSIGNMENT_RULES),
        migrations.RunSQL(CREATE_SLA_TRIGGER, DROP_SLA_TRIGGER),
        migrations.RunSQL(CREATE_RESPONSE_COUNTERS + CREATE_RESPONSE_TRIGGERS, DROP_RESPONSE_COUNTERS),
        migrations.RunSQL(CREATE_ASSIGNMENT_RLS, DROP_ASSIGNMENT_RLS),
    ]
