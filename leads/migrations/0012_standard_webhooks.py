"""Standard Webhooks secrets, rotation, per-endpoint sequence numbers, and deliveries for paused endpoints.

Secrets: the old scheme keyed HMAC with the secret's own bytes; a Standard
Webhooks secret is `whsec_` + the base64 of the key. Each existing secret is
re-encoded to the same key bytes, so a receiver keeps its key and only changes
its verification (README, "Upgrading"); the reverse decodes them back.

Deliveries: each gets its endpoint's sequence number (oldest first); those
"skipped" while their endpoint was paused become pending again, so the next
Resume (or the next delivery to that endpoint) sends them; queued delivery jobs
get their endpoint's lock.
"""

import base64
import importlib

from django.db import migrations, models

import leads.webhooks.models

PREFIX = "whsec_"


def legacy_secret_to_standard(secret: str) -> str:
    """The Standard Webhooks form of an old-scheme secret: the same HMAC key bytes."""
    return PREFIX + base64.b64encode(secret.encode()).decode()


def standard_secret_to_legacy(secret: str) -> str:
    """Back to the old scheme where the key is text; a key that is not (a new random one) stays as it is."""
    if not secret.startswith(PREFIX):
        return secret
    try:
        return base64.b64decode(secret.removeprefix(PREFIX), validate=True).decode()
    except ValueError:
        return secret


def _convert(apps, convert) -> None:  # noqa: ANN001 (migration signature)
    WebhookEndpoint = apps.get_model("leads", "WebhookEndpoint")  # noqa: N806
    for endpoint in WebhookEndpoint.objects.all():
        endpoint.secret = convert(endpoint.secret)
        endpoint.previous_secret = convert(endpoint.previous_secret) if endpoint.previous_secret else ""
        endpoint.save(update_fields=["secret", "previous_secret"])


def secrets_forward(apps, schema_editor) -> None:  # noqa: ANN001
    _convert(apps, legacy_secret_to_standard)


def secrets_backward(apps, schema_editor) -> None:  # noqa: ANN001
    _convert(apps, standard_secret_to_legacy)


NUMBER_DELIVERIES = """
UPDATE webhook_deliveries d SET sequence = numbered.n
  FROM (SELECT id, row_number() OVER (PARTITION BY endpoint_id ORDER BY created_at, id) AS n
          FROM webhook_deliveries) AS numbered
 WHERE d.id = numbered.id;
UPDATE webhook_endpoints e
   SET last_sequence = coalesce((SELECT max(sequence) FROM webhook_deliveries d WHERE d.endpoint_id = e.id), 0);
UPDATE webhook_deliveries SET status = 'pending' WHERE status = 'skipped';
UPDATE procrastinate_jobs j SET lock = 'webhook-endpoint-' || d.endpoint_id
  FROM webhook_deliveries d
 WHERE j.task_name = 'leads.webhooks.tasks.deliver_webhook' AND j.status = 'todo' AND j.lock IS NULL
   AND j.args->>'delivery_id' = d.id::text;
-- Checks the deferred foreign keys of the rows just updated now, not at commit: PostgreSQL
-- refuses the ALTER TABLE below while a table has such checks pending.
SET CONSTRAINTS ALL IMMEDIATE;
"""

# Read by leads.intake.services (see 0010, which this replaces): the same statement
# with webhook_emit()'s new rule. Every active endpoint listening for lead.created /
# lead.merged gets a delivery with its next sequence number, paused or not; only an
# unpaused one gets a delivery job, with the endpoint's lock
# (leads.webhooks.models.endpoint_lock). The endpoints are locked in id order first,
# as webhook_emit() does, so the two never deadlock and numbers follow commit order.
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
  PERFORM 1 FROM webhook_endpoints e
   WHERE e.is_active AND e.events @> jsonb_build_array(v_event)
   ORDER BY e.id FOR UPDATE;
  WITH endpoints AS (
    UPDATE webhook_endpoints e SET last_sequence = e.last_sequence + 1
     WHERE e.is_active AND e.events @> jsonb_build_array(v_event)
    RETURNING e.id, e.last_sequence, e.paused_at
  ), deliveries AS (
    INSERT INTO webhook_deliveries (id, endpoint_id, sequence, event, payload, status, attempts, last_error, created_at)
    SELECT gen_random_uuid(), e.id, e.last_sequence, v_event, jsonb_build_object('lead_id', lead_id::text),
           'pending', 0, '', now()
      FROM endpoints e
    RETURNING id, endpoint_id
  )
  SELECT coalesce(jsonb_agg(p_delivery_job || jsonb_build_object(
                              'lock', 'webhook-endpoint-' || d.endpoint_id,
                              'args', jsonb_build_object('delivery_id', d.id::text))
                            ORDER BY d.endpoint_id), '[]'::jsonb)
    INTO v_deliveries
    FROM deliveries d JOIN endpoints e ON e.id = d.endpoint_id
   WHERE e.paused_at IS NULL;
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
# The reverse is 0010's function as it was (same signature, so CREATE OR REPLACE restores it).
RESTORE_INTAKE_FOLLOW_ON = importlib.import_module("leads.migrations.0010_intake_submit").CREATE_INTAKE_FOLLOW_ON


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0011_held_and_rejected_submissions"),
        ("procrastinate", "0037_pre_batch_defer_jobs"),
    ]

    operations = [
        migrations.AddField(
            model_name="webhookendpoint",
            name="previous_secret",
            field=models.CharField(blank=True, editable=False, max_length=200),
        ),
        migrations.AddField(
            model_name="webhookendpoint",
            name="previous_secret_expires_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="webhookendpoint",
            name="last_sequence",
            field=models.PositiveBigIntegerField(default=0, editable=False),
        ),
        migrations.AlterField(
            model_name="webhookendpoint",
            name="secret",
            field=models.CharField(
                default=leads.webhooks.models.new_secret,
                help_text="Standard Webhooks secret (whsec_…): give it to the receiver to verify signatures.",
                max_length=200,
            ),
        ),
        migrations.RunPython(secrets_forward, secrets_backward),
        migrations.AddField(
            model_name="webhookdelivery",
            name="sequence",
            field=models.PositiveBigIntegerField(editable=False, null=True),
        ),
        migrations.RunSQL(NUMBER_DELIVERIES, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="webhookdelivery",
            name="sequence",
            field=models.PositiveBigIntegerField(editable=False),
        ),
        migrations.AlterField(
            model_name="webhookdelivery",
            name="status",
            field=models.CharField(
                choices=[("pending", "Pending"), ("succeeded", "Succeeded"), ("failed", "Failed")],
                default="pending",
                max_length=20,
            ),
        ),
        migrations.AddIndex(
            model_name="webhookdelivery",
            index=models.Index(
                condition=models.Q(("status", "succeeded"), _negated=True),
                fields=["endpoint", "sequence"],
                name="idx_webhook_delivery_waiting",
            ),
        ),
        migrations.AddConstraint(
            model_name="webhookdelivery",
            constraint=models.UniqueConstraint(fields=("endpoint", "sequence"), name="uniq_webhook_delivery_sequence"),
        ),
        migrations.RunSQL(CREATE_INTAKE_FOLLOW_ON, RESTORE_INTAKE_FOLLOW_ON),
    ]
