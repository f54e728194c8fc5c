"""Database rules for leads and lead_products that the ORM cannot express.

Read by: leads.intake.services (intake relies on the defaults needing no RETURNING),
leads.selectors.dashboard_stats() (the daily counters), the RLS tests.
"""

from django.conf import settings
from django.db import migrations

# --- Roles ---------------------------------------------------------------------
# Created only where missing, so the same migration runs on Supabase where they
# exist. Roles are cluster-wide, so the rollback leaves them in place.
CREATE_ROLES = """
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anon') THEN
    CREATE ROLE anon NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN
    CREATE ROLE authenticated NOLOGIN;
  END IF;
END $$;
-- The table owner switches to these roles with SET LOCAL ROLE.
GRANT anon, authenticated TO CURRENT_USER;
GRANT USAGE ON SCHEMA public TO anon, authenticated;
"""
DROP_ROLES = "REVOKE USAGE ON SCHEMA public FROM anon, authenticated;"

# --- Time helpers ------------------------------------------------------------------
# The business time zone is written into the function at migrate time: it is
# what makes the unique index and "today" independent of the session's zone.
CREATE_TIME_HELPERS = """
CREATE OR REPLACE FUNCTION business_date(ts timestamptz) RETURNS date
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN (ts AT TIME ZONE '{zone}')::date;

CREATE OR REPLACE FUNCTION business_day_start(d date) RETURNS timestamptz
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  RETURN (d::timestamp AT TIME ZONE '{zone}');

-- NULL for anything that is not an ISO 8601 time with an explicit offset, so a
-- malformed metadata value can never break a query (SEED-NOTES #6). With an
-- offset the cast does not depend on the session's TimeZone: truly immutable.
CREATE OR REPLACE FUNCTION try_timestamptz(value text) RETURNS timestamptz
  LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  IF value IS NULL OR value !~ '^\\d{{4}}-\\d{{2}}-\\d{{2}}[T ]\\d{{2}}:\\d{{2}}(:\\d{{2}}(\\.\\d{{1,6}})?)?(Z|[+-]\\d{{2}}(:?\\d{{2}})?)$' THEN
    RETURN NULL;
  END IF;
  RETURN value::timestamptz;
EXCEPTION WHEN others THEN
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at = now();
  RETURN NEW;
END $$;
"""
DROP_TIME_HELPERS = """
DROP FUNCTION IF EXISTS set_updated_at();
DROP FUNCTION IF EXISTS try_timestamptz(text);
DROP FUNCTION IF EXISTS business_day_start(date);
DROP FUNCTION IF EXISTS business_date(timestamptz);
"""

# --- Defaults, keys, indexes ---------------------------------------------------------
CREATE_LEAD_RULES = """
ALTER TABLE leads ALTER COLUMN id SET DEFAULT gen_random_uuid(),
  ALTER COLUMN created_at SET DEFAULT now(),
  ALTER COLUMN updated_at SET DEFAULT now(),
  ALTER COLUMN source SET DEFAULT 'website_form',
  ALTER COLUMN status SET DEFAULT 'new';
ALTER TABLE lead_products ALTER COLUMN id SET DEFAULT gen_random_uuid(),
  ALTER COLUMN created_at SET DEFAULT now();

-- The plan's UNIQUE (email, created_at::date), fixed: an expression index,
-- case-insensitive, by business date (SEED-NOTES #1).
CREATE UNIQUE INDEX leads_email_business_date_key ON leads (lower(email), business_date(created_at));
CREATE INDEX idx_leads_created_at ON leads (created_at DESC) INCLUDE (status);

-- Cascade in the database itself; Django's FK is DO_NOTHING.
DO $$ DECLARE c text; BEGIN
  FOR c IN SELECT conname FROM pg_constraint WHERE conrelid = 'lead_products'::regclass AND contype = 'f' LOOP
    EXECUTE format('ALTER TABLE lead_products DROP CONSTRAINT %I', c);
  END LOOP;
END $$;
ALTER TABLE lead_products ADD CONSTRAINT fk_lead_products_lead
  FOREIGN KEY (lead_id) REFERENCES leads(id) ON DELETE CASCADE;

CREATE TRIGGER leads_set_updated_at BEFORE UPDATE ON leads
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();

COMMENT ON TABLE leads IS 'Source data only: what the person submitted, and the human-set status.';
COMMENT ON COLUMN leads.status IS 'Human-set status, not AI-generated';
"""
DROP_LEAD_RULES = """
DROP TRIGGER IF EXISTS leads_set_updated_at ON leads;
ALTER TABLE lead_products DROP CONSTRAINT IF EXISTS fk_lead_products_lead;
ALTER TABLE lead_products ADD CONSTRAINT lead_products_lead_id_fk_leads_id
  FOREIGN KEY (lead_id) REFERENCES leads(id) DEFERRABLE INITIALLY DEFERRED;
DROP INDEX IF EXISTS idx_leads_created_at;
DROP INDEX IF EXISTS leads_email_business_date_key;
"""

# --- Daily counters for get_dashboard_stats() ------------------------------------------
# Exact counts by business date and status, kept by statement-level triggers
# (one upsert per statement, so COPY of a million rows costs one aggregate).
# Rows are spread over 8 shards by backend pid so concurrent intakes do not
# queue on one counter row.
CREATE_LEAD_COUNTERS = """
CREATE TABLE lead_daily_counts (
  business_date date NOT NULL,
  status varchar(50) NOT NULL,
  shard smallint NOT NULL,
  n bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (business_date, status, shard)
);

CREATE OR REPLACE FUNCTION lead_counts_apply() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO lead_daily_counts AS c (business_date, status, shard, n)
      SELECT business_date(created_at), status, pg_backend_pid() % 8, count(*)
      FROM new_rows GROUP BY 1, 2
      ON CONFLICT (business_date, status, shard) DO UPDATE SET n = c.n + EXCLUDED.n;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO lead_daily_counts AS c (business_date, status, shard, n)
      SELECT business_date(created_at), status, pg_backend_pid() % 8, -count(*)
      FROM old_rows GROUP BY 1, 2
      ON CONFLICT (business_date, status, shard) DO UPDATE SET n = c.n + EXCLUDED.n;
  ELSE
    INSERT INTO lead_daily_counts AS c (business_date, status, shard, n)
      SELECT d, s, pg_backend_pid() % 8, sum(delta) FROM (
        SELECT business_date(o.created_at) AS d, o.status AS s, -1 AS delta
          FROM old_rows o JOIN new_rows n USING (id)
          WHERE (o.status, o.created_at) IS DISTINCT FROM (n.status, n.created_at)
        UNION ALL
        SELECT business_date(n.created_at), n.status, 1
          FROM old_rows o JOIN new_rows n USING (id)
          WHERE (o.status, o.created_at) IS DISTINCT FROM (n.status, n.created_at)
      ) changes GROUP BY 1, 2
      ON CONFLICT (business_date, status, shard) DO UPDATE SET n = c.n + EXCLUDED.n;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER leads_count_insert AFTER INSERT ON leads
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION lead_counts_apply();
CREATE TRIGGER leads_count_update AFTER UPDATE ON leads
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION lead_counts_apply();
CREATE TRIGGER leads_count_delete AFTER DELETE ON leads
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION lead_counts_apply();

-- Rebuilds the counters from the table (after a restore, or to verify them).
CREATE OR REPLACE FUNCTION lead_counts_rebuild() RETURNS void
  LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
  DELETE FROM lead_daily_counts;
  INSERT INTO lead_daily_counts (business_date, status, shard, n)
    SELECT business_date(created_at), status, 0, count(*) FROM leads GROUP BY 1, 2;
$$;
REVOKE ALL ON FUNCTION lead_counts_rebuild() FROM PUBLIC;
"""
DROP_LEAD_COUNTERS = """
DROP FUNCTION IF EXISTS lead_counts_rebuild();
DROP TRIGGER IF EXISTS leads_count_insert ON leads;
DROP TRIGGER IF EXISTS leads_count_update ON leads;
DROP TRIGGER IF EXISTS leads_count_delete ON leads;
DROP FUNCTION IF EXISTS lead_counts_apply();
DROP TABLE IF EXISTS lead_daily_counts;
"""

# --- Row-level security (the plan's intent, SEED-NOTES #7 and #10 fixed) ----------------
CREATE_LEAD_RLS = """
ALTER TABLE leads ENABLE ROW LEVEL SECURITY;
ALTER TABLE lead_products ENABLE ROW LEVEL SECURITY;
GRANT INSERT ON leads, lead_products TO anon;
GRANT SELECT, INSERT, UPDATE ON leads, lead_products TO authenticated;

CREATE POLICY "Anyone can submit leads" ON leads FOR INSERT TO anon WITH CHECK (true);
CREATE POLICY "Authenticated users can view leads" ON leads FOR SELECT TO authenticated USING (true);
CREATE POLICY "Authenticated users can add leads" ON leads FOR INSERT TO authenticated WITH CHECK (true);
CREATE POLICY "Authenticated users can update leads" ON leads FOR UPDATE TO authenticated USING (true) WITH CHECK (true);

CREATE POLICY "Anyone can add lead products" ON lead_products FOR INSERT TO anon WITH CHECK (true);
CREATE POLICY "Authenticated users can view lead products" ON lead_products FOR SELECT TO authenticated USING (true);
CREATE POLICY "Authenticated users can add lead products" ON lead_products FOR INSERT TO authenticated WITH CHECK (true);
CREATE POLICY "Authenticated users can update lead products" ON lead_products FOR UPDATE TO authenticated USING (true) WITH CHECK (true);
"""
DROP_LEAD_RLS = """
DROP POLICY IF EXISTS "Anyone can submit leads" ON leads;
DROP POLICY IF EXISTS "Authenticated users can view leads" ON leads;
DROP POLICY IF EXISTS "Authenticated users can add leads" ON leads;
DROP POLICY IF EXISTS "Authenticated users can update leads" ON leads;
DROP POLICY IF EXISTS "Anyone can add lead products" ON lead_products;
DROP POLICY IF EXISTS "Authenticated users can view lead products" ON lead_products;
DROP POLICY IF EXISTS "Authenticated users can add lead products" ON lead_products;
DROP POLICY IF EXISTS "Authenticated users can update lead products" ON lead_products;
REVOKE ALL ON leads, lead_products FROM anon, authenticated;
ALTER TABLE leads DISABLE ROW LEVEL SECURITY;
ALTER TABLE lead_products DISABLE ROW LEVEL SECURITY;
"""


def _time_helpers() -> str:
    return CREATE_TIME_HELPERS.format(zone=settings.TIME_ZONE.replace("'", ""))


class Migration(migrations.Migration):
    dependencies = [("leads", "0001_initial")]

    operations = [
        migrations.RunSQL(CREATE_ROLES, DROP_ROLES),
        migrations.RunSQL(_time_helpers(), DROP_TIME_HELPERS),
        migrations.RunSQL(CREATE_LEAD_RULES, DROP_LEAD_RULES),
        migrations.RunSQL(CREATE_LEAD_COUNTERS, DROP_LEAD_COUNTERS),
        migrations.RunSQL(CREATE_LEAD_RLS, DROP_LEAD_RLS),
    ]
