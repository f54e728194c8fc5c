"""Roles that can only do what their door needs (ARCHITECTURE.md, "Row-level security is real").

- anon: no table privilege on the four tables at all. The one way in is
  intake_submit(), now SECURITY DEFINER, which writes exactly what intake writes
  (a `new` lead from the website form, its products, the consent event or the
  resubmission note, all `system`, all stamped now) and checks the document
  itself. It returns no lead id for a resubmission, and the lookup helper
  intake_todays_lead_id() is no longer executable by anon or PUBLIC: nobody can
  turn an email address into a lead id.
- authenticated: reads everything; inserts only what a person records now, as
  themselves (app.user_id); updates only the human-set columns (status and the
  contact details, never email, message, source or created_at); products and
  trigger-owned columns are not theirs to change.
- a lead's contact details (name, phone, company, role, location) change only
  with their event: a trigger refuses the UPDATE unless the transaction names a
  `contact_edit` note for this lead whose from/to match the change
  (assignments.services.lead_contact_update writes both).

Read by leads.intake.services (intake_submit), assignments.services
(lead_contact_update) and leadsys.roles (app.user_id).
"""

import importlib

from django.db import migrations

PREVIOUS_INTAKE_SUBMIT = importlib.import_module("leads.migrations.0010_intake_submit").CREATE_INTAKE_SUBMIT
PREVIOUS_LOOKUP = importlib.import_module("leads.migrations.0005_intake_lookup").CREATE_INTAKE_LOOKUP

INTAKE_SOURCES = "('website_form', 'referral', 'campaign', 'phone', 'partner', 'walk_in')"

CREATE_INTAKE_SUBMIT = f"""
CREATE OR REPLACE FUNCTION intake_submit(p_submission jsonb) RETURNS TABLE (lead_id uuid, merged boolean)
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_lead jsonb := p_submission->'lead';
  v_email text := p_submission->'lead'->>'email';
  v_caller text := current_setting('role');  -- the SET ROLE of whoever called: anon, authenticated or none (owner)
  v_event jsonb;
  v_lead_id uuid;
BEGIN
  IF jsonb_typeof(v_lead) IS DISTINCT FROM 'object' THEN
    RAISE EXCEPTION 'intake: the submission has no lead' USING ERRCODE = 'check_violation';
  END IF;
  IF v_email IS NULL OR length(v_email) > 254 OR v_email !~ '^[^@[:space:]]{{1,64}}@[^@[:space:]]+\\.[^@[:space:]]+$' THEN
    RAISE EXCEPTION 'intake: not an email address' USING ERRCODE = 'check_violation';
  END IF;
  IF length(btrim(coalesce(v_lead->>'name', ''))) < 2 THEN
    RAISE EXCEPTION 'intake: a name needs at least two characters' USING ERRCODE = 'check_violation';
  END IF;
  IF coalesce(v_lead->>'source', '') NOT IN {INTAKE_SOURCES}
     OR (v_caller = 'anon' AND v_lead->>'source' <> 'website_form') THEN
    RAISE EXCEPTION 'intake: source % is not one this caller may set', v_lead->>'source'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF jsonb_typeof(coalesce(p_submission->'products', '[]'::jsonb)) <> 'array'
     OR EXISTS (SELECT 1 FROM jsonb_array_elements(coalesce(p_submission->'products', '[]'::jsonb)) item
                WHERE jsonb_typeof(item) <> 'object' OR item->>'category' IS NULL OR item->>'product' IS NULL) THEN
    RAISE EXCEPTION 'intake: products must be objects with a category and a product' USING ERRCODE = 'check_violation';
  END IF;
  v_event := p_submission->'consent';
  IF jsonb_typeof(v_event) = 'object' AND (
       jsonb_typeof(v_event->'metadata') IS DISTINCT FROM 'object'
       OR jsonb_typeof(v_event->'metadata'->'privacy_notice_version') IS DISTINCT FROM 'string'
       OR jsonb_typeof(v_event->'metadata'->'marketing_opt_in') IS DISTINCT FROM 'boolean') THEN
    RAISE EXCEPTION 'intake: the consent event is not one intake writes' USING ERRCODE = 'check_violation';
  END IF;

  -- Takes the transaction's lock on the email first: same-email intakes queue here.
  v_lead_id := intake_todays_lead_id(v_email);
  merged := v_lead_id IS NOT NULL;
  IF merged THEN
    v_event := p_submission->'resubmission';
    IF jsonb_typeof(v_event) IS DISTINCT FROM 'object' OR v_event->'metadata'->>'kind' IS DISTINCT FROM 'resubmission' THEN
      RAISE EXCEPTION 'intake: a resubmission needs its note' USING ERRCODE = 'check_violation';
    END IF;
    INSERT INTO lead_activity (id, lead_id, created_at, updated_at, type, status, message, actor_type, metadata)
    VALUES (gen_random_uuid(), v_lead_id, clock_timestamp(), clock_timestamp(), 'note', 'completed',
            v_event->>'message', 'system', v_event->'metadata');
  ELSE
    v_lead_id := gen_random_uuid();
    INSERT INTO leads (id, created_at, updated_at, name, email, phone, company, role, location, message, source, status)
    VALUES (v_lead_id, now(), now(), v_lead->>'name', v_email, v_lead->>'phone', v_lead->>'company',
            v_lead->>'role', v_lead->>'location', v_lead->>'message', v_lead->>'source', 'new');
  END IF;
  -- clock_timestamp(): each row a later time, so products and events keep the order they were sent in.
  INSERT INTO lead_products (id, lead_id, created_at, category, product, quantity, notes)
  SELECT gen_random_uuid(), v_lead_id, clock_timestamp(), item->>'category', item->>'product',
         item->>'quantity', item->>'notes'
  FROM jsonb_array_elements(coalesce(p_submission->'products', '[]'::jsonb)) WITH ORDINALITY AS interests(item, position)
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
  -- A resubmission's lead is not the caller's to know.
  lead_id := CASE WHEN merged THEN NULL ELSE v_lead_id END;
  RETURN NEXT;
END $$;
REVOKE ALL ON FUNCTION intake_submit(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION intake_submit(jsonb) TO anon, authenticated;
REVOKE ALL ON FUNCTION intake_todays_lead_id(text) FROM PUBLIC, anon, authenticated;
"""  # noqa: S608 - constants of the migration, not input
RESTORE_INTAKE_SUBMIT = (
    "DROP FUNCTION IF EXISTS intake_submit(jsonb);\n"
    + PREVIOUS_INTAKE_SUBMIT
    + "\n"
    + PREVIOUS_LOOKUP.split("-- Takes")[0]
    + "GRANT EXECUTE ON FUNCTION intake_todays_lead_id(text) TO anon;"
)

CREATE_POLICIES = """
-- anon: nothing on the four tables; intake_submit() is its door.
REVOKE ALL ON leads, lead_products, lead_activity, assignments FROM anon;
DROP POLICY IF EXISTS "Anyone can submit leads" ON leads;
DROP POLICY IF EXISTS "Anyone can add lead products" ON lead_products;
DROP POLICY IF EXISTS "System can log activity" ON lead_activity;

-- authenticated: read all; write only what a person does, as themselves, now.
REVOKE UPDATE ON leads FROM authenticated;
GRANT UPDATE (status, name, phone, company, role, location, conversion_date) ON leads TO authenticated;
REVOKE UPDATE ON lead_products FROM authenticated;
REVOKE UPDATE ON assignments FROM authenticated;
GRANT UPDATE (status, completed_at, owner_id, owner_name) ON assignments TO authenticated;

DROP POLICY IF EXISTS "Authenticated users can add leads" ON leads;
CREATE POLICY "Staff add new leads, stamped now" ON leads FOR INSERT TO authenticated
  WITH CHECK (status = 'new' AND first_response_at IS NULL AND last_contact_at IS NULL AND conversion_date IS NULL
              AND created_at BETWEEN now() - interval '1 minute' AND now() + interval '1 minute');
DROP POLICY IF EXISTS "Authenticated users can update lead products" ON lead_products;
DROP POLICY IF EXISTS "Authenticated users can add lead products" ON lead_products;
CREATE POLICY "Staff add products, stamped now" ON lead_products FOR INSERT TO authenticated
  WITH CHECK (created_at BETWEEN now() - interval '1 minute' AND now() + interval '1 minute');

DROP POLICY IF EXISTS "System can log activity" ON lead_activity;
CREATE POLICY "Staff record what they did, as themselves, now" ON lead_activity FOR INSERT TO authenticated
  WITH CHECK (actor_type = 'user'
              AND actor_id IS NOT DISTINCT FROM nullif(current_setting('app.user_id', true), '')
              AND created_at BETWEEN now() - interval '1 minute' AND now() + interval '1 minute'
              AND type IN ('note', 'call', 'email', 'follow_up', 'approval', 'status_change', 'ai_correction')
              AND (type NOT IN ('follow_up', 'approval') OR status = 'pending'));

DROP POLICY IF EXISTS "System can create assignments" ON assignments;
CREATE POLICY "Staff open active assignments, stamped now" ON assignments FOR INSERT TO authenticated
  WITH CHECK (status = 'active' AND completed_at IS NULL
              AND assigned_at BETWEEN now() - interval '1 minute' AND now() + interval '1 minute');
"""
RESTORE_POLICIES = """
DROP POLICY IF EXISTS "Staff add new leads, stamped now" ON leads;
DROP POLICY IF EXISTS "Staff add products, stamped now" ON lead_products;
DROP POLICY IF EXISTS "Staff record what they did, as themselves, now" ON lead_activity;
DROP POLICY IF EXISTS "Staff open active assignments, stamped now" ON assignments;
GRANT INSERT ON leads, lead_products, lead_activity TO anon;
GRANT UPDATE ON leads, lead_products, assignments TO authenticated;
CREATE POLICY "Anyone can submit leads" ON leads FOR INSERT TO anon WITH CHECK (true);
CREATE POLICY "Anyone can add lead products" ON lead_products FOR INSERT TO anon WITH CHECK (true);
CREATE POLICY "Authenticated users can add leads" ON leads FOR INSERT TO authenticated WITH CHECK (true);
CREATE POLICY "Authenticated users can add lead products" ON lead_products FOR INSERT TO authenticated WITH CHECK (true);
CREATE POLICY "Authenticated users can update lead products" ON lead_products FOR UPDATE TO authenticated
  USING (true) WITH CHECK (true);
CREATE POLICY "System can log activity" ON lead_activity FOR INSERT TO anon, authenticated WITH CHECK (true);
CREATE POLICY "System can create assignments" ON assignments FOR INSERT TO authenticated WITH CHECK (true);
"""

CONTACT_COLUMNS = ("name", "phone", "company", "role", "location")
_CHANGED = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in CONTACT_COLUMNS)
_EXPECTED = ",\n      ".join(
    f"CASE WHEN OLD.{c} IS DISTINCT FROM NEW.{c} THEN jsonb_build_object('{c}', "
    f"jsonb_build_object('from', OLD.{c}, 'to', NEW.{c})) ELSE '{{}}'::jsonb END"
    for c in CONTACT_COLUMNS
)
CREATE_CONTACT_GUARD = f"""
CREATE OR REPLACE FUNCTION lead_contact_edit_guard() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_expected jsonb := '{{}}'::jsonb || {_EXPECTED.replace("," + chr(10) + "      ", " || ")};
  v_event uuid := nullif(current_setting('leadsys.contact_edit_event', true), '')::uuid;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM lead_activity a
                 WHERE a.id = v_event AND a.lead_id = NEW.id AND a.type = 'note'
                   AND a.metadata->>'kind' = 'contact_edit' AND a.metadata->'changes' = v_expected) THEN
    RAISE EXCEPTION 'a lead''s contact details change only with their contact_edit event'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER leads_contact_edit_guard BEFORE UPDATE OF {", ".join(CONTACT_COLUMNS)} ON leads
  FOR EACH ROW WHEN ({_CHANGED}) EXECUTE FUNCTION lead_contact_edit_guard();
"""  # noqa: S608 - constants of the migration, not input
DROP_CONTACT_GUARD = """
DROP TRIGGER IF EXISTS leads_contact_edit_guard ON leads;
DROP FUNCTION IF EXISTS lead_contact_edit_guard();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("activity", "0005_lead_id_statistics"),
        ("assignments", "0007_contact_times_skip"),
        ("leads", "0011_held_and_rejected_submissions"),
    ]

    operations = [
        migrations.RunSQL(CREATE_INTAKE_SUBMIT, RESTORE_INTAKE_SUBMIT),
        migrations.RunSQL(CREATE_POLICIES, RESTORE_POLICIES),
        migrations.RunSQL(CREATE_CONTACT_GUARD, DROP_CONTACT_GUARD),
    ]
