"""Searching leads by name, company, email or phone with indexes core PostgreSQL has.

Shared by the admin and the console. What the query looks like picks the index
(see migration 0009): an `@` searches emails by their beginning, a run of
digits searches phones, anything else matches whole words by their beginning
(`rah shar` finds "Rahul Sharma"), in name, company and email (its parts
too: `studio.example` finds meera@studio.example). A substring in
the middle of a word is not found: that is what an index without pg_trgm can
serve on a million leads.

Staff requests run under row-level security, where a LIKE or a text match could
not use its index at all: they match through the id lookups of migration 0019,
and the query around them still reads the leads under the caller's policies.
The admin reads as the owner and matches with the predicates themselves.
"""

from __future__ import annotations

import re

import phonenumbers
from django.conf import settings
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

from leads.models import Lead

PHONE_LIKE = re.compile(r"^\+?[\d\s().-]+$")
MIN_PHONE_DIGITS = 4
MAX_WORDS = 8


# Must match idx_leads_search_words exactly.
WORDS_VECTOR_SQL = (
    "to_tsvector('simple'::regconfig, coalesce(leads.name, '') || ' ' || coalesce(leads.company, '')"
    " || ' ' || coalesce(leads.email, '') || ' ' || translate(coalesce(leads.email, ''), '@._+-', '     '))"
)
# Each match two ways: as a predicate the owner's query plans freely (an index, or the newest
# leads first when a word is common), and as the id lookup of migration 0019 for queries under
# row-level security, where the predicate could use no index at all.
EMAIL_PREFIX = ("lower(leads.email) LIKE %s", "lead_ids_by_email_prefix(%s)")
PHONE_PREFIX = ("leads.phone LIKE %s", "lead_ids_by_phone_prefix(%s)")
WORDS = (f"{WORDS_VECTOR_SQL} @@ to_tsquery('simple'::regconfig, %s)", "lead_ids_by_words(%s)")


def search_leads(leads: QuerySet[Lead], text: str, *, as_owner: bool = False) -> QuerySet[Lead]:
    """The leads among `leads` that match `text`; all of them for blank text.

    as_owner: the query runs as the tables' owner (the admin), not under staff policies.
    """
    text = text.strip()
    if not text:
        return leads
    if "@" in text:
        return leads.filter(_any_of(EMAIL_PREFIX, [_like_prefix(text.lower())], as_owner))
    digits = re.sub(r"\D", "", text)
    if PHONE_LIKE.match(text) and len(digits) >= MIN_PHONE_DIGITS:
        prefixes = _phone_prefixes(text, digits)
        return leads.filter(_any_of(PHONE_PREFIX, [_like_prefix(p) for p in prefixes], as_owner))
    words = re.findall(r"[^\W_]+", text)[:MAX_WORDS]
    if not words:
        return leads.none()
    query = " & ".join(f"{word.lower()}:*" for word in words)
    return leads.filter(_any_of(WORDS, [query], as_owner))


def _any_of(match: tuple[str, str], params: list[str], as_owner: bool) -> RawSQL:
    """Leads matching any of `params`: OR of the predicate, or leads.id IN the lookups' union."""
    predicate, lookup = match
    if as_owner:
        return _where("(" + " OR ".join([predicate] * len(params)) + ")", params)
    ids = " UNION ALL ".join([f"SELECT {lookup}"] * len(params))
    return _where(f"leads.id IN ({ids})", params)


def _phone_prefixes(text: str, digits: str) -> list[str]:
    """E.164 beginnings the typed digits can be: as dialled, or local to the default region."""
    prefixes = {"+" + digits}
    try:
        parsed = phonenumbers.parse(text, settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is not None and parsed.national_number:
        prefixes.add(f"+{parsed.country_code}{parsed.national_number}")
    if not text.startswith("+"):
        code = phonenumbers.country_code_for_region(settings.PHONE_DEFAULT_REGION)
        prefixes.add(f"+{code}{digits.lstrip('0')}")
    return sorted(prefixes)


def _like_prefix(value: str) -> str:
    return re.sub(r"([\\%_])", r"\\\1", value) + "%"


def _where(sql: str, params: list[str]) -> RawSQL:
    return RawSQL(sql, params, output_field=BooleanField())
