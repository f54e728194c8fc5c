"""get_lead_full() and get_dashboard_stats(): the plan's names, arguments and keys.

Read by leads.selectors.lead_full() and leads.selectors.dashboard_stats().
Fixed from the plan: ordering inside the aggregates (SEED-NOTES #3), [] for
empty lists (#4), timestamptz and the business day for "today" (#5), and no
cast that a malformed row can break (#6).
"""

from django.db import migrations

# Invoker's rights: row-level security applies to whoever calls it.
CREATE_GET_LEAD_FULL = """
CREATE OR REPLACE FUNCTION get_lead_full(lead_uuid uuid) RETURNS json
LANGUAGE sql STABLE AS $$
  SELECT json_build_object(
    'lead', row_to_json(l),
    'products', COALESCE((
      SELECT json_agg(lp ORDER BY lp.created_at, lp.id) FROM lead_products lp WHERE lp.lead_id = l.id
    ), '[]'::json),
    'current_assignment', (
      SELECT row_to_json(a) FROM assignments a
      WHERE a.lead_id = l.id AND a.status = 'active' ORDER BY a.assigned_at DESC LIMIT 1
    ),
    'assignments', COALESCE((
      SELECT json_agg(a ORDER BY a.assigned_at DESC, a.id) FROM assignments a WHERE a.lead_id = l.id
    ), '[]'::json),
    'ai_analysis', (
      SELECT la.metadata FROM lead_activity la
      WHERE la.lead_id = l.id AND la.type = 'ai_result' ORDER BY la.created_at DESC, la.id DESC LIMIT 1
    ),
    'activities', COALESCE((
      SELECT json_agg(la ORDER BY la.created_at DESC, la.id DESC) FROM lead_activity la WHERE la.lead_id = l.id
    ), '[]'::json),
    'pending_follow_ups', COALESCE((
      SELECT json_agg(la ORDER BY try_timestamptz(la.metadata->>'scheduled_for') ASC NULLS LAST, la.created_at, la.id)
      FROM lead_activity la WHERE la.lead_id = l.id AND la.type = 'follow_up' AND la.status = 'pending'
    ), '[]'::json),
    'pending_approvals', COALESCE((
      SELECT json_agg(la ORDER BY la.created_at DESC, la.id DESC)
      FROM lead_activity la WHERE la.lead_id = l.id AND la.type = 'approval' AND la.status = 'pending'
    ), '[]'::json)
  )
  FROM leads l WHERE l.id = lead_uuid
$$;
REVOKE ALL ON FUNCTION get_lead_full(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION get_lead_full(uuid) TO authenticated;
"""
DROP_GET_LEAD_FULL = "DROP FUNCTION IF EXISTS get_lead_full(uuid);"

# Exact figures without full scans: whole days come from the trigger-kept
# counters, the one partial day at the edge of the 30-day window from an index
# range, and the "now"-relative counts from partial indexes.
CREATE_GET_DASHBOARD_STATS = """
CREATE OR REPLACE FUNCTION get_dashboard_stats() RETURNS json
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  window_start timestamptz := now() - interval '30 days';
  edge_day date := business_date(now() - interval '30 days');
  edge_end timestamptz := business_day_start(business_date(now() - interval '30 days') + 1);
  total bigint; today bigint; recent bigint; recent_converted bigint;
  edge_total bigint; edge_converted bigint;
  responses bigint; response_minutes bigint; edge_responses bigint; edge_minutes bigint;
BEGIN
  SELECT COALESCE(sum(n), 0),
         COALESCE(sum(n) FILTER (WHERE business_date = business_date(now())), 0),
         COALESCE(sum(n) FILTER (WHERE business_date > edge_day), 0),
         COALESCE(sum(n) FILTER (WHERE business_date > edge_day AND status = 'converted'), 0)
    INTO total, today, recent, recent_converted
    FROM lead_daily_counts;
  SELECT count(*), count(*) FILTER (WHERE status = 'converted')
    INTO edge_total, edge_converted
    FROM leads WHERE created_at > window_start AND created_at < edge_end;

  SELECT COALESCE(sum(completed), 0), COALESCE(sum(minutes_sum), 0)
    INTO responses, response_minutes
    FROM assignment_daily_responses WHERE business_date > edge_day;
  SELECT count(response_time_minutes), COALESCE(sum(response_time_minutes), 0)
    INTO edge_responses, edge_minutes
    FROM assignments WHERE completed_at > window_start AND completed_at < edge_end;

  recent := recent + edge_total;
  recent_converted := recent_converted + edge_converted;
  responses := responses + edge_responses;
  response_minutes := response_minutes + edge_minutes;

  RETURN json_build_object(
    'total_leads', total,
    'new_leads_today', today,
    'pending_follow_ups', (
      SELECT count(*) FROM lead_activity
      WHERE type = 'follow_up' AND status = 'pending'
        AND try_timestamptz(metadata->>'scheduled_for') <= now() + interval '1 hour'),
    'pending_approvals', (
      SELECT count(*) FROM lead_activity WHERE type = 'approval' AND status = 'pending'),
    'sla_violations', (
      SELECT count(*) FROM assignments WHERE status = 'active' AND sla_deadline < now()),
    'avg_response_time_minutes',
      CASE WHEN responses = 0 THEN NULL ELSE round(response_minutes::numeric / responses, 0) END,
    'conversion_rate',
      CASE WHEN recent = 0 THEN NULL ELSE round(recent_converted::numeric / recent * 100, 2) END
  );
END $$;
REVOKE ALL ON FUNCTION get_dashboard_stats() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION get_dashboard_stats() TO authenticated;
"""
DROP_GET_DASHBOARD_STATS = "DROP FUNCTION IF EXISTS get_dashboard_stats();"


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0002_database_rules"),
        ("activity", "0003_get_pending_follow_ups"),
        ("assignments", "0002_database_rules"),
    ]

    operations = [
        migrations.RunSQL(CREATE_GET_LEAD_FULL, DROP_GET_LEAD_FULL),
        migrations.RunSQL(CREATE_GET_DASHBOARD_STATS, DROP_GET_DASHBOARD_STATS),
    ]
