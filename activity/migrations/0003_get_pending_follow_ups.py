"""get_pending_follow_ups(): the plan's function, with keyset paging.

Read by activity.selectors.pending_follow_ups(). Called with no arguments it
returns what the plan's did (every due follow-up, oldest first), with
timestamptz times and malformed rows left out instead of breaking the call.
"""

from django.db import migrations

CREATE_GET_PENDING_FOLLOW_UPS = """
CREATE OR REPLACE FUNCTION get_pending_follow_ups(
  p_limit integer DEFAULT NULL,
  p_after_scheduled_for timestamptz DEFAULT NULL,
  p_after_id uuid DEFAULT NULL,
  p_owner_id varchar DEFAULT NULL
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
LANGUAGE sql STABLE AS $$
  SELECT la.id, la.lead_id, l.name, (la.metadata->>'action')::varchar,
         try_timestamptz(la.metadata->>'scheduled_for'), la.message, a.owner_id, a.owner_name
  FROM lead_activity la
  JOIN leads l ON l.id = la.lead_id
  LEFT JOIN LATERAL (
    SELECT x.owner_id, x.owner_name FROM assignments x
    WHERE x.lead_id = la.lead_id AND x.status = 'active' LIMIT 1
  ) a ON true
  WHERE la.type = 'follow_up' AND la.status = 'pending'
    AND try_timestamptz(la.metadata->>'scheduled_for') <= now()
    AND (p_after_scheduled_for IS NULL
         OR (try_timestamptz(la.metadata->>'scheduled_for'), la.id) > (p_after_scheduled_for, p_after_id))
    AND (p_owner_id IS NULL OR a.owner_id = p_owner_id)
  ORDER BY try_timestamptz(la.metadata->>'scheduled_for'), la.id
  LIMIT p_limit
$$;
REVOKE ALL ON FUNCTION get_pending_follow_ups(integer, timestamptz, uuid, varchar) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION get_pending_follow_ups(integer, timestamptz, uuid, varchar) TO authenticated;
"""
DROP_GET_PENDING_FOLLOW_UPS = "DROP FUNCTION IF EXISTS get_pending_follow_ups(integer, timestamptz, uuid, varchar);"


class Migration(migrations.Migration):
    dependencies = [("activity", "0002_database_rules"), ("assignments", "0002_database_rules")]

    operations = [migrations.RunSQL(CREATE_GET_PENDING_FOLLOW_UPS, DROP_GET_PENDING_FOLLOW_UPS)]
