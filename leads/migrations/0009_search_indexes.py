"""Indexes for searching leads with core PostgreSQL alone (no pg_trgm here).

Read by leads.search.search_leads(), which the admin and the console share:
- words (name, company, email, and the email's parts, so a domain is found)
  through full-text search in the `simple` configuration, prefix-matched
  (`rahul:*`), over a GIN expression index;
- an email by its beginning: lower(email) with text_pattern_ops serves LIKE 'x%';
- a phone by its digits: phone with text_pattern_ops serves LIKE '+9198%'.
The expressions here and in leads/search.py must stay identical, or the
planner cannot use the index.
"""

from django.db import migrations

INDEXES = {
    "idx_leads_search_words": "leads USING gin (to_tsvector('simple'::regconfig, coalesce(name, '') || ' '"
    " || coalesce(company, '') || ' ' || coalesce(email, '') || ' ' || translate(coalesce(email, ''), '@._+-', '     ')))",
    "idx_leads_email_prefix": "leads (lower(email) text_pattern_ops)",
    "idx_leads_phone_prefix": "leads (phone text_pattern_ops) WHERE phone IS NOT NULL",
}


class Migration(migrations.Migration):
    dependencies = [("leads", "0008_leads_keyset_index")]

    operations = [
        migrations.RunSQL(f"CREATE INDEX IF NOT EXISTS {name} ON {definition};", f"DROP INDEX IF EXISTS {name};")
        for name, definition in INDEXES.items()
    ]
