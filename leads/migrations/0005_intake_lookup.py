"""The narrow window that lets intake, running as anon, find today's lead.

Read by leads.intake.services.lead_submit(). anon may not SELECT leads (RLS); this
function, owned by the table owner, answers only "which lead has this email
today", nothing else.
"""

from django.db import migrations

CREATE_INTAKE_LOOKUP = """
-- Takes a transaction-level lock on the email first, so same-email intakes
-- run one after the other and the second one sees the first one's lead.
CREATE OR REPLACE FUNCTION intake_todays_lead_id(p_email text) RETURNS uuid
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended(lower(p_email), 0));
  RETURN (
    SELECT id FROM leads
    WHERE lower(email) = lower(p_email) AND business_date(created_at) = business_date(now())
    LIMIT 1
  );
END $$;
REVOKE ALL ON FUNCTION intake_todays_lead_id(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION intake_todays_lead_id(text) TO anon;
"""
DROP_INTAKE_LOOKUP = "DROP FUNCTION IF EXISTS intake_todays_lead_id(text);"

# The catalogue the form starts with; staff change it in the admin.
CATALOGUE = {
    "Flooring": ["Premium Laminate Flooring", "Engineered Wood Flooring", "Vinyl Plank Flooring", "SPC Flooring"],
    "Wall": ["Designer Wall Panels", "PVC Wall Panels", "Acoustic Wall Panels", "Charcoal Louvers"],
    "Lighting": ["LED Panel Lights", "Cove Lighting", "Track Lights", "Decorative Pendants"],
    "Laminates": ["High-Gloss Laminates", "Matte Laminates", "Textured Laminates", "Compact Laminates"],
}


def load_catalogue(apps, schema_editor) -> None:  # noqa: ANN001
    Category = apps.get_model("leads", "ProductCategory")
    Product = apps.get_model("leads", "Product")
    for position, (name, products) in enumerate(CATALOGUE.items()):
        category, _ = Category.objects.get_or_create(name=name, defaults={"position": position})
        for index, product in enumerate(products):
            Product.objects.get_or_create(category=category, name=product, defaults={"position": index})


class Migration(migrations.Migration):
    dependencies = [("leads", "0004_catalogue_and_intake_state")]

    operations = [
        migrations.RunSQL(CREATE_INTAKE_LOOKUP, DROP_INTAKE_LOOKUP),
        migrations.RunPython(load_catalogue, migrations.RunPython.noop),
    ]
