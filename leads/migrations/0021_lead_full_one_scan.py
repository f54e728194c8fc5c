"""get_lead_full() reads the lead's events and assignments once each.

It looked up the lead's events five times (all of them, the latest ai_result, its latest
correction, the pending follow-ups, the pending approvals) and its assignments twice; at a
million leads its p95 was 0.68 ms against the plan's 0.55 for less work. Now one scan of
each feeds every key through filtered aggregates; the document is the same, key for key
(a test compares it with the previous definition on generated leads).
"""

import importlib

from django.db import migrations

PREVIOUS = importlib.import_module("leads.migrations.0006_function_fixes").GET_LEAD_FULL

GET_LEAD_FULL = """
CREATE OR REPLACE FUNCTION get_lead_full(lead_uuid uuid) RETURNS json
LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN (
  SELECT json_build_object(
    'lead', row_to_json(l),
    'products', COALESCE((
      SELECT json_agg(lp ORDER BY lp.created_at, lp.id) FROM lead_products lp WHERE lp.lead_id = l.id
    ), '[]'::json),
    'current_assignment', asg.current,
    'assignments', COALESCE(asg.all_rows, '[]'::json),
    'ai_analysis', CASE
      WHEN ev.ai_metadata IS NULL THEN NULL
      WHEN jsonb_typeof(ev.ai_metadata) <> 'object' THEN ev.ai_metadata
      ELSE ev.ai_metadata || COALESCE((
        SELECT jsonb_strip_nulls(c - 'overrides') FROM unnest(ev.corrections) c
        WHERE c->>'overrides' = ev.ai_id::text LIMIT 1
      ), '{}'::jsonb)
    END,
    'activities', COALESCE(ev.all_rows, '[]'::json),
    'pending_follow_ups', COALESCE(ev.follow_ups, '[]'::json),
    'pending_approvals', COALESCE(ev.approvals, '[]'::json)
  )
  FROM leads l
  CROSS JOIN LATERAL (
    SELECT json_agg(a ORDER BY a.assigned_at DESC, a.id) AS all_rows,
           (array_agg(row_to_json(a) ORDER BY a.assigned_at DESC) FILTER (WHERE a.status = 'active'))[1] AS current
    FROM assignments a WHERE a.lead_id = l.id
  ) asg
  CROSS JOIN LATERAL (
    SELECT json_agg(la ORDER BY la.created_at DESC, la.id DESC) AS all_rows,
           json_agg(la ORDER BY try_timestamptz(la.metadata->>'scheduled_for') ASC NULLS LAST, la.created_at, la.id)
             FILTER (WHERE la.type = 'follow_up' AND la.status = 'pending') AS follow_ups,
           json_agg(la ORDER BY la.created_at DESC, la.id DESC)
             FILTER (WHERE la.type = 'approval' AND la.status = 'pending') AS approvals,
           (array_agg(la.id ORDER BY la.created_at DESC, la.id DESC) FILTER (WHERE la.type = 'ai_result'))[1] AS ai_id,
           (array_agg(la.metadata ORDER BY la.created_at DESC, la.id DESC)
             FILTER (WHERE la.type = 'ai_result'))[1] AS ai_metadata,
           -- Newest first, so the first one naming the latest result is its latest correction.
           array_agg(jsonb_build_object(
               'overrides', la.metadata->>'overrides', 'intent', la.metadata->'intent',
               'priority', la.metadata->'priority', 'corrected_by', la.actor_id, 'corrected_at', la.created_at)
             ORDER BY la.created_at DESC, la.id DESC) FILTER (WHERE la.type = 'ai_correction') AS corrections
    FROM lead_activity la WHERE la.lead_id = l.id
  ) ev
  WHERE l.id = lead_uuid);
END $$;
"""


class Migration(migrations.Migration):
    dependencies = [("leads", "0020_lead_categories_index")]

    operations = [migrations.RunSQL(GET_LEAD_FULL, PREVIOUS)]
