"""One rep's due follow-ups start from that rep's leads: get_owner_pending_follow_ups().

Asked for one rep's due follow-ups, the function walked every due follow-up of the
team in time order and kept the rep's: a rep with none due read all of them
(about 200,000 at a million leads, 2.5 s). With an owner it now starts from the
rep's active assignments and their leads' pending follow-ups (a small partial
index by lead), so the cost follows the rep's own open leads. Without an owner
it reads as before: the due index in time order, a keyset page.

get_owner_pending_follow_ups() is that second way, with get_pending_follow_ups()'s rows
and order; activity.selectors.pending_follow_ups() calls it when an owner is given.
get_pending_follow_ups() itself is left as it was (its p_owner_id still works): one body
serving both ways, as plpgsql or as a UNION ALL, lost the inlined keyset plan of the
team's pages (a middle page took 430 ms instead of 1.3).
"""

import importlib

from django.db import migrations

_GRANTS = importlib.import_module("activity.migrations.0009_staff_role_grants")
# Row-level security's visibility rule, as a plain condition: the functions below are SECURITY
# DEFINER, so the keyset condition (try_timestamptz(metadata->>...), not leakproof) may use its
# index; under the policy it was a filter after reading every earlier due follow-up.
VISIBLE = "(" + _GRANTS._VISIBLE.format(column="la.lead_id") + ")"
_PREVIOUS_TEAM = importlib.import_module("activity.migrations.0004_follow_ups_keyset").CURRENT
TEAM = _PREVIOUS_TEAM.replace(
    "LANGUAGE sql STABLE AS $$", "LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$"
).replace(
    "  WHERE la.type = 'follow_up' AND la.status = 'pending'",
    f"  WHERE la.type = 'follow_up' AND la.status = 'pending' AND {VISIBLE}",
)
assert TEAM.count("SECURITY DEFINER") == 1 and VISIBLE in TEAM, "0004's body changed; update this migration"

SELECT_LIST = """
  SELECT la.id, la.lead_id, l.name, (la.metadata->>'action')::varchar,
         try_timestamptz(la.metadata->>'scheduled_for'), la.message, a.owner_id, a.owner_name"""

DUE_AFTER_CURSOR = """
    AND try_timestamptz(la.metadata->>'scheduled_for') <= now()
    AND (try_timestamptz(la.metadata->>'scheduled_for'), la.id)
        > (COALESCE(p_after_scheduled_for, '-infinity'::timestamptz),
           COALESCE(p_after_id, '00000000-0000-0000-0000-000000000000'::uuid))"""

DENSE_OWNER_LEADS = 2000

CREATE = f"""
CREATE INDEX IF NOT EXISTS idx_lead_activity_follow_ups_pending_lead ON lead_activity (lead_id)
  WHERE type = 'follow_up' AND status = 'pending';

CREATE OR REPLACE FUNCTION get_owner_pending_follow_ups(
  p_owner_id varchar,
  p_limit integer DEFAULT NULL,
  p_after_scheduled_for timestamptz DEFAULT NULL,
  p_after_id uuid DEFAULT NULL
)
RETURNS TABLE (
  activity_id uuid,
  lead_id uuid,
  lead_name varchar,
  action varchar,
  scheduled_for timestamptz,
  message text,
  owner_id varchar,
  owner_name varchar
)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
#variable_conflict use_column
BEGIN
  -- A rep with more open leads than a page can sort quickly (never in practice: max_open_leads) is
  -- read like the team, in due order, keeping theirs; anyone else from their own open leads.
  IF (SELECT count(*) FROM (SELECT 1 FROM assignments x WHERE x.owner_id = p_owner_id AND x.status = 'active'
      LIMIT {DENSE_OWNER_LEADS}) n) >= {DENSE_OWNER_LEADS} THEN
    RETURN QUERY {SELECT_LIST}
    FROM lead_activity la
    JOIN leads l ON l.id = la.lead_id
    JOIN assignments a ON a.lead_id = la.lead_id AND a.status = 'active' AND a.owner_id = p_owner_id
    WHERE la.type = 'follow_up' AND la.status = 'pending' AND {VISIBLE} {DUE_AFTER_CURSOR}
    ORDER BY try_timestamptz(la.metadata->>'scheduled_for'), la.id
    LIMIT p_limit;
    RETURN;
  END IF;
  -- A lead has at most one active assignment (assignments_one_active_per_lead).
  RETURN QUERY WITH mine AS MATERIALIZED (
    SELECT x.lead_id, x.owner_id, x.owner_name FROM assignments x WHERE x.owner_id = p_owner_id AND x.status = 'active'
  )
  {SELECT_LIST}
  FROM mine a
  JOIN lead_activity la ON la.lead_id = a.lead_id AND la.type = 'follow_up' AND la.status = 'pending'
  JOIN leads l ON l.id = a.lead_id
  WHERE {VISIBLE} {DUE_AFTER_CURSOR}
  ORDER BY try_timestamptz(la.metadata->>'scheduled_for'), la.id
  LIMIT p_limit;
END $$;
REVOKE ALL ON FUNCTION get_owner_pending_follow_ups(varchar, integer, timestamptz, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION get_owner_pending_follow_ups(varchar, integer, timestamptz, uuid) TO authenticated;
"""  # noqa: S608 - constants of the migration, not input

DROP = """
DROP FUNCTION IF EXISTS get_owner_pending_follow_ups(varchar, integer, timestamptz, uuid);
DROP INDEX IF EXISTS idx_lead_activity_follow_ups_pending_lead;
"""


class Migration(migrations.Migration):
    dependencies = [("activity", "0011_agreement_counts")]

    operations = [migrations.RunSQL(CREATE, DROP), migrations.RunSQL(TEAM, _PREVIOUS_TEAM)]
