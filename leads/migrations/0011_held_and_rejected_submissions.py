"""Held and rejected form submissions (leads.intake: what the bot checks kept back).

The public form writes both tables as the anon role, which may insert and read
nothing back (as for leads); staff read and decide them as the owner, through
leads.intake.services. A held submission's link to the lead it became is
cleared, not cascaded, when that lead is deleted: the decision stays on record.
"""

import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

# Read by leads.intake.services.held_submission_create() / rejected_submission_create(), run as anon.
CREATE_RLS = """
ALTER TABLE held_submissions ENABLE ROW LEVEL SECURITY;
ALTER TABLE rejected_submissions ENABLE ROW LEVEL SECURITY;
GRANT INSERT ON held_submissions, rejected_submissions TO anon;
CREATE POLICY "Anyone can leave a held submission" ON held_submissions FOR INSERT TO anon
  WITH CHECK (status = 'held' AND decided_by_id IS NULL AND lead_id IS NULL);
CREATE POLICY "Anyone can leave a rejected submission" ON rejected_submissions FOR INSERT TO anon WITH CHECK (true);

-- Django's FK says SET_NULL; say it in the database too, so a lead deleted in SQL keeps the decision.
DO $$ DECLARE c text; BEGIN
  FOR c IN SELECT conname FROM pg_constraint
           WHERE conrelid = 'held_submissions'::regclass AND contype = 'f' AND confrelid = 'leads'::regclass LOOP
    EXECUTE format('ALTER TABLE held_submissions DROP CONSTRAINT %I', c);
  END LOOP;
END $$;
ALTER TABLE held_submissions ADD CONSTRAINT fk_held_submissions_lead
  FOREIGN KEY (lead_id) REFERENCES leads(id) ON DELETE SET NULL;
ALTER TABLE held_submissions ALTER COLUMN created_at SET DEFAULT now();
ALTER TABLE rejected_submissions ALTER COLUMN created_at SET DEFAULT now();
"""
DROP_RLS = """
ALTER TABLE held_submissions DROP CONSTRAINT IF EXISTS fk_held_submissions_lead;
ALTER TABLE held_submissions ADD CONSTRAINT held_submissions_lead_id_fk_leads_id
  FOREIGN KEY (lead_id) REFERENCES leads(id) DEFERRABLE INITIALLY DEFERRED;
DROP POLICY IF EXISTS "Anyone can leave a held submission" ON held_submissions;
DROP POLICY IF EXISTS "Anyone can leave a rejected submission" ON rejected_submissions;
REVOKE ALL ON held_submissions, rejected_submissions FROM anon;
ALTER TABLE held_submissions DISABLE ROW LEVEL SECURITY;
ALTER TABLE rejected_submissions DISABLE ROW LEVEL SECURITY;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0010_intake_submit"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="RejectedSubmission",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                ("reason", models.CharField(default="honeypot", max_length=20)),
                ("name", models.CharField(blank=True, max_length=255)),
                ("email", models.CharField(blank=True, max_length=255)),
                ("trap_value", models.CharField(blank=True, max_length=255)),
                ("ip_address", models.GenericIPAddressField(blank=True, null=True)),
            ],
            options={
                "db_table": "rejected_submissions",
                "ordering": ["-created_at"],
                "indexes": [models.Index(fields=["created_at"], name="idx_rejected_created_at")],
            },
        ),
        migrations.CreateModel(
            name="HeldSubmission",
            fields=[
                ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                (
                    "reason",
                    models.CharField(
                        choices=[
                            ("too_fast", "Sent faster than a person fills the form"),
                            ("unsigned", "No valid form stamp (not posted from a form we served)"),
                        ],
                        max_length=20,
                    ),
                ),
                ("payload", models.JSONField(default=dict)),
                ("ip_address", models.GenericIPAddressField(blank=True, null=True)),
                (
                    "status",
                    models.CharField(
                        choices=[("held", "Held"), ("released", "Released"), ("discarded", "Discarded")],
                        default="held",
                        max_length=20,
                    ),
                ),
                ("decided_at", models.DateTimeField(blank=True, null=True)),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "lead",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="leads.lead",
                    ),
                ),
            ],
            options={
                "db_table": "held_submissions",
                "ordering": ["-created_at", "-id"],
                "indexes": [
                    models.Index(
                        condition=models.Q(("status", "held")),
                        fields=["-created_at", "-id"],
                        name="idx_held_submissions_held",
                    )
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("status__in", ["held", "released", "discarded"])), name="held_status_valid"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("reason__in", ["too_fast", "unsigned"])), name="held_reason_valid"
                    ),
                ],
            },
        ),
        migrations.RunSQL(CREATE_RLS, DROP_RLS),
    ]
