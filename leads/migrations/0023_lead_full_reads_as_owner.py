"""get_lead_full() applies the visibility rule once, for the lead, instead of row-level security per row.

Every row the document reads (the lead, its products, events and assignments) belongs to
the one lead, and the staff policies' visibility rule depends only on the lead
(activity/migrations/0009). Under the policies the rule was checked on each of those
rows; now the function reads as its owner (SECURITY DEFINER, like
get_owner_pending_follow_ups()) and checks the rule on the lead: a lead the caller may
not see gives NULL, as before. A test holds it to what row-level security gives, for
REP_VISIBILITY `own` and `all`. The latest ai_result is taken once, whole, instead of
its id and metadata by two ordered aggregates. Read by leads.selectors.lead_full().
"""

import importlib

from django.db import migrations

_PREVIOUS = importlib.import_module("leads.migrations.0021_lead_full_one_scan").GET_LEAD_FULL
_GRANTS = importlib.import_module("activity.migrations.0009_staff_role_grants")
VISIBLE = "(" + _GRANTS._VISIBLE.format(column="l.id") + ")"

_LATEST_AI_BEFORE = """           (array_agg(la.id ORDER BY la.created_at DESC, la.id DESC) FILTER (WHERE la.type = 'ai_result'))[1] AS ai_id,
           (array_agg(la.metadata ORDER BY la.created_at DESC, la.id DESC)
             FILTER (WHERE la.type = 'ai_result'))[1] AS ai_metadata,"""
_LATEST_AI = (
    "           (array_agg(la ORDER BY la.created_at DESC, la.id DESC) FILTER (WHERE la.type = 'ai_result'))[1] AS ai,"
)

GET_LEAD_FULL = (
    _PREVIOUS.replace(
        "LANGUAGE plpgsql STABLE AS $$",
        "LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$",
    )
    .replace("  WHERE l.id = lead_uuid);", f"  WHERE l.id = lead_uuid AND {VISIBLE});")
    .replace(_LATEST_AI_BEFORE, _LATEST_AI)
    .replace("ev.ai_metadata", "(ev.ai).metadata")
    .replace("ev.ai_id", "(ev.ai).id")
)
assert GET_LEAD_FULL.count("SECURITY DEFINER") == 1 and VISIBLE in GET_LEAD_FULL and _LATEST_AI in GET_LEAD_FULL, (
    "0021's body changed; update this migration"
)


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0022_lead_list_columns"),
        ("activity", "0013_lead_events_in_order"),
    ]

    operations = [migrations.RunSQL(GET_LEAD_FULL, _PREVIOUS)]
