"""Intake hands the lead it wrote to its owner's step without telling the caller a lead it did not create.

intake_submit() (activity/migrations/0006, run as anon or authenticated) used
transaction-local settings to pass the lead id to intake_follow_on() (the
owner's step, 0012). Settings are readable by any role, so for a resubmission
that was a way to learn an existing lead's id from an email address. Now the
setting holds the id only of a lead the caller created; for a resubmission the
owner's step finds today's lead for the email itself (intake_todays_lead_id()
is the owner's, not anon's).

Read by leads.intake.services (the intake string).
"""

import importlib

from django.db import migrations

ROLES_MIGRATION = importlib.import_module("activity.migrations.0006_roles_that_hold")
WEBHOOKS_MIGRATION = importlib.import_module("leads.migrations.0012_standard_webhooks")

_OLD_HANDOFF = "  PERFORM set_config('leadsys.intake_lead_id', v_lead_id::text, true);\n"
_NEW_HANDOFF = (
    "  PERFORM set_config('leadsys.intake_lead_id', CASE WHEN merged THEN '' ELSE v_lead_id::text END, true);\n"
    "  PERFORM set_config('leadsys.intake_email', v_email, true);\n"
)
_OLD_READ = "  lead_id := current_setting('leadsys.intake_lead_id')::uuid;\n"
_NEW_READ = (
    "  lead_id := coalesce(nullif(current_setting('leadsys.intake_lead_id'), '')::uuid,\n"
    "                      intake_todays_lead_id(current_setting('leadsys.intake_email')));\n"
)
assert _OLD_HANDOFF in ROLES_MIGRATION.CREATE_INTAKE_SUBMIT and _OLD_READ in WEBHOOKS_MIGRATION.CREATE_INTAKE_FOLLOW_ON

CREATE_INTAKE_SUBMIT = ROLES_MIGRATION.CREATE_INTAKE_SUBMIT.replace(_OLD_HANDOFF, _NEW_HANDOFF)
CREATE_INTAKE_FOLLOW_ON = WEBHOOKS_MIGRATION.CREATE_INTAKE_FOLLOW_ON.replace(_OLD_READ, _NEW_READ)


class Migration(migrations.Migration):
    dependencies = [("leads", "0012_standard_webhooks"), ("activity", "0006_roles_that_hold")]

    operations = [
        migrations.RunSQL(CREATE_INTAKE_SUBMIT, ROLES_MIGRATION.CREATE_INTAKE_SUBMIT),
        migrations.RunSQL(CREATE_INTAKE_FOLLOW_ON, WEBHOOKS_MIGRATION.CREATE_INTAKE_FOLLOW_ON),
    ]
