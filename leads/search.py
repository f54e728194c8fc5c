"""Searching leads by name, company, email or phone with indexes core PostgreSQL has.

Shared by the admin and the console. What the query looks like picks the index
(see migration 0009): an `@` searches emails by their beginning, a run of
digits searches phones, anything else matches whole words by their beginning
(`rah shar` finds "Rahul Sharma"), in name, company and email (its parts
too: `studio.example` finds meera@studio.example). A substring in
the middle of a word is not found: that is what an index without pg_trgm can
serve on a million leads.

The lookups are functions of migration 0019 that return lead ids: under row-level
security (staff requests) a LIKE or a text match could not use its index at all.
The query around them still reads the leads under the caller's policies.
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


def search_leads(leads: QuerySet[Lead], text: str) -> QuerySet[Lead]:
    """The leads among `leads` that match `text`; all of them for blank text."""
    text = text.strip()
    if not text:
        return leads
    if "@" in text:
        return leads.filter(_where("leads.id IN (SELECT lead_ids_by_email_prefix(%s))", [_like_prefix(text.lower())]))
    digits = re.sub(r"\D", "", text)
    if PHONE_LIKE.match(text) and len(digits) >= MIN_PHONE_DIGITS:
        prefixes = _phone_prefixes(text, digits)
        ids = " UNION ALL ".join(["SELECT lead_ids_by_phone_prefix(%s)"] * len(prefixes))
        return leads.filter(_where(f"leads.id IN ({ids})", [_like_prefix(p) for p in prefixes]))
    words = re.findall(r"[^\W_]+", text)[:MAX_WORDS]
    if not words:
        return leads.none()
    query = " & ".join(f"{word.lower()}:*" for word in words)
    return leads.filter(_where("leads.id IN (SELECT lead_ids_by_words(%s))", [query]))


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
