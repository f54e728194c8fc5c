"""Database rules for lead_activity: the append-only event log.

Read by: activity.services (only pending follow-ups and approvals are ever
updated), activity.selectors.pending_follow_ups() (the due-time index),
leads.selectors (the per-lead time-ordered index).
"""

from django.db import migrations

CREATE_ACTIVITY_RULES = """
ALTER TABLE lead_activity ALTER COLUMN id SET DEFAULT gen_random_uuid(),
  ALTER COLUMN created_at SET DEFAULT now(),
  ALTER COLUMN updated_at SET DEFAULT now(),
  ALTER COLUMN status SET DEFAULT 'completed',
  ALTER COLUMN actor_type SET DEFAULT 'system';

DO $$ DECLARE c text; BEGIN
  FOR c IN SELECT conname FROM pg_constraint WHERE conrelid = 'lead_activity'::regclass AND contype = 'f' LOOP
    EXECUTE format('ALTER TABLE lead_activity DROP CONSTRAINT %I', c);
  END LOOP;
END $$;
ALTER TABLE lead_activity ADD CONSTRAINT fk_lead_activity_lead
  FOREIGN KEY (lead_id) REFERENCES leads(id) ON DELETE CASCADE;

CREATE INDEX idx_lead_activity_lead_id ON lead_activity (lead_id, created_at DESC);
CREATE INDEX idx_lead_activity_metadata ON lead_activity USING GIN (metadata);
-- Due follow-ups, in due order; INCLUDE lets a count be an index-only scan.
CREATE INDEX idx_lead_activity_follow_ups_due ON lead_activity
  (try_timestamptz(metadata->>'scheduled_for'), id) INCLUDE (metadata)
  WHERE type = 'follow_up' AND status = 'pending';
CREATE INDEX idx_lead_activity_approvals_pending ON lead_activity (created_at DESC)
  WHERE type = 'approval' AND status = 'pending';

CREATE TRIGGER lead_activity_set_updated_at BEFORE UPDATE ON lead_activity
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

COMMENT ON TABLE lead_activity IS 'Append-only event log: AI results, assignments, emails, calls, follow-ups, approvals, notes.';
"""
DROP_ACTIVITY_RULES = """
DROP TRIGGER IF EXISTS lead_activity_set_updated_at ON lead_activity;
DROP INDEX IF EXISTS idx_lead_activity_approvals_pending;
DROP INDEX IF EXISTS idx_lead_activity_follow_ups_due;
DROP INDEX IF EXISTS idx_lead_activity_metadata;
DROP INDEX IF EXISTS idx_lead_activity_lead_id;
ALTER TABLE lead_activity DROP CONSTRAINT IF EXISTS fk_lead_activity_lead;
ALTER TABLE lead_activity ADD CONSTRAINT lead_activity_lead_id_fk_leads_id
  FOREIGN KEY (lead_id) REFERENCES leads(id) DEFERRABLE INITIALLY DEFERRED;
"""

# The event log is append-only (SEED-NOTES #10). The only UPDATE allowed is the
# decision on a pending follow-up or approval: its status, and metadata that
# keeps every key it had. DELETE only happens through the cascade of the
# lead's deletion: by then the lead row is gone.
CREATE_APPEND_ONLY = """
CREATE OR REPLACE FUNCTION lead_activity_guard() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF EXISTS (SELECT 1 FROM leads WHERE id = OLD.lead_id) THEN
      RAISE EXCEPTION 'lead_activity is append-only: events are deleted only with their lead'
        USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN OLD;
  END IF;
  IF OLD.type NOT IN ('follow_up', 'approval') OR OLD.status <> 'pending' THEN
    RAISE EXCEPTION 'lead_activity is append-only: only a pending follow-up or approval can be decided'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF (NEW.id, NEW.lead_id, NEW.type, NEW.message, NEW.actor_type, NEW.actor_id, NEW.created_at)
     IS DISTINCT FROM (OLD.id, OLD.lead_id, OLD.type, OLD.message, OLD.actor_type, OLD.actor_id, OLD.created_at) THEN
    RAISE EXCEPTION 'lead_activity is append-only: only status and decision metadata can change'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  -- Key by key, not with @>: containment is recursive, so it would let an
  -- existing array or object value grow ({"a": [1]} -> {"a": [1, 2]}).
  IF OLD.metadata IS NOT NULL AND (
       NEW.metadata IS NULL
       OR jsonb_typeof(OLD.metadata) <> 'object' AND NEW.metadata <> OLD.metadata
       OR jsonb_typeof(OLD.metadata) = 'object' AND (
            jsonb_typeof(NEW.metadata) <> 'object'
            OR EXISTS (SELECT 1 FROM jsonb_each(OLD.metadata) o
                       WHERE NEW.metadata -> o.key IS DISTINCT FROM o.value))) THEN
    RAISE EXCEPTION 'lead_activity is append-only: decision metadata may add keys, not change them'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER lead_activity_append_only BEFORE UPDATE OR DELETE ON lead_activity
  FOR EACH ROW EXECUTE FUNCTION lead_activity_guard();
"""
DROP_APPEND_ONLY = """
DROP TRIGGER IF EXISTS lead_activity_append_only ON lead_activity;
DROP FUNCTION IF EXISTS lead_activity_guard();
"""

CREATE_ACTIVITY_RLS = """
ALTER TABLE lead_activity ENABLE ROW LEVEL SECURITY;
GRANT INSERT ON lead_activity TO anon;
GRANT SELECT, INSERT, UPDATE ON lead_activity TO authenticated;
CREATE POLICY "System can log activity" ON lead_activity FOR INSERT TO anon, authenticated WITH CHECK (true);
CREATE POLICY "Authenticated users can view activity" ON lead_activity FOR SELECT TO authenticated USING (true);
-- Only decisions on pending follow-ups and approvals; the trigger checks the rest.
CREATE POLICY "Authenticated users can decide pending items" ON lead_activity FOR UPDATE TO authenticated
  USING (type IN ('follow_up', 'approval') AND status = 'pending') WITH CHECK (true);
"""
DROP_ACTIVITY_RLS = """
DROP POLICY IF EXISTS "System can log activity" ON lead_activity;
DROP POLICY IF EXISTS "Authenticated users can view activity" ON lead_activity;
DROP POLICY IF EXISTS "Authenticated users can decide pending items" ON lead_activity;
REVOKE ALL ON lead_activity FROM anon, authenticated;
ALTER TABLE lead_activity DISABLE ROW LEVEL SECURITY;
"""


class Migration(migrations.Migration):
    dependencies = [("activity", "0001_initial"), ("leads", "0002_database_rules")]

    operations = [
        migrations.RunSQL(CREATE_ACTIVITY_RULES, DROP_ACTIVITY_RULES),
        migrations.RunSQL(CREATE_APPEND_ONLY, DROP_APPEND_ONLY),
        migrations.RunSQL(CREATE_ACTIVITY_RLS, DROP_ACTIVITY_RLS),
    ]
