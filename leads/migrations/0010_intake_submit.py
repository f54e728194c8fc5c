"""Intake's writes in one call: the duplicate check, the lead or its resubmission note, products, consent.

Read by leads.intake.services.lead_submit(), which calls it under SET LOCAL ROLE anon
and builds the document it takes (texts validated, event metadata checked by
activity.metadata). SECURITY INVOKER: every insert runs as the caller, so RLS
still decides; only the lookup of today's lead goes through the narrow
SECURITY DEFINER intake_todays_lead_id() (0005). No RETURNING: anon may not
read rows back, so ids are made here.
"""

from django.db import migrations

CREATE_INTAKE_SUBMIT = """
CREATE OR REPLACE FUNCTION intake_submit(p_submission jsonb) RETURNS TABLE (lead_id uuid, merged boolean)
  LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = public, pg_temp AS $$
DECLARE
  v_lead jsonb := p_submission->'lead';
  v_event jsonb;
  v_lead_id uuid;
BEGIN
  -- Takes the transaction's lock on the email first: same-email intakes queue here.
  v_lead_id := intake_todays_lead_id(v_lead->>'email');
  merged := v_lead_id IS NOT NULL;
  IF merged THEN
    v_event := p_submission->'resubmission';
    INSERT INTO lead_activity (id, lead_id, created_at, updated_at, type, status, message, actor_type, metadata)
    VALUES (gen_random_uuid(), v_lead_id, clock_timestamp(), clock_timestamp(), 'note', 'completed',
            v_event->>'message', 'system', v_event->'metadata');
  ELSE
    v_lead_id := gen_random_uuid();
    INSERT INTO leads (id, created_at, updated_at, name, email, phone, company, role, location, message, source, status)
    VALUES (v_lead_id, now(), now(), v_lead->>'name', v_lead->>'email', v_lead->>'phone', v_lead->>'company',
            v_lead->>'role', v_lead->>'location', v_lead->>'message', v_lead->>'source', 'new');
  END IF;
  -- clock_timestamp(): each row a later time, so products and events keep the order they were sent in.
  INSERT INTO lead_products (id, lead_id, created_at, category, product, quantity, notes)
  SELECT gen_random_uuid(), v_lead_id, clock_timestamp(), item->>'category', item->>'product',
         item->>'quantity', item->>'notes'
  FROM jsonb_array_elements(p_submission->'products') WITH ORDINALITY AS interests(item, position)
  ORDER BY position;
  v_event := p_submission->'consent';
  IF jsonb_typeof(v_event) = 'object' THEN
    INSERT INTO lead_activity (id, lead_id, created_at, updated_at, type, status, message, actor_type, metadata)
    VALUES (gen_random_uuid(), v_lead_id, clock_timestamp(), clock_timestamp(), 'consent', 'completed',
            v_event->>'message', 'system', v_event->'metadata');
  END IF;
  -- For intake_follow_on(), later in the same transaction (transaction-local settings).
  PERFORM set_config('leadsys.intake_lead_id', v_lead_id::text, true);
  PERFORM set_config('leadsys.intake_merged', merged::text, true);
  lead_id := v_lead_id;
  RETURN NEXT;
END $$;
REVOKE ALL ON FUNCTION intake_submit(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION intake_submit(jsonb) TO anon;
"""
DROP_INTAKE_SUBMIT = "DROP FUNCTION IF EXISTS intake_submit(jsonb);"

# Read by leads.intake.services (the owner's step of intake, after RESET ROLE, in the same
# statement string as intake_submit()). For the lead intake_submit() just wrote, it
# queues the jobs procrastinate's Python built (the lead id added to their args;
# "new_lead_only" jobs dropped for a resubmission), logs a webhook delivery for every
# endpoint listening for lead.created / lead.merged (webhook_emit()'s rule) with a
# delivery job each, all through the SQL function procrastinate's own defer query
# calls. Not granted to anon.
CREATE_INTAKE_FOLLOW_ON = """
CREATE OR REPLACE FUNCTION intake_follow_on(p_jobs jsonb, p_delivery_job jsonb)
  RETURNS TABLE (lead_id uuid, merged boolean)
  LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = public, pg_temp AS $$
DECLARE
  v_event text;
  v_jobs jsonb;
  v_deliveries jsonb;
BEGIN
  lead_id := current_setting('leadsys.intake_lead_id')::uuid;
  merged := current_setting('leadsys.intake_merged')::boolean;
  v_event := CASE WHEN merged THEN 'lead.merged' ELSE 'lead.created' END;
  SELECT coalesce(jsonb_agg(job || jsonb_build_object('args', job->'args' || jsonb_build_object('lead_id', lead_id::text))
                            ORDER BY position), '[]'::jsonb)
    INTO v_jobs
    FROM jsonb_array_elements(p_jobs) WITH ORDINALITY AS jobs(job, position)
   WHERE NOT (merged AND (job->>'new_lead_only')::boolean);
  WITH deliveries AS (
    INSERT INTO webhook_deliveries (id, endpoint_id, event, payload, status, attempts, last_error, created_at)
    SELECT gen_random_uuid(), e.id, v_event, jsonb_build_object('lead_id', lead_id::text), 'pending', 0, '', now()
      FROM webhook_endpoints e
     WHERE e.is_active AND e.paused_at IS NULL AND e.events @> jsonb_build_array(v_event)
    RETURNING id
  )
  SELECT coalesce(jsonb_agg(p_delivery_job || jsonb_build_object('args', jsonb_build_object('delivery_id', id::text))),
                  '[]'::jsonb)
    INTO v_deliveries
    FROM deliveries;
  PERFORM procrastinate_defer_jobs_v1(ARRAY(
    SELECT ROW(job->>'queue_name', job->>'task_name', (job->>'priority')::integer, job->>'lock',
               job->>'queueing_lock', job->'args', (job->>'scheduled_at')::timestamptz
           )::procrastinate_job_to_defer_v1
      FROM jsonb_array_elements(v_jobs || v_deliveries) WITH ORDINALITY AS jobs(job, position)
     ORDER BY position
  ));
  RETURN NEXT;
END $$;
REVOKE ALL ON FUNCTION intake_follow_on(jsonb, jsonb) FROM PUBLIC;
"""
DROP_INTAKE_FOLLOW_ON = "DROP FUNCTION IF EXISTS intake_follow_on(jsonb, jsonb);"


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0009_search_indexes"),
        ("procrastinate", "0037_pre_batch_defer_jobs"),
    ]

    operations = [
        migrations.RunSQL(CREATE_INTAKE_SUBMIT, DROP_INTAKE_SUBMIT),
        migrations.RunSQL(CREATE_INTAKE_FOLLOW_ON, DROP_INTAKE_FOLLOW_ON),
    ]
