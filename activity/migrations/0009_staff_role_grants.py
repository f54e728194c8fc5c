"""Staff requests run as `authenticated`: what that role needs beyond the four tables, and who sees what.

Console and token-API views run their transaction as `authenticated` with `app.user_id`,
`app.is_manager` and `app.rep_visibility` set (leadsys.roles.staff_role, applied by
assignments.guards.runs_as_staff). The worker, migrations, commands and the admin stay the owner.

What the role may touch outside the four tables, and why (nothing secret is readable):
- auth_user: the columns a page or routing reads, never `password`; the ORM reads users through
  assignments.routing.staff_users() (password deferred). auth_group and auth_user_groups: who is a
  rep or a manager (routing, the navigation).
- rep_profiles: routing reads them; a manager's reassign stamps `last_assigned_at` (round-robin), the
  only column it may change.
- catalogue_categories, catalogue_products: the catalogue that filters and forms list.
- procrastinate_jobs, procrastinate_events: a person's action queues jobs (a notice to managers)
  through procrastinate_defer_jobs_v1(), which inserts the job and returns its id; the role may insert
  and read back the id, not read other jobs' arguments.
- webhook endpoints and deliveries: none. They hold signing secrets; webhook_emit() runs as the owner
  inside the staff transaction (leadsys.roles.as_owner, via assignments.outbox), the same step the
  owner's intake_follow_on() takes for intake.
- staff_reads (the audit of exports and bulk reads): none; written by the owner
  (activity.services.staff_read_record), so nobody can erase or forge their own trail.
- django_session, authtoken_token, otp and axes tables: none. Sessions, tokens and second factors are
  read by middleware and DRF authentication before the role is set, and saved after it ends.

System events during a staff request:
- routing's `assignment` event of a manager's reassign names the manager (actor user, actor_id theirs)
  already, and the round-robin choice made for them is in its metadata. The insert policy of 0006 did
  not list the type; a second, narrow insert policy lets a manager (app.is_manager) record an
  `assignment` event as themselves, now. A rep cannot (reassigning is a manager's), and nobody can
  record one as `system` or in another's name.
- `status_change` and contact events are the person's own.

Per-rep visibility (REP_VISIBILITY=own): a restrictive policy on each of the four tables lets a rep
see and change only leads whose active assignment is theirs, or that have none (waiting unassigned);
managers (app.is_manager) see all; with `all` (the default) or the settings unset (a SQL client that
sets only app.user_id) it adds nothing. staff_sees_lead() is SECURITY DEFINER so the policy on
`assignments` can look at assignments without recursing into itself.
"""

from django.db import migrations

USER_COLUMNS = "id, username, first_name, last_name, email, is_active, is_staff, is_superuser, last_login, date_joined"

CREATE_GRANTS = f"""
GRANT SELECT ({USER_COLUMNS}) ON auth_user TO authenticated;
GRANT SELECT ON auth_group, auth_user_groups TO authenticated;
GRANT SELECT ON rep_profiles TO authenticated;
GRANT UPDATE (last_assigned_at) ON rep_profiles TO authenticated;
GRANT SELECT ON catalogue_categories, catalogue_products TO authenticated;
GRANT INSERT, SELECT (id) ON procrastinate_jobs TO authenticated;
GRANT INSERT ON procrastinate_events TO authenticated;
GRANT USAGE ON SEQUENCE procrastinate_jobs_id_seq, procrastinate_events_id_seq TO authenticated;
-- The dashboard's counters: counts by day, status, priority and intent, nothing about a person.
GRANT SELECT ON lead_daily_counts, lead_triage_daily_counts TO authenticated;
REVOKE ALL ON staff_reads FROM authenticated, anon;
"""  # noqa: S608 - constants of the migration, not input
DROP_GRANTS = f"""
REVOKE SELECT ({USER_COLUMNS}) ON auth_user FROM authenticated;
REVOKE ALL ON auth_group, auth_user_groups, rep_profiles, catalogue_categories, catalogue_products FROM authenticated;
REVOKE ALL ON procrastinate_jobs, procrastinate_events FROM authenticated;
REVOKE ALL ON lead_daily_counts, lead_triage_daily_counts FROM authenticated;
REVOKE ALL ON SEQUENCE procrastinate_jobs_id_seq, procrastinate_events_id_seq FROM authenticated;
"""  # noqa: S608 - constants of the migration, not input

# The rule of REP_VISIBILITY=own for one lead; read by the policies below.
CREATE_STAFF_SEES_LEAD = """
CREATE OR REPLACE FUNCTION staff_sees_lead(p_lead uuid) RETURNS boolean
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT NOT EXISTS (SELECT 1 FROM assignments a
                     WHERE a.lead_id = p_lead AND a.status = 'active'
                       AND a.owner_id IS DISTINCT FROM nullif(current_setting('app.user_id', true), ''))
$$;
REVOKE ALL ON FUNCTION staff_sees_lead(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION staff_sees_lead(uuid) TO authenticated;
"""
DROP_STAFF_SEES_LEAD = "DROP FUNCTION IF EXISTS staff_sees_lead(uuid);"

_VISIBLE = (
    "current_setting('app.rep_visibility', true) IS DISTINCT FROM 'own'"
    " OR current_setting('app.is_manager', true) = 'true' OR staff_sees_lead({column})"
)
_POLICY_TABLES = {"leads": "id", "lead_products": "lead_id", "lead_activity": "lead_id", "assignments": "lead_id"}
POLICY_NAME = "Reps see their own and unassigned leads when REP_VISIBILITY=own"
CREATE_VISIBILITY = "\n".join(
    f'CREATE POLICY "{POLICY_NAME}" ON {table} AS RESTRICTIVE FOR ALL TO authenticated'
    f" USING ({_VISIBLE.format(column=column)});"
    for table, column in _POLICY_TABLES.items()
)
DROP_VISIBILITY = "\n".join(f'DROP POLICY IF EXISTS "{POLICY_NAME}" ON {table};' for table in _POLICY_TABLES)


CREATE_ASSIGNMENT_EVENTS = """
CREATE POLICY "Managers record the assignments they make, as themselves, now" ON lead_activity
  FOR INSERT TO authenticated
  WITH CHECK (type = 'assignment' AND status = 'completed' AND actor_type = 'user'
              AND current_setting('app.is_manager', true) = 'true'
              AND actor_id IS NOT DISTINCT FROM nullif(current_setting('app.user_id', true), '')
              AND created_at BETWEEN now() - interval '1 minute' AND now() + interval '1 minute');
"""
DROP_ASSIGNMENT_EVENTS = (
    'DROP POLICY IF EXISTS "Managers record the assignments they make, as themselves, now" ON lead_activity;'
)


class Migration(migrations.Migration):
    dependencies = [
        ("activity", "0008_staff_reads"),
        ("assignments", "0007_contact_times_skip"),
        ("leads", "0013_intake_handoff"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("procrastinate", "0041_post_retry_failed_job"),
    ]

    operations = [
        migrations.RunSQL(CREATE_GRANTS, DROP_GRANTS),
        migrations.RunSQL(CREATE_STAFF_SEES_LEAD, DROP_STAFF_SEES_LEAD),
        migrations.RunSQL(CREATE_VISIBILITY, DROP_VISIBILITY),
        migrations.RunSQL(CREATE_ASSIGNMENT_EVENTS, DROP_ASSIGNMENT_EVENTS),
    ]
