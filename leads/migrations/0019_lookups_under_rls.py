"""Index lookups that row-level security would otherwise turn into scans.

Under a policy, PostgreSQL evaluates a clause before the policy only when every
function in it is leakproof; lower(), LIKE and full-text matching are not, so as
`authenticated` (every staff request) the indexes on lower(email), phone prefixes
and the search words could not be used. Marking a returning contact cost a scan
of every earlier lead per row: the console's lead list took 13 s after 800,000
rows, against 29 ms as the owner.

These functions run the same lookups as the owner and return only lead ids; the
caller's query then reads those leads under its own policies, so a rep still sees
only the leads they may see. What leaks is whether an id exists, never a row.
ROWS 20 tells the planner a lookup is selective, so the leads are then read by id.

Read by leads.selectors (returning contacts, earlier enquiries) and leads.search.
"""

from django.db import migrations

# Must match idx_leads_search_words (0009) exactly, or the index is not used.
WORDS_VECTOR = (
    "to_tsvector('simple'::regconfig, coalesce(name, '') || ' ' || coalesce(company, '')"
    " || ' ' || coalesce(email, '') || ' ' || translate(coalesce(email, ''), '@._+-', '     '))"
)

EMAIL_PREFIX_SQL = "SELECT id FROM leads WHERE lower(email) LIKE $1"
PHONE_PREFIX_SQL = "SELECT id FROM leads WHERE phone LIKE $1"
WORDS_SQL = f"SELECT id FROM leads WHERE {WORDS_VECTOR} @@ to_tsquery('simple'::regconfig, $1)"  # noqa: S608

CREATE = f"""
CREATE OR REPLACE FUNCTION lead_ids_by_email(p_email text) RETURNS SETOF uuid ROWS 20
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$ SELECT id FROM leads WHERE lower(email) = lower(p_email) $$;
-- A LIKE prefix uses its index only when the planner sees the pattern: EXECUTE plans the query
-- with the value, where a SQL function's parameter would plan a scan of every lead.
CREATE OR REPLACE FUNCTION lead_ids_by_email_prefix(p_pattern text) RETURNS SETOF uuid ROWS 20
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$ BEGIN RETURN QUERY EXECUTE '{EMAIL_PREFIX_SQL}' USING p_pattern; END $$;
CREATE OR REPLACE FUNCTION lead_ids_by_phone_prefix(p_pattern text) RETURNS SETOF uuid ROWS 20
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$ BEGIN RETURN QUERY EXECUTE '{PHONE_PREFIX_SQL}' USING p_pattern; END $$;
CREATE OR REPLACE FUNCTION lead_ids_by_words(p_query text) RETURNS SETOF uuid ROWS 20
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$ {WORDS_SQL.replace("$1", "p_query")} $$;
REVOKE ALL ON FUNCTION lead_ids_by_email(text), lead_ids_by_email_prefix(text), lead_ids_by_phone_prefix(text),
  lead_ids_by_words(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lead_ids_by_email(text), lead_ids_by_email_prefix(text), lead_ids_by_phone_prefix(text),
  lead_ids_by_words(text) TO authenticated;
"""  # noqa: S608 - constants of the migration, not input

DROP = """
DROP FUNCTION IF EXISTS lead_ids_by_email(text);
DROP FUNCTION IF EXISTS lead_ids_by_email_prefix(text);
DROP FUNCTION IF EXISTS lead_ids_by_phone_prefix(text);
DROP FUNCTION IF EXISTS lead_ids_by_words(text);
"""


class Migration(migrations.Migration):
    dependencies = [("leads", "0018_daily_source_counts")]

    operations = [migrations.RunSQL(CREATE, DROP)]
