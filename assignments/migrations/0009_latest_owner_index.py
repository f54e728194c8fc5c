"""A lead's latest assignment (its owner, per row of the leads list and the CSV) read from the index, without a sort."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assignments", "0008_daily_sla_counts"),
        ("leads", "0019_lookups_under_rls"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="assignment",
            name="idx_assignments_lead_id",
        ),
        migrations.AddIndex(
            model_name="assignment",
            index=models.Index(fields=["lead", "-assigned_at", "-id"], name="idx_assignments_lead_latest"),
        ),
    ]
