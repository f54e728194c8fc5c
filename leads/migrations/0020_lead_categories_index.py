"""A lead's categories as an index-only scan (per row of the leads list and the CSV export)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0019_lookups_under_rls"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="leadproduct",
            index=models.Index(fields=["lead", "category"], name="idx_lead_products_lead_cat"),
        ),
    ]
