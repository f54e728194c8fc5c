"""How often people agree with the AI, counted as AI results and corrections are appended.

activity.corrections.ai_agreement() counted every ai_result and grouped every
ai_correction on each dashboard request: 20 ms as the owner at a million leads,
900 ms under row-level security (a policy check per event). A statement-level
trigger keeps the counts instead:

- ('ai_results', '', '', ''): ai_result events;
- ('corrected', field, '', ''): AI results corrected on `field` (intent or priority) at least once,
  a result counted once however often it was corrected (per lead and `overrides`);
- ('change', field, ai value, person value): corrections on `field` from one value to another
  ('' stands for a value the event did not have).

The event log is append-only and events go only with their lead, so inserts and deletes
are all there is. Like lead_current_triage_apply (0007) the trigger first locks the leads
concerned in id order, so two people correcting one result at once count it once.
"""

from django.db import migrations

# The corrections among `rows`, one row per corrected field.
_CORRECTIONS = """
  corrections AS (
    SELECT r.id, r.lead_id, r.metadata->>'overrides' AS overrides, f.name, r.metadata
    FROM {rows} r CROSS JOIN (VALUES ('intent'), ('priority')) f(name)
    WHERE r.type = 'ai_correction' AND r.metadata ? f.name
  )"""

# A (lead, result, field) with no other correction in the table besides `rows`' own.
_ALONE = """
    NOT EXISTS (
      SELECT 1 FROM lead_activity x
      WHERE x.lead_id = c.lead_id AND x.type = 'ai_correction'
        AND x.metadata ? c.name AND x.metadata->>'overrides' = c.overrides {besides}
    )"""

_COUNT = """
  INSERT INTO ai_agreement_counts AS t (metric, field, ai_value, person_value, shard, n)
    SELECT metric, field, ai_value, person_value, pg_backend_pid() % 8, {sign} count(*) FROM (
      SELECT 'ai_results' AS metric, '' AS field, '' AS ai_value, '' AS person_value
        FROM {rows} WHERE type = 'ai_result'
      UNION ALL
      SELECT DISTINCT ON (c.lead_id, c.overrides, c.name) 'corrected', c.name, '', ''
        FROM corrections c WHERE {alone}
      UNION ALL
      SELECT 'change', c.name, coalesce(c.metadata->>('previous_' || c.name), ''), coalesce(c.metadata->>c.name, '')
        FROM corrections c
    ) counted GROUP BY 1, 2, 3, 4
    ON CONFLICT (metric, field, ai_value, person_value, shard) DO UPDATE SET n = t.n + EXCLUDED.n"""


def _count(rows: str, sign: str, besides: str) -> str:
    alone = _ALONE.format(besides=besides)
    return "WITH" + _CORRECTIONS.format(rows=rows) + _COUNT.format(rows=rows, sign=sign, alone=alone) + ";"


CREATE_AGREEMENT_COUNTS = f"""
CREATE TABLE ai_agreement_counts (
  metric text NOT NULL,
  field text NOT NULL,
  ai_value text NOT NULL,
  person_value text NOT NULL,
  shard smallint NOT NULL,
  n bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (metric, field, ai_value, person_value, shard)
);
-- Counts of AI values and people's values, nothing about a person or a lead.
GRANT SELECT ON ai_agreement_counts TO authenticated;

CREATE OR REPLACE FUNCTION ai_agreement_counts_insert() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM new_rows WHERE type IN ('ai_result', 'ai_correction')) THEN
    RETURN NULL;
  END IF;
  PERFORM 1 FROM leads WHERE id IN (SELECT lead_id FROM new_rows WHERE type = 'ai_correction')
   ORDER BY id FOR UPDATE;
  {_count("new_rows", "", "AND x.id NOT IN (SELECT id FROM new_rows)")}
  RETURN NULL;
END $$;
-- After a delete the rows are gone: a result no correction of which is left is no longer corrected.
CREATE OR REPLACE FUNCTION ai_agreement_counts_delete() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM old_rows WHERE type IN ('ai_result', 'ai_correction')) THEN
    RETURN NULL;
  END IF;
  {_count("old_rows", "-", "")}
  RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION ai_agreement_counts_truncate() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  DELETE FROM ai_agreement_counts;
  RETURN NULL;
END $$;

CREATE TRIGGER lead_activity_agreement_count_insert AFTER INSERT ON lead_activity
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION ai_agreement_counts_insert();
CREATE TRIGGER lead_activity_agreement_count_delete AFTER DELETE ON lead_activity
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION ai_agreement_counts_delete();
CREATE TRIGGER lead_activity_agreement_count_truncate AFTER TRUNCATE ON lead_activity
  FOR EACH STATEMENT EXECUTE FUNCTION ai_agreement_counts_truncate();
"""  # noqa: S608 - constants of the migration, not input

# Every event is "new" once; none is besides itself.
BACKFILL = _count("lead_activity", "", "AND false")  # noqa: S608

DROP_AGREEMENT_COUNTS = """
DROP TRIGGER IF EXISTS lead_activity_agreement_count_insert ON lead_activity;
DROP TRIGGER IF EXISTS lead_activity_agreement_count_delete ON lead_activity;
DROP TRIGGER IF EXISTS lead_activity_agreement_count_truncate ON lead_activity;
DROP FUNCTION IF EXISTS ai_agreement_counts_insert();
DROP FUNCTION IF EXISTS ai_agreement_counts_delete();
DROP FUNCTION IF EXISTS ai_agreement_counts_truncate();
DROP TABLE IF EXISTS ai_agreement_counts;
"""


class Migration(migrations.Migration):
    dependencies = [("activity", "0010_decided_approvals_index")]

    operations = [
        migrations.RunSQL(CREATE_AGREEMENT_COUNTS, DROP_AGREEMENT_COUNTS),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
    ]
