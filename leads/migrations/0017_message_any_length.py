"""A message of any length the request size limit lets through (issue 16): the CHECK moves from 10,000 to 1,000,000 characters.

The request limit (MAX_REQUEST_BYTES, 256 KiB by default) is what caps a
message now; this CHECK stays as the backstop behind it (leads.models.MESSAGE_MAX_LENGTH,
which the form and the API check too, so a message over it is a field error, not a 500).
Every stored row passed the old, stricter check, so adding the new one refuses nothing.
Rolling back restores the 10,000 cap and fails while a longer message is stored.
"""

import django.db.models.functions.text
import django.db.models.lookups
from django.db import migrations, models


def message_length(limit: int) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(message__isnull=True)
        | models.Q(django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length("message"), limit)),
        name="leads_message_length",
    )


class Migration(migrations.Migration):
    dependencies = [("leads", "0016_phone_lookup")]

    operations = [
        migrations.RemoveConstraint(model_name="lead", name="leads_message_length"),
        migrations.AddConstraint(model_name="lead", constraint=message_length(1_000_000)),
    ]
