"""Completed assignments per business day, SLA met or missed, counted as they complete.

The dashboard's weekly SLA chart grouped eight weeks of completed assignments on
every request (about 280 ms at a million leads, 390 ms under row-level security).
Statement-level triggers keep this counter table instead, sharded by backend like
assignment_daily_responses; the chart sums about 56 days x 8 shards.

Read by leads.console.overview.selectors.sla_per_week().
"""

from django.db import migrations

# What one assignment row contributes: (day, met, missed), or nothing before it completes.
_CONTRIBUTION = """
  SELECT business_date({t}.completed_at) AS d,
         CASE WHEN {t}.sla_met THEN {sign} ELSE 0 END AS met,
         CASE WHEN NOT {t}.sla_met THEN {sign} ELSE 0 END AS missed
  FROM {rows} {t} WHERE {t}.completed_at IS NOT NULL AND {t}.sla_met IS NOT NULL
"""

_UPSERT = """
  INSERT INTO assignment_daily_sla AS c (business_date, shard, met, missed)
    SELECT d, pg_backend_pid() % 8, sum(met), sum(missed) FROM ({changes}) changes
    GROUP BY 1 HAVING sum(met) <> 0 OR sum(missed) <> 0
    ON CONFLICT (business_date, shard) DO UPDATE SET met = c.met + EXCLUDED.met, missed = c.missed + EXCLUDED.missed;
"""

_CHANGED = "(SELECT o.* FROM old_rows o JOIN new_rows n USING (id) WHERE (o.completed_at, o.sla_met) IS DISTINCT FROM (n.completed_at, n.sla_met))"  # noqa: E501
_CHANGED_NEW = "(SELECT n.* FROM old_rows o JOIN new_rows n USING (id) WHERE (o.completed_at, o.sla_met) IS DISTINCT FROM (n.completed_at, n.sla_met))"  # noqa: E501

_UPDATE_UPSERT = _UPSERT.format(
    changes=_CONTRIBUTION.format(t="a", sign=-1, rows=_CHANGED)
    + " UNION ALL "
    + _CONTRIBUTION.format(t="b", sign=1, rows=_CHANGED_NEW)
)

CREATE_SLA_COUNTS = f"""
CREATE TABLE assignment_daily_sla (
  business_date date NOT NULL,
  shard smallint NOT NULL,
  met bigint NOT NULL DEFAULT 0,
  missed bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (business_date, shard)
);
-- Counts by day, nothing about a person: the dashboard reads it as `authenticated`.
GRANT SELECT ON assignment_daily_sla TO authenticated;

CREATE OR REPLACE FUNCTION assignment_sla_counts_insert() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  {_UPSERT.format(changes=_CONTRIBUTION.format(t="a", sign=1, rows="new_rows"))}
  RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION assignment_sla_counts_delete() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  {_UPSERT.format(changes=_CONTRIBUTION.format(t="a", sign=-1, rows="old_rows"))}
  RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION assignment_sla_counts_update() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  {_UPDATE_UPSERT}
  RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION assignment_sla_counts_truncate() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  DELETE FROM assignment_daily_sla;
  RETURN NULL;
END $$;

CREATE TRIGGER assignments_sla_count_insert AFTER INSERT ON assignments
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assignment_sla_counts_insert();
CREATE TRIGGER assignments_sla_count_update AFTER UPDATE ON assignments
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assignment_sla_counts_update();
CREATE TRIGGER assignments_sla_count_delete AFTER DELETE ON assignments
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION assignment_sla_counts_delete();
CREATE TRIGGER assignments_sla_count_truncate AFTER TRUNCATE ON assignments
  FOR EACH STATEMENT EXECUTE FUNCTION assignment_sla_counts_truncate();

INSERT INTO assignment_daily_sla (business_date, shard, met, missed)
  SELECT business_date(completed_at), 0, count(*) FILTER (WHERE sla_met), count(*) FILTER (WHERE NOT sla_met)
  FROM assignments WHERE completed_at IS NOT NULL AND sla_met IS NOT NULL GROUP BY 1;
"""  # noqa: S608 - constants of the migration, not input

DROP_SLA_COUNTS = """
DROP TRIGGER IF EXISTS assignments_sla_count_insert ON assignments;
DROP TRIGGER IF EXISTS assignments_sla_count_update ON assignments;
DROP TRIGGER IF EXISTS assignments_sla_count_delete ON assignments;
DROP TRIGGER IF EXISTS assignments_sla_count_truncate ON assignments;
DROP FUNCTION IF EXISTS assignment_sla_counts_insert();
DROP FUNCTION IF EXISTS assignment_sla_counts_delete();
DROP FUNCTION IF EXISTS assignment_sla_counts_update();
DROP FUNCTION IF EXISTS assignment_sla_counts_truncate();
DROP TABLE IF EXISTS assignment_daily_sla;
"""


class Migration(migrations.Migration):
    dependencies = [("assignments", "0007_contact_times_skip")]

    operations = [migrations.RunSQL(CREATE_SLA_COUNTS, DROP_SLA_COUNTS)]
