"""get_dashboard_stats(): sla_violations is the plan's live figure again, breaches recorded get their own key.

A manager acts on the assignments that are active and past their deadline now
(with the worker stopped, the recorded breaches say 0 while leads are overdue);
`sla_breaches_30d` keeps what the breach scan recorded in the last 30 days.
Read by leads.selectors.dashboard_stats() and leads.console.dashboard_data.
"""

from django.db import migrations

BREACHES_ALL_TIME = "SELECT count(*) FROM lead_activity WHERE type = 'sla_breach'"
LIVE_AND_RECENT = (
    "SELECT count(*) FROM assignments WHERE status = 'active' AND sla_deadline < now()), "
    "'sla_breaches_30d', ("
    "SELECT count(*) FROM lead_activity WHERE type = 'sla_breach' AND created_at > now() - interval '30 days'"
)

# The 30-day count is a range of this partial index, not a scan of the event log.
BREACH_TIME_INDEX = (
    "CREATE INDEX IF NOT EXISTS idx_activity_sla_breach_created ON lead_activity (created_at) "
    "WHERE type = 'sla_breach';"
)
BREACH_TIME_INDEX_REVERSE = "DROP INDEX IF EXISTS idx_activity_sla_breach_created;"


def _swap(schema_editor: object, *, old: str, new: str) -> None:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_functiondef('get_dashboard_stats()'::regprocedure)")
        definition = cursor.fetchone()[0]
        if old not in definition:
            raise RuntimeError("get_dashboard_stats() does not contain the expected sla_violations expression")
        cursor.execute(definition.replace(old, new))


def live_violations(apps: object, schema_editor: object) -> None:
    _swap(schema_editor, old=BREACHES_ALL_TIME, new=LIVE_AND_RECENT)


def recorded_violations(apps: object, schema_editor: object) -> None:
    _swap(schema_editor, old=LIVE_AND_RECENT, new=BREACHES_ALL_TIME)


class Migration(migrations.Migration):
    dependencies = [("leads", "0013_intake_handoff")]

    operations = [
        migrations.RunSQL(BREACH_TIME_INDEX, BREACH_TIME_INDEX_REVERSE),
        migrations.RunPython(live_violations, recorded_violations),
    ]
